"""Canonical units and unit conversion.

pynn_uni speaks PyNN's units everywhere in the common layer: ms, mV, nA, nF, uS (conductance
weights and synaptic conductances), nS (``a``, ``q_sfa``, ``q_rr``, ``g_r``, ``g_s``, the facets
``g_leak``), Hz, um, degrees (phase) and ``dimensionless``.  Every conversion factor is computed
here from the unit strings with :mod:`quantities`, so no backend ever types ``1000.0`` by hand.

The pseudo-unit :data:`WEIGHT` marks synaptic weights (and STDP weight bounds): their unit is
the post-synaptic cell type's ``weight_unit`` (uS, nA or mV), known only at projection time.
"""

from __future__ import annotations

import functools
from numbers import Number

import numpy as np
import quantities as pq

from pynn_uni.errors import InvalidParameterValueError

#: Pseudo-unit of synaptic weights: resolved to the post cell type's ``weight_unit``.
WEIGHT = "weight"
#: Units a weight may be given in, in the order tried when converting a quantity.
WEIGHT_UNITS = ("uS", "nA", "mV")

_ALIASES = {
    "": "dimensionless",
    "none": "dimensionless",
    "unknown": "dimensionless",
    "degrees": "deg",
    "degree": "deg",
    "/ms": "1/ms",
    "/s": "1/s",
    "µS": "uS",
    "µm": "um",
    "µA": "uA",
}


def _normalise(unit: str | None) -> str:
    unit = "dimensionless" if unit is None else str(unit).strip()
    return _ALIASES.get(unit, unit)


@functools.cache
def pq_units(unit: str | None) -> pq.Quantity:
    """The :mod:`quantities` unit object for a unit string (e.g. for neo signals).

    Accepts PyNN's spellings, including ``'dimensionless'``, ``'uS'``, ``'mV/ms'``, ``'1/ms'``
    and ``'/ms'``.  Raises ``ValueError`` for a string quantities cannot parse.
    """
    name = _normalise(unit)
    if name == "dimensionless":
        return pq.dimensionless
    try:
        return pq.unit_registry[name]
    except (KeyError, LookupError, SyntaxError):
        pass
    try:
        return pq.CompoundUnit(name)
    except Exception as err:  # quantities raises assorted errors for unparsable strings
        raise ValueError(f"unknown unit {unit!r}") from err


@functools.cache
def scale(from_unit: str, to_unit: str) -> float:
    """Factor that converts a value in ``from_unit`` to ``to_unit`` (``x_to = x_from * f``).

    Computed with :mod:`quantities` and rounded to 15 significant digits, so exact decimal
    ratios come out exact: ``scale('nA', 'pA') == 1000.0``, ``scale('Hz', '1/ms') == 0.001``.
    Incompatible dimensions raise ``ValueError``.
    """
    src, dst = pq_units(from_unit), pq_units(to_unit)
    if not _same_dimensions(src, dst):
        raise ValueError(f"cannot convert {from_unit!r} to {to_unit!r}: different dimensions")
    factor = float(pq.Quantity(1.0, src).rescale(dst).magnitude)
    return float(f"{factor:.15g}")


def _same_dimensions(a, b) -> bool:
    return a.dimensionality.simplified == b.dimensionality.simplified


def _unit_string(q: pq.Quantity) -> str:
    return q.dimensionality.string


def to_canonical(value, unit: str | None, name: str):
    """Convert a :class:`quantities.Quantity` to the plain number(s) in canonical ``unit``.

    Plain numbers, arrays and anything else without units pass through unchanged.  ``unit``
    may be :data:`WEIGHT`, in which case a conductance goes to uS, a current to nA and a
    voltage to mV.  A quantity of the wrong dimensions raises
    :class:`~pynn_uni.errors.InvalidParameterValueError` naming ``name`` and the unit expected.
    """
    if not isinstance(value, pq.Quantity):
        return value
    candidates = WEIGHT_UNITS if unit == WEIGHT else (_normalise(unit),)
    for target in candidates:
        if _same_dimensions(value.units, pq_units(target)):
            magnitude = np.asarray(value.magnitude, dtype=float) * scale(
                _unit_string(value), target
            )
            return float(magnitude) if magnitude.ndim == 0 else magnitude
    expected = " or ".join(candidates)
    raise InvalidParameterValueError(
        f"parameter {name!r} expects a value in {expected}, got a quantity in "
        f"{_unit_string(value)!r} (incompatible dimensions)"
    )


def is_number(value) -> bool:
    """True for a real scalar (Python or numpy number, bools included)."""
    real = isinstance(value, (Number, np.number))
    return real and not isinstance(value, (complex, np.complexfloating))
