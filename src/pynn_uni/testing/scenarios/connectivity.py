"""Connectors realised on the simulator: exact counts where the rule fixes them, binomial
statistics where it draws them, and values that round-trip."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pynn_uni.testing.scenarios._analytic import assert_close
from pynn_uni.testing.scenarios._data import connection_table

pytestmark = pytest.mark.model("SpikeSourceArray", "IF_curr_exp")


def _pops(sim, n_pre: int, n_post: int):
    return (
        sim.Population(n_pre, sim.SpikeSourceArray(spike_times=[])),
        sim.Population(n_post, sim.IF_curr_exp()),
    )


def _present(prj) -> np.ndarray:
    """pre x post boolean matrix of existing connections (NaN marks an absent one)."""
    return ~np.isnan(np.asarray(prj.get("weight", format="array"), dtype=float))


def test_fixed_probability_count(sim, tolerance):
    """The number of connections is Binomial(N_pre N_post, p): within k sigma of the mean."""
    pre, post = _pops(sim, 100, 100)
    p = 0.1
    prj = sim.Projection(
        pre,
        post,
        sim.FixedProbabilityConnector(p, rng=sim.NumpyRNG(seed=3)),
        sim.StaticSynapse(weight=0.1),
    )
    n, mean = prj.size(), 100 * 100 * p
    sigma = math.sqrt(100 * 100 * p * (1 - p))
    assert abs(n - mean) < tolerance["stat_sigma"] * sigma, f"{n} connections, expected {mean}"
    assert len(prj) == n == _present(prj).sum()


def test_fixed_probability_extremes_and_self_connections(sim):
    pre, cells = _pops(sim, 30, 30)
    assert sim.Projection(pre, cells, sim.FixedProbabilityConnector(1.0)).size() == 900
    assert sim.Projection(pre, cells, sim.FixedProbabilityConnector(0.0)).size() == 0
    recurrent = sim.Projection(
        cells,
        cells,
        sim.FixedProbabilityConnector(1.0, allow_self_connections=False),
        sim.StaticSynapse(weight=0.1),
    )
    present = _present(recurrent)
    assert recurrent.size() == 30 * 29 and not present.diagonal().any()


def test_fixed_number_pre_and_post_exact_degrees(sim):
    """Every post cell gets exactly n sources; every pre cell exactly n targets."""
    pre, post = _pops(sim, 30, 20)
    rng = sim.NumpyRNG(seed=11)
    in_prj = sim.Projection(
        pre, post, sim.FixedNumberPreConnector(7, rng=rng), sim.StaticSynapse(weight=0.1)
    )
    assert np.array_equal(_present(in_prj).sum(axis=0), np.full(20, 7))
    out_prj = sim.Projection(
        pre, post, sim.FixedNumberPostConnector(5, rng=rng), sim.StaticSynapse(weight=0.1)
    )
    assert np.array_equal(_present(out_prj).sum(axis=1), np.full(30, 5))
    total = sim.Projection(
        pre, post, sim.FixedTotalNumberConnector(123, rng=rng), sim.StaticSynapse(weight=0.1)
    )
    assert total.size() == 123


def test_all_to_all_and_one_to_one(sim):
    pre, post = _pops(sim, 12, 12)
    assert _present(
        sim.Projection(pre, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.1))
    ).all()
    one = _present(
        sim.Projection(pre, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.1))
    )
    assert np.array_equal(one, np.eye(12, dtype=bool))


def test_from_list_round_trip(sim):
    """Weights (nA) and delays (ms) given in a list come back unchanged, in PyNN units."""
    pre, post = _pops(sim, 4, 3)
    conns = [(0, 0, 0.25, 1.0), (1, 2, 0.5, 2.5), (3, 1, 0.125, 0.3), (3, 2, 1.5, 7.0)]
    prj = sim.Projection(pre, post, sim.FromListConnector(conns), sim.StaticSynapse())
    assert_close(
        connection_table(prj), np.array(conns, dtype=float), rel=1e-9, what="(i, j, weight, delay)"
    )


def test_array_connector(sim):
    pre, post = _pops(sim, 3, 4)
    mask = np.array([[1, 0, 0, 1], [0, 1, 0, 0], [1, 1, 1, 0]], dtype=bool)
    prj = sim.Projection(pre, post, sim.ArrayConnector(mask), sim.StaticSynapse(weight=0.2))
    assert np.array_equal(_present(prj), mask)
