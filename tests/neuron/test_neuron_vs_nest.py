"""NEURON against NEST and the analytic solution: one neuron of each implemented type.

Both backends integrate on the same time grid with the same update order, so spike times
must agree within one time step and membrane traces within 0.1 mV (issue 3).  NEST runs
with spike_precision='on_grid' (its grid models; 'off_grid', PyNN's NEST default, swaps
in precise-timing twins that NEURON's grid cells do not follow).
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("neuron")
pytest.importorskip("nest")

import pynn_uni.nest as nest_sim  # noqa: E402
import pynn_uni.neuron as neuron_sim  # noqa: E402
from pynn_uni import errors  # noqa: E402
from pynn_uni.parameters import ArrayParameter, Sequence  # noqa: E402

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
    sim.setup(timestep=DT, spike_precision="on_grid")
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
    sim.setup(timestep=DT, spike_precision="on_grid")
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
    sim.setup(timestep=DT, spike_precision="on_grid")
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
    sim.setup(timestep=DT, spike_precision="on_grid")
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
    sim.setup(timestep=DT, spike_precision="on_grid")
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
    sim.setup(timestep=DT, spike_precision="on_grid")
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


def _run_adex(sim, model: str, tau_refrac: float):
    sim.setup(timestep=DT, spike_precision="on_grid")
    cell = sim.Population(1, getattr(sim, model)(i_offset=0.8, tau_refrac=tau_refrac))
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[150.0, 151.0, 170.0]))
    connector = sim.AllToAllConnector()
    sim.Projection(source, cell, connector, sim.StaticSynapse(weight=0.05, delay=1.0))
    inh = sim.StaticSynapse(weight=0.02, delay=3.0)
    sim.Projection(source, cell, connector, inh, receptor_type="inhibitory")
    cell.record(["v", "w", "spikes"])
    sim.run(200.0)
    seg = cell.get_data().segments[0]
    v = seg.filter(name="v")[0].magnitude[:, 0]
    w = seg.filter(name="w")[0].magnitude[:, 0]
    spikes = np.asarray(seg.spiketrains[0].magnitude)
    sim.end()
    return v, w, spikes


@pytest.mark.parametrize("tau_refrac", [0.1, 2.0])
@pytest.mark.parametrize("model", ["EIF_cond_exp_isfa_ista", "EIF_cond_alpha_isfa_ista"])
def test_adex_matches_nest(model, tau_refrac):
    """Adapting regular firing, then synaptic input (NEST integrates adaptively, we with
    0.01 ms RK4 substeps: v differs by ~0.05 mV on the spike upswing, spikes not at all)."""
    v_nest, w_nest, s_nest = _run_adex(nest_sim, model, tau_refrac)
    v_nrn, w_nrn, s_nrn = _run_adex(neuron_sim, model, tau_refrac)
    assert s_nest.size > 5
    assert s_nrn.size == s_nest.size, (s_nrn, s_nest)
    assert np.max(np.abs(s_nrn - s_nest)) <= DT + 1e-9
    assert np.max(np.abs(v_nrn - v_nest)) < 0.1
    assert np.max(np.abs(w_nrn - w_nest)) < 1e-3  # nA; b = 0.0805 nA per spike


def _run_hh(sim, synapses: bool = True):
    sim.setup(timestep=DT, spike_precision="on_grid")
    cell = sim.Population(1, sim.HH_cond_exp(i_offset=0.2))
    if synapses:
        source = sim.Population(1, sim.SpikeSourceArray(spike_times=[50.0, 51.0, 70.0]))
        connector = sim.AllToAllConnector()
        sim.Projection(source, cell, connector, sim.StaticSynapse(weight=0.05, delay=1.0))
        inh = sim.StaticSynapse(weight=0.05, delay=3.0)
        sim.Projection(source, cell, connector, inh, receptor_type="inhibitory")
    cell.record(["v", "spikes"])
    sim.run(100.0)
    seg = cell.get_data().segments[0]
    v = seg.filter(name="v")[0].magnitude[:, 0]
    spikes = np.asarray(seg.spiketrains[0].magnitude)
    sim.end()
    return v, spikes


def test_hh_matches_the_traub_equations():
    """Against the HH/Traub ODE integrated to 1e-10 by scipy, spikes included."""
    solve_ivp = pytest.importorskip("scipy.integrate").solve_ivp
    v, _ = _run_hh(neuron_sim, synapses=False)
    g_na, g_k, g_l, cm, v_t, e_na, e_k, e_l, i = (
        20.0,
        6.0,
        0.01,
        0.2,
        -63.0,
        50.0,
        -90.0,
        -65.0,
        0.2,
    )

    def rhs(_, y):
        vv, m, h, n = y
        u = vv - v_t
        an, bn = 0.032 * (15 - u) / (np.exp((15 - u) / 5) - 1), 0.5 * np.exp((10 - u) / 40)
        am, bm = (
            0.32 * (13 - u) / (np.exp((13 - u) / 4) - 1),
            0.28 * (u - 40) / (np.exp((u - 40) / 5) - 1),
        )
        ah, bh = 0.128 * np.exp((17 - u) / 18), 4 / (1 + np.exp((40 - u) / 5))
        i_ion = g_na * m**3 * h * (vv - e_na) + g_k * n**4 * (vv - e_k) + g_l * (vv - e_l)
        return [
            (i - i_ion) / cm,
            am * (1 - m) - bm * m,
            ah * (1 - h) - bh * h,
            an * (1 - n) - bn * n,
        ]

    t = DT * np.arange(v.size)
    exact = solve_ivp(rhs, (0, t[-1]), [-65.0, 0.0, 1.0, 0.0], t_eval=t, rtol=1e-10,
                      atol=1e-10, method="LSODA").y[0]  # fmt: skip
    assert exact.max() > 0  # it fires
    assert np.max(np.abs(v - exact)) < 0.01


def test_hh_matches_nest():
    """Same spikes; v within 0.1 mV away from spikes.  Within 1 ms of a spike NEST's RKF45
    (absolute tolerance 1e-3) strays up to ~0.5 mV from the exact solution, which we follow
    to 0.01 mV (test above): a difference that cannot be closed from our side."""
    v_nest, s_nest = _run_hh(nest_sim)
    v_nrn, s_nrn = _run_hh(neuron_sim)
    assert s_nest.size > 2
    assert s_nrn.size == s_nest.size, (s_nrn, s_nest)
    assert np.max(np.abs(s_nrn - s_nest)) <= DT + 1e-9
    t = DT * np.arange(v_nest.size)
    near = (np.abs(t[:, None] - s_nest[None, :]) <= 1.0).any(axis=1)
    assert np.max(np.abs(v_nrn - v_nest)[~near]) < 0.1
    assert np.max(np.abs(v_nrn - v_nest)) < 1.0


def _run_delta(sim):
    sim.setup(timestep=DT, spike_precision="on_grid")
    cell = sim.Population(1, sim.IF_curr_delta(i_offset=0.5, tau_refrac=2.0))
    exc = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 10.5, 11.0, 20.0, 21.9]))
    inh = sim.Population(1, sim.SpikeSourceArray(spike_times=[40.0, 40.1]))
    connector = sim.AllToAllConnector()
    sim.Projection(exc, cell, connector, sim.StaticSynapse(weight=6.0, delay=1.0))
    inh_syn = sim.StaticSynapse(weight=-3.0, delay=1.0)
    sim.Projection(inh, cell, connector, inh_syn, receptor_type="inhibitory")
    cell.record(["v", "spikes"])
    sim.run(80.0)
    seg = cell.get_data().segments[0]
    v = seg.filter(name="v")[0].magnitude[:, 0]
    spikes = np.asarray(seg.spiketrains[0].magnitude)
    sim.end()
    return v, spikes


def test_if_curr_delta_matches_nest():
    """Jumps at the arrival step, input during refractoriness lost (NEST's iaf_psc_delta)."""
    v_nest, s_nest = _run_delta(nest_sim)
    v_nrn, s_nrn = _run_delta(neuron_sim)
    assert s_nest.size > 1
    assert s_nrn.size == s_nest.size, (s_nrn, s_nest)
    assert np.max(np.abs(s_nrn - s_nest)) <= DT + 1e-9
    assert np.max(np.abs(v_nrn - v_nest)) < 0.1


def _run_gsfa(sim):
    sim.setup(timestep=DT, spike_precision="on_grid")
    cell = sim.Population(1, sim.IF_cond_exp_gsfa_grr(i_offset=1.2, tau_refrac=1.0))
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[60.0, 61.0]))
    sim.Projection(source, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.03))
    cell.record(["v", "g_r", "g_s", "spikes"])
    sim.run(150.0)
    seg = cell.get_data().segments[0]
    signals = {name: seg.filter(name=name)[0].magnitude[:, 0] for name in ("v", "g_r", "g_s")}
    spikes = np.asarray(seg.spiketrains[0].magnitude)
    sim.end()
    return signals, spikes


