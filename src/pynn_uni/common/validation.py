"""Value checks that every backend shares: run in the common layer, before a backend sees a value.

Each check is one numpy pass over a parameter's values (never a Python loop per cell) and raises
an :mod:`pynn_uni.errors` class whose message names the owner (a model, population or
projection), the parameter, the offending value(s) and what is allowed.  A backend adds only
what its simulator cannot do (e.g. the chip's ranges); NaN, None and infinities never reach it.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from pynn_uni.errors import InvalidParameterValueError

#: parameters that may be +inf: the end of an open-ended period
OPEN_ENDED = frozenset({"duration", "stop"})

#: cross-parameter relations: (left, operator, right)
_OPS = {"<": np.less, "<=": np.less_equal}
_WHY = {
    ("v_reset", "v_thresh"): "the reset potential must be below the threshold",
    ("v_reset", "v_spike"): "the reset potential must be below the spike detection voltage",
    ("v_thresh", "v_spike"): "the threshold must not exceed the spike detection voltage",
    ("w_min", "w_max"): "the lower weight bound must not exceed the upper one",
}


def _sample(values: np.ndarray) -> list:
    return np.asarray(values).ravel()[:3].tolist()


def check_finite(owner: str, name: str, value: Any, posinf_ok: bool = False) -> None:
    """Refuse NaN anywhere and infinities except +inf for an open-ended period (``OPEN_ENDED``)
    or where the model declares it meaningful (``posinf_ok``)."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "fc":
        return
    ok = np.isfinite(arr)
    posinf_ok = posinf_ok or name in OPEN_ENDED
    if posinf_ok:
        ok |= np.isposinf(arr)
    if not ok.all():
        allowed = "a finite number or +inf" if posinf_ok else "a finite number"
        raise InvalidParameterValueError(
            f"{owner}: parameter {name!r} must be {allowed}, got {_sample(arr[~ok])}"
        )


def check_initial_value(owner: str, name: str, value) -> None:
    """An initial value: a finite number (scalar or per-cell array); None is refused."""
    arr = np.asarray(value)
    if value is None or arr.dtype.kind not in "iuf":
        raise InvalidParameterValueError(
            f"{owner}: initial value {name!r} must be a finite number, got {value!r}"
        )
    check_finite(owner, name, arr)


def _flatten_sequences(value) -> tuple[np.ndarray, np.ndarray] | None:
    """All numbers of one array value or an object array of them, and the index where each
    cell's values start; ``None`` for anything else (lazy values, functions)."""
    items = value if isinstance(value, np.ndarray) and value.dtype == object else [value]
    arrays = []
    for item in np.ravel(items):
        inner = getattr(item, "value", item)
        if inner is None:
            continue
        try:
            arrays.append(np.asarray(inner, dtype=float).ravel())
        except (TypeError, ValueError):
            return None
    if not arrays:
        return np.empty(0), np.empty(0, dtype=np.int64)
    starts = np.cumsum([0] + [a.size for a in arrays[:-1]])
    return np.concatenate(arrays), starts


def check_array_values(
    owner: str, name: str, value, times: bool = False, posinf_ok: bool = False
) -> None:
    """Check an array-valued parameter (one value or one per cell): finite numbers and, for
    ``times``, non-negative and in non-decreasing order within each cell."""
    flat = _flatten_sequences(value)
    if flat is None:
        return
    values, starts = flat
    check_finite(owner, name, values, posinf_ok)
    if not times or values.size == 0:
        return
    negative = values < 0
    if negative.any():
        raise InvalidParameterValueError(
            f"{owner}: parameter {name!r} must hold times >= 0 ms, got {_sample(values[negative])}"
        )
    steps = np.diff(values) < 0
    if starts.size > 1:  # a drop between one cell's last and the next cell's first is allowed
        cuts = starts[1:] - 1
        steps[cuts[(cuts >= 0) & (cuts < steps.size)]] = False
    if steps.any():
        i = int(np.flatnonzero(steps)[0])
        raise InvalidParameterValueError(
            f"{owner}: parameter {name!r} must be sorted in increasing order, got "
            f"{values[i]} before {values[i + 1]}"
        )


def check_relations(owner: str, relations, values: Mapping[str, Any]) -> None:
    """Check cross-parameter constraints such as ``v_reset < v_thresh`` on numeric values
    (scalars or per-cell arrays, broadcast against each other)."""
    for left, op, right in relations:
        a, b = values.get(left), values.get(right)
        if not (_numeric(a) and _numeric(b)):
            continue
        a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
        bad = ~_OPS[op](a, b)
        if bad.any():
            why = _WHY.get((left, right))
            raise InvalidParameterValueError(
                f"{owner}: parameter {left!r} must be {op} {right!r}"
                + (f" ({why})" if why else "")
                + f", got {left}={_sample(a[bad])} and {right}={_sample(b[bad])}"
            )


def _numeric(value) -> bool:
    if isinstance(value, (numbers.Real, np.number)) and not isinstance(value, bool):
        return True
    return isinstance(value, np.ndarray) and value.dtype.kind in "iuf"


def relabel(err: Exception, label: str) -> Exception:
    """The same error class with the population/projection label in front of its message."""
    new = type(err)(f"{label}: {err}")
    new.__cause__ = err.__cause__
    return new


def time_argument(func: str, name: str, value, *, minimum: float = 0.0, strict: bool = False):
    """A finite float time (ms) for ``func(name=...)``: not None, not NaN/inf, >= (or >)
    ``minimum``."""
    op = ">" if strict else ">="
    if isinstance(value, bool) or not _is_real(value):
        raise InvalidParameterValueError(
            f"{func}: {name} must be a number of ms, got {value!r} ({type(value).__name__})"
        )
    value = float(value)
    if not np.isfinite(value) or (value <= minimum if strict else value < minimum):
        raise InvalidParameterValueError(
            f"{func}: {name} must be a finite number {op} {minimum} ms, got {value}"
        )
    return value


def _is_real(value) -> bool:
    if isinstance(value, (numbers.Real, np.number)):
        return True
    try:  # a quantities scalar or 0-d array
        return np.ndim(value) == 0 and np.asarray(value).dtype.kind in "iuf"
    except (TypeError, ValueError):
        return False


def integer_argument(func: str, name: str, value, *, minimum: int | None = None) -> int:
    """An integer option of ``func`` (a seed, a thread count): refuses strings, floats with a
    fraction, booleans and values below ``minimum``."""
    ok = isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, bool)
    if not ok and isinstance(value, (float, np.floating)) and float(value).is_integer():
        ok, value = True, int(value)
    if not ok or (minimum is not None and value < minimum):
        allowed = "an integer" + ("" if minimum is None else f" >= {minimum}")
        raise InvalidParameterValueError(f"{func}: {name} must be {allowed}, got {value!r}")
    return int(value)
