"""The reference backend's numerical contract (src/pynn_uni/testing/reference), against
closed forms and a fine Runge-Kutta solution, and its declarations against its code.

Current-based cells are integrated exactly, so their traces meet the closed forms to
rounding error (1e-9 mV) on every grid point; conductance-based cells use the step-mean
conductance, within 1e-3 of the PSP peak of the exact ODE solution at dt = 0.1 ms.
"""

import math
import warnings

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import pynn_uni.testing.reference as reference
from pynn_uni import errors
from pynn_uni.common import models
from pynn_uni.common.capabilities import load_capabilities
from pynn_uni.testing.reference import inputs, neurons
from pynn_uni.testing.scenarios._analytic import (
    lif_first_spike_time,
    psp_alpha,
    psp_delta,
    psp_exp,
    rc_response,
)

CAPS = load_capabilities("reference", "pynn_uni.testing.reference")
#: a passive cell: R = tau_m / cm = 30 MOhm, threshold out of reach
PASSIVE = dict(cm=0.5, tau_m=15.0, v_rest=-60.0, v_reset=-60.0, v_thresh=-30.0, i_offset=0.0)


def _trace(population, name="v", segment=-1):
    sig = population.get_data(name).segments[segment].filter(name=name)[0]
    return sig.times.rescale("ms").magnitude, np.asarray(sig.magnitude)


def _spikes(population, segment=-1):
    trains = population.get_data("spikes").segments[segment].spiketrains
    trains = sorted(trains, key=lambda st: st.annotations["source_index"])
    return [st.rescale("ms").magnitude for st in trains]


def _one_input(sim, model, weight, receptor="excitatory", delay=1.5, **params):
    """One spike at 10 ms through ``delay`` onto a passive cell starting at rest."""
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    cell = sim.Population(
        1, getattr(sim, model)(**{**PASSIVE, **params}), initial_values={"v": -60.0}
    )
    sim.Projection(
        source, cell, sim.AllToAllConnector(),
        sim.StaticSynapse(weight=weight, delay=delay), receptor_type=receptor,
    )  # fmt: skip
    cell.record("v")
    return cell


# -- what it declares is what its code has -------------------------------------------------
def test_declarations_are_the_code_tables():
    assert CAPS.backend_table["name"] == "reference" and "package" not in CAPS.backend_table
    assert CAPS.models == set(neurons.MODELS) | set(inputs.SPIKE_SOURCES)
    assert CAPS.current_sources == set(inputs.CURRENT_SOURCES)
    assert CAPS.synapse_types == {"StaticSynapse"}
    for model in CAPS.models:  # the cell types' own recordables, all of them
        assert list(CAPS.recordables[model]) == getattr(models, model).recordable


def test_options_and_undeclared_items_are_refused(sim):
    with pytest.raises(errors.NotSupportedError, match="placement"):
        sim.Population(2, sim.IF_curr_exp(), placement={"block": 1})
    cells = sim.Population(2, sim.IF_curr_exp())
    with pytest.raises(errors.NotSupportedError, match="Izhikevich"):
        sim.Population(1, sim.Izhikevich())
    with pytest.raises(errors.NotSupportedError, match="TsodyksMarkramSynapse"):
        sim.Projection(cells, cells, sim.AllToAllConnector(), sim.TsodyksMarkramSynapse())
    with pytest.raises(errors.NotSupportedError, match="NoisyCurrentSource"):
        sim.NoisyCurrentSource(mean=0.1, stdev=0.1).inject_into(cells)
    assert sim.run(1.0) == pytest.approx(1.0)


