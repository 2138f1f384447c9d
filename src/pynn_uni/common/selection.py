"""Cell selectors (slice, boolean mask, int, index list) as sorted, unique index arrays:
how a view or an assembly picks its cells."""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np

from pynn_uni import errors


def normalise_selector(selector, size: int) -> np.ndarray:
    """Turn a slice, bool mask, int or index list into a sorted, unique index array."""
    if isinstance(selector, slice):
        return np.arange(size)[selector]
    if isinstance(selector, (int, np.integer)):
        return np.array([selector % size])
    arr = np.asarray(
        list(selector)
        if isinstance(selector, Iterable) and not isinstance(selector, np.ndarray)
        else selector
    )
    if arr.dtype == bool:
        if arr.size != size:
            raise errors.InvalidDimensionsError(
                f"boolean mask of length {arr.size} for a group of size {size}"
            )
        return np.nonzero(arr)[0]
    arr = arr.astype(np.int64)
    if arr.size and (arr.max() >= size or arr.min() < -size):
        raise IndexError(f"index {arr.max()} out of range for size {size}")
    arr = np.where(arr < 0, arr + size, arr)
    unique = np.unique(arr)
    if unique.size != arr.size:
        warnings.warn("duplicate indices removed from the view", stacklevel=3)
    return unique
