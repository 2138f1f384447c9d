"""Cell selectors (slice, boolean mask, int, index list) as sorted, unique index arrays:
how a view or an assembly picks its cells.

PyNN's semantics stay (ints, slices, integer arrays, boolean masks of the group's length);
anything else is refused by name before a view exists: a bool, a float or a string is not
a cell index (``p[True]`` silently gave cell 1, and ``p[1.5]`` a view of cell 1).
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterable

import numpy as np

from pynn_uni import errors


def is_single(index) -> bool:
    """Whether ``index`` names one cell (or is refused as one: a float, a bool, a string,
    None) rather than a selection (a slice, an array, a list, a mask)."""
    return index is None or isinstance(index, (numbers.Number, np.generic, str, bytes))


def check_index(index, size: int, owner: str) -> int:
    """A single cell index of ``owner`` (a group of ``size`` cells) as a non-negative int:
    an int or numpy integer in ``[-size, size)``; a bool is refused (it is not a position)."""
    if isinstance(index, (bool, np.bool_)) or not isinstance(index, numbers.Integral):
        raise TypeError(
            f"{owner}: a cell index must be an int, a slice, an integer array or a boolean "
            f"mask, got {index!r} ({type(index).__name__})"
        )
    index = int(index)
    if not -size <= index < size:
        raise IndexError(f"{owner}: index {index} out of range for size {size}")
    return index + size if index < 0 else index


def normalise_selector(selector, size: int, owner: str = "group") -> np.ndarray:
    """Turn a slice, bool mask, int or index list into a sorted, unique index array.

    ``owner`` names the group (its label) in the messages of refused selectors."""
    if isinstance(selector, slice):
        if isinstance(selector.step, (int, np.integer)) and selector.step == 0:
            raise errors.InvalidDimensionsError(f"{owner}: a slice step cannot be zero")
        try:
            return np.arange(size)[selector]
        except TypeError:
            raise TypeError(
                f"{owner}: slice bounds and step must be ints or None, got {selector!r}"
            ) from None
    if isinstance(selector, np.ndarray) and selector.ndim == 0:
        selector = selector[()]  # a 0-d array selects like its one value
    if is_single(selector):
        return np.array([check_index(selector, size, owner)])
    arr = np.asarray(
        list(selector)
        if isinstance(selector, Iterable) and not isinstance(selector, np.ndarray)
        else selector
    )
    if arr.ndim != 1:
        raise errors.InvalidDimensionsError(
            f"{owner}: a selector must be one-dimensional, got shape {arr.shape}"
        )
    if arr.dtype == bool:
        if arr.size != size:
            raise errors.InvalidDimensionsError(
                f"{owner}: boolean mask of length {arr.size} for a group of size {size}"
            )
        return np.nonzero(arr)[0]
    if arr.size == 0:
        return np.empty(0, np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError(
            f"{owner}: cell indices must be integers (or a boolean mask of length {size}), "
            f"got {arr[:3].tolist()} ({arr.dtype})"
        )
    arr = arr.astype(np.int64)
    bad = (arr >= size) | (arr < -size)
    if bad.any():
        raise IndexError(f"{owner}: index {int(arr[bad][0])} out of range for size {size}")
    arr = np.sort(np.where(arr < 0, arr + size, arr))
    keep = np.empty(arr.size, bool)  # np.unique hashes: 20x slower on a million indices
    keep[0] = True
    np.not_equal(arr[1:], arr[:-1], out=keep[1:])
    unique = arr[keep]
    if unique.size != arr.size:
        warnings.warn("duplicate indices removed from the view", stacklevel=3)
    return unique


def check_sample_size(n, size: int, owner: str) -> int:
    """``sample(n)``: an int number of cells between 0 and the group's size."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral):
        raise errors.InvalidParameterValueError(
            f"{owner}.sample(): n must be an int, got {n!r} ({type(n).__name__})"
        )
    if not 0 <= n <= size:
        raise errors.InvalidParameterValueError(
            f"{owner}.sample(): cannot draw n={int(n)} cells without replacement from "
            f"{size} cells (0 <= n <= {size})"
        )
    return int(n)