# -- exact integration --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("model", "closed_form"),
    [
        ("IF_curr_exp", lambda t, w: psp_exp(t, 11.5, w, 15.0, 3.0, 0.5)),
        ("IF_curr_alpha", lambda t, w: psp_alpha(t, 11.5, w, 15.0, 3.0, 0.5)),
        ("IF_curr_delta", lambda t, w: psp_delta(t, 11.5, w, 15.0)),
    ],
)
@pytest.mark.parametrize(("weight", "receptor"), [(0.5, "excitatory"), (-0.5, "inhibitory")])
def test_current_based_psps_are_exact(sim, model, closed_form, weight, receptor):
    """The spike leaves at 10 ms and arrives after 1.5 ms: every sample of v is the closed
    form of the PSP starting at 11.5 ms (0 before, and at 11.5 for the smooth kernels)."""
    extra = {} if model == "IF_curr_delta" else dict(tau_syn_E=3.0, tau_syn_I=3.0)
    cell = _one_input(sim, model, weight, receptor, **extra)
    sim.run(60.0)
    t, v = _trace(cell)
    np.testing.assert_allclose(v[:, 0] + 60.0, closed_form(t, weight), atol=1e-9)


def test_equal_synaptic_and_membrane_time_constants(sim):
    """tau_syn = tau_m, the removable singularity of the propagators: the PSP is
    (w / cm) s exp(-s / tau) (the limit of the exponential closed form)."""
    cell = _one_input(sim, "IF_curr_exp", 0.5, tau_syn_E=15.0)
    sim.run(40.0)
    t, v = _trace(cell)
    s = np.clip(t - 11.5, 0.0, None)
    np.testing.assert_allclose(v[:, 0] + 60.0, 0.5 / 0.5 * s * np.exp(-s / 15.0), atol=1e-9)


def test_initial_synaptic_current_decays_from_t0(sim):
    """isyn_exc = 0.4 nA at t = 0 is an exponential current from 0: the PSP closed form
    with t0 = 0; for IF_curr_alpha the initial value sets the current, not its drive."""
    params = {**PASSIVE, "tau_syn_E": 4.0}
    exp = sim.Population(1, sim.IF_curr_exp(**params), initial_values={"v": -60.0})
    alpha = sim.Population(1, sim.IF_curr_alpha(**params), initial_values={"v": -60.0})
    for p in (exp, alpha):
        p.initialize(isyn_exc=0.4)
        p.record("v")
    sim.run(30.0)
    for p in (exp, alpha):
        t, v = _trace(p)
        np.testing.assert_allclose(v[:, 0] + 60.0, psp_exp(t, 0.0, 0.4, 15.0, 4.0, 0.5), atol=1e-9)


@pytest.mark.parametrize("model", ["IF_cond_exp", "IF_cond_alpha"])
@pytest.mark.parametrize(("receptor", "weight"), [("excitatory", 0.02), ("inhibitory", 0.05)])
@pytest.mark.parametrize("tau_syn", [0.3, 5.0])
def test_conductance_psps_match_a_fine_solution(sim, model, receptor, weight, tau_syn):
    """cm dv/dt = g_L (v_rest - v) + g(t) (E - v), g an exponential or alpha conductance
    peaking at ``weight`` from 11.5 ms, solved by scipy to 1e-11: the step-mean scheme
    stays within 1e-3 of the PSP's peak on every sample."""
    e_rev = {"excitatory": 0.0, "inhibitory": -80.0}[receptor]
    cell = _one_input(
        sim, model, weight, receptor, tau_syn_E=tau_syn, tau_syn_I=tau_syn, e_rev_E=0.0,
        e_rev_I=-80.0,
    )  # fmt: skip
    sim.run(60.0)
    t, v = _trace(cell)
    t0, g_leak = 11.5, 0.5 / 15.0

    def g(s):
        x = s / tau_syn
        return weight * (np.exp(-x) if model == "IF_cond_exp" else x * np.exp(1.0 - x))

    def rhs(s, y):
        return [(g_leak * (-60.0 - y[0]) + g(s) * (e_rev - y[0])) / 0.5]

    after = t >= t0
    exact = np.full(t.size, -60.0)
    exact[after] = solve_ivp(
        rhs, (0.0, t[-1] - t0), [-60.0], t_eval=t[after] - t0, rtol=1e-11, atol=1e-12,
        max_step=0.01,
    ).y[0]  # fmt: skip
    peak = np.abs(exact + 60.0).max()
    assert peak > 0.5, "badly posed: PSP too small"
    np.testing.assert_allclose(v[:, 0], exact, atol=1e-3 * peak)


