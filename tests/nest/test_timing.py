"""NEST timing: spike precision, device delays, early spikes and the STDP amplitudes.

Expected numbers are analytic (LIF crossing time under a constant current, the membrane's
exponential charging, the pair-based STDP formula) or what PyNN 0.13.0 with NEST 3.10
gives for the same script (quoted as numbers, with the script in the comment).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import pynn_uni.nest as sim

TAU_M, CM, V_REST, V_THRESH = 20.0, 1.0, -65.0, -50.0  # the IF_curr_* defaults


def _first_spikes(precision: str, celltype, i_offset: float = 1.0, dt: float = 0.1):
    sim.setup(timestep=dt, spike_precision=precision)
    p = sim.Population(1, celltype(i_offset=i_offset, tau_refrac=2.0))
    p.record("spikes")
    sim.run(80.0)
    times = np.asarray(p.get_data().segments[0].spiketrains[0].magnitude)
    sim.end()
    return times


def _lif_crossing(i_offset: float) -> float:
    """First-spike time of a LIF cell at rest under a constant current (ms)."""
    ri = i_offset * TAU_M / CM  # mV
    return TAU_M * np.log(ri / (ri - (V_THRESH - V_REST)))


@pytest.mark.parametrize("celltype", ["IF_curr_exp", "IF_curr_delta"])
def test_off_grid_hits_the_analytic_spike_time_on_grid_the_next_step(celltype):
    cls = getattr(sim, celltype)
    t1 = _lif_crossing(1.0)  # 20 ln 4 = 27.7259 ms
    isi = 2.0 + t1  # refractory, then the same charge from v_reset = v_rest
    off = _first_spikes("off_grid", cls)
    on = _first_spikes("on_grid", cls)
    np.testing.assert_allclose(off[:2], [t1, t1 + isi], atol=1e-9)
    # the grid models fire at the end of the step that holds the crossing; PyNN 0.13 on
    # NEST 3.10 gives [27.8, 57.6] for IF_curr_exp with spike_precision='on_grid'
    np.testing.assert_allclose(on[:2], [27.8, 57.6], atol=1e-9)
    assert abs(off[0] - t1) < 1e-3 * abs(on[0] - t1)


def test_off_grid_is_the_default_and_selects_the_precise_models():
    sim.setup(timestep=0.1)
    p = sim.Population(1, sim.IF_curr_exp())
    q = sim.Population(1, sim.SpikeSourcePoisson(rate=10.0))
    q.record("spikes")  # relayed through parrots
    assert p.node_collection.get("model") == "iaf_psc_exp_ps"
    assert q.node_collection.get("model") == "parrot_neuron_ps"
    sim.end()
    sim.setup(timestep=0.1, spike_precision="on_grid")
    assert sim.Population(1, sim.IF_curr_exp()).node_collection.get("model") == "iaf_psc_exp"
    sim.end()
    with pytest.raises(ValueError, match="spike_precision"):
        sim.setup(spike_precision="exact")


def test_small_network_gives_pynn_spike_times():
    """A SpikeSourceArray driving an IF_curr_exp cell (weight 5 nA, delay 1 ms,
    min_delay 1 ms).  PyNN 0.13.0 + NEST 3.10, same script: off_grid source [3.33, 7.77],
    target [9.099339511]; on_grid source [3.4, 7.8], target [9.2]."""
    expected = {"off_grid": ([3.33, 7.77], [9.099339511]), "on_grid": ([3.4, 7.8], [9.2])}
    for precision, (src_times, target_times) in expected.items():
        sim.setup(timestep=0.1, min_delay=1.0, spike_precision=precision)
        src = sim.Population(1, sim.SpikeSourceArray(spike_times=[3.33, 7.77]))
        q = sim.Population(1, sim.IF_curr_exp(tau_refrac=2.0))
        sim.Projection(src, q, sim.AllToAllConnector(), sim.StaticSynapse(weight=5.0, delay=1.0))
        src.record("spikes")
        q.record("spikes")
        sim.run(80.0)
        got_src = src.get_data().segments[0].spiketrains[0].magnitude
        got_q = q.get_data().segments[0].spiketrains[0].magnitude
        np.testing.assert_allclose(got_src, src_times, atol=1e-9)
        np.testing.assert_allclose(got_q, target_times, atol=1e-8)
        sim.end()


def test_recorded_off_grid_spike_is_exact_across_clearing_runs():
    sim.setup(timestep=0.05)  # min_delay 'auto': one step
    p = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.075, 10.025, 12.34]))
    p.record("spikes")
    sim.run(10.0)
    first = p.get_data("spikes", clear=True).segments[0].spiketrains[0].magnitude
    sim.run(10.0)
    second = p.get_data("spikes", clear=True).segments[0].spiketrains[0].magnitude
    sim.end()
    np.testing.assert_allclose(first, [0.075], rtol=1e-15)
    # 10.025 was sent during the first run (NEST runs one min_delay ahead): not lost
    np.testing.assert_allclose(second, [10.025, 12.34], rtol=1e-14)


def test_spikes_before_the_relay_delay_are_dropped_with_a_warning():
    """PyNN 0.13.0 + NEST 3.10 (min_delay 1 ms, spikes [0.0, 5.0], recorded) records
    [5.0] and delivers only that spike: NEST cannot emit one at or before t = 0."""
    sim.setup(timestep=0.1, min_delay=1.0)
    p = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.0, 0.5, 5.0]), label="early")
    p.record("spikes")
    with pytest.warns(UserWarning, match=r"'early'.*\[0\.0, 0\.5\]"):
        sim.run(10.0)
    times = p.get_data().segments[0].spiketrains[0].magnitude
    sim.end()
    np.testing.assert_allclose(times, [5.0])


def test_current_source_with_min_delay_larger_than_the_timestep():
    """DCSource(0.5 nA, 20-80 ms) with min_delay = 1 ms: the membrane charges from 20 ms
    exactly, v(t) = v_rest + R I (1 - exp(-(t - 20)/tau_m)); the recorded current is 0
    before 20 ms and 0.5 nA from 20 ms (PyNN 0.13.0 + NEST 3.10 give the same values:
    v(20.1) = -64.950124792, v(30) = -61.065306597 mV)."""
    sim.setup(timestep=0.1, min_delay=1.0)
    cell = sim.Population(1, sim.IF_curr_exp(v_thresh=0.0))
    cell.record("v")
    dc = sim.DCSource(amplitude=0.5, start=20.0, stop=80.0)
    cell.inject(dc)
    dc.record()
    sim.run(100.0)
    v = cell.get_data().segments[0].filter(name="v")[0]
    i = dc.get_data()
    sim.end()
    t = np.asarray(v.times)
    on = (t >= 20.0 - 1e-9) & (t <= 80.0 + 1e-9)
    expected = V_REST + 0.5 * TAU_M / CM * (1 - np.exp(-(t[on] - 20.0) / TAU_M))
    np.testing.assert_allclose(np.asarray(v)[on, 0], expected, atol=1e-6)
    current = np.asarray(i).ravel()
    ti = np.asarray(i.times)
    assert len(current) == 1001 and ti[0] == 0.0
    np.testing.assert_allclose(current[(ti > 19.95) & (ti < 79.95)], 0.5)
    assert not current[(ti < 19.95) | (ti > 79.95)].any()


def test_step_current_set_at_the_current_time_after_a_run():
    """Current switched on at t = 50 ms by set_parameters after run(50).  NEST's kernel is
    one min_delay (0.1 ms) ahead; a new amplitude acts one step after the kernel's time
    and reaches the membrane one delay later, at 50.3 ms; from rest, 1 nA, the cell fires
    at 50.3 + 20 ln 4 ms (PyNN 0.13.0 + NEST 3.10, same script: 78.02588722)."""
    sim.setup(timestep=0.1, min_delay=0.1)
    cell = sim.Population(1, sim.IF_curr_exp(tau_refrac=100.0))
    cell.record("spikes")
    step = sim.StepCurrentSource(times=[0.0], amplitudes=[0.0])
    step.inject_into(cell)
    sim.run(50.0)
    step.set_parameters(times=[50.0], amplitudes=[1.0])
    sim.run(50.0)
    times = cell.get_data().segments[0].spiketrains[0].magnitude
    sim.end()
    np.testing.assert_allclose(times, [50.3 + _lif_crossing(1.0)], atol=1e-9)


def test_min_delay_auto_is_the_network_minimum_after_a_run():
    sim.setup(min_delay="auto")
    a = sim.Population(3, sim.IF_cond_exp())
    b = sim.Population(4, sim.IF_cond_exp())
    sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(delay=0.5))
    assert sim.get_min_delay() == 0.1  # the timestep until NEST has seen the network
    sim.run(10.0)
    assert sim.get_min_delay() == 0.5
    sim.end()


def test_spike_pair_rule_without_potentiation_keeps_its_depression():
    """A_plus = 0, A_minus = 0.5, additive, w_max = 1: a post spike at t_post and pre spikes
    at 40 and 50 ms (delay d = 1 ms, all dendritic in NEST) leave
    w = w0 - A_minus w_max sum_pre exp(-(t_pre - d - t_post) / tau_minus), with no
    potentiation.  The post cell fires once, driven by 1 nA from rest: on the grid at
    ceil(20 ln 4 / dt) dt = 27.8 ms."""
    sim.setup(timestep=0.1, spike_precision="on_grid")
    post = sim.Population(1, sim.IF_curr_exp(i_offset=1.0, tau_refrac=100.0))
    pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[40.0, 50.0]))
    post.record("spikes")
    rule = sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.0, A_minus=0.5)
    stdp = sim.STDPMechanism(
        timing_dependence=rule,
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=1.0),
        weight=0.5,
        delay=1.0,
    )
    prj = sim.Projection(pre, post, sim.AllToAllConnector(), stdp)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sim.run(60.0)
    t_post = post.get_data().segments[0].spiketrains[0].magnitude
    (w,) = prj.get("weight", format="list", with_address=False)
    (a_plus, a_minus) = prj.get(["A_plus", "A_minus"], format="list", with_address=False)[0]
    sim.end()
    np.testing.assert_allclose(t_post, [27.8], atol=1e-9)
    expected = 0.5 - 0.5 * (np.exp(-(39.0 - 27.8) / 20.0) + np.exp(-(49.0 - 27.8) / 20.0))
    assert w == pytest.approx(expected, rel=1e-9)
    assert (a_plus, a_minus) == (0.0, 0.5)


def test_point_neuron_current_receptor_takes_signed_weights():
    """A named current receptor of a PointNeuron: the weight's sign is its effect (as in
    PyNN).  One spike of -0.1 nA on an exponential current receptor (tau_s = 5 ms) gives
    the PSP peak w R tau_s / (tau_m - tau_s) (r^(tau_s/(tau_m-tau_s)) - r^(tau_m/(tau_m-tau_s))),
    r = tau_s / tau_m, below rest."""
    sim.setup(timestep=0.01, spike_precision="on_grid")
    cell = sim.Population(
        1,
        sim.PointNeuron(
            sim.LIF(),
            AMPA=sim.CurrExpPostSynapticResponse(tau_syn=2.0),
            GABAA=sim.CurrExpPostSynapticResponse(tau_syn=5.0),
        ),
    )
    cell.initialize(v=V_REST)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    prj = sim.Projection(
        src, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=-0.1, delay=1.0),
        receptor_type="GABAA",
    )
    cell.record("v")
    sim.run(60.0)
    v = np.asarray(cell.get_data().segments[0].filter(name="v")[0])[:, 0]
    weight = prj.get("weight", format="list", with_address=False)[0]
    sim.end()
    tau_s, r = 5.0, 5.0 / TAU_M
    peak = -0.1 * TAU_M / CM * tau_s / (TAU_M - tau_s) * (
        r ** (tau_s / (TAU_M - tau_s)) - r ** (TAU_M / (TAU_M - tau_s))
    )
    assert weight == pytest.approx(-0.1)
    assert v.min() - V_REST == pytest.approx(peak, rel=1e-3)


def test_current_source_injected_after_a_run_with_auto_min_delay():
    """NEST fixes min_delay (here 1.5 ms, the only projection's delay) at the first run;
    a DCSource(1 nA) injected afterwards, starting at 50 ms, still switches on at 50 ms on
    the membrane: the cell fires at 50 + 20 ln 4 ms."""
    sim.setup(timestep=0.1)
    cells = sim.Population(2, sim.IF_curr_exp(tau_refrac=100.0))
    sim.Projection(cells[0:1], cells[1:2], sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=0.1, delay=1.5))
    cells.record("spikes")
    sim.run(20.0)
    cells[0:1].inject(sim.DCSource(amplitude=1.0, start=50.0))
    sim.run(80.0)
    times = cells.get_data().segments[0].spiketrains[0].magnitude
    sim.end()
    np.testing.assert_allclose(times, [50.0 + _lif_crossing(1.0)], atol=1e-9)
