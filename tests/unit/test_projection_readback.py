"""Projection.get in both formats agrees with what the backend holds (the reference
backend's own arrays), after connecting, after set() and after reset(), multiple synapses
per pair included (format='array' builds the pre x post array without sorting)."""

import numpy as np
import pytest

from pynn_uni.random import NumpyRNG, RandomDistribution


def _native(prj):
    """(pre, post, weight) as the reference backend stores them."""
    h = prj._handle
    return h.pre, h.post, h.weight


def _check(prj):
    pre, post, weight = _native(prj)
    rows = np.array(prj.get("weight", format="list"))
    expected = np.column_stack([pre, post, weight])
    expected = expected[np.lexsort((pre, post))]  # canonical: by post, then pre
    np.testing.assert_array_equal(rows, expected)
    a = prj.get("weight", format="array")
    summed = np.full(prj.shape, np.nan)
    summed[pre, post] = 0.0
    np.add.at(summed, (pre, post), weight)
    np.testing.assert_allclose(a, summed, rtol=1e-15)
    assert np.isnan(a).sum() == a.size - len(set(zip(pre.tolist(), post.tolist(), strict=True)))


def test_random_weights_read_back_after_connect_set_and_reset(sim):
    rng = NumpyRNG(seed=5)
    pre, post = sim.Population(20, sim.IF_cond_exp()), sim.Population(30, sim.IF_cond_exp())
    w = RandomDistribution("uniform", low=0.001, high=0.01, rng=rng)
    prj = sim.Projection(pre, post, sim.FixedProbabilityConnector(0.3, rng=rng),
                         sim.StaticSynapse(weight=w, delay=0.5))  # fmt: skip
    _check(prj)
    new = prj.get("weight", format="array") * 3.0
    prj.set(weight=new)
    _check(prj)
    np.testing.assert_array_equal(prj.get("weight", format="array"), new)
    sim.run(2.0)
    sim.reset()
    _check(prj)
    np.testing.assert_array_equal(prj.get("weight", format="array"), new)


def test_array_format_combines_multiple_synapses_in_connection_order(sim):
    pre, post = sim.Population(2, sim.IF_cond_exp()), sim.Population(2, sim.IF_cond_exp())
    pairs = [(1, 0, 0.3), (0, 1, 0.1), (1, 0, 0.2), (0, 1, 0.4), (1, 0, 0.5)]
    prj = sim.Projection(pre, post, sim.FromListConnector(pairs, column_names=["weight"]))
    _check(prj)
    nan = np.nan
    get = {op: prj.get("weight", "array", multiple_synapses=op)
           for op in ("sum", "first", "last", "min", "max")}  # fmt: skip
    np.testing.assert_allclose(get["sum"], [[nan, 0.5], [1.0, nan]])
    np.testing.assert_array_equal(get["first"], [[nan, 0.1], [0.3, nan]])
    np.testing.assert_array_equal(get["last"], [[nan, 0.4], [0.5, nan]])
    np.testing.assert_array_equal(get["min"], [[nan, 0.1], [0.2, nan]])
    np.testing.assert_array_equal(get["max"], [[nan, 0.4], [0.5, nan]])


def test_empty_projection_reads_back_as_all_nan(sim):
    pre, post = sim.Population(3, sim.IF_cond_exp()), sim.Population(4, sim.IF_cond_exp())
    prj = sim.Projection(pre, post, sim.FromListConnector([]))
    a = prj.get(["weight", "delay"], format="array")
    assert all(x.shape == (3, 4) and np.isnan(x).all() for x in a)
    assert prj.get("weight", format="list") == []


@pytest.mark.parametrize("op", ["sum", "first", "last", "min", "max"])
def test_a_lone_nan_weight_stays_nan(sim, op):
    """A backend reports NaN for a connection it could not realise (the chip's lost
    synapses): every combination keeps it NaN, distinct from 'no connection'."""
    from pynn_uni.common.projections import _as_array

    a = _as_array(np.array([0, 3]), np.array([np.nan, 2.0]), (2, 2), op)
    assert np.isnan(a[0, 0]) and a[1, 1] == 2.0 and np.isnan(a[0, 1])