@pytest.mark.parametrize("dt", [0.1, 0.25, 0.01])
@pytest.mark.parametrize("model", ["IF_curr_exp", "IF_cond_exp", "IF_curr_delta"])
def test_spikes_are_stamped_with_the_end_of_the_crossing_step(model, dt):
    """Under DC from rest the crossing time is t* (closed form); the spike is stamped with
    the first grid point after it, ceil(t*/dt) dt; the cell is held at v_reset = v_rest
    for tau_refrac, then charges again: spike n at n (ceil(t*/dt) + R) dt - R dt, where R
    = tau_refrac / dt steps."""
    reference.setup(timestep=dt)
    lif = dict(cm=0.5, tau_m=20.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0,
               tau_refrac=2.0, i_offset=0.425)  # fmt: skip
    cell = reference.Population(1, getattr(reference, model)(**lif), initial_values={"v": -65.0})
    cell.record("spikes")
    reference.run(140.0)
    t_star = lif_first_spike_time(20.0, 0.5, 0.425, -65.0, -50.0)
    k, r = math.ceil(t_star / dt - 1e-9), round(2.0 / dt)
    expected = (np.arange(1, 4) * (k + r) - r) * dt
    np.testing.assert_allclose(_spikes(cell)[0], expected, atol=1e-9)
    reference.end()


def test_refractory_cell_is_held_at_v_reset(sim):
    """v_reset = -70 below v_rest: after the spike v sits at -70 mV for exactly tau_refrac =
    3 ms (samples at T .. T + 3 inclusive), then rises."""
    cell = sim.Population(
        1, sim.IF_curr_exp(i_offset=1.0, v_reset=-70.0, tau_refrac=3.0), initial_values={"v": -65.0}
    )
    cell.record(["spikes", "v"])
    sim.run(40.0)
    first = _spikes(cell)[0][0]
    t, v = _trace(cell)
    held = (t > first - 1e-9) & (t < first + 3.0 + 1e-9)
    assert held.sum() == 31
    np.testing.assert_array_equal(v[held, 0], -70.0)
    assert v[np.flatnonzero(held)[-1] + 1, 0] > -70.0


# -- delays and delivery ----------------------------------------------------------------------
def test_off_grid_delays_are_rounded_and_reported(sim):
    """0.25 ms at dt = 0.1 is 2.5 steps, rounded half up to 3 (as NEST does): a
    RoundingWarning says so, get() reports 0.3 and the PSP starts at 10.3 ms."""
    with pytest.warns(errors.RoundingWarning, match="0.25"):
        cell = _one_input(sim, "IF_curr_exp", 0.5, delay=0.25, tau_syn_E=3.0)
    prj = sim.Projection(
        cell, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.0, delay=0.3)
    )  # on the grid: no warning
    assert prj.get("delay", "list", with_address=False) == [0.3]
    sim.run(30.0)
    t, v = _trace(cell)
    np.testing.assert_allclose(v[:, 0] + 60.0, psp_exp(t, 10.3, 0.5, 15.0, 3.0, 0.5), atol=1e-9)


def test_longer_delays_added_between_runs_keep_spikes_in_flight(sim):
    """A spike sent at 1 ms with a 5 ms delay is in flight at 3 ms, when a 20 ms delay
    (longer than the buffer) and more cells are added: both PSPs arrive on time."""
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))
    params = {**PASSIVE, "tau_syn_E": 2.0}
    cell = sim.Population(1, sim.IF_curr_exp(**params), initial_values={"v": -60.0})
    cell.record("v")
    sim.Projection(source, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.3, delay=5.0))
    sim.run(3.0)
    late = sim.Population(1, sim.SpikeSourceArray(spike_times=[4.0]))
    sim.Population(5, sim.IF_curr_exp())
    sim.Projection(late, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.2, delay=20.0))
    sim.run(37.0)
    t, v = _trace(cell)
    expected = psp_exp(t, 6.0, 0.3, 15.0, 2.0, 0.5) + psp_exp(t, 24.0, 0.2, 15.0, 2.0, 0.5)
    np.testing.assert_allclose(v[:, 0] + 60.0, expected, atol=1e-9)


