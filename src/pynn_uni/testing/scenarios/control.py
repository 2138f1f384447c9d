"""Simulation control: reset, split runs and seeds give exactly the same network and spikes."""

from __future__ import annotations

import numpy as np
import pytest

from pynn_uni.testing.scenarios._analytic import assert_close
from pynn_uni.testing.scenarios._data import connection_table, signal, spike_times


def _poisson_network(sim, seed: int = 7):
    """20 Poisson sources -> 10 LIF cells.  Each cell gets ~6 inputs of 1 nA at 50 Hz,
    mean drive 6 * 50/s * 1 nA * 5 ms = 1.5 nA, R I = 30 mV > 15 mV: the cells fire."""
    rng = sim.NumpyRNG(seed=seed)
    sources = sim.Population(20, sim.SpikeSourcePoisson(rate=50.0), label="sources")
    cells = sim.Population(10, sim.IF_curr_exp(), label="cells")
    weights = sim.RandomDistribution("uniform", (0.5, 1.5), rng=sim.NumpyRNG(seed=seed + 1))
    prj = sim.Projection(
        sources,
        cells,
        sim.FixedProbabilityConnector(0.3, rng=rng),
        sim.StaticSynapse(weight=weights, delay=1.0),
    )
    sources.record("spikes")
    cells.record(["spikes", "v"])
    return sources, cells, prj


def _assert_same_spikes(a: list, b: list, what: str) -> None:
    assert len(a) == len(b), f"{what}: {len(a)} vs {len(b)} spike trains"
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        assert x.shape == y.shape and np.allclose(x, y, rtol=0, atol=1e-9), (
            f"{what}, cell {i}: {x} != {y}"
        )


def _nonempty(trains: list, what: str) -> None:
    assert sum(len(t) for t in trains) > 0, f"scenario badly posed: no spikes from {what}"


def _same_setup(sim) -> None:
    sim.end()
    sim.setup(timestep=0.1)


@pytest.mark.requires("reset")
@pytest.mark.model("SpikeSourcePoisson", "IF_curr_exp")
def test_reset_replays_the_same_spikes(sim):
    """After reset() the same network (same sources, same RNG state) gives the same spikes."""
    sources, cells, _ = _poisson_network(sim)
    sim.run(100.0)
    sim.reset()
    assert sim.get_current_time() == 0.0
    sim.run(100.0)
    assert len(cells.get_data().segments) == 2
    for pop in (sources, cells):
        first, second = spike_times(pop, 0), spike_times(pop, 1)
        _nonempty(first, pop.label)
        _assert_same_spikes(first, second, f"{pop.label} before/after reset")
    _, v0 = signal(cells, "v", 0)
    _, v1 = signal(cells, "v", 1)
    assert_close(v1, v0, abs_=1e-9, what="membrane traces after reset (mV)")


@pytest.mark.requires("multiple_runs")
@pytest.mark.model("SpikeSourcePoisson", "IF_curr_exp")
def test_split_run_equals_single_run(sim):
    """run(30); run(70) is the same simulation as run(100), spike for spike."""
    _, cells, _ = _poisson_network(sim)
    sim.run(30.0)
    sim.run(70.0)
    assert abs(sim.get_current_time() - 100.0) < 1e-9
    split_spikes, (_, split_v) = spike_times(cells), signal(cells, "v")
    _same_setup(sim)
    _, cells, _ = _poisson_network(sim)
    sim.run(100.0)
    whole_spikes, (_, whole_v) = spike_times(cells), signal(cells, "v")
    _nonempty(whole_spikes, "cells")
    _assert_same_spikes(split_spikes, whole_spikes, "run(30)+run(70) vs run(100)")
    assert split_v.shape == whole_v.shape == (1001, 10)
    assert_close(split_v, whole_v, abs_=1e-9, what="membrane traces, split vs whole run (mV)")


@pytest.mark.model("SpikeSourcePoisson", "IF_curr_exp")
def test_same_seed_same_network(sim):
    """Two separate setups with the same seeds build the same connections and spikes; another
    seed builds other connections (so the seed is really used)."""
    _, cells, prj = _poisson_network(sim, seed=7)
    sim.run(100.0)
    table, spikes = connection_table(prj), spike_times(cells)
    _same_setup(sim)
    _, cells, prj = _poisson_network(sim, seed=7)
    sim.run(100.0)
    again = connection_table(prj)
    assert table.shape == again.shape and np.array_equal(table, again)
    _nonempty(spikes, "cells")
    _assert_same_spikes(spikes, spike_times(cells), "same seed, two setups")
    _same_setup(sim)
    _, _, prj = _poisson_network(sim, seed=8)
    other = connection_table(prj)
    assert other.shape != table.shape or not np.array_equal(other, table)


#: a value PyNN scripts pass for each setup() keyword of some PyNN 0.13 backend
PYNN_SETUP_VALUES = {
    "threads": 1, "verbosity": "error", "spike_precision": "on_grid",
    "recording_precision": 3, "rng_seed": 12345, "rng_type": "mt19937_64", "t_flush": 10.0,
    "grng_seed": 12345, "rng_seeds": [12345], "rng_seeds_seed": 12345, "use_cvode": False,
    "rtol": 1e-3, "atol": 1e-4, "native_rng_baseseed": 3, "default_maxstep": 10.0,
    "filename": "model.xml", "reference": "Test0", "rank": 0, "num_processes": 1,
    "debug": True, "quit_on_end": False, "label": "my run", "file": "model.xml",
    "loglevel": 2, "useSystemSim": True, "maxNeuronLoss": 0.0, "maxSynapseLoss": 0.4,
    "hardwareNeuronSize": 8, "hardware": {"setup": "small"},
}  # fmt: skip


def _dc_cell_first_spike(sim) -> float:
    """An IF_curr_exp cell under 1 nA DC from t=0 (tau_m 20 ms, R = 20 MOhm, v_rest -65,
    v_thresh -50): first spike at -tau_m ln(1 - 15/20) = 27.73 ms (analytic)."""
    cell = sim.Population(1, sim.IF_curr_exp(i_offset=1.0, tau_refrac=2.0))
    cell.record("spikes")
    sim.run(40.0)
    return float(spike_times(cell)[0][0])


@pytest.mark.parametrize("keyword", sorted(PYNN_SETUP_VALUES))
def test_setup_accepts_every_pynn_keyword(sim, capabilities, keyword, recwarn):
    """A keyword some PyNN backend takes is accepted on every backend, without a warning,
    and the simulation behaves as without it."""
    from pynn_uni.common.control import PYNN_SETUP_KEYWORDS

    assert set(PYNN_SETUP_VALUES) == set(PYNN_SETUP_KEYWORDS)
    sim.end()
    sim.setup(timestep=0.1, **{keyword: PYNN_SETUP_VALUES[keyword]})
    assert not [w for w in recwarn.list if "setup()" in str(w.message)]
    assert sim.get_time_step() == 0.1
    if capabilities.declares("IF_curr_exp"):
        assert_close(_dc_cell_first_spike(sim), 27.73, abs_=0.2, what="first spike (ms)")
    else:
        sim.run(1.0)
        assert sim.get_current_time() == 1.0


@pytest.mark.model("IF_curr_exp")
def test_setup_refuses_a_keyword_no_pynn_backend_knows(sim):
    sim.end()
    with pytest.raises(TypeError, match="'tiemstep'"):
        sim.setup(timestep=0.1, tiemstep=0.5)
    sim.setup(timestep=0.1)
    assert sim.get_time_step() == 0.1
    assert_close(_dc_cell_first_spike(sim), 27.73, abs_=0.2, what="first spike (ms)")
