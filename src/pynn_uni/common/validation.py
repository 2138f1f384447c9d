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


def integer_argument(
    func: str, name: str, value, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """An integer option of ``func`` (a seed, a thread count): refuses None, strings, floats
    with a fraction, booleans and values outside ``[minimum, maximum]``."""
    ok = isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, bool)
    if not ok and isinstance(value, (float, np.floating)) and float(value).is_integer():
        ok, value = True, int(value)
    low_ok = minimum is None or (ok and value >= minimum)
    high_ok = maximum is None or (ok and value <= maximum)
    if not (ok and low_ok and high_ok):
        if minimum is not None and maximum is not None:
            allowed = f"an integer in [{minimum}, {maximum}]"
        elif minimum is not None:
            allowed = f"an integer >= {minimum}"
        elif maximum is not None:
            allowed = f"an integer <= {maximum}"
        else:
            allowed = "an integer"
        raise InvalidParameterValueError(f"{func}: {name} must be {allowed}, got {value!r}")
    return int(value)


#: the seeds ``setup()`` accepts on every backend: unsigned 32-bit integers (NEST's kernel
#: and NEURON's Random123 streams hold no more; numpy takes any of them)
SEED_RANGE = (0, 2**32 - 1)


def seed_argument(func: str, name: str, value) -> int:
    """A random seed: an integer in :data:`SEED_RANGE`, the same on every backend."""
    try:
        return integer_argument(func, name, value, minimum=SEED_RANGE[0], maximum=SEED_RANGE[1])
    except InvalidParameterValueError as err:
        raise InvalidParameterValueError(
            f"{err} (seeds are unsigned 32-bit integers on every backend)"
        ) from None


def seed_list_argument(func: str, name: str, value) -> list[int]:
    """A list of random seeds (``rng_seeds``), each in :data:`SEED_RANGE`: one numpy pass."""
    lo, hi = SEED_RANGE
    try:
        arr = np.asarray(value) if isinstance(value, (list, tuple, np.ndarray)) else None
    except (ValueError, OverflowError):  # ragged, or integers beyond 64 bits
        arr = None
    ok = arr is not None and arr.ndim == 1 and arr.size > 0 and arr.dtype.kind in "iu"
    if not ok or arr.min() < lo or arr.max() > hi:
        raise InvalidParameterValueError(
            f"{func}: {name} must be a list of integers in [{lo}, {hi}], got {value!r}"
        )
    return arr.astype(np.int64).tolist()


def variable_names(func: str, variables) -> list:
    """The names of ``func``'s ``variables`` argument (one name or a list of them) as a
    list; its items are checked by the caller, which knows what can be recorded."""
    if isinstance(variables, str):
        return [variables]
    if isinstance(variables, (list, tuple, set, frozenset, np.ndarray)):
        return list(np.ravel(variables)) if isinstance(variables, np.ndarray) else list(variables)
    raise TypeError(
        f"{func}: variables must be 'all', a variable name or a list of names, got "
        f"{variables!r} ({type(variables).__name__})"
    )


def annotations_argument(func: str, annotations) -> dict:
    """``annotations``: None or a mapping with string keys (they become neo annotations)."""
    if annotations is None:
        return {}
    if not isinstance(annotations, Mapping) or not all(isinstance(k, str) for k in annotations):
        raise TypeError(
            f"{func}: annotations must be a dict with string keys, got {annotations!r} "
            f"({type(annotations).__name__})"
        )
    return dict(annotations)


def callbacks_argument(func: str, callbacks) -> list:
    """Run callbacks: None or a list of functions ``f(t) -> next t``."""
    if callbacks is None:
        return []
    if callable(callbacks) or not isinstance(callbacks, (list, tuple)):
        hint = " (put a single function in a list)" if callable(callbacks) else ""
        raise TypeError(
            f"{func}: callbacks must be a list of functions f(t) -> next t, got "
            f"{callbacks!r} ({type(callbacks).__name__}){hint}"
        )
    for cb in callbacks:
        if not callable(cb):
            raise TypeError(
                f"{func}: each callback must be a function f(t) -> next t, got {cb!r} "
                f"({type(cb).__name__})"
            )
    return list(callbacks)


def sampling_interval(owner: str, value, dt: float) -> float:
    """A recording interval (ms): a finite number > 0, at least the timestep ``dt`` and a
    whole multiple of it (samples are taken on time steps)."""
    interval = time_argument(owner, "sampling_interval", value, strict=True)
    steps = interval / dt
    if steps < 1 - 1e-9:
        raise InvalidParameterValueError(
            f"{owner}: sampling_interval {interval} ms is below the timestep {dt} ms; "
            "samples are taken on time steps"
        )
    if abs(steps - round(steps)) > 1e-9 * steps:
        raise InvalidParameterValueError(
            f"{owner}: sampling_interval {interval} ms is not a multiple of the timestep "
            f"{dt} ms; use e.g. {np.floor(steps) * dt:.6g} or {np.ceil(steps) * dt:.6g} ms"
        )
    return interval


def names_argument(call: str, argument: str, value) -> list[str]:
    """A name or a list/tuple of names (``get('tau_m')``, ``get(['weight', 'delay'])``);
    anything else (None, a number) is a ``TypeError`` naming ``call`` and the value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(n, str) for n in value):
        return list(value)
    raise TypeError(
        f"{call}: {argument} must be a name or a list of names, got {value!r} "
        f"({type(value).__name__})"
    )
