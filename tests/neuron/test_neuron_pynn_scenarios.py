"""NEURON behaviour that PyNN 0.13's own scenarios and examples rely on (issue 9): composed
PointNeurons, stochastic and short-term synapses onto every cell type, spikes at t = 0,
data read after end(), IntFire1's initial m.  Each test checks a number known
independently: an analytic value, a binomial expectation, or NEST through pynn_uni.nest.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("neuron")

import pynn_uni.neuron as sim  # noqa: E402
from pynn_uni import errors  # noqa: E402
from pynn_uni.parameters import Sequence  # noqa: E402

DT = 0.1


def _signal(pop, name):
    seg = pop.get_data().segments[-1]
    sig = next(s for s in seg.analogsignals if s.name == name)
    return np.asarray(sig.times), np.asarray(sig.magnitude)


# -- spike sources ------------------------------------------------------------------------
def test_spike_at_time_zero_is_delivered():
    """A SpikeSourceArray spike at 0 ms reaches its target (PyNN's NEURON delivers it): the
    PSP of IF_curr_exp (cm 1 nF, tau_m 10 ms, tau_syn 2 ms, 1 nA) peaks at
    2.5 (e^(-t*/10) - e^(-t*/2)) mV, t* = 2.5 ln 5 ms after the 1 ms delay."""
    sim.setup(timestep=DT)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.0]))
    cell = sim.Population(1, sim.IF_curr_exp(tau_m=10.0, tau_syn_E=2.0, v_rest=-65.0))
    sim.Projection(src, cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=1.0, delay=1.0))
    src.record("spikes")
    cell.record("v")
    sim.run(20.0)
    t_peak = 2.5 * np.log(5.0)
    peak = 2.5 * (np.exp(-t_peak / 10.0) - np.exp(-t_peak / 2.0))  # 1.3375 mV
    times, v = _signal(cell, "v")
    np.testing.assert_allclose(v.max() + 65.0, peak, atol=2e-3)
    assert abs(times[np.argmax(v)] - (1.0 + t_peak)) <= DT
    spikes = src.get_data().segments[0].spiketrains[0].magnitude
    np.testing.assert_array_equal(spikes, [0.0])
    sim.end()


def test_spike_source_array_keeps_exact_times():
    """PyNN's NEURON default (spike_precision 'off_grid'): the given times are emitted and
    recorded as they are, each in the run that contains it; a target takes the input at
    the grid point nearest its arrival (11.03 ms: as 11.0, 11.07 ms: as 11.1)."""
    sim.setup(timestep=DT)
    src = sim.Population(3, sim.SpikeSourceArray(spike_times=[[10.0], [10.03], [10.07]]))
    cells = sim.Population(3, sim.IF_curr_exp())
    sim.Projection(src, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.5, delay=1.0))
    src.record("spikes")
    cells.record("v")
    sim.run(10.05)
    sim.run(9.95)
    seg = src.get_data().segments[0]
    assert [st.magnitude.tolist() for st in seg.spiketrains] == [[10.0], [10.03], [10.07]]
    t, v = _signal(cells, "v")
    first = [t[np.argmax(v[:, i] > -65.0 + 1e-9)] for i in range(3)]
    np.testing.assert_allclose(first, [11.1, 11.1, 11.2], atol=1e-9)  # one step after
    sim.end()


def test_unsorted_spike_times_are_refused():
    sim.setup(timestep=DT)
    with pytest.raises(errors.InvalidParameterValueError, match="increasing order"):
        sim.Population(2, sim.SpikeSourceArray(spike_times=[[1.0, 2.0], [3.5, 9.6, 8.3]]))
    sim.end()


# -- data after end(), recording ------------------------------------------------------------
def test_data_readable_after_end():
    """v and a source's current stay readable after end(); DC 0.5 nA from 20 ms into a cell
    with tau_m 20 ms, cm 1 nF: v(50) = -65 + 10 (1 - e^(-30/20)) mV."""
    sim.setup(timestep=DT)
    cell = sim.Population(1, sim.IF_curr_exp(v_thresh=0.0))
    dc = sim.DCSource(amplitude=0.5, start=20.0, stop=80.0)
    cell[0].inject(dc)
    dc.record()
    cell.record("v")
    sim.run(50.0)
    sim.end()
    times, v = _signal(cell, "v")
    assert times.size == 501
    np.testing.assert_allclose(v[-1, 0], -65.0 + 10.0 * (1 - np.exp(-1.5)), atol=1e-3)
    current = dc.get_data()
    assert current.shape[0] == 501
    np.testing.assert_allclose(np.asarray(current)[[199, 200, 500], 0], [0.0, 0.5, 0.5])


def test_ac_and_noise_currents_recorded_apart():
    """An ACSource and a NoisyCurrentSource in one cell: each recording shows its own source
    only (zero outside its window), sampled at every step including both ends."""
    sim.setup(timestep=DT)
    cell = sim.Population(1, sim.IF_curr_exp(v_thresh=0.0))
    ac = sim.ACSource(start=10.0, stop=20.0, amplitude=0.5, offset=0.25, frequency=100.0)
    noise = sim.NoisyCurrentSource(mean=0.5, stdev=0.05, start=30.0, stop=40.0, dt=1.0)
    for source in (ac, noise):
        cell[0].inject(source)
        source.record()
    sim.run(50.0)
    i_ac, i_noise = np.asarray(ac.get_data())[:, 0], np.asarray(noise.get_data())[:, 0]
    assert i_ac.size == i_noise.size == 501
    t = DT * np.arange(501)
    on = (t >= 10.0 - 1e-9) & (t < 20.0 - 1e-9)
    expected = np.where(on, 0.25 + 0.5 * np.sin(2 * np.pi * 0.1 * (t - 10.0)), 0.0)
    np.testing.assert_allclose(i_ac, expected, atol=1e-12)
    noisy = (t >= 30.0 - 1e-9) & (t < 40.0 - 1e-9)
    assert np.all(i_noise[~noisy] == 0.0) and np.all(i_noise[noisy] != 0.0)
    assert np.unique(i_noise[noisy]).size == 10  # a new value every 1 ms
    sim.end()


def test_segments_keep_the_cells_they_recorded():
    """record(None) after reset(): the first segment still shows the cell it recorded."""
    sim.setup(timestep=DT)
    p = sim.Population(7, sim.IF_cond_exp())
    p[3:4].record("v")
    sim.run(10.0)
    sim.reset()
    p.record(None)
    p[4:5].record("v")
    sim.run(10.0)
    segs = p.get_data().segments
    assert [s.analogsignals[0].array_annotations["channel_index"].tolist() for s in segs] == [
        [3],
        [4],
    ]
    sim.end()


# -- native cells ---------------------------------------------------------------------------
def test_intfire1_initial_m():
    """IntFire1 (tau 20 ms) starting at m = 0.5 gets one input at 10 ms: it fires iff
    0.5 e^(-10/20) + w >= 1, i.e. for w = 0.75 (1.053) and not for w = 0.65 (0.953)."""
    sim.setup(timestep=DT)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[9.0]))
    cells = sim.Population(2, sim.IntFire1(tau=20.0, refrac=5.0), initial_values={"m": 0.5})
    prj = sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(delay=1.0))
    prj.set(weight=np.array([0.75, 0.65]))
    cells.record("spikes")
    sim.run(30.0)
    trains = [st.magnitude for st in cells.get_data().segments[0].spiketrains]
    np.testing.assert_allclose(trains[0], [10.0])
    assert trains[1].size == 0
    sim.end()


# -- stochastic synapses ------------------------------------------------------------------------
def _release_counts(synapse, n_post=200, n_spikes=40, seed=1, sites=1, tau_syn=1e5):
    """Releases per (connection, spike): jumps of gsyn_exc (a slowly decaying conductance)
    in units of weight / sites; ``sites`` > 1 resolves multi-quantal releases."""
    sim.setup(timestep=DT, rng_seed=seed)
    times = 5.0 + 5.0 * np.arange(n_spikes)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=times))
    cells = sim.Population(n_post, sim.IF_cond_exp(tau_syn_E=tau_syn))
    sim.Projection(src, cells, sim.AllToAllConnector(), synapse)
    cells.record("gsyn_exc")
    sim.run(times[-1] + 3.0)
    t, g = _signal(cells, "gsyn_exc")
    sim.end()
    at = np.searchsorted(t, times + 1.0 - 1e-9)  # arrival samples; the jump shows by the next
    jumps = g[at + 2] - g[at - 1]
    return np.rint(jumps / (1e-6 / sites)).astype(int)


def test_simple_stochastic_release_is_binomial_and_seeded():
    """8000 trials at p = 0.3: the release fraction within 4 binomial sd of 0.3; the same
    seed gives the same releases, another seed others; p = 0 and 1 are exact."""
    st = sim.SimpleStochasticSynapse(weight=1e-6, delay=1.0, p=0.3)
    counts = _release_counts(st)
    assert set(np.unique(counts)) <= {0, 1}
    n = counts.size
    assert abs(counts.mean() - 0.3) < 4 * np.sqrt(0.3 * 0.7 / n)
    np.testing.assert_array_equal(counts, _release_counts(st))
    assert not np.array_equal(counts, _release_counts(st, seed=2))
    p = np.where(np.arange(200) < 100, 0.0, 1.0)
    exact = _release_counts(sim.SimpleStochasticSynapse(weight=1e-6, delay=1.0, p=p))
    assert exact[:, :100].sum() == 0 and np.all(exact[:, 100:] == 1)


def test_multi_quantal_release_is_binomial():
    """n = 5 sites, U = 0.4, sites refilled between spikes (tau_rec 0.1 ms, spikes 5 ms
    apart) and u = U (tau_facil 0): each spike releases Binomial(5, 0.4) quanta of w / 5
    (mean 2, variance 1.2)."""
    st = sim.MultiQuantalSynapse(weight=1e-6, delay=1.0, U=0.4, n=5, tau_rec=0.1)
    quanta = _release_counts(st, sites=5)
    assert quanta.min() >= 0 and quanta.max() <= 5
    m = quanta.size
    assert abs(quanta.mean() - 2.0) < 4 * np.sqrt(1.2 / m)
    assert abs(quanta.var() - 1.2) < 0.1


def test_multi_quantal_depletion():
    """tau_rec = 1e9 ms: the 3 sites never refill, so a connection releases 3 quanta in all."""
    st = sim.MultiQuantalSynapse(weight=1e-6, delay=1.0, U=0.5, n=3, tau_rec=1e9)
    quanta = _release_counts(st, n_post=50, sites=3)
    assert np.all(quanta.sum(axis=0) == 3)


def test_stochastic_tsodyks_markram():
    """One site with u = U (tau_facil 0): refilled at once (tau_rec 0.1 ms) it releases with
    probability U per spike; never refilled (tau_rec 1e9 ms) it releases exactly once, at a
    Geometric(U) spike."""
    fast = sim.StochasticTsodyksMarkramSynapse(weight=1e-6, delay=1.0, U=0.25, tau_rec=0.1)
    counts = _release_counts(fast)
    assert abs(counts.mean() - 0.25) < 4 * np.sqrt(0.25 * 0.75 / counts.size)
    slow = sim.StochasticTsodyksMarkramSynapse(weight=1e-6, delay=1.0, U=0.25, tau_rec=1e9)
    counts = _release_counts(slow, n_post=400)
    assert np.all(counts.sum(axis=0) == 1)  # 40 spikes: P(no release) = 0.75^40 ~ 1e-5
    first = np.argmax(counts, axis=0) + 1
    assert abs(first.mean() - 4.0) < 4 * np.sqrt(12.0 / first.size)  # mean 1/U, var (1-U)/U^2


# -- NEST agreement: Tsodyks-Markram onto every cell type, PointNeuron ---------------------
nest_sim = pytest.importorskip("pynn_uni.nest")


def _tm_run(s, model):
    s.setup(timestep=DT)
    cell = s.Population(1, getattr(s, model)())
    source = s.Population(1, s.SpikeSourceArray(spike_times=[5.0, 12.0, 20.0, 21.0, 60.0]))
    tm = s.TsodyksMarkramSynapse(U=0.3, tau_rec=80.0, tau_facil=30.0, weight=0.02, delay=1.0)
    s.Projection(source, cell, s.AllToAllConnector(), tm)
    cell.record(["v", "gsyn_exc"])
    s.run(100.0)
    out = {n: _signal(cell, n)[1][:, 0] for n in ("v", "gsyn_exc")}
    s.end()
    return out


@pytest.mark.parametrize("model", ["EIF_cond_exp_isfa_ista", "EIF_cond_alpha_isfa_ista",
                                   "HH_cond_exp"])  # fmt: skip
def test_tsodyks_markram_onto_other_cells_matches_nest(model):
    a, b = _tm_run(sim, model), _tm_run(nest_sim, model)
    np.testing.assert_allclose(a["gsyn_exc"], b["gsyn_exc"], atol=1e-6)
    assert np.max(np.abs(a["v"] - b["v"])) < 0.1


def _point_run(s, membrane, psr):
    s.setup(timestep=DT)
    response = getattr(s, psr)
    current = psr == "CurrExpPostSynapticResponse"
    if psr == "CondBetaPostSynapticResponse":
        make = lambda tau, e: response(tau_rise=0.2 * tau, tau_decay=tau, e_syn=e)  # noqa: E731
    elif current:
        make = lambda tau, e: response(tau_syn=tau)  # noqa: E731
    else:
        make = lambda tau, e: response(tau_syn=tau, e_syn=e)  # noqa: E731
    celltype = s.PointNeuron(
        getattr(s, membrane)(tau_m=10.0, v_rest=-60.0, i_offset=1.2 if membrane == "LIF" else 0.8),
        AMPA=make(1.0, 0.0), NMDA=make(20.0, 0.0), GABAA=make(1.5, -70.0),
    )  # fmt: skip
    cell = s.Population(1, celltype, initial_values={"v": -60.0})
    var = "isyn" if current else "gsyn"
    names = ["v", f"AMPA.{var}", f"NMDA.{var}", f"GABAA.{var}"]
    cell.record([*names, "spikes"])
    times = [Sequence([30.0, 31.0]), Sequence([60.0]), Sequence([90.0, 95.0])]
    inputs = s.Population(3, s.SpikeSourceArray(spike_times=times))
    weights = (0.5, 0.5, 0.2) if current else (0.01, 0.1, 0.005)
    for i, (receptor, w) in enumerate(zip(["AMPA", "GABAA", "NMDA"], weights, strict=True)):
        s.Projection(inputs[i : i + 1], cell, s.AllToAllConnector(),
                     s.StaticSynapse(weight=w, delay=1.5), receptor_type=receptor)  # fmt: skip
    s.run(200.0)
    out = {n: _signal(cell, n)[1][:, 0] for n in names}
    out["spikes"] = cell.get_data().segments[0].spiketrains[0].magnitude
    s.end()
    return out


@pytest.mark.parametrize(("membrane", "psr"), [
    ("LIF", "CurrExpPostSynapticResponse"),
    ("LIF", "CondAlphaPostSynapticResponse"),
    ("AdExp", "CondAlphaPostSynapticResponse"),
    ("AdExp", "CondBetaPostSynapticResponse"),
])  # fmt: skip
def test_point_neuron_matches_nest(membrane, psr):
    a, b = _point_run(sim, membrane, psr), _point_run(nest_sim, membrane, psr)
    assert a["spikes"].size > 2
    np.testing.assert_allclose(a["spikes"], b["spikes"], atol=DT + 1e-9)
    for name in a:
        if name not in ("v", "spikes"):
            np.testing.assert_allclose(a[name], b[name], atol=1e-7, err_msg=name)
    assert np.max(np.abs(a["v"] - b["v"])) < 0.1


def test_point_neuron_exponential_conductance_is_exact():
    """CondExpPostSynapticResponse (no NEST model): g = w e^(-(t - t_arrival) / tau_syn)."""
    sim.setup(timestep=DT)
    celltype = sim.PointNeuron(
        sim.LIF(), AMPA=sim.CondExpPostSynapticResponse(tau_syn=3.0, e_syn=0.0)
    )
    cell = sim.Population(1, celltype)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    sim.Projection(src, cell, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=0.02, delay=1.0), receptor_type="AMPA")  # fmt: skip
    cell.record("AMPA.gsyn")
    sim.run(30.0)
    t, g = _signal(cell, "AMPA.gsyn")
    expected = np.where(t >= 11.0 - 1e-9, 0.02 * np.exp(-(t - 11.0) / 3.0), 0.0)
    np.testing.assert_allclose(g[:, 0], expected, atol=1e-12)
    sim.end()


def test_multi_quantal_mean_follows_depression():
    """n = 5, U = 0.5 (tau_facil 0: u = U), tau_rec = 20 ms, spikes 5 ms apart: the mean
    fraction released is U R_k with R_1 = 1 and R_(k+1) = 1 - (1 - R_k (1 - U)) e^(-5/20)
    (the expectation of the binomial site dynamics).  initialize(a=2) starts with 2 sites
    (tau_rec = 1e9 ms: none refills before the spike): Binomial(2, U) quanta."""
    u, n, spikes = 0.5, 5, 8
    decay = np.exp(-5.0 / 20.0)
    ready = [1.0]
    for _ in range(spikes - 1):
        ready.append(1 - (1 - ready[-1] * (1 - u)) * decay)
    st = sim.MultiQuantalSynapse(weight=1e-6, delay=1.0, U=u, n=n, tau_rec=20.0)
    quanta = _release_counts(st, n_post=400, n_spikes=spikes, sites=n)
    mean = quanta.mean(axis=1) / n
    sd = np.sqrt(u * (1 - u) / (n * 400))  # at most that of the first spike's fraction
    np.testing.assert_allclose(mean, u * np.array(ready), atol=4 * sd)

    sim.setup(timestep=DT)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
    cells = sim.Population(400, sim.IF_cond_exp(tau_syn_E=1e5))
    slow = sim.MultiQuantalSynapse(weight=1e-6, delay=1.0, U=u, n=n, tau_rec=1e9)
    prj = sim.Projection(src, cells, sim.AllToAllConnector(), slow)
    prj.initialize(a=2)
    cells.record("gsyn_exc")
    sim.run(10.0)
    released = np.rint(_signal(cells, "gsyn_exc")[1][-1] / (1e-6 / n))
    sim.end()
    assert released.max() <= 2
    assert abs(released.mean() - 2 * u) < 4 * np.sqrt(2 * u * (1 - u) / 400)
