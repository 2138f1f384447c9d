"""NEURON against NEST and the analytic solution: one neuron of each implemented type.

Both backends integrate on the same time grid with the same update order, so spike times
must agree within one time step and membrane traces within 0.1 mV (issue 3).
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("neuron")
pytest.importorskip("nest")

import pynn_uni.nest as nest_sim  # noqa: E402
import pynn_uni.neuron as neuron_sim  # noqa: E402

DT = 0.1
MODELS = ["IF_curr_exp", "IF_curr_alpha", "IF_cond_exp", "IF_cond_alpha"]
#: (excitatory, inhibitory) weights (uS or nA) that make the cell fire, then hyperpolarise
WEIGHTS = {
    "IF_curr_exp": (3.0, -2.0),
    "IF_curr_alpha": (5.0, -2.0),
    "IF_cond_exp": (0.05, 0.05),
    "IF_cond_alpha": (0.2, 0.1),
}


def _run(sim, model: str, drive: str):
    """v trace (mV) and spike times (ms) of one cell; ``drive``: 'dc' or 'spikes'."""
    sim.setup(timestep=DT)
    celltype = getattr(sim, model)
    if drive == "dc":
        cell = sim.Population(1, celltype(i_offset=0.9, tau_refrac=2.0))
    else:
        cell = sim.Population(1, celltype(tau_refrac=2.0))
        exc = sim.Population(2, sim.SpikeSourceArray(spike_times=[[5.0, 5.3, 20.0], [12.0]]))
        inh = sim.Population(1, sim.SpikeSourceArray(spike_times=[30.0, 31.0]))
        w_exc, w_inh = WEIGHTS[model]
        all_to_all = sim.AllToAllConnector()
        sim.Projection(exc, cell, all_to_all, sim.StaticSynapse(weight=w_exc, delay=1.0))
        inh_syn = sim.StaticSynapse(weight=w_inh, delay=1.5)
        sim.Projection(inh, cell, all_to_all, inh_syn, receptor_type="inhibitory")
    cell.record(["v", "spikes"])
    sim.run(100.0)
    seg = cell.get_data().segments[0]
    v = seg.filter(name="v")[0].magnitude[:, 0]
    spikes = np.asarray(seg.spiketrains[0].magnitude)
    sim.end()
    return v, spikes


@pytest.mark.parametrize("drive", ["dc", "spikes"])
@pytest.mark.parametrize("model", MODELS)
def test_neuron_matches_nest(model, drive):
    v_nest, s_nest = _run(nest_sim, model, drive)
    v_nrn, s_nrn = _run(neuron_sim, model, drive)
    assert s_nest.size > 0, "scenario should make the cell fire"
    assert s_nrn.size == s_nest.size, (s_nrn, s_nest)
    assert np.max(np.abs(s_nrn - s_nest)) <= DT + 1e-9
    assert v_nrn.shape == v_nest.shape
    assert np.max(np.abs(v_nrn - v_nest)) < 0.1


def test_first_spike_matches_lif_theory():
    """IF_curr_exp under i_offset: v(t) = v_rest + R I (1 - exp(-t/tau_m)); the first spike
    is at the first grid point at or after the threshold crossing."""
    i, tau, cm, v_rest, v_th = 0.9, 20.0, 1.0, -65.0, -50.0
    t_cross = -tau * np.log(1.0 - (v_th - v_rest) / (i * tau / cm))
    v, spikes = _run(neuron_sim, "IF_curr_exp", "dc")
    assert spikes[0] == pytest.approx(np.ceil(t_cross / DT) * DT, abs=1e-9)
    t = DT * np.arange(v.size)
    before = t < t_cross
    expected = v_rest + i * tau / cm * (1.0 - np.exp(-t[before] / tau))
    assert np.max(np.abs(v[before] - expected)) < 1e-6


def _run_sources(sim, model: str, update: bool = False):
    """v and spikes of one cell driven by a DC source plus a step source."""
    sim.setup(timestep=DT)
    cell = sim.Population(1, getattr(sim, model)(tau_refrac=2.0))
    dc = sim.DCSource(amplitude=0.6, start=10.0, stop=70.0)
    dc.inject_into(cell)
    sim.StepCurrentSource(times=[20.0, 40.0, 45.0], amplitudes=[0.5, -0.3, 0.2]).inject_into(cell)
    cell.record(["v", "spikes"])
    if update:
        sim.run(50.0)
        dc.amplitude = 0.9
        sim.run(50.0)
    else:
        sim.run(100.0)
    seg = cell.get_data().segments[0]
    v = seg.filter(name="v")[0].magnitude[:, 0]
    spikes = np.asarray(seg.spiketrains[0].magnitude)
    sim.end()
    return v, spikes


@pytest.mark.parametrize("model", MODELS)
def test_current_sources_match_nest(model):
    v_nest, s_nest = _run_sources(nest_sim, model)
    v_nrn, s_nrn = _run_sources(neuron_sim, model)
    assert s_nest.size > 0
    assert s_nrn.size == s_nest.size, (s_nrn, s_nest)
    assert np.max(np.abs(s_nrn - s_nest)) <= DT + 1e-9
    assert np.max(np.abs(v_nrn - v_nest)) < 0.1


def test_mid_run_amplitude_change_is_a_step_at_that_time():
    """Changing a DCSource between runs equals a StepCurrentSource switching at that time
    (the new amplitude drives the membrane from the step that starts at t on)."""
    v_updated, s_updated = _run_sources(neuron_sim, "IF_curr_exp", update=True)
    sim = neuron_sim
    sim.setup(timestep=DT)
    cell = sim.Population(1, sim.IF_curr_exp(tau_refrac=2.0))
    sim.StepCurrentSource(times=[10.0, 50.0, 70.0], amplitudes=[0.6, 0.9, 0.0]).inject_into(cell)
    sim.StepCurrentSource(times=[20.0, 40.0, 45.0], amplitudes=[0.5, -0.3, 0.2]).inject_into(cell)
    cell.record(["v", "spikes"])
    sim.run(100.0)
    seg = cell.get_data().segments[0]
    v = seg.filter(name="v")[0].magnitude[:, 0]
    assert np.max(np.abs(v - v_updated)) < 1e-9
    assert np.array_equal(np.asarray(seg.spiketrains[0].magnitude), s_updated)
    sim.end()


def _run_ac(sim):
    sim.setup(timestep=DT)
    cell = sim.Population(1, sim.IF_curr_exp(v_thresh=0.0))
    source = sim.ACSource(
        amplitude=0.5, offset=0.1, frequency=37.0, phase=30.0, start=5.0, stop=80.0
    )
    source.inject_into(cell)
    source.record()
    cell.record("v")
    sim.run(100.0)
    v = cell.get_data().segments[0].filter(name="v")[0].magnitude[:, 0]
    current = np.asarray(source.get_data().magnitude).ravel()
    sim.end()
    return v, current


def test_ac_source_matches_nest():
    """offset + amplitude sin(2 pi f (t - start) + phase), on from start to stop."""
    v_nest, i_nest = _run_ac(nest_sim)
    v_nrn, i_nrn = _run_ac(neuron_sim)
    assert np.max(np.abs(v_nrn - v_nest)) < 0.1
    n = min(i_nest.size, i_nrn.size)
    np.testing.assert_allclose(i_nrn[:n], i_nest[:n], atol=1e-9)
    assert i_nrn[50] == pytest.approx(0.1 + 0.5 * np.sin(np.pi / 6))  # t = start = 5 ms


def _run_tm(sim, model: str):
    sim.setup(timestep=DT)
    cell = sim.Population(1, getattr(sim, model)(v_thresh=0.0, tau_syn_E=2.0))
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 12.0, 20.0, 21.0, 60.0]))
    weight = 0.04 if model == "IF_cond_exp" else 1.0
    synapse = sim.TsodyksMarkramSynapse(
        U=0.3, tau_rec=80.0, tau_facil=30.0, weight=weight, delay=1.0
    )
    prj = sim.Projection(source, cell, sim.AllToAllConnector(), synapse)
    cell.record("v")
    sim.run(100.0)
    v = cell.get_data().segments[0].filter(name="v")[0].magnitude[:, 0]
    values = prj.get(["U", "tau_rec", "tau_facil"], format="list")
    sim.end()
    return v, values


@pytest.mark.parametrize("model", ["IF_curr_exp", "IF_cond_exp"])
def test_tsodyks_markram_matches_nest(model):
    """Facilitation and depression together (NEST's tsodyks_synapse, tau_psc = tau_syn)."""
    v_nest, values_nest = _run_tm(nest_sim, model)
    v_nrn, values_nrn = _run_tm(neuron_sim, model)
    assert np.max(np.abs(v_nrn - v_nest)) < 0.1
    assert np.max(v_nrn) - v_nrn[0] > 1.0
    np.testing.assert_allclose(np.array(values_nrn, float), np.array(values_nest, float))


def _run_izhikevich(sim):
    sim.setup(timestep=DT)
    cell = sim.Population(1, sim.Izhikevich(i_offset=0.005))
    exc = sim.Population(1, sim.SpikeSourceArray(spike_times=[30.0, 31.0, 32.0]))
    inh = sim.Population(1, sim.SpikeSourceArray(spike_times=[60.0]))
    sim.Projection(exc, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=10.0, delay=1.0))
    sim.Projection(
        inh,
        cell,
        sim.AllToAllConnector(),
        sim.StaticSynapse(weight=-5.0, delay=1.0),
        receptor_type="inhibitory",
    )
    sim.StepCurrentSource(times=[70.0, 90.0], amplitudes=[0.01, 0.0]).inject_into(cell)
    cell.record(["v", "u", "spikes"])
    sim.run(120.0)
    seg = cell.get_data().segments[0]
    v = seg.filter(name="v")[0].magnitude[:, 0]
    u = seg.filter(name="u")[0].magnitude[:, 0]
    spikes = np.asarray(seg.spiketrains[0].magnitude)
    sim.end()
    return v, u, spikes


def test_izhikevich_matches_nest():
    v_nest, u_nest, s_nest = _run_izhikevich(nest_sim)
    v_nrn, u_nrn, s_nrn = _run_izhikevich(neuron_sim)
    assert s_nest.size > 1
    assert s_nrn.size == s_nest.size, (s_nrn, s_nest)
    assert np.max(np.abs(s_nrn - s_nest)) <= DT + 1e-9
    assert np.max(np.abs(v_nrn - v_nest)) < 0.1
    assert np.max(np.abs(u_nrn - u_nest)) < 0.1