def test_gsfa_grr_matches_nest():
    """Adaptation (g_s) and relative refractoriness (g_r) make the intervals grow."""
    x_nest, s_nest = _run_gsfa(nest_sim)
    x_nrn, s_nrn = _run_gsfa(neuron_sim)
    assert s_nest.size >= 3 and np.diff(s_nest)[-1] > np.diff(s_nest)[0]
    assert s_nrn.size == s_nest.size, (s_nrn, s_nest)
    assert np.max(np.abs(s_nrn - s_nest)) <= DT + 1e-9
    assert np.max(np.abs(x_nrn["v"] - x_nest["v"])) < 0.1
    for name in ("g_r", "g_s"):  # nS
        np.testing.assert_allclose(x_nrn[name], x_nest[name], atol=1e-6 * x_nest[name].max())


def _run_facets(sim):
    sim.setup(timestep=DT, spike_precision="on_grid")
    cell = sim.Population(2, sim.IF_facets_hardware1(g_leak=[40.0, 20.0], v_thresh=-62.0))
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 6.0, 7.0, 30.0]))
    sim.Projection(source, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01))
    cell.record(["v", "spikes"])
    sim.run(60.0)
    seg = cell.get_data().segments[0]
    v = seg.filter(name="v")[0].magnitude
    spikes = np.sort(np.concatenate([np.asarray(t.magnitude) for t in seg.spiketrains]))
    sim.end()
    return v, spikes