def test_assembly_target_gets_each_members_own_response(sim):
    """One spike onto an Assembly of an IF_curr_exp and an IF_curr_alpha population:
    each cell shows its own model's closed form."""
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0]))
    params = {**PASSIVE, "tau_syn_E": 3.0}
    a = sim.Population(2, sim.IF_curr_exp(**params), initial_values={"v": -60.0})
    b = sim.Population(1, sim.IF_curr_alpha(**params), initial_values={"v": -60.0})
    sim.Projection(source, a + b, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.4, delay=1.0))
    (a + b).record("v")
    sim.run(30.0)
    t, va = _trace(a)
    _, vb = _trace(b)
    exp = psp_exp(t, 3.0, 0.4, 15.0, 3.0, 0.5)
    np.testing.assert_allclose(va + 60.0, np.column_stack([exp, exp]), atol=1e-9)
    np.testing.assert_allclose(vb[:, 0] + 60.0, psp_alpha(t, 3.0, 0.4, 15.0, 3.0, 0.5), atol=1e-9)


def test_spike_source_times_move_up_to_the_grid(sim):
    """1.04 ms is emitted at 1.1 ms; a spike at 0 ms cannot be emitted (the first step
    ends at dt) and is dropped."""
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.0, 1.04, 2.0]))
    source.record("spikes")
    sim.run(5.0)
    np.testing.assert_allclose(_spikes(source)[0], [1.1, 2.0], atol=1e-12)


# -- runtime changes, initialize and reset --------------------------------------------------
def test_parameters_set_between_runs_act_from_then_on(sim):
    """i_offset 0.2 nA from 0, 0.5 nA from 20 ms: the RC response to that step function."""
    cell = sim.Population(1, sim.IF_curr_exp(**{**PASSIVE, "i_offset": 0.2}),
                          initial_values={"v": -60.0})  # fmt: skip
    cell.record("v")
    sim.run(20.0)
    cell.set(i_offset=0.5)
    sim.run(30.0)
    t, v = _trace(cell)
    np.testing.assert_allclose(v[:, 0], rc_response(t, [0.0, 20.0], [0.2, 0.5], 15.0, 0.5, -60.0),
                               atol=1e-9)  # fmt: skip


def test_connection_values_set_between_runs(sim):
    """Two input spikes (5 and 25 ms, delay 1 ms); the weight is set from 0.3 to 0.6 nA and
    the delay to 3 ms between them: the trace is the sum of the two PSPs as set."""
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 25.0]))
    cell = sim.Population(1, sim.IF_curr_exp(**{**PASSIVE, "tau_syn_E": 2.0}),
                          initial_values={"v": -60.0})  # fmt: skip
    prj = sim.Projection(source, cell, sim.AllToAllConnector(),
                         sim.StaticSynapse(weight=0.3, delay=1.0))  # fmt: skip
    cell.record("v")
    sim.run(15.0)
    prj.set(weight=0.6, delay=3.0)
    assert prj.get(["weight", "delay"], "list") == [(0, 0, 0.6, 3.0)]
    sim.run(25.0)
    t, v = _trace(cell)
    expected = psp_exp(t, 6.0, 0.3, 15.0, 2.0, 0.5) + psp_exp(t, 28.0, 0.6, 15.0, 2.0, 0.5)
    np.testing.assert_allclose(v[:, 0] + 60.0, expected, atol=1e-9)


