"""The time-step loop: the executable specification of the emulated chip.

Conductance LIF per circuit (bio units: mV, ms, nF, uS, nA).  One step of length dt:

1. membrane: exponential Euler on the step-averaged conductances, exact for the
   conductance LIF when g is constant; refractory circuits are clamped to v_reset;
2. threshold: a crossing is interpolated linearly inside the step and put on the event
   grid (``reference_grid``: at the step end, as NEST does); reset and refractory follow;
3. conductances decay exactly, exp(-dt/tau), and take the events arriving at the step end
   (``g += W.T @ active``): host events and circuit spikes one fixed delay later.

The loop runs over time steps only; everything inside is numpy over circuits.  HW time is
bio time / speed-up: the dynamics are invariant under that rescaling, so we integrate in
bio units and report HW durations separately.
"""

from __future__ import annotations

import numpy as np


class Emulator:
    """State and step loop of the used circuits (index k = k-th placed circuit)."""

    def __init__(self, p: dict, w_exc, w_inh, dt: float, grid: float, rounding: str,
                 delay_steps: int, source_of_neuron, reference_grid: bool,
                 sigma_v: float = 0.0, trial_seed: int = 0):  # fmt: skip
        self.p, self.dt, self.grid, self.rounding = p, dt, grid, rounding
        self.w_exc, self.w_inh = w_exc, w_inh  # (n_sources, n_circuits) uS
        self.delay_steps = delay_steps
        self.source_of_neuron = source_of_neuron  # source row of each circuit's spikes, -1
        self.reference_grid = reference_grid
        self.sigma_v = sigma_v
        self.rng = np.random.default_rng(trial_seed)
        n = p["v_rest"].size
        self.decay_e = np.exp(-dt / p["tau_syn_E"])
        self.decay_i = np.exp(-dt / p["tau_syn_I"])
        self.avg_e = p["tau_syn_E"] / dt * (1 - self.decay_e)  # mean of g over a step / g0
        self.avg_i = p["tau_syn_I"] / dt * (1 - self.decay_i)
        self.g_leak = p["cm"] / p["tau_m"]
        self.v = p["v_rest"].copy()
        self.g_e, self.g_i = np.zeros(n), np.zeros(n)
        self.refractory_until = np.full(n, -np.inf)
        self.step = 0
        self.pending: dict[int, np.ndarray] = {}  # arrival step -> source rows

    def run(self, n_steps: int, host_events: dict, record_v=None, record_g=None):
        """Advance ``n_steps``; ``host_events``: arrival step -> source rows.  Returns spikes
        (circuit, time ms) and the recorded v, g_exc, g_inh at each step end."""
        p, dt = self.p, self.dt
        spikes_k, spikes_t = [], []
        vs, ges, gis = [], [], []
        noise = self.sigma_v * np.sqrt(1 - np.exp(-2 * dt / p["tau_m"]))
        for step in range(self.step, self.step + n_steps):
            t0 = step * dt
            # 1. membrane
            free = np.clip(t0 + dt - np.maximum(t0, self.refractory_until), 0.0, dt)
            free[free < 1e-9] = 0.0
            ge, gi = self.g_e * self.avg_e, self.g_i * self.avg_i
            g_tot = self.g_leak + ge + gi
            v_inf = (self.g_leak * p["v_rest"] + ge * p["e_rev_E"] + gi * p["e_rev_I"]
                     + p["i_offset"]) / g_tot  # fmt: skip
            v0 = np.where(self.refractory_until > t0, p["v_reset"], self.v)
            v1 = v_inf + (v0 - v_inf) * np.exp(-free * g_tot / p["cm"])
            if self.sigma_v:
                v1 += noise * self.rng.standard_normal(v1.size) * (free > 0)
            self.v = np.where(free > 0, v1, p["v_reset"])
            # 2. threshold, reset, refractory
            fired = np.flatnonzero((free > 0) & (self.v >= p["v_thresh"]))
            if fired.size:
                if self.reference_grid:
                    t_spike = np.full(fired.size, t0 + dt)
                else:
                    a, b = v0[fired], self.v[fired]
                    frac = np.clip((p["v_thresh"][fired] - a) / (b - a), 0.0, 1.0)
                    t_spike = t0 + dt - free[fired] * (1 - frac)
                    x = t_spike / self.grid
                    k = np.floor(x + 1e-9) if self.rounding == "floor" else np.rint(x)
                    t_spike = k * self.grid
                self.v[fired] = p["v_reset"][fired]
                self.refractory_until[fired] = t_spike + p["tau_refrac"][fired]
                spikes_k.append(fired)
                spikes_t.append(t_spike)
                rows = self.source_of_neuron[fired]
                rows = rows[rows >= 0]
                if rows.size:
                    later = step + self.delay_steps
                    self.pending[later] = np.concatenate([self.pending.get(later, []), rows])
            # 3. conductances
            self.g_e *= self.decay_e
            self.g_i *= self.decay_i
            active = [a for a in (host_events.get(step), self.pending.pop(step, None))
                      if a is not None]  # fmt: skip
            if active:
                rows = np.concatenate(active).astype(np.int64)
                self.g_e += self.w_exc[rows].sum(axis=0)
                self.g_i += self.w_inh[rows].sum(axis=0)
            if record_v is not None:
                vs.append(self.v[record_v])
            if record_g is not None:
                ges.append(self.g_e[record_g])
                gis.append(self.g_i[record_g])
        self.step += n_steps
        k = np.concatenate(spikes_k) if spikes_k else np.empty(0, np.int64)
        t = np.concatenate(spikes_t) if spikes_t else np.empty(0)
        return k, t, _stack(vs), _stack(ges), _stack(gis)


def _stack(rows):
    return np.array(rows) if rows else None
