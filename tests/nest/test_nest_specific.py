"""What only the NEST backend offers: native models, threads, handles to NEST objects."""

import math

import numpy as np
import pytest

nest = pytest.importorskip("nest", reason="NEST is not installed: pip install pynn_uni[nest]")


def test_native_cell_type_in_nest_units(sim):
    """iaf_psc_alpha with NEST names and units (pF, pA): C_m = 250 pF, tau_m = 10 ms give
    R = 40 MOhm; I_e = 500 pA drives 20 mV for a 15 mV gap, so the cell first fires at
    t* = 10 ln(20/5) = 13.86 ms and then every t* + t_ref = 15.86 ms."""
    celltype = sim.native_cell_type("iaf_psc_alpha")
    cells = sim.Population(
        1,
        celltype(I_e=500.0, C_m=250.0, tau_m=10.0, E_L=-70.0, V_th=-55.0, V_reset=-70.0, t_ref=2.0),
        initial_values={"V_m": -70.0},
    )
    cells.record(["spikes", "V_m"])
    sim.run(50.0)
    seg = cells.get_data().segments[0]
    times = seg.spiketrains[0].rescale("ms").magnitude
    t_star = 10.0 * math.log(20.0 / 5.0)
    # NEST reports a spike at the end of the step that crosses threshold: each spike time
    # lies at most one step (0.1 ms) after the exact one, and so does each interval.
    assert times.shape == (3,)
    assert 0 <= times[0] - t_star <= 0.1 + 1e-9, (times, t_star)
    isi_error = np.diff(times) - (t_star + 2.0)
    assert np.all(np.abs(isi_error) <= 0.1 + 1e-9), (times, t_star)
    v = [s for s in seg.analogsignals if s.name == "V_m"][0]
    assert v.shape == (501, 1) and abs(float(v[0, 0]) + 70.0) < 1e-9


def _spike_driven_network(sim):
    """50 deterministic sources -> 20 cells through a seeded random connector."""
    rng = np.random.default_rng(5)
    trains = [sim.Sequence(np.sort(np.round(rng.uniform(1.0, 200.0, 30), 1))) for _ in range(50)]
    sources = sim.Population(50, sim.SpikeSourceArray(spike_times=trains))
    cells = sim.Population(20, sim.IF_curr_exp())
    sim.Projection(
        sources,
        cells,
        sim.FixedProbabilityConnector(0.3, rng=sim.NumpyRNG(seed=1)),
        sim.StaticSynapse(weight=0.8, delay=1.0),
    )
    cells.record("spikes")
    return cells


def test_threads_do_not_change_a_deterministic_network(sim):
    counts = []
    for threads in (1, 2):
        sim.setup(timestep=0.1, threads=threads)
        assert nest.local_num_threads == threads
        cells = _spike_driven_network(sim)
        sim.run(200.0)
        c = cells.get_spike_counts()
        counts.append(np.array([c[cell] for cell in cells.all_cells]))
    assert counts[0].sum() > 0, "scenario badly posed: no spikes"
    assert np.array_equal(counts[0], counts[1])


def test_node_collection_and_nest_connections(sim):
    pre = sim.Population(5, sim.IF_curr_exp())
    post = sim.Population(4, sim.IF_cond_exp())
    assert isinstance(pre.node_collection, nest.NodeCollection)
    assert len(pre.node_collection) == 5
    assert [int(i) for i in pre.all_cells] == list(pre.node_collection.tolist())
    prj = sim.Projection(
        pre,
        post,
        sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(seed=2)),
        sim.StaticSynapse(weight=0.01),
    )
    assert isinstance(prj.nest_connections, nest.SynapseCollection)
    assert len(prj.nest_connections) == len(prj) > 0


def test_sim_nest_is_pynest(sim):
    """PyNN scripts call NEST through ``sim.nest``: it is PyNEST, driving the same kernel."""
    assert sim.nest is nest
    sim.setup(timestep=0.025)
    assert sim.nest.resolution == 0.025
