"""Current sources into a passive cell, against the RC-circuit solution.

The cell: cm = 0.5 nF, tau_m = 10 ms (R = 20 MOhm), threshold out of reach.  A source's
onset may lag its nominal time by at most one timestep (simulators deliver device input
on the step grid), so piecewise-constant sources are compared with the band between the
solutions for switching at t_k and at t_k + dt.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from pynn_uni.testing.scenarios._analytic import assert_close, ou_held_noise_std, rc_response
from pynn_uni.testing.scenarios._data import signal

CELL = dict(cm=0.5, tau_m=10.0, v_rest=-65.0, v_thresh=0.0, i_offset=0.0)
R = CELL["tau_m"] / CELL["cm"]


def _passive(sim, n: int = 1):
    cells = sim.Population(n, sim.IF_curr_exp(**CELL), initial_values={"v": CELL["v_rest"]})
    cells.record("v")
    return cells


def _assert_in_band(t, v, times, amplitudes, dt, tol, what):
    early = rc_response(t, times, amplitudes, CELL["tau_m"], CELL["cm"], CELL["v_rest"])
    late = rc_response(
        t, np.asarray(times) + dt, amplitudes, CELL["tau_m"], CELL["cm"], CELL["v_rest"]
    )
    lo, hi = np.minimum(early, late) - tol, np.maximum(early, late) + tol
    bad = (v < lo) | (v > hi)
    assert not bad.any(), (
        f"{what}: {int(bad.sum())} samples outside the analytic band, first at "
        f"t = {t[bad][0]} ms: v = {v[bad][0]}, band [{lo[bad][0]}, {hi[bad][0]}]"
    )


@pytest.mark.model("IF_curr_exp", "DCSource")
def test_dc_source(sim, tolerance):
    """v = v_rest + R I (1 - exp(-(t - start)/tau_m)) from ``start``, relaxing after ``stop``."""
    dt, amp, start, stop = sim.get_time_step(), 0.5, 20.0, 60.0
    cell = _passive(sim)
    sim.DCSource(amplitude=amp, start=start, stop=stop).inject_into(cell)
    sim.run(100.0)
    t, v = signal(cell, "v")
    _assert_in_band(
        t,
        v[:, 0],
        [start, stop],
        [amp, 0.0],
        dt,
        tolerance["v_rel"] * R * amp,
        "DCSource response (mV)",
    )
    rise = t[v[:, 0] - CELL["v_rest"] > 1e-3]
    assert rise.size and start < rise[0] <= start + 2 * dt + 1e-9, (
        f"onset at {rise[:1]} ms, expected within one step of {start} ms"
    )


@pytest.mark.model("IF_curr_exp", "StepCurrentSource")
def test_step_current_source(sim, tolerance):
    """Zero before the first time, each amplitude held until the next time (last one kept)."""
    dt, times, amps = sim.get_time_step(), [10.0, 40.0, 70.0], [0.4, -0.2, 0.3]
    cell = _passive(sim)
    sim.StepCurrentSource(times=times, amplitudes=amps).inject_into(cell)
    sim.run(100.0)
    t, v = signal(cell, "v")
    _assert_in_band(
        t, v[:, 0], times, amps, dt, tolerance["v_rel"] * R * 0.4, "StepCurrentSource response (mV)"
    )


@pytest.mark.model("IF_curr_exp", "ACSource")
def test_ac_source_mean_and_amplitude(sim, tolerance):
    """Over whole periods in steady state the mean is v_rest + R offset and the std is
    R amplitude / sqrt(1 + (w tau_m)^2) / sqrt(2) (a first-order low-pass at w = 2 pi f)."""
    amp, offset, freq = 0.3, 0.2, 50.0
    cell = _passive(sim)
    sim.ACSource(amplitude=amp, offset=offset, frequency=freq, phase=0.0).inject_into(cell)
    sim.run(300.0)
    t, v = signal(cell, "v")
    steady = v[(t >= 100.0) & (t < 300.0 - 1e-9), 0]  # exactly 10 periods of 20 ms
    omega_tau = 2 * math.pi * freq / 1000.0 * CELL["tau_m"]
    v_amp = R * amp / math.sqrt(1 + omega_tau**2)
    tol = tolerance["v_rel"]
    assert_close(
        steady.mean(), CELL["v_rest"] + R * offset, abs_=tol * R * offset, what="AC mean (mV)"
    )
    assert_close(steady.std(), v_amp / math.sqrt(2), rel=2 * tol, what="AC std (mV)")


@pytest.mark.model("IF_curr_exp", "NoisyCurrentSource")
def test_noisy_current_source_statistics(sim, tolerance):
    """20 cells, each with its own source (mean 0.2 nA, stdev 0.5 nA, new value every 0.1 ms):
    v has mean v_rest + R mean and std R stdev sqrt((1 - a)/(1 + a)), a = exp(-0.1/tau_m).
    The time average of an OU process over T has std sigma sqrt(2 tau_m / T)."""
    mean, stdev, hold, n, T = 0.2, 0.5, 0.1, 20, 1000.0
    cells = _passive(sim, n)
    for i in range(n):
        sim.NoisyCurrentSource(mean=mean, stdev=stdev, dt=hold).inject_into(cells[i : i + 1])
    sim.run(T)
    t, v = signal(cells, "v")
    steady = v[t >= 50.0]  # 5 tau_m after onset
    sigma = ou_held_noise_std(stdev, hold, CELL["tau_m"], CELL["cm"])
    sem = sigma * math.sqrt(2 * CELL["tau_m"] / (T - 50.0) / n)
    assert_close(
        steady.mean(),
        CELL["v_rest"] + R * mean,
        abs_=tolerance["stat_sigma"] * sem,
        what="noise-driven mean v (mV)",
    )
    assert_close(
        steady.std(axis=0).mean(),
        sigma,
        rel=tolerance["noise_rel"],
        what="noise-driven std of v (mV)",
    )


@pytest.mark.model("IF_curr_exp", "DCSource")
def test_source_records_its_current(sim):
    """source.record(); get_data() gives the injected current in nA on the time grid."""
    dt, amp, start, stop = sim.get_time_step(), 0.5, 20.0, 60.0
    cell = _passive(sim)
    source = sim.DCSource(amplitude=amp, start=start, stop=stop)
    source.inject_into(cell)
    source.record()
    sim.run(100.0)
    data = source.get_data()
    t = data.times.rescale("ms").magnitude
    i = np.asarray(data.rescale("nA").magnitude).ravel()
    off = (t < start - 1e-9) | (t > stop + dt + 1e-9)
    on = (t > start + dt + 1e-9) & (t < stop - 1e-9)
    assert off.any() and on.any() and t[-1] >= 100.0 - dt
    assert_close(i[off], np.zeros(off.sum()), abs_=1e-9, what="current outside [start, stop]")
    assert_close(i[on], np.full(on.sum(), amp), rel=1e-9, what="current inside [start, stop]")
