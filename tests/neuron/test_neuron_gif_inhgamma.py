"""GIF_cond_exp (PynnGIF) and SpikeSourceInhGamma on NEURON, against NEST and against theory.

GIF spiking is stochastic and NEURON's random numbers are not NEST's, so spike-by-spike
agreement is impossible; what is deterministic (the membrane without spikes, the kernels
after a spike that is certain) must match NEST and the closed forms, and the firing rate
must match NEST's statistically.  NEST has no inhomogeneous gamma generator: that source
is tested against renewal theory.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("neuron")

import pynn_uni.neuron as sim  # noqa: E402
from pynn_uni import errors  # noqa: E402
from pynn_uni.common import spike_trains  # noqa: E402
from pynn_uni.parameters import ArrayParameter, Sequence  # noqa: E402

DT = 0.1
#: tau_m = cm / g_L = 10 ms, rest -70 mV
MEMBRANE = dict(cm=0.25, tau_m=10.0, v_rest=-70.0, v_reset=-70.0)


def _nest():
    pytest.importorskip("nest")
    import pynn_uni.nest as nest_sim

    return nest_sim


def _data(pop):
    seg = pop.get_data().segments[0]
    signals = {a.name: a.magnitude for a in seg.analogsignals}
    return signals, [np.asarray(s.magnitude) for s in seg.spiketrains]


# -- GIF_cond_exp ------------------------------------------------------------------------------


def _subthreshold(backend):
    """lambda0 = 1e-30 Hz: the escape rate is < 1e-20 Hz at any v here, so no spikes."""
    backend.setup(timestep=DT)
    celltype = backend.GIF_cond_exp(lambda0=1e-30, i_offset=0.1, **MEMBRANE)
    cells = backend.Population(2, celltype, initial_values={"v": -70.0})
    exc = backend.Population(1, backend.SpikeSourceArray(spike_times=[10.0, 10.5, 30.0]))
    inh = backend.Population(1, backend.SpikeSourceArray(spike_times=[50.0, 51.0]))
    every = backend.AllToAllConnector()
    backend.Projection(exc, cells, every, backend.StaticSynapse(weight=0.02, delay=1.0))
    backend.Projection(
        inh, cells, every, backend.StaticSynapse(weight=0.03, delay=1.5), receptor_type="inhibitory"
    )
    backend.StepCurrentSource(times=[60.0, 80.0], amplitudes=[0.2, -0.1]).inject_into(cells)
    cells.record(["v", "gsyn_exc", "gsyn_inh", "i_eta", "spikes"])
    backend.run(120.0)
    out = _data(cells)
    backend.end()
    return out


def test_gif_membrane_without_spikes_matches_nest_and_theory():
    (nrn, nrn_spikes), (nst, nst_spikes) = _subthreshold(sim), _subthreshold(_nest())
    assert sum(s.size for s in nrn_spikes + nst_spikes) == 0
    assert nrn["v"].shape == nst["v"].shape
    assert np.max(np.abs(nrn["v"] - nst["v"])) < 0.1
    assert np.ptp(nrn["v"]) > 5.0, "scenario should move v"
    # before the first input arrives (11 ms): v = v_rest + i R (1 - exp(-t / tau_m))
    t = DT * np.arange(nrn["v"].shape[0])
    early = t <= 11.0
    expected = -70.0 + 0.1 * 10.0 / 0.25 * (1.0 - np.exp(-t[early] / 10.0))
    assert np.max(np.abs(nrn["v"][early, 0] - expected)) < 1e-6
    # conductances: equal except at the arrival instants themselves, where NEURON records the
    # value just before the jump and NEST just after (docs/differences.md)
    for name, arrivals in (("gsyn_exc", [11.0, 11.5, 31.0]), ("gsyn_inh", [51.5, 52.5])):
        keep = np.min(np.abs(t[:, None] - np.array(arrivals)), axis=1) > DT / 2
        assert np.max(np.abs(nrn[name][keep] - nst[name][keep])) < 1e-9
        assert np.max(nrn[name]) > 0.01
    assert np.all(nrn["i_eta"] == 0.0)


#: certain first spike: at v0 = -30 mV, lambda = 1e9 Hz exp((v - v_t) / 0.5) makes the
#: spike probability of the first step 1; after it v ~ -60 mV and v_t >= -35 mV give
#: lambda < 1e6 / ms * exp(-50), a spike probability < 1e-15 per step
_FORCED = dict(lambda0=1e9, v_t_star=-35.0, delta_v=0.5, v_reset=-60.0, v_rest=-70.0, cm=0.08,
               tau_m=20.0, tau_refrac=0.3, tau_eta=ArrayParameter([5.0, 50.0]),
               tau_gamma=ArrayParameter([20.0, 200.0]), a_gamma=ArrayParameter([3.0, 1.0]),
               a_eta=[ArrayParameter([0.01, 0.005]), ArrayParameter([0.02, 0.0])])  # fmt: skip


def _forced(backend, variables):
    backend.setup(timestep=DT)
    cells = backend.Population(2, backend.GIF_cond_exp(**_FORCED), initial_values={"v": -30.0})
    cells.record(variables)
    backend.run(100.0)
    out = _data(cells)
    backend.end()
    return out


def test_gif_kernels_follow_their_exponentials_after_a_forced_spike():
    nrn, spikes = _forced(sim, ["v", "i_eta", "v_t", "spikes"])
    nst, nst_spikes = _forced(_nest(), ["v", "i_eta", "spikes"])
    for train, other in zip(spikes, nst_spikes, strict=True):
        np.testing.assert_allclose(train, [DT], atol=1e-9)
        np.testing.assert_allclose(other, [DT], atol=1e-9)
    # from the step after the spike (t = 0.2 ms) on, each kernel decays from its amplitude
    t = DT * np.arange(nrn["v"].shape[0])
    age = np.clip(t - 2 * DT, 0.0, None)[:, None]
    after = t >= 2 * DT - 1e-9
    a_eta = np.array([[0.01, 0.005], [0.02, 0.0]])
    i_eta = np.stack([sum(a[j] * np.exp(-age[:, 0] / tau) for j, tau in enumerate([5.0, 50.0]))
                      for a in a_eta], axis=1)  # fmt: skip
    v_t = -35.0 + 3.0 * np.exp(-age / 20.0) + 1.0 * np.exp(-age / 200.0)
    np.testing.assert_allclose(nrn["i_eta"][after], i_eta[after], atol=1e-12)
    np.testing.assert_allclose(
        nrn["v_t"][after], np.broadcast_to(v_t, (t.size, 2))[after], atol=1e-9
    )
    # the spike step itself used the kernels at rest (t = 0 is the declared initial value)
    assert np.all(nrn["i_eta"][1] == 0.0) and np.all(nrn["v_t"][1] == -35.0)
    # v: unreset at the spike, v_reset through the 3 refractory steps (NEST's order), then free
    np.testing.assert_allclose(nrn["v"][2:5], -60.0)
    assert nrn["v"][1, 0] > -31.0
    assert np.max(np.abs(nrn["v"] - nst["v"])) < 0.1
    assert np.max(np.abs(nrn["i_eta"] - nst["i_eta"])) < 1e-9


def test_gif_without_refractory_period_resets_at_the_spike():
    """tau_refrac = 0: v_reset at once (NEST 3.10 would leave v unreset, docs/differences.md),
    so the certain spike is not followed by a spike in every step."""
    sim.setup(timestep=DT)
    params = dict(_FORCED, tau_refrac=0.0)
    cells = sim.Population(2, sim.GIF_cond_exp(**params), initial_values={"v": -30.0})
    cells.record(["v", "spikes"])
    sim.run(5.0)
    signals, trains = _data(cells)
    sim.end()
    for train in trains:
        np.testing.assert_allclose(train, [DT], atol=1e-9)
    np.testing.assert_allclose(signals["v"][1], -60.0)


_DRIVEN = dict(i_offset=0.5, v_t_star=-55.0, delta_v=2.0, lambda0=10.0, tau_refrac=2.0,
               tau_eta=ArrayParameter([10.0, 100.0]), a_eta=ArrayParameter([0.05, 0.02]),
               tau_gamma=ArrayParameter([20.0, 200.0]), a_gamma=ArrayParameter([2.0, 1.0]),
               **MEMBRANE)  # fmt: skip


def _counts(backend, n=100, t_stop=2000.0):
    backend.setup(timestep=DT, rng_seed=11)
    cells = backend.Population(n, backend.GIF_cond_exp(**_DRIVEN))
    cells.record("spikes")
    backend.run(t_stop)
    _, trains = _data(cells)
    backend.end()
    return np.array([s.size for s in trains], float)


def test_gif_rate_under_constant_current_matches_nest():
    """The cells are unconnected with independent streams, so each simulator's per-cell
    counts are i.i.d.; the difference of the two mean counts then has standard error
    sqrt(s1^2 / n1 + s2^2 / n2) with the sample variances s^2.  Poisson counts (s^2 = mean)
    would give 0.73 spikes on a mean of ~27; adaptation makes these far more regular
    (s^2 ~ 2.6, SE ~ 0.23), hence the sample variances.  Five standard errors: a false
    alarm once in ~2 million runs; doubling lambda0 moves the mean by ~20 of them.
    """
    nrn, nst = _counts(sim), _counts(_nest())
    assert nst.mean() > 10.0, "scenario should fire at ~14 Hz"
    se = np.sqrt(nrn.var(ddof=1) / nrn.size + nst.var(ddof=1) / nst.size)
    assert abs(nrn.mean() - nst.mean()) < 5.0 * se, (nrn.mean(), nst.mean(), se)


def test_gif_streams_replay_and_depend_only_on_seed_and_cell():
    def trains(n, runs, seed=5, reset_first=False):
        sim.setup(timestep=DT, rng_seed=seed)
        cells = sim.Population(n, sim.GIF_cond_exp(**_DRIVEN))
        cells.record("spikes")
        if reset_first:
            sim.run(50.0)
            sim.reset()
        for t in runs:
            sim.run(t)
        seg = cells.get_data().segments[-1]
        out = [np.asarray(s.magnitude) for s in seg.spiketrains]
        sim.end()
        return out

    single = trains(6, [300.0])
    assert sum(s.size for s in single) > 6
    assert not np.array_equal(single[0], single[1]), "cells must draw from different streams"
    for other in (
        trains(6, [120.0, 180.0]),
        trains(6, [300.0], reset_first=True),
        trains(3, [300.0]),
    ):
        for x, y in zip(other, single, strict=False):
            np.testing.assert_array_equal(x, y)
    assert not np.array_equal(trains(6, [300.0], seed=6)[0], single[0])


def test_gif_kernel_lists_are_checked_at_creation():
    sim.setup(timestep=DT)
    with pytest.raises(errors.InvalidParameterValueError, match="tau_eta has 2 values but a_eta 1"):
        sim.Population(2, sim.GIF_cond_exp(tau_eta=[1.0, 2.0], a_eta=[1.0]))
    with pytest.raises(errors.InvalidParameterValueError, match="7 gamma kernels.*at most 6"):
        sim.Population(1, sim.GIF_cond_exp(tau_gamma=np.arange(1.0, 8.0), a_gamma=np.ones(7)))
    sim.run(1.0)  # the simulation stays usable
    sim.end()


# -- SpikeSourceInhGamma -----------------------------------------------------------------------

#: bins (start ms, a, b s): mean interval a b = 25, 10, -, 20 ms; the third bin is silent
BINS = [(0.0, 4.0, 1 / 160), (1000.0, 0.5, 0.02), (2000.0, 3.0, np.inf), (2600.0, 2.0, 0.01)]
T_STOP = 3600.0


def _inh_gamma(n, runs, seed=3, reset_first=False):
    sim.setup(timestep=DT, rng_seed=seed)
    tbins, a, b = (Sequence([row[k] for row in BINS]) for k in range(3))
    src = sim.Population(n, sim.SpikeSourceInhGamma(a=a, b=b, tbins=tbins))
    src.record("spikes")
    if reset_first:
        sim.run(700.0)
        sim.reset()
    for t in runs:
        sim.run(t)
    trains = [np.asarray(s.magnitude) for s in src.get_data().segments[-1].spiketrains]
    sim.end()
    return trains


def _settle(a: float, b_ms: float) -> float:
    """Time after a change of parameters until the process is stationary to ~e^-15.  The
    renewal transient of a gamma(a, b) process decays with the poles of its renewal density,
    the roots of (1 + b s)^a = 1, s = (exp(2 pi i k / a) - 1) / b for 0 < k < a / 2, and (a not
    an integer) its branch point s = -1/b: at a rate of at least min(1, 1 - cos(2 pi / a)) / b."""
    rate = min(1.0, 1.0 - np.cos(2 * np.pi / a) if a > 2 else 1.0) / b_ms
    return 15.0 / rate


def _gamma_moments(a: float, scale: float, k: int) -> float:
    return scale**k * np.prod(a + np.arange(k))


def _cv2_se(a: float, n: int) -> float:
    """Standard error of the sample CV^2 = m2 / m1^2 - 1 of n gamma(a) intervals (delta
    method with the gamma's raw moments; scale-free)."""
    m1, m2, m3, m4 = (_gamma_moments(a, 1.0, k) for k in (1, 2, 3, 4))
    grad = np.array([-2.0 * m2 / m1**3, 1.0 / m1**2])
    cov = np.array([[m2 - m1**2, m3 - m1 * m2], [m3 - m1 * m2, m4 - m2**2]])
    return float(np.sqrt(grad @ cov @ grad / n))


def test_inh_gamma_counts_and_cv_match_renewal_theory():
    """Per bin, once the transient after the parameter change has died out: mean count over
    a window W is W / (a b) (stationary renewal process) with variance W CV^2 / (a b)
    (Fano factor -> CV^2 = 1/a), and the m intervals that follow the first spike in the
    window are i.i.d. gamma(a, b), so their CV^2 is 1/a.  Limits: five standard errors."""
    n, m = 300, 12
    trains = _inh_gamma(n, [T_STOP])
    ends = [row[0] for row in BINS[1:]] + [T_STOP]
    for (t0, a, b), t1 in zip(BINS, ends, strict=True):
        counts = np.array([np.sum((s > t0) & (s <= t1)) for s in trains])
        if not np.isfinite(b):
            assert counts.sum() == 0, "a bin with b = inf is silent"
            continue
        mean_isi = 1000.0 * a * b
        w0 = t0 + _settle(a, 1000.0 * b)
        width = t1 - w0
        counts = np.array([np.sum((s > w0) & (s <= t1)) for s in trains])
        se = np.sqrt(width / (a * mean_isi) / n)
        assert abs(counts.mean() - width / mean_isi) < 5 * se, (t0, counts.mean(), width / mean_isi)
        isis = []
        for s in trains:
            inside = s[(s > w0) & (s <= t1)]
            assert inside.size > m, "window too short for m intervals"
            isis.append(np.diff(inside[: m + 1]))
        isis = np.concatenate(isis)
        cv2 = isis.var() / isis.mean() ** 2
        assert abs(cv2 - 1.0 / a) < 5 * _cv2_se(a, isis.size), (t0, cv2, 1.0 / a)


def test_inh_gamma_split_runs_and_reset_replay_the_single_run():
    single = _inh_gamma(20, [T_STOP])
    assert sum(s.size for s in single) > 1000
    for other in (_inh_gamma(20, [1234.5, 765.5, T_STOP - 2000.0]),
                  _inh_gamma(20, [T_STOP], reset_first=True)):  # fmt: skip
        for x, y in zip(other, single, strict=True):
            np.testing.assert_array_equal(x, y)
    assert not np.array_equal(_inh_gamma(20, [T_STOP], seed=4)[0], single[0])


def test_inh_gamma_edges_without_change_leave_the_process_unchanged():
    """Sixteen bins with the same a = 4, b = 6.25 ms are one gamma renewal process started
    at a renewal point (t = 0): the age carries over every edge, so the mean count up to T is
    T / (a b) + (CV^2 - 1) / 2 (renewal theorem; the rest decays as exp(-t / b)).
    Restarting at each edge would lose (1 - CV^2) / 2 = 0.375 spikes per edge (-5.6 here);
    the limit is five standard errors, sqrt(T CV^2 / (a b) / n) each."""
    n, t_stop, mean_isi = 200, 4000.0, 25.0
    sim.setup(timestep=DT, rng_seed=9)
    edges = Sequence(np.arange(0.0, t_stop, 250.0))
    src = sim.Population(n, sim.SpikeSourceInhGamma(
        a=Sequence(np.full(16, 4.0)), b=Sequence(np.full(16, 1 / 160)), tbins=edges))  # fmt: skip
    src.record("spikes")
    sim.run(t_stop)
    counts = np.array([s.size for s in src.get_data().segments[0].spiketrains], float)
    sim.end()
    expected = t_stop / mean_isi + (0.25 - 1.0) / 2
    se = np.sqrt(t_stop * 0.25 / mean_isi / n)
    assert abs(counts.mean() - expected) < 5 * se, (counts.mean(), expected, se)


def test_inh_gamma_per_cell_histograms():
    """Two cells, each with its own histogram: count = duration / (a b) per bin, within
    five Poisson-like standard errors (variance <= mean for a >= 1)."""
    sim.setup(timestep=DT)
    src = sim.Population(2, sim.SpikeSourceInhGamma(
        a=[Sequence([2.0]), Sequence([1.0, 3.0])], b=[Sequence([0.01]), Sequence([0.05, 0.002])],
        tbins=[Sequence([0.0]), Sequence([0.0, 2000.0])]))  # fmt: skip
    src.record("spikes")
    sim.run(4000.0)
    first, second = (np.asarray(s.magnitude) for s in src.get_data().segments[0].spiketrains)
    sim.end()
    for train, t0, t1, expected in ((first, 0, 4000, 200.0), (second, 0, 2000, 40.0),
                                    (second, 2000, 4000, 2000 / 6.0)):  # fmt: skip
        count = np.sum((train > t0) & (train <= t1))
        assert abs(count - expected) < 5 * np.sqrt(expected) + 1, (t0, count, expected)


def test_conditional_gamma_draws():
    """Gamma(a, scale) conditioned on exceeding an age: by inversion (Kolmogorov-Smirnov
    against 1 - Q(a, x/s) / Q(a, age/s), 1e-6 level) and, where Q(a, age/s) underflows, by
    rejection (a = 2: mean residual s (z + 2) / (z + 1), z = age / s, exact)."""
    special = pytest.importorskip("scipy.special")
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(1)
    a, scale, age = 3.0, 10.0, np.full(5000, 25.0)
    x = spike_trains._gamma_beyond(rng, a, scale, age)
    assert np.all(x >= 25.0)
    cdf = lambda v: 1.0 - special.gammaincc(a, v / scale) / special.gammaincc(a, 2.5)  # noqa: E731
    assert stats.kstest(x, cdf).pvalue > 1e-6
    z = 1000.0
    assert special.gammaincc(2.0, z) < 1e-250  # the rejection branch
    r = spike_trains._gamma_beyond(rng, 2.0, scale, np.full(20000, z * scale)) - z * scale
    expected = scale * (z + 2) / (z + 1)
    assert abs(r.mean() - expected) < 5 * r.std() / np.sqrt(r.size)
    assert np.all(np.isinf(spike_trains._gamma_beyond(rng, 2.0, np.inf, np.zeros(3))))


@pytest.mark.parametrize(
    "params, message",
    [
        (
            dict(a=Sequence([1.0, 2.0]), b=Sequence([0.1]), tbins=Sequence([0.0])),
            "one value per bin",
        ),
        (
            dict(a=Sequence([1.0, 2.0]), b=Sequence([0.1, 0.1]), tbins=Sequence([5.0, 5.0])),
            "strictly increasing",
        ),
        (dict(a=Sequence([0.0]), b=Sequence([0.1]), tbins=Sequence([0.0])), "a must be > 0"),
        (dict(a=Sequence([1.0]), b=Sequence([-1.0]), tbins=Sequence([0.0])), "b must be > 0"),
    ],
)
def test_inh_gamma_malformed_histograms_raise_at_creation(params, message):
    sim.setup(timestep=DT)
    with pytest.raises(
        errors.InvalidParameterValueError, match=f"SpikeSourceInhGamma: .*{message}"
    ):
        sim.Population(3, sim.SpikeSourceInhGamma(**params))
    sim.end()
