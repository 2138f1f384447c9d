"""Acceptance tests of pynn_uni.hardware (spec section 3f of reference/hardware-chips.md).

Expected numbers come from the chip facts (384 = 2 x 192 circuits, 256 rows, 4-/6-bit
codes), from rounding theory, or from NEST run on the same script.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import pynn_uni.hardware as hw
from pynn_uni import errors
from pynn_uni.hardware import errors as hwerr
from pynn_uni.hardware.emulator.chip import effective_deviations, true_deviations
from pynn_uni.hardware.mapping.weights import quantise
from pynn_uni.hardware.profiles import load_profile


def _sources(n, times=(5.0,)):
    return hw.Population(n, hw.SpikeSourceArray(spike_times=list(times)))


# -- 1. agreement with NEST ----------------------------------------------------------------------
def _one_neuron_run(sim, trains, **setup):
    sim.setup(timestep=0.1, **setup)
    src = sim.Population(100, sim.SpikeSourceArray(spike_times=trains))
    cell = sim.Population(1, sim.IF_facets_hardware1(g_leak=40.0, tau_syn_E=5.0, tau_syn_I=5.0,
                                                     v_reset=-75.0))  # fmt: skip
    cell.record(["spikes", "v"])
    # weights are whole codes: 2 x 1 nS excitatory, 3 x 4 nS inhibitory
    syn = dict(delay=0.1)
    sim.Projection(src[:80], cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.002, **syn))
    sim.Projection(src[80:], cell, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.012, **syn),
                   receptor_type="inhibitory")  # fmt: skip
    sim.run(2000.0)
    seg = cell.get_data().segments[0]
    out = seg.spiketrains[0].magnitude, seg.analogsignals[0].magnitude[:, 0]
    sim.end()
    return out


def test_single_neuron_agrees_with_nest():
    nest_sim = pytest.importorskip("pynn_uni.nest")
    rng = np.random.default_rng(1)
    trains = [np.round(np.cumsum(rng.exponential(1000 / 15.0, 40)), 1) for _ in range(100)]
    trains = [np.unique(t[(t > 0.5) & (t < 2000)]) for t in trains]
    ref_spikes, ref_v = _one_neuron_run(nest_sim, trains)
    spikes, v = _one_neuron_run(hw, trains, reference_grid=True, calibration="ideal")
    rate = ref_spikes.size / 2.0
    assert 5 <= rate <= 50, "scenario badly posed: output rate outside 5-50 Hz"
    assert spikes.size == ref_spikes.size
    dt = np.abs(spikes - ref_spikes)
    assert dt.max() <= 0.1 + 1e-9
    assert np.median(dt) <= 0.01
    t = np.arange(v.size) * 0.1
    near = np.zeros(v.size, bool)
    for s in np.concatenate([spikes, ref_spikes]):
        near |= (t > s - 0.25) & (t < s + 1.5)  # spike, reset and 1 ms refractory
    assert np.abs(v - ref_v)[~near].max() <= 0.1


# -- 2. quantisation -------------------------------------------------------------------------------
def test_nearest_rounding_bounds():
    lsb, k_max = 0.001, 15
    w = np.random.default_rng(0).uniform(0, k_max * lsb, 10_000)
    q = quantise(w, lsb, k_max)
    dw = q.realised - w
    assert np.abs(dw).max() <= lsb / 2 + 1e-12
    assert abs(dw.mean()) <= 0.02 * lsb
    np.testing.assert_allclose(q.realised / lsb, np.rint(q.realised / lsb), atol=1e-9)


def test_stochastic_rounding_is_unbiased_and_seeded():
    lsb, k, f, n = 0.001, 7, 0.3, 100_000
    w = np.full(n, (k + f) * lsb)
    q = quantise(w, lsb, 15, rng=np.random.default_rng(5))
    up = np.mean(q.code == k + 1)
    assert set(np.unique(q.code)) <= {k, k + 1}
    assert abs(up - f) <= 4 * np.sqrt(f * (1 - f) / n)
    again = quantise(w, lsb, 15, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(q.code, again.code)


def test_report_counts_match_realised_weights():
    hw.setup(weight_clip="clip")
    lsb = hw.min_weight()
    requested = np.concatenate([[0.2 * lsb, 0.4 * lsb, 15.2 * lsb, 15.6 * lsb],
                                np.linspace(lsb, 14 * lsb, 796)])  # fmt: skip
    src = _sources(200)
    cells = hw.Population(4, hw.IF_facets_hardware1())
    prj = hw.Projection(src, cells, hw.AllToAllConnector(), hw.StaticSynapse(weight=0.0))
    prj.set(weight=requested)
    got = np.asarray(prj.get("weight", format="list", with_address=False))
    report = hw.get_mapping_report().projections[0]
    assert report.n_vanished == np.sum((requested > 0) & (got == 0))
    assert report.n_clipped == np.sum(np.rint(requested / lsb) > 15) == 1
    assert report.lost == np.isnan(got).sum() == 0
    np.testing.assert_allclose(got / lsb, np.rint(got / lsb), atol=1e-9)


# -- 3. capacity at the published limits ------------------------------------------------------
@pytest.mark.parametrize("profile, n", [("spikey", 384), ("bss2", 512)])
def test_neuron_count_limit(profile, n):
    hw.setup(profile=profile)
    hw.Population(n - 1, hw.IF_facets_hardware1())
    hw.Population(1, hw.IF_facets_hardware1())
    with pytest.raises(hwerr.HardwareCapacityError, match=f"only 0 of the '{profile}'"):
        hw.Population(1, hw.IF_facets_hardware1(), label="one too many")
    hw.run(1.0)  # what was accepted still runs


def test_block_limit_spikey():
    hw.setup(placement={"a": {"block": 1}, "b": {"block": 1}})
    hw.Population(192, hw.IF_facets_hardware1(), label="a")
    with pytest.raises(hwerr.HardwareCapacityError, match="block 1"):
        hw.Population(1, hw.IF_facets_hardware1(), label="b")


def test_external_sources_spikey():
    hw.setup()
    cell = hw.Population(1, hw.IF_facets_hardware1())
    src = _sources(257)
    hw.Projection(src[:256], cell, hw.AllToAllConnector(), hw.StaticSynapse(weight=0.001))
    with pytest.raises(hwerr.SynapseLossError):
        hw.Projection(src[256:], cell, hw.AllToAllConnector(), hw.StaticSynapse(weight=0.001))
    hw.run(10.0)


def _fan_in_257(loss):
    """256 external sources fill every row of block 0; neuron 0 feeding back needs row 0."""
    hw.setup(synapse_loss=loss)
    cells = hw.Population(2, hw.IF_facets_hardware1())
    src = _sources(256)
    hw.Projection(src, cells[1:], hw.AllToAllConnector(), hw.StaticSynapse(weight=0.001))
    return cells, lambda: hw.Projection(cells[:1], cells[1:], hw.AllToAllConnector(),
                                        hw.StaticSynapse(weight=0.001))  # fmt: skip


def test_fan_in_limit_spikey():
    _, connect = _fan_in_257("error")
    with pytest.raises(hwerr.SynapseLossError, match="1 of 1 synapses"):
        connect()
    hw.run(10.0)


def test_synapse_loss_allowed_is_counted():
    _, connect = _fan_in_257("allow")
    prj = connect()
    assert np.isnan(prj.get("weight", format="list", with_address=False)).all()
    report = hw.get_mapping_report()
    assert report.synapses_lost == 1
    assert [p.lost for p in report.projections] == [0, 1]


def test_exc_and_inh_from_one_neuron_conflict_spikey():
    hw.setup()
    cells = hw.Population(2, hw.IF_facets_hardware1())
    hw.Projection(cells[:1], cells[1:], hw.AllToAllConnector(), hw.StaticSynapse(weight=0.001))
    with pytest.raises(hwerr.HardwareParameterConflictError, match="one synapse row"):
        hw.Projection(cells[:1], cells[1:], hw.AllToAllConnector(),
                      hw.StaticSynapse(weight=0.004), receptor_type="inhibitory")  # fmt: skip
    hw.run(10.0)


@pytest.mark.parametrize("profile, k_max", [("spikey", 15), ("bss2", 63)])
def test_weight_code_limit(profile, k_max):
    hw.setup(profile=profile)
    src, cell = _sources(1), hw.Population(1, hw.IF_facets_hardware1())
    lsb = hw.min_weight()
    assert hw.max_weight() == pytest.approx(k_max * lsb)
    hw.Projection(src, cell, hw.OneToOneConnector(), hw.StaticSynapse(weight=k_max * lsb))
    with pytest.raises(errors.InvalidWeightError, match=f"code {k_max + 1}"):
        hw.Projection(src, cell, hw.OneToOneConnector(),
                      hw.StaticSynapse(weight=(k_max + 0.51) * lsb))  # fmt: skip
    hw.run(10.0)


def test_in_degree_limit_bss2():
    hw.setup(profile="bss2")
    cell = hw.Population(1, hw.IF_cond_exp())
    src = _sources(257)
    hw.Projection(src[:256], cell, hw.AllToAllConnector(), hw.StaticSynapse(weight=0.001))
    assert hw.prepare().rows_used[0] == 256
    with pytest.raises(hwerr.SynapseLossError):
        hw.Projection(src[256:], cell, hw.AllToAllConnector(), hw.StaticSynapse(weight=0.001))


def test_rows_are_shared_by_disjoint_targets_bss2():
    """64 sources that each reach a different neuron fit in one labelled row."""
    hw.setup(profile="bss2")
    cells = hw.Population(64, hw.IF_cond_exp())
    hw.Projection(_sources(64), cells, hw.OneToOneConnector(), hw.StaticSynapse(weight=0.001))
    assert hw.prepare().rows_used == [1, 0]


def test_strict_delay_bss2():
    hw.setup(profile="bss2", strict=True)
    src, cell = _sources(1), hw.Population(1, hw.IF_cond_exp())
    hw.Projection(src, cell, hw.OneToOneConnector(), hw.StaticSynapse(weight=0.001, delay=0.1))
    with pytest.raises(hwerr.DelaySubstitutionWarning, match="fixed delay 0.1 ms"):
        hw.Projection(src, cell, hw.OneToOneConnector(),
                      hw.StaticSynapse(weight=0.001, delay=1.0))  # fmt: skip


def test_readout_parity_bss2():
    hw.setup(profile="bss2")
    cells = hw.Population(3, hw.IF_cond_exp())
    cells[0:1].record("v")  # circuit 0: even
    with pytest.raises(errors.RecordingError, match="one even and one odd"):
        cells[2:3].record("v")  # circuit 2: even too
    cells[1:2].record("v")  # circuit 1: odd
    hw.run(5.0)
    v = cells[0:2].get_data().segments[0].analogsignals[0]
    assert v.shape == (51, 2) and np.isfinite(v.magnitude).all()


def test_readout_single_channel_spikey():
    hw.setup()
    cells = hw.Population(2, hw.IF_facets_hardware1())
    with pytest.raises(errors.RecordingError, match="1 membrane readout"):
        cells.record("v")
    hw.setup(readout_policy="relaxed")
    hw.Population(2, hw.IF_facets_hardware1()).record("v")


def test_shared_threshold_conflict_spikey():
    hw.setup()
    hw.Population(1, hw.IF_facets_hardware1(v_thresh=-56.0), label="first")
    hw.Population(1, hw.IF_facets_hardware1(v_thresh=-56.0), label="odd")  # other parity
    with pytest.raises(hwerr.HardwareParameterConflictError, match="'first' has -56.0"):
        hw.Population(1, hw.IF_facets_hardware1(v_thresh=-57.0), label="second")
    hw.run(5.0)


def test_threshold_range_spikey():
    hw.setup()
    with pytest.raises(hwerr.HardwareParameterRangeError, match=r"'too high'.*\[-80.0, -55.0\]"):
        hw.Population(1, hw.IF_facets_hardware1(v_thresh=-50.0), label="too high")
    hw.run(5.0)


def test_unsupported_types_raise_not_supported():
    hw.setup()
    with pytest.raises(hwerr.UnsupportedOnHardwareError, match="IF_curr_exp.*spikey"):
        hw.Population(1, hw.IF_curr_exp())
    with pytest.raises(errors.NotSupportedError, match="cm = 0.2"):
        hw.Population(1, hw.IF_cond_exp())  # spikey's C_m is fixed
    cells = hw.Population(1, hw.IF_cond_exp(cm=0.2, v_thresh=-55.0, v_rest=-65.0,
                                            v_reset=-65.0, tau_m=8.0, tau_refrac=1.0))  # fmt: skip
    with pytest.raises(errors.NotSupportedError, match="SimpleStochasticSynapse"):
        hw.Projection(_sources(1), cells, hw.AllToAllConnector(), hw.SimpleStochasticSynapse())


# -- 4. fixed-pattern noise and calibration -----------------------------------------------------
def test_fpn_is_reproducible_per_chip():
    p = load_profile("spikey")
    a, b, c = true_deviations(p, 3), true_deviations(p, 3), true_deviations(p, 4)
    np.testing.assert_array_equal(a.tau_m, b.tau_m)
    assert not np.allclose(a.tau_m, c.tau_m)


@pytest.mark.parametrize("calibration, which", [(None, 0), ("nominal", 1)])
def test_tau_m_spread_matches_profile(calibration, which):
    p = load_profile("bss2")
    sigma = p.fpn["tau_m"][which]
    f = effective_deviations(p, 0, calibration).tau_m
    assert abs(f.std() / f.mean() - sigma) <= 0.2 * sigma


def _spikes(**setup):
    hw.setup(**setup)
    cell = hw.Population(1, hw.IF_facets_hardware1(g_leak=40.0))
    src = hw.Population(20, hw.SpikeSourcePoisson(rate=40.0))
    hw.Projection(src, cell, hw.AllToAllConnector(), hw.StaticSynapse(weight=0.004))
    cell.record("spikes")
    hw.run(500.0)
    return cell.get_data().segments[0].spiketrains[0].magnitude


def test_runs_are_bitwise_reproducible_and_noise_changes_them():
    a, b = _spikes(), _spikes()
    assert a.size > 5
    np.testing.assert_array_equal(a, b)
    n1, n2 = _spikes(noise=True, trial_seed=1), _spikes(noise=True, trial_seed=2)
    assert not np.array_equal(n1, n2)
    assert not np.array_equal(_spikes(chip_id=1), a)


def test_reset_repeats_the_same_spikes():
    first = _spikes()
    hw.reset()
    hw.run(500.0)
    from pynn_uni.common.control import current_simulation

    pop = current_simulation().populations[0]
    segments = pop.get_data().segments
    assert len(segments) == 2
    np.testing.assert_array_equal(segments[1].spiketrains[0].magnitude, first)


# -- 5. time ---------------------------------------------------------------------------------------
def test_hw_runtime_and_input_time_shift():
    hw.setup()
    times = np.array([1.0001, 2.5, 7.77777])
    src = hw.Population(1, hw.SpikeSourceArray(spike_times=times))
    src.record("spikes")
    hw.run(10.0)
    report = hw.get_mapping_report()
    assert report.hw_runtime == 10.0 / 1e4
    got = src.get_data().segments[0].spiketrains[0].magnitude
    grid = load_profile("spikey").event_grid
    shift = times - got
    assert np.all(shift >= -1e-12) and np.all(shift < grid)  # spikey floors: never early


# -- placement and the conformance plugin -------------------------------------------------------
def test_population_placement_keyword_pins_a_block():
    hw.setup()
    a = hw.Population(192, hw.IF_facets_hardware1(), placement={"block": 1})
    assert hw.get_mapping_report().placement[a.label].min() == 192
    with pytest.raises(hwerr.HardwareCapacityError, match="block 1"):
        hw.Population(1, hw.IF_facets_hardware1(), placement={"block": 1})
    b = hw.Population(192, hw.IF_facets_hardware1())  # block 0 is still free
    assert hw.get_mapping_report().placement[b.label].max() == 191
    with pytest.raises(errors.NonExistentParameterError):
        hw.Population(1, hw.SpikeSourceArray(), placement={"row": 3})


def test_conformance_setup_comes_from_capabilities():
    from pynn_uni.common.capabilities import load_capabilities
    from pynn_uni.testing.plugin import conformance_setup

    extra = conformance_setup(load_capabilities("hardware"))
    assert extra == {"readout_policy": "relaxed"}
    hw.setup(**extra)
    hw.Population(3, hw.IF_facets_hardware1()).record("v")  # 3 > 1 channel: lifted


# -- input bandwidth ----------------------------------------------------------------------------
def _naive_bucket(times, rate, burst):
    """The definition, event by event: refill, then spend one token or lose the event."""
    tokens, last, keep = burst, 0.0, []
    for t in times:
        tokens = min(burst, tokens + rate * (t - last))
        last = t
        keep.append(tokens >= 1 - 1e-9)
        tokens -= keep[-1]
    return np.array(keep)


def test_token_bucket_matches_its_definition():
    from pynn_uni.hardware.mapping.inputs import token_bucket

    rng = np.random.default_rng(3)
    for _ in range(50):
        t = np.sort(np.round(rng.uniform(0, 20, rng.integers(1, 200)), 2))
        rate, burst = rng.uniform(0.5, 10), float(rng.integers(1, 30))
        keep, _, _ = token_bucket(t, rate, burst, burst, 0.0)
        np.testing.assert_array_equal(keep, _naive_bucket(t, rate, burst))


def _bursts(n=100, runs=(10.0,), **setup):
    """``n`` sources that all fire at 5 ms and at 6 ms."""
    hw.setup(**setup)
    src = _sources(n, times=(5.0, 6.0))
    hw.Projection(src, hw.Population(1, hw.IF_facets_hardware1()), hw.AllToAllConnector(),
                  hw.StaticSynapse(weight=0.001))  # fmt: skip
    for t in runs:
        hw.run_until(t)
    return hw.get_mapping_report()


def test_input_bandwidth_loses_and_counts_bursts():
    p = load_profile("spikey")
    # first burst: the full bucket passes `burst` events; 1 ms later `rate` x 1 ms tokens
    expected = (100 - p.input_burst) + (100 - min(p.input_burst, p.input_rate * 1.0))
    with pytest.warns(hwerr.InputLossWarning, match=f"dropped {expected:g} input events"):
        report = _bursts()
    assert report.input_events == 200
    assert report.input_lost == expected
    assert _bursts(runs=(5.5, 10.0)).input_lost == expected  # bucket state spans runs
    # a burst that fits the bucket passes whole; the next one gets rate x 1 ms tokens
    assert _bursts(n=int(p.input_burst)).input_lost == p.input_burst - p.input_rate
    with pytest.raises(hwerr.InputLossError, match="input link"):
        _bursts(strict=True)
    assert _bursts(strict=True, input_loss="count").input_lost == expected
    with warnings.catch_warnings():  # traffic within the link's bandwidth: no warning
        warnings.simplefilter("error", hwerr.InputLossWarning)
        assert _bursts(n=int(p.input_rate)).input_lost == 0


# -- bss2 neuron modes against NEST ---------------------------------------------------------
def _mode_run(sim, model, params, w_exc, w_inh, duration, **setup):
    sim.setup(timestep=0.1, **setup)
    rng = np.random.default_rng(1)
    trains = [np.round(np.cumsum(rng.exponential(1000 / 15.0, 40)), 1) for _ in range(100)]
    trains = [np.unique(t[(t > 0.5) & (t < duration)]) for t in trains]
    src = sim.Population(100, sim.SpikeSourceArray(spike_times=trains))
    cell = sim.Population(1, getattr(sim, model)(**params))
    cell.record(["spikes", "v"])
    for part, w, receptor in ((src[:80], w_exc, "excitatory"), (src[80:], w_inh, "inhibitory")):
        sim.Projection(part, cell, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=w, delay=0.1), receptor_type=receptor)  # fmt: skip
    sim.run(duration)
    seg = cell.get_data().segments[0]
    out = seg.spiketrains[0].magnitude, seg.analogsignals[0].magnitude[:, 0]
    sim.end()
    return out


@pytest.mark.parametrize(
    "model, params, w_exc, w_inh, duration, dv_max",
    [
        # CUBA: whole codes of the 0.01 nA LSB (10 and 30); NEST iaf_psc_exp integrates
        # exactly, the chip's exponential Euler is exact for a frozen input: 0.1 mV (spec)
        ("IF_curr_exp", dict(tau_m=10.0, cm=0.25, v_thresh=-55.0, tau_refrac=2.0),
         0.1, -0.3, 2000.0, 0.1),
        # AdEx (PyNN defaults): codes 8 and 40 of 0.5 nS; Heun at dt/10 against NEST's
        # adaptive RKF45 on a nonlinear model: 0.2 mV below threshold
        ("EIF_cond_exp_isfa_ista", {}, 0.004, 0.02, 400.0, 0.2),
    ],
)  # fmt: skip
def test_bss2_modes_agree_with_nest(model, params, w_exc, w_inh, duration, dv_max):
    nest_sim = pytest.importorskip("pynn_uni.nest")
    # the chip steps on a time grid: its reference is NEST's grid-based model
    ref_spikes, ref_v = _mode_run(
        nest_sim, model, params, w_exc, w_inh, duration, spike_precision="on_grid"
    )
    spikes, v = _mode_run(hw, model, params, w_exc, w_inh, duration, profile="bss2",
                          reference_grid=True, calibration="ideal")  # fmt: skip
    rate = 1000 * ref_spikes.size / duration
    assert 5 <= rate <= 50, "scenario badly posed: output rate outside 5-50 Hz"
    assert spikes.size == ref_spikes.size
    dt = np.abs(spikes - ref_spikes)
    assert dt.max() <= 0.1 + 1e-9 and np.median(dt) <= 0.01
    t = np.arange(v.size) * 0.1
    near = np.zeros(v.size, bool)
    for s in np.concatenate([spikes, ref_spikes]):
        near |= (t > s - 0.25) & (t < s + 2.5)  # spike, reset, refractory
    assert np.abs(v - ref_v)[~near].max() <= dv_max


def test_bss2_current_weights_use_the_current_lsb():
    hw.setup(profile="bss2")
    lsb = hw.min_weight(current=True)
    cells = hw.Population(1, hw.IF_curr_exp())
    syn = hw.StaticSynapse(weight=-7.2 * lsb)
    prj = hw.Projection(_sources(1), cells, hw.AllToAllConnector(), syn, receptor_type="inhibitory")
    assert prj.get("weight", format="list", with_address=False)[0] == pytest.approx(-7 * lsb)
    assert hw.max_weight(current=True) == pytest.approx(63 * lsb)


# -- Tsodyks-Markram in the drivers ----------------------------------------------------------
def test_u_is_realised_on_four_levels_with_a_warning():
    hw.setup()
    cells = hw.Population(4, hw.IF_facets_hardware1())
    requested = np.array([0.05, 0.2, 0.3, 0.5])  # one per band of U <= 1/9, 3/11, 5/13
    src = _sources(4)
    with pytest.warns(errors.RoundingWarning, match="4 U value"):
        prj = hw.Projection(
            src, cells, hw.OneToOneConnector(), hw.TsodyksMarkramSynapse(U=requested, weight=0.001)
        )
    got = np.asarray(prj.get("U", format="array")).diagonal()
    # capacitor ratios r = 1/8 ... 7/8 release r / (1 + r)
    np.testing.assert_allclose(got, [1 / 9, 3 / 11, 5 / 13, 7 / 15], rtol=1e-12)
    assert hw.get_mapping_report().projections[0].u_rounded == 4
    hw.setup(strict=True)
    with pytest.raises(errors.RoundingWarning):
        hw.Projection(
            _sources(1),
            hw.Population(1, hw.IF_facets_hardware1()),
            hw.AllToAllConnector(),
            hw.TsodyksMarkramSynapse(U=0.5, weight=0.001),
        )


def test_stp_constraints_of_the_drivers():
    hw.setup()
    cells = hw.Population(1, hw.IF_facets_hardware1())
    src = _sources(1)
    with pytest.raises(hwerr.UnsupportedOnHardwareError, match="either depress or facilitate"):
        hw.Projection(
            src,
            cells,
            hw.AllToAllConnector(),
            hw.TsodyksMarkramSynapse(U=3 / 11, tau_rec=100.0, tau_facil=50.0),
        )
    hw.Projection(src, cells, hw.AllToAllConnector(), hw.StaticSynapse(weight=0.001))
    with pytest.raises(hwerr.HardwareParameterConflictError, match="short-term plasticity"):
        hw.Projection(
            src, cells, hw.AllToAllConnector(), hw.TsodyksMarkramSynapse(U=3 / 11, weight=0.001)
        )
    hw.run(5.0)


@pytest.mark.parametrize("profile", ["spikey", "bss2"])
def test_depressing_driver_follows_tsodyks_markram(profile):
    """50 Hz train, U = 3/11 (a driver level), tau_rec = 100 ms: the k-th conductance jump
    is w * U * x_k with x_1 = 1, x_{k+1} = 1 - (1 - x_k (1 - U)) exp(-20 / 100)."""
    U, tau_rec, interval, n = 3 / 11, 100.0, 20.0, 6
    hw.setup(profile=profile, calibration="ideal")
    w = 8 * hw.min_weight()
    spikes = 10.0 + interval * np.arange(n)
    cell = hw.Population(
        1,
        hw.IF_cond_exp(
            cm=0.2,
            e_rev_E=0.0,
            i_offset=0.0,
            tau_m=8.0,
            v_rest=-70.0,
            v_reset=-70.0,
            v_thresh=-55.0,
            tau_syn_E=5.0,
            e_rev_I=-75.0,
            tau_refrac=1.0,
        ),
    )
    hw.Projection(
        hw.Population(1, hw.SpikeSourceArray(spike_times=spikes)),
        cell,
        hw.AllToAllConnector(),
        hw.TsodyksMarkramSynapse(U=U, tau_rec=tau_rec, tau_facil=0.0, weight=w),
    )
    cell.record("gsyn_exc")
    hw.run(spikes[-1] + 10.0)
    g = cell.get_data().segments[0].filter(name="gsyn_exc")[0].magnitude[:, 0]
    jumps = g[1:] - g[:-1] * np.exp(-0.1 / 5.0)
    amplitudes = jumps[jumps > 1e-9]
    x = [1.0]
    for _ in range(n - 1):
        x.append(1 - (1 - x[-1] * (1 - U)) * np.exp(-interval / tau_rec))
    np.testing.assert_allclose(amplitudes, w * U * np.array(x), rtol=1e-9)


@pytest.mark.parametrize("profile", ["spikey", "bss2"])
def test_facilitating_driver_follows_tsodyks_markram(profile):
    """50 Hz train, U = 1/9, tau_facil = 200 ms, tau_rec = 0.1 ms (instant recovery, the
    driver's pure facilitation, with a warning): the k-th conductance jump is w * u_k with
    u_1 = U, u_{k+1} = U + u_k (1 - U) exp(-20 / 200), and x = 1 throughout."""
    U, tau_facil, interval, n = 1 / 9, 200.0, 20.0, 6
    hw.setup(profile=profile, calibration="ideal")
    w = 8 * hw.min_weight()
    spikes = 10.0 + interval * np.arange(n)
    params = dict(cm=0.2, tau_m=8.0, v_rest=-70.0, v_reset=-70.0, v_thresh=-55.0,
                  tau_syn_E=5.0, e_rev_I=-75.0, tau_refrac=1.0)  # fmt: skip
    cell = hw.Population(1, hw.IF_cond_exp(**params))
    with pytest.warns(hwerr.ParameterRoundingWarning, match="purely facilitating"):
        hw.Projection(
            hw.Population(1, hw.SpikeSourceArray(spike_times=spikes)),
            cell,
            hw.AllToAllConnector(),
            hw.TsodyksMarkramSynapse(U=U, tau_rec=0.1, tau_facil=tau_facil, weight=w),
        )
    cell.record("gsyn_exc")
    hw.run(spikes[-1] + 10.0)
    g = cell.get_data().segments[0].filter(name="gsyn_exc")[0].magnitude[:, 0]
    jumps = g[1:] - g[:-1] * np.exp(-0.1 / 5.0)
    u = [U]
    for _ in range(n - 1):
        u.append(U + u[-1] * (1 - U) * np.exp(-interval / tau_facil))
    np.testing.assert_allclose(jumps[jumps > 1e-9], w * np.array(u), rtol=1e-9)
    hw.setup(profile=profile, strict=True)  # strict: the approximation is refused
    with pytest.raises(hwerr.ParameterRoundingWarning):
        hw.Projection(
            hw.Population(1, hw.SpikeSourceArray(spike_times=spikes)),
            hw.Population(1, hw.IF_cond_exp(**params)),
            hw.AllToAllConnector(),
            hw.TsodyksMarkramSynapse(U=U, tau_rec=0.1, tau_facil=tau_facil, weight=w),
        )


def test_spikes_are_bitwise_identical_across_processes():
    """Same chip_id and seeds in two fresh interpreters (different hash seeds): same bytes."""
    import subprocess
    import sys

    script = (
        "import warnings; warnings.simplefilter('ignore');"
        "import pynn_uni.hardware as hw;"
        "hw.setup(chip_id=3, noise=True, trial_seed=5);"
        "cell = hw.Population(1, hw.IF_facets_hardware1(g_leak=40.0));"
        "src = hw.Population(20, hw.SpikeSourcePoisson(rate=40.0));"
        "hw.Projection(src, cell, hw.AllToAllConnector(), hw.StaticSynapse(weight=0.004));"
        "cell.record('spikes'); hw.run(500.0);"
        "print(cell.get_data().segments[0].spiketrains[0].magnitude.tobytes().hex())"
    )
    runs = [
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                       env={**__import__("os").environ, "PYTHONHASHSEED": str(seed)}).stdout
        for seed in (1, 2)
    ]  # fmt: skip
    assert len(runs[0].strip()) > 16  # at least a few spikes
    assert runs[0] == runs[1]


def test_mapping_report_travels_in_the_provenance():
    import json

    hw.setup(profile="spikey", chip_id=7)
    cell = hw.Population(1, hw.IF_facets_hardware1(g_leak=40.0))
    src = hw.Population(3, hw.SpikeSourceArray(spike_times=[5.0]))
    hw.Projection(src, cell, hw.AllToAllConnector(), hw.StaticSynapse(weight=0.0024))
    cell.record("spikes")
    hw.run(20.0)
    record = json.loads(cell.get_data().annotations["provenance"])
    report = record["backend_details"]["mapping_report"]
    assert report["chip_id"] == 7
    assert report["hw_runtime"] == 20.0 / 1e4  # ms of hardware time at a 10^4 speed-up


def test_repeated_connections_must_fit_the_one_synapse_they_share():
    """Connections repeated between one source and one cell add up in the chip's single
    synapse: 5 x 4 steps = 20 > 15 is refused before the run (naming the projection), or
    clipped to 15 steps and counted with weight_clip='clip'."""
    for policy in ("error", "clip"):
        hw.setup(weight_clip=policy)
        step = hw.min_weight()
        cell = hw.Population(1, hw.IF_facets_hardware1())
        src = _sources(1)
        repeated = hw.FromListConnector([(0, 0)] * 5)
        prj = hw.Projection(src, cell, repeated, hw.StaticSynapse(weight=4 * step), label="rep")
        assert prj.size() == 5
        if policy == "error":
            with pytest.raises(hwerr.HardwareParameterRangeError, match="'rep': 20 weight steps"):
                hw.run(5.0)
            hw.Projection(_sources(1), cell, hw.AllToAllConnector(),
                          hw.StaticSynapse(weight=step))  # fmt: skip
        else:
            with pytest.warns(hwerr.WeightRoundingWarning, match="'rep': 1 synapse"):
                hw.run(5.0)
            report = {p.label: p for p in hw.get_mapping_report().projections}
            assert report["rep"].n_clipped == 1