def test_facets_hardware1_matches_nest():
    """cm = 0.2 nF, tau_m = cm / g_leak, tau_refrac = 1 ms, e_rev_E = 0 fixed."""
    v_nest, s_nest = _run_facets(nest_sim)
    v_nrn, s_nrn = _run_facets(neuron_sim)
    assert s_nest.size > 0
    assert s_nrn.size == s_nest.size, (s_nrn, s_nest)
    assert np.max(np.abs(s_nrn - s_nest)) <= DT + 1e-9
    assert np.max(np.abs(v_nrn - v_nest)) < 0.1


# -- GIF_cond_exp: the deterministic part around one certain spike ----------------------------
#: at v0 = -30 mV, lambda0 = 1e9 Hz with delta_v = 0.5 mV makes a spike in the first step
#: certain; afterwards v <= -60 mV and v_t >= -35 mV keep the escape rate below 1e-12 / step
_FORCED_GIF = dict(lambda0=1e9, v_t_star=-35.0, delta_v=0.5, v_reset=-60.0, v_rest=-70.0,
                   cm=0.08, tau_m=20.0, tau_refrac=0.3,
                   tau_gamma=ArrayParameter([20.0, 200.0]), a_gamma=ArrayParameter([3.0, 1.0]),
                   tau_eta=ArrayParameter([1.0, 10.0, 100.0]),
                   a_eta=ArrayParameter([0.001, 0.001, 0.001]))  # fmt: skip
#: per-cell eta kernels set on views after creation: (tau_eta ms, a_eta nA) of each cell
_ETA = [([5.0, 50.0], [0.01, 0.005]), ([1.0, 10.0, 100.0], [0.001] * 3), ([7.0], [0.02])]


def _kernels(age, taus, amplitudes):
    return sum(a * np.exp(-age / tau) for tau, a in zip(taus, amplitudes, strict=True))