def test_initialize_applies_at_the_next_start(sim):
    """Protocol v2: initial values apply at t = 0 or after reset, never to a running state:
    the cell relaxes from -70 mV on, initialize(v=-50) at 10 ms leaves it so, and after
    reset() it relaxes from -50 mV."""
    cell = sim.Population(1, sim.IF_curr_exp(**PASSIVE), initial_values={"v": -70.0})
    cell.record("v")
    sim.run(10.0)
    cell.initialize(v=-50.0)
    sim.run(10.0)
    sim.reset()
    sim.run(20.0)
    for segment, v0 in ((0, -70.0), (1, -50.0)):
        t, v = _trace(cell, segment=segment)
        np.testing.assert_allclose(v[:, 0], -60.0 + (v0 + 60.0) * np.exp(-t / 15.0), atol=1e-9)


def test_reset_clears_what_is_in_flight(sim):
    """A spike sent at 9 ms with a 5 ms delay has not arrived at the reset at 10 ms: after
    the reset it never does; the source sends it again at 9 ms, arriving at 14 ms."""
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[9.0]))
    cell = sim.Population(1, sim.IF_curr_exp(**{**PASSIVE, "tau_syn_E": 2.0}),
                          initial_values={"v": -60.0})  # fmt: skip
    sim.Projection(source, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.3, delay=5.0))
    cell.record("v")
    sim.run(10.0)
    sim.reset()
    sim.run(20.0)
    t, v = _trace(cell)
    np.testing.assert_allclose(v[:, 0] + 60.0, psp_exp(t, 14.0, 0.3, 15.0, 2.0, 0.5), atol=1e-9)


# -- sources --------------------------------------------------------------------------------
def test_poisson_counts_and_seeds():
    """100 sources at 20 Hz for 1 s: the total count is Poisson(2000), within 5 sigma; the
    same rng_seed gives the same trains, another seed other ones."""

    def trains(seed):
        reference.setup(timestep=0.1, rng_seed=seed)
        sources = reference.Population(100, reference.SpikeSourcePoisson(rate=20.0))
        sources.record("spikes")
        reference.run(1000.0)
        out = _spikes(sources)
        reference.end()
        return out

    first, again, other = trains(3), trains(3), trains(4)
    total = sum(len(t) for t in first)
    assert abs(total - 2000) < 5 * math.sqrt(2000)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))
    assert all(np.allclose(t / 0.1, np.round(t / 0.1)) for t in first)  # on the grid


def test_poisson_rate_set_between_runs(sim):
    """rate 0 Hz for the first second, then 50 Hz: no spike before 1 s, a Poisson(2500)
    count (50 cells) after."""
    sources = sim.Population(50, sim.SpikeSourcePoisson(rate=0.0))
    sources.record("spikes")
    sim.run(1000.0)
    sources.set(rate=50.0)
    sim.run(1000.0)
    times = np.concatenate(_spikes(sources))
    assert times.size and times.min() > 1000.0
    assert abs(times.size - 2500) < 5 * math.sqrt(2500)


@pytest.mark.parametrize(
    ("source", "times", "amplitudes"),
    [
        (dict(model="DCSource", amplitude=0.4, start=5.0, stop=25.0), [5.0, 25.0], [0.4, 0.0]),
        (dict(model="StepCurrentSource", times=[5.0, 12.5, 30.0], amplitudes=[0.4, -0.2, 0.1]),
         [5.0, 12.5, 30.0], [0.4, -0.2, 0.1]),
    ],
)  # fmt: skip
def test_piecewise_constant_currents_are_exact(sim, source, times, amplitudes):
    """Switching times on the grid: v is the RC response to the step function on every
    sample, and the recorded current is the step function at each step's start."""
    params = dict(source)
    electrode = getattr(sim, params.pop("model"))(**params)
    cell = sim.Population(1, sim.IF_curr_exp(**PASSIVE), initial_values={"v": -60.0})
    cell.record("v")
    electrode.inject_into(cell)
    electrode.record()
    sim.run(40.0)
    t, v = _trace(cell)
    np.testing.assert_allclose(v[:, 0], rc_response(t, times, amplitudes, 15.0, 0.5, -60.0),
                               atol=1e-9)  # fmt: skip
    data = electrode.get_data()
    ti = data.times.rescale("ms").magnitude
    held = np.concatenate([[0.0], amplitudes])[np.searchsorted(times, ti + 1e-9)]
    np.testing.assert_allclose(np.asarray(data.magnitude).ravel(), held, atol=1e-12)


