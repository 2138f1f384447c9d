"""Human-readable descriptions: ``describe(template=None)`` returns the context dict."""

from __future__ import annotations

import pprint


def render(template, context: dict):
    """Render ``context`` as indented text; ``template=None`` returns the dict itself.

    PyNN's template names (``'population_default.txt'``, ...) select this default text
    layout; jinja2 templates are not shipped.
    """
    if template is None:
        return context
    lines = []
    for key, value in context.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines.extend(f"    {k}: {v}" for k, v in value.items())
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{key}:")
            for item in value:
                lines.extend("    " + line for line in pprint.pformat(item).splitlines())
        else:
            lines.append(f"{key}: {value}")
    return "\n".join(lines)