def _run_gif(sim, n: int, set_views: bool = False):
    sim.setup(timestep=DT, spike_precision="on_grid")
    cells = sim.Population(n, sim.GIF_cond_exp(**_FORCED_GIF), initial_values={"v": -30.0})
    if set_views:  # an ArrayParameter on one view, a Sequence on another
        (tau0, a0), _, (tau2, a2) = _ETA
        cells[0:1].set(tau_eta=ArrayParameter(tau0), a_eta=ArrayParameter(a0))
        cells[2:3].set(tau_eta=Sequence(tau2), a_eta=Sequence(a2))
    cells.record(["v_t", "i_eta", "spikes"])
    sim.run(60.0)
    seg = cells.get_data().segments[0]
    out = {a.name: a.magnitude for a in seg.analogsignals}
    out["spikes"] = [np.asarray(s.magnitude) for s in seg.spiketrains]
    out["tau_eta"] = [list(np.asarray(v.value)) for v in cells.get("tau_eta", simplify=False)]
    sim.end()
    return out


@pytest.mark.parametrize("n", [1, 2])
def test_gif_threshold_matches_nest_and_the_gamma_kernels(n):
    """v_t = v_t_star + sum_j a_gamma_j exp(-age / tau_gamma_j), the kernels starting the
    step after the spike; NEST records it as E_sfa (which already holds V_T_star)."""
    nrn, nst = _run_gif(neuron_sim, n), _run_gif(nest_sim, n)
    for train in nrn["spikes"] + nst["spikes"]:
        np.testing.assert_allclose(train, [DT], atol=1e-9)
    t = DT * np.arange(nrn["v_t"].shape[0])
    expected = -35.0 + _kernels(t[2:] - 2 * DT, [20.0, 200.0], [3.0, 1.0])
    for v_t in (nrn["v_t"], nst["v_t"]):
        assert v_t.shape == (t.size, n)
        np.testing.assert_allclose(v_t[1], -35.0, atol=1e-12)  # the spike step: at rest
        np.testing.assert_allclose(v_t[2:], np.repeat(expected[:, None], n, 1), atol=1e-9)
    assert np.max(np.abs(nrn["v_t"][1:] - nst["v_t"][1:])) < 1e-9


def test_gif_kernels_set_on_views_reach_both_simulators():
    """Array-valued parameters set on part of a population: each cell's i_eta follows its
    own kernels after the certain spike, on NEURON and on NEST."""
    nrn, nst = _run_gif(neuron_sim, 3, set_views=True), _run_gif(nest_sim, 3, set_views=True)
    assert nrn["tau_eta"] == nst["tau_eta"] == [list(tau) for tau, _ in _ETA]
    t = DT * np.arange(nrn["i_eta"].shape[0])
    expected = np.stack([_kernels(t[2:] - 2 * DT, tau, a) for tau, a in _ETA], axis=1)
    for i_eta in (nrn["i_eta"], nst["i_eta"]):
        np.testing.assert_allclose(i_eta[2:], expected, atol=1e-12)


def test_refused_set_leaves_the_old_values_on_neuron():
    """NEURON's PynnGIF takes at most 6 gamma kernels: the refused set leaves get() and the
    cells at the old kernels, and the next run follows them."""
    neuron_sim.setup(timestep=DT, spike_precision="on_grid")
    cells = neuron_sim.Population(2, neuron_sim.GIF_cond_exp(**_FORCED_GIF),
                                  initial_values={"v": -30.0})  # fmt: skip
    cells.record("v_t")
    seven = dict(tau_gamma=ArrayParameter(np.arange(1.0, 8.0)), a_gamma=ArrayParameter(np.ones(7)))
    with pytest.raises(errors.InvalidParameterValueError, match="7 gamma kernels"):
        cells[0:1].set(**seven)
    assert [list(v.value) for v in cells.get("tau_gamma", simplify=False)] == [[20.0, 200.0]] * 2
    neuron_sim.run(20.0)
    v_t = cells.get_data().segments[0].filter(name="v_t")[0].magnitude
    neuron_sim.end()
    t = DT * np.arange(v_t.shape[0])
    expected = -35.0 + _kernels(t[2:] - 2 * DT, [20.0, 200.0], [3.0, 1.0])
    np.testing.assert_allclose(v_t[2:], np.repeat(expected[:, None], 2, 1), atol=1e-9)
