"""Unit conversion: factors computed by quantities, quantities accepted where numbers are."""

import math

import neo
import numpy as np
import pytest
import quantities as pq

from pynn_uni.common.units import WEIGHT, pq_units, scale, to_canonical
from pynn_uni.errors import InvalidParameterValueError


@pytest.mark.parametrize(
    ("src", "dst", "factor"),
    [
        ("nA", "pA", 1000.0),
        ("pA", "nA", 0.001),
        ("uS", "nS", 1000.0),
        ("nS", "uS", 0.001),
        ("nF", "pF", 1000.0),
        ("Hz", "1/ms", 0.001),
        ("Hz", "/ms", 0.001),
        ("s", "ms", 1000.0),
        ("mV", "V", 0.001),
        ("ms", "ms", 1.0),
        ("mV/ms", "V/s", 1.0),
        ("um", "mm", 0.001),
    ],
)
def test_scale_is_exact_for_decimal_ratios(src, dst, factor):
    assert scale(src, dst) == factor  # exact, not approximately


def test_scale_degrees_to_radians():
    assert scale("deg", "rad") == pytest.approx(math.pi / 180, rel=1e-14)
    assert scale("degrees", "deg") == 1.0


def test_scale_rejects_incompatible_units():
    with pytest.raises(ValueError, match="different dimensions"):
        scale("mV", "nA")


@pytest.mark.parametrize(
    ("unit", "in_si"),
    [
        ("mV", 1e-3),
        ("nA", 1e-9),
        ("pA", 1e-12),
        ("uS", 1e-6),
        ("nS", 1e-9),
        ("nF", 1e-9),
        ("ms", 1e-3),
        ("Hz", 1.0),
        ("1/ms", 1e3),
        ("/ms", 1e3),
        ("mV/ms", 1.0),
        ("dimensionless", 1.0),
    ],
)
def test_pq_units_magnitude(unit, in_si):
    q = pq.Quantity(1.0, pq_units(unit))
    assert float(q.simplified.magnitude) == pytest.approx(in_si, rel=1e-12)


def test_pq_units_dimensionless_aliases():
    for alias in ("dimensionless", "", None, "unknown"):
        assert pq_units(alias) is pq.dimensionless


def test_pq_units_unknown_string():
    with pytest.raises(ValueError, match="unknown unit"):
        pq_units("furlongs_per_fortnight")


def test_pq_units_usable_for_neo_signals():
    sig = neo.AnalogSignal(np.zeros((3, 2)), units=pq_units("uS"), sampling_period=0.1 * pq.ms)
    assert sig.units == pq.uS
    sig = neo.AnalogSignal(np.zeros((3, 1)), units=pq_units("mV/ms"), sampling_period=1 * pq.ms)
    assert float(pq.Quantity(1.0, sig.units).rescale("V/s").magnitude) == pytest.approx(1.0)


def test_to_canonical_converts_quantities():
    assert to_canonical(0.02 * pq.s, "ms", "tau_m") == 20.0
    assert to_canonical(500 * pq.pA, "nA", "i_offset") == 0.5
    assert to_canonical(4 * pq.nS, "uS", "gsyn") == pytest.approx(0.004)
    np.testing.assert_array_equal(to_canonical([1.0, 2.5] * pq.s, "ms", "t"), [1000.0, 2500.0])


def test_to_canonical_passes_plain_values_through():
    assert to_canonical(3.5, "ms", "x") == 3.5
    arr = np.array([1.0, 2.0])
    assert to_canonical(arr, "ms", "x") is arr


def test_to_canonical_wrong_dimensions_names_parameter_and_unit():
    with pytest.raises(InvalidParameterValueError, match=r"'cm'.*nF"):
        to_canonical(1 * pq.mV, "nF", "cm")


def test_to_canonical_weights_by_dimension():
    assert to_canonical(5 * pq.nS, WEIGHT, "weight") == pytest.approx(0.005)  # -> uS
    assert to_canonical(250 * pq.pA, WEIGHT, "weight") == pytest.approx(0.25)  # -> nA
    assert to_canonical(2 * pq.mV, WEIGHT, "weight") == 2.0  # -> mV
    with pytest.raises(InvalidParameterValueError, match="weight"):
        to_canonical(1 * pq.ms, WEIGHT, "weight")
