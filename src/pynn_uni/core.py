"""Small general helpers scripts import from PyNN's ``pyNN.core`` path.

``IndexBasedExpression`` (the base of ``f(i, j)`` functions given to
``IndexBasedProbabilityConnector`` and as synaptic parameters) lives with the string
formulas in :mod:`pynn_uni.common.expressions`; ``find`` and ``run_command`` with the build
tools.  This module only gathers them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from pynn_uni.common.deprecation import deprecated as _warn_deprecated
from pynn_uni.common.expressions import IndexBasedExpression
from pynn_uni.utility.build import find, run_command

__all__ = [
    "IndexBasedExpression",
    "deprecated",
    "ezip",
    "find",
    "is_listlike",
    "reraise",
    "run_command",
]


def is_listlike(obj) -> bool:
    """True for a list, tuple, set or an array of at least one dimension: something with a
    length that holds several values (not an iterator, a string or a scalar)."""
    return isinstance(obj, (list, tuple, set)) or (isinstance(obj, np.ndarray) and obj.ndim > 0)


def deprecated(replacement: str = "") -> Callable[[Callable], Callable]:
    """Decorator: calling the function warns (``DeprecationWarning``) that it is deprecated,
    naming ``replacement`` if given."""

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            _warn_deprecated(func.__name__, replacement or None)
            return func(*args, **kwargs)

        wrapper.__doc__ = f"*Deprecated*. Use ``{replacement}`` instead."
        return wrapper

    return decorate


def reraise(exception: BaseException, message: str):
    """Re-raise the exception being handled with ``message`` appended to its first argument.

    Call it inside an ``except`` block, with the caught exception.
    """
    args = list(exception.args) or [""]
    args[0] = f"{args[0]}{message}"
    exception.args = tuple(args)
    raise exception


def ezip(*iterables: Iterable) -> Iterator[tuple]:
    """Like ``zip``, but yields ``(first, (rest...))`` pairs."""
    for items in zip(*iterables):  # noqa: B905 - zip's own truncation, as documented
        yield items[0], items[1:]
