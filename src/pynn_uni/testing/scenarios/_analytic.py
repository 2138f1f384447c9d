"""Closed-form solutions the scenarios compare against, and small assertion helpers.

Units are PyNN's throughout: ms, mV, nA, nF (so R = tau_m / cm is in MOhm and R * I in mV).
Each function is the textbook solution of a linear membrane equation
``cm dv/dt = -(cm / tau_m) (v - v_rest) + I(t)``; nothing here is fitted to a simulator.
"""

from __future__ import annotations

import math

import numpy as np


def lif_first_spike_time(
    tau_m: float, cm: float, i_offset: float, v_rest: float, v_thresh: float
) -> float:
    """Time (ms) for a LIF cell starting at rest to reach threshold under DC ``i_offset``.

    ``v(t) = v_rest + R I (1 - exp(-t/tau_m))`` reaches ``v_thresh`` at
    ``t* = tau_m ln(R I / (R I - (v_thresh - v_rest)))``.
    """
    drive = tau_m / cm * i_offset
    gap = v_thresh - v_rest
    if drive <= gap:
        raise ValueError(f"R*I = {drive} mV never reaches threshold {gap} mV above rest")
    return tau_m * math.log(drive / (drive - gap))


def relaxation(t: np.ndarray, v0: float, v_rest: float, tau: float) -> np.ndarray:
    """Passive decay from ``v0`` towards ``v_rest`` with time constant ``tau`` (ms)."""
    return v_rest + (v0 - v_rest) * np.exp(-np.asarray(t) / tau)


def rc_response(
    t: np.ndarray,
    times,
    amplitudes,
    tau_m: float,
    cm: float,
    v_rest: float,
    v0: float | None = None,
) -> np.ndarray:
    """Membrane potential under a piecewise-constant current (nA) switching at ``times`` (ms).

    Superposition of step responses: each change dI at t_k adds
    ``R dI (1 - exp(-(t - t_k)/tau_m))`` for t >= t_k; the current is 0 before ``times[0]``.
    """
    t = np.asarray(t, dtype=float)
    times = np.asarray(times, dtype=float)
    steps = np.diff(np.concatenate([[0.0], np.asarray(amplitudes, dtype=float)]))
    since = t[:, None] - times[None, :]
    response = np.where(since >= 0, 1.0 - np.exp(-np.clip(since, 0, None) / tau_m), 0.0)
    v = v_rest + (tau_m / cm) * response @ steps
    if v0 is not None:
        v = v + (v0 - v_rest) * np.exp(-t / tau_m)
    return v


def psp_exp(
    t: np.ndarray, t0: float, weight: float, tau_m: float, tau_syn: float, cm: float
) -> np.ndarray:
    """Deviation from rest (mV) after a current ``weight * exp(-(t - t0)/tau_syn)`` (nA)."""
    s = np.clip(np.asarray(t, dtype=float) - t0, 0, None)
    k = tau_m * tau_syn / (tau_m - tau_syn)
    return weight / cm * k * (np.exp(-s / tau_m) - np.exp(-s / tau_syn))


def psp_alpha(
    t: np.ndarray, t0: float, weight: float, tau_m: float, tau_syn: float, cm: float
) -> np.ndarray:
    """Deviation from rest (mV) after an alpha current peaking at ``weight`` nA at t0 + tau_syn.

    ``I(s) = w (s/tau_s) e^(1 - s/tau_s)``; with ``a = 1/tau_s - 1/tau_m``,
    ``v(s) = w e / (cm tau_s) e^(-s/tau_m) (1 - e^(-a s)(1 + a s)) / a^2``.
    """
    s = np.clip(np.asarray(t, dtype=float) - t0, 0, None)
    a = 1.0 / tau_syn - 1.0 / tau_m
    return (
        weight
        * math.e
        / (cm * tau_syn)
        * np.exp(-s / tau_m)
        * (1.0 - np.exp(-a * s) * (1.0 + a * s))
        / a**2
    )


def psp_delta(t: np.ndarray, t0: float, weight: float, tau_m: float) -> np.ndarray:
    """Deviation from rest (mV) after an instantaneous jump of ``weight`` mV at t0."""
    s = np.asarray(t, dtype=float) - t0
    return np.where(s >= 0, weight * np.exp(-np.clip(s, 0, None) / tau_m), 0.0)


def tsodyks_markram_x(n: int, U: float, tau_rec: float, interval: float) -> np.ndarray:
    """Available resources x_1..x_n before each spike of a regular train (tau_facil = 0).

    Each spike releases ``U x``; x recovers as ``dx/dt = (1 - x)/tau_rec``, so
    ``x_{k+1} = 1 - (1 - x_k (1 - U)) exp(-interval/tau_rec)`` with ``x_1 = 1``.  The PSC
    amplitude of spike k is ``weight * U * x_k``.
    """
    x = np.empty(n)
    x[0] = 1.0
    decay = math.exp(-interval / tau_rec)
    for k in range(1, n):
        x[k] = 1.0 - (1.0 - x[k - 1] * (1.0 - U)) * decay
    return x


def ou_held_noise_std(stdev: float, hold: float, tau_m: float, cm: float) -> float:
    """Stationary std (mV) of a passive membrane driven by noise held for ``hold`` ms.

    Sampled at the switching times, ``u_{k+1} = a u_k + (1 - a) R xi_k`` with
    ``a = exp(-hold/tau_m)``, hence ``var u = (R stdev)^2 (1 - a)/(1 + a)``.
    """
    a = math.exp(-hold / tau_m)
    return tau_m / cm * stdev * math.sqrt((1 - a) / (1 + a))


def assert_close(actual, expected, rel: float = 0.0, abs_: float = 0.0, what: str = "") -> None:
    """``|actual - expected| <= max(abs_, rel * |expected|)`` elementwise, with a clear message."""
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    bound = np.maximum(abs_, rel * np.abs(expected))
    err = np.abs(actual - expected)
    bad = ~(err <= bound)
    if bad.any():
        i = int(np.argmax(np.where(bad, err - bound, -np.inf)))
        raise AssertionError(
            f"{what}: {int(bad.sum())} of {bad.size} values off; worst at [{i}]: "
            f"got {actual.flat[i]!r}, expected {expected.flat[i]!r} (allowed {bound.flat[i]:.3g})"
        )
