"""PyNN's ``pyNN.descriptions`` path: rendering the ``describe()`` text of a model object.

pynn_uni has one text layout (:func:`pynn_uni.common.describing.render`); PyNN's template
engines (jinja2, Cheetah, string.Template) are accepted by name and give that same layout.
"""

from __future__ import annotations

from typing import Any

from pynn_uni.common.describing import render as _render

DEFAULT_TEMPLATE_ENGINE = "default"

__all__ = ["DEFAULT_TEMPLATE_ENGINE", "render"]


def render(engine: Any, template: str | None, context: dict) -> str | dict:
    """The description of ``context`` as text; ``template=None`` returns ``context`` itself.

    ``engine`` (``'default'``, ``'jinja2'``, ...) and the template name are accepted for
    compatibility; the layout is always pynn_uni's.
    """
    return _render(template, context)
