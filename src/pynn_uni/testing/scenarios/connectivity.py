"""Connectors realised on the simulator: exact counts where the rule fixes them, binomial
statistics where it draws them, and values that round-trip.

As in :mod:`.connectors`, the target cells are of the first standard type the backend
declares, weights are small multiples of 0.001 (exact on a chip with a 1 nS step), and a
backend with one fixed delay must report that delay (and warn when another was asked)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pynn_uni.testing.scenarios._analytic import assert_close
from pynn_uni.testing.scenarios._data import (
    W,
    connection_mask,
    connection_table,
    expected_delays,
    source_and_cells,
    substituting_delays,
)

pytestmark = pytest.mark.model("SpikeSourceArray")


def _static(sim, weight: float = W):
    return sim.StaticSynapse(weight=weight)


def test_fixed_probability_count(sim, capabilities, tolerance):
    """The number of connections is Binomial(N_pre N_post, p): within k sigma of the mean."""
    pre, post = source_and_cells(sim, capabilities, 100, 100)
    p = 0.1
    prj = sim.Projection(
        pre, post, sim.FixedProbabilityConnector(p, rng=sim.NumpyRNG(seed=3)), _static(sim)
    )
    n, mean = prj.size(), 100 * 100 * p
    sigma = math.sqrt(100 * 100 * p * (1 - p))
    assert abs(n - mean) < tolerance["stat_sigma"] * sigma, f"{n} connections, expected {mean}"
    assert len(prj) == n == connection_mask(prj).sum()


def test_fixed_probability_extremes_and_self_connections(sim, capabilities):
    pre, cells = source_and_cells(sim, capabilities, 30, 30)
    assert sim.Projection(pre, cells, sim.FixedProbabilityConnector(1.0)).size() == 900
    assert sim.Projection(pre, cells, sim.FixedProbabilityConnector(0.0)).size() == 0
    recurrent = sim.Projection(
        cells,
        cells,
        sim.FixedProbabilityConnector(1.0, allow_self_connections=False),
        _static(sim),
    )
    present = connection_mask(recurrent)
    assert recurrent.size() == 30 * 29 and not present.diagonal().any()


def test_fixed_number_pre_and_post_exact_degrees(sim, capabilities):
    """Every post cell gets exactly n sources; every pre cell exactly n targets."""
    pre, post = source_and_cells(sim, capabilities, 30, 20)
    rng = sim.NumpyRNG(seed=11)
    in_prj = sim.Projection(pre, post, sim.FixedNumberPreConnector(7, rng=rng), _static(sim))
    assert np.array_equal(connection_mask(in_prj).sum(axis=0), np.full(20, 7))
    out_prj = sim.Projection(pre, post, sim.FixedNumberPostConnector(5, rng=rng), _static(sim))
    assert np.array_equal(connection_mask(out_prj).sum(axis=1), np.full(30, 5))
    # drawn with replacement: 0.001 lets a pair drawn up to 15 times share one 4-bit synapse
    total = sim.Projection(
        pre, post, sim.FixedTotalNumberConnector(123, rng=rng), _static(sim, 0.001)
    )
    assert total.size() == 123


def test_all_to_all_and_one_to_one(sim, capabilities):
    pre, post = source_and_cells(sim, capabilities, 12, 12)
    assert connection_mask(sim.Projection(pre, post, sim.AllToAllConnector(), _static(sim))).all()
    one = connection_mask(sim.Projection(pre, post, sim.OneToOneConnector(), _static(sim)))
    assert np.array_equal(one, np.eye(12, dtype=bool))


def test_from_list_round_trip(sim, capabilities):
    """Weights (nA or µS; 0.015 is the chip's top 4-bit code) and delays (ms) given in a
    list come back unchanged, in PyNN units (delays: the fixed one, where there is one)."""
    pre, post = source_and_cells(sim, capabilities, 4, 3)
    conns = [(0, 0, 0.003, 1.0), (1, 2, 0.005, 2.5), (3, 1, 0.001, 0.3), (3, 2, 0.015, 7.0)]
    with substituting_delays(sim, capabilities):
        prj = sim.Projection(pre, post, sim.FromListConnector(conns), sim.StaticSynapse())
    expected = np.array(conns, dtype=float)
    expected[:, 3] = expected_delays(sim, capabilities, expected[:, 3])
    assert_close(connection_table(prj), expected, rel=1e-9, what="(i, j, weight, delay)")


def test_array_connector(sim, capabilities):
    pre, post = source_and_cells(sim, capabilities, 3, 4)
    mask = np.array([[1, 0, 0, 1], [0, 1, 0, 0], [1, 1, 1, 0]], dtype=bool)
    prj = sim.Projection(pre, post, sim.ArrayConnector(mask), _static(sim))
    assert np.array_equal(connection_mask(prj), mask)