def test_ac_source_is_sampled_at_each_step_start(sim):
    """The recorded current is offset + amplitude sin(2 pi f (t - start) + phase) at the
    start of each step in [start, stop), 0 outside."""
    source = sim.ACSource(amplitude=0.3, offset=0.1, frequency=40.0, phase=30.0,
                          start=5.0, stop=35.0)  # fmt: skip
    cell = sim.Population(1, sim.IF_curr_exp(**PASSIVE))
    source.inject_into(cell)
    source.record()
    sim.run(40.0)
    data = source.get_data()
    t = data.times.rescale("ms").magnitude
    wave = 0.1 + 0.3 * np.sin(2 * np.pi * 40.0 * (t - 5.0) / 1000.0 + np.pi / 6)
    on = (t > 5.0 - 1e-9) & (t < 35.0 - 1e-9)
    np.testing.assert_allclose(np.asarray(data.magnitude).ravel(), np.where(on, wave, 0.0),
                               atol=1e-12)  # fmt: skip


# -- sampling and provenance --------------------------------------------------------------------
def test_sampling_interval_counts_from_zero(sim):
    """At 0.5 ms the samples are 0, 0.5, ... , 20: the relaxation from -70 mV on them."""
    cell = sim.Population(1, sim.IF_curr_exp(**PASSIVE), initial_values={"v": -70.0})
    cell.record("v", sampling_interval=0.5)
    sim.run(20.0)
    t, v = _trace(cell)
    np.testing.assert_allclose(t, np.arange(41) * 0.5, atol=1e-12)
    np.testing.assert_allclose(v[:, 0], -60.0 - 10.0 * np.exp(-t / 15.0), atol=1e-9)


def test_max_delay_seeds_and_settings(sim):
    """max_delay: NEST's 10 ms before any connection, then the longest one; setup()'s
    value when given.  The provenance names the seed used."""
    assert sim.get_max_delay() == 10.0
    cells = sim.Population(2, sim.IF_curr_exp())
    sim.Projection(cells, cells, sim.OneToOneConnector(), sim.StaticSynapse(delay=12.5))
    assert sim.get_max_delay() == 12.5
    sim.setup(timestep=0.1, max_delay=5.0, rng_seed=9)
    assert sim.get_max_delay() == 5.0
    record = sim.provenance(as_json=False)
    assert record["seeds"]["rng_seed"] == 9


def test_no_warning_for_delays_on_the_grid(sim):
    """0.1 (1 + d) on a line of unit spacing gives 0.1, 0.2, 0.30000000000000004 ms: whole
    steps up to rounding error, realised without a RoundingWarning."""
    cells = sim.Population(3, sim.IF_curr_exp())
    with warnings.catch_warnings():
        warnings.simplefilter("error", errors.RoundingWarning)
        prj = sim.Projection(cells, cells, sim.AllToAllConnector(),
                             sim.StaticSynapse(delay=lambda d: 0.1 * (1.0 + d)))  # fmt: skip
    delays = prj.get("delay", "array")
    np.testing.assert_allclose(delays, 0.1 * (1.0 + np.abs(np.subtract.outer(*[np.arange(3)] * 2))),
                               atol=1e-12)  # fmt: skip


def test_population_created_between_runs_starts_from_its_initial_values(sim):
    """Cells created at 10 ms start then, from their own initial value: v relaxes from
    -70 mV with tau_m from 10 ms on (sampled from 10.1 ms)."""
    sim.run(10.0)
    cell = sim.Population(1, sim.IF_curr_exp(**PASSIVE), initial_values={"v": -70.0})
    cell.record("v")
    sim.run(10.0)
    t, v = _trace(cell)
    later = t > 10.0 + 1e-9
    np.testing.assert_allclose(v[later, 0], -60.0 - 10.0 * np.exp(-(t[later] - 10.0) / 15.0),
                               atol=1e-9)  # fmt: skip
