"""One wording and one warning class for every deprecated PyNN name that pynn_uni keeps."""

from __future__ import annotations

import warnings


def deprecated(old: str, new: str | None = None, depth: int = 1) -> None:
    """Warn that ``old()`` is deprecated (``; use new`` when there is a replacement).

    ``depth``: frames between the deprecated function and this call (1: called directly
    from it), so the warning points at the user's line that called ``old``.
    """
    message = f"{old}() is deprecated" + (f"; use {new}" if new else "")
    warnings.warn(message, DeprecationWarning, stacklevel=depth + 2)
