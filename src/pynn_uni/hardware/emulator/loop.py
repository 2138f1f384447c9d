"""The time-step loop: the executable specification of the emulated chip.

Each circuit runs in one mode (bio units: mV, ms, nF, uS, nA): conductance LIF (COBA),
current LIF (CUBA: the synaptic state is a current in nA) or AdEx.  One step of length dt:

1. membrane, LIF modes: exponential Euler on the step-averaged synaptic input, exact for
   the LIF when the input is constant; refractory circuits are clamped to v_reset;
   AdEx: Heun on (V, w) in ``SUBSTEPS`` substeps (the chip's dt_hw), with conductances
   decaying exactly and the exponential evaluated at min(V, v_spike) (capped, as NEST's
   aeif models do), firing and resetting (V = v_reset, w += b) within the step;
2. threshold: a LIF crossing is interpolated linearly inside the step and put on the event
   grid (``reference_grid``: at the step end, as NEST does); reset and refractory follow;
3. synaptic state decays exactly, exp(-dt/tau), and takes the events arriving at the step
   end (``g += W.T @ active``): host events and circuit spikes one fixed delay later;
   rows with short-term plasticity scale their weights by the driver's efficacy u * x.

The loop runs over time steps only; everything inside is numpy over circuits.  HW time is
bio time / speed-up: the dynamics are invariant under that rescaling, so we integrate in
bio units and report HW durations separately.
"""

from __future__ import annotations

import numpy as np

from pynn_uni.common.units import scale
from pynn_uni.hardware.mapping.stp import release
from pynn_uni.hardware.mapping.translations import ADEX, CUBA

#: AdEx substeps per step: dt_hw = (bio timestep / 10) / speed-up
SUBSTEPS = 10
#: AdEx ``a`` comes in nS (its standard unit); the loop's conductances are in uS
_NS_TO_US = scale("nS", "uS")


class Emulator:
    """State and step loop of the used circuits (index k = k-th placed circuit)."""

    def __init__(self, p: dict, w_exc, w_inh, dt: float, grid: float, rounding: str,
                 delay_steps: int, source_of_neuron, reference_grid: bool,
                 sigma_v: float = 0.0, trial_seed: int = 0, plastic=()):  # fmt: skip
        self.p, self.dt, self.grid, self.rounding = p, dt, grid, rounding
        self.plastic = list(plastic)  # STP classes: weights and driver state (mapping.stp)
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
        self.cond = p["mode"] != CUBA
        self.adex = np.flatnonzero(p["mode"] == ADEX)
        self.w = np.zeros(n)  # AdEx adaptation current (nA)
        i = self.adex
        d_t = p["delta_T"][i]
        self.adex_const = {
            "g_l": self.g_leak[i], "g_l_e_l": self.g_leak[i] * p["v_rest"][i],
            "e_l": p["v_rest"][i], "e_e": p["e_rev_E"][i], "e_i": p["e_rev_I"][i],
            "i_off": p["i_offset"][i], "inv_cm": 1 / p["cm"][i], "v_reset": p["v_reset"][i],
            "v_spike": p["v_thresh"][i], "v_t": p["v_T"][i], "b": p["b"][i],
            "g_l_d_t": self.g_leak[i] * d_t,  # 0 when delta_T = 0: no exponential term
            "inv_d_t": 1 / np.where(d_t > 0, d_t, 1.0), "a": p["a"][i] * _NS_TO_US,
            "inv_tau_w": 1 / p["tau_w"][i], "tau_refrac": p["tau_refrac"][i],
        }  # fmt: skip
        self.v = p["v_rest"].copy()
        self.g_e, self.g_i = np.zeros(n), np.zeros(n)
        self.refractory_until = np.full(n, -np.inf)
        self.step = 0
        self.pending: dict[int, np.ndarray] = {}  # arrival step -> source rows

    def _on_grid(self, t0: float, t: np.ndarray) -> np.ndarray:
        """Spike times on the chip's event grid, or at the step end (``reference_grid``)."""
        if self.reference_grid:
            return np.full(t.size, t0 + self.dt)
        x = t / self.grid
        return (np.floor(x + 1e-9) if self.rounding == "floor" else np.rint(x)) * self.grid

    def _adex_step(self, t0: float, v: np.ndarray, ge: np.ndarray, gi: np.ndarray):
        """Advance the AdEx circuits one step from ``v`` under the step-averaged conductances
        ``ge``, ``gi`` (as the LIF modes); returns (fired circuits, times)."""
        i, c, h = self.adex, self.adex_const, self.dt / SUBSTEPS
        g_in = c["g_l"] + ge + gi  # total conductance (uS) and its drive (nA), frozen
        drive = c["g_l_e_l"] + ge * c["e_e"] + gi * c["e_i"] + c["i_off"]

        def rhs(v, w):  # dV/dt (mV/ms), dw/dt (nA/ms)
            spike = c["g_l_d_t"] * np.exp((np.minimum(v, c["v_spike"]) - c["v_t"]) * c["inv_d_t"])
            dv = (drive - g_in * v + spike - w) * c["inv_cm"]
            return dv, (c["a"] * (v - c["e_l"]) - w) * c["inv_tau_w"]

        w, until = self.w[i], self.refractory_until[i]
        fired, times = [], []
        for sub in range(SUBSTEPS):
            ts = t0 + sub * h
            clamp = until > ts + 1e-9
            k1v, k1w = rhs(v, w)
            k2v, k2w = rhs(v + h * k1v, w + h * k1w)
            v = v + 0.5 * h * (k1v + k2v)
            w = w + 0.5 * h * (k1w + k2w)
            if clamp.any():  # refractory: V held at v_reset, w evolves from there
                v = np.where(clamp, c["v_reset"], v)
            up = np.flatnonzero(v >= c["v_spike"])
            if up.size:
                t_spike = self._on_grid(t0, np.full(up.size, ts + h))
                v[up] = c["v_reset"][up]
                w[up] += c["b"][up]
                until[up] = t_spike + c["tau_refrac"][up]
                fired.append(i[up])
                times.append(t_spike)
        self.v[i], self.w[i], self.refractory_until[i] = v, w, until
        if not fired:
            return np.empty(0, np.int64), np.empty(0)
        return np.concatenate(fired), np.concatenate(times)

    def run(self, n_steps: int, host_events: dict, record_v=None, record_g=None, stop=None):
        """Advance ``n_steps``; ``host_events``: arrival step -> source rows.  Returns spikes
        (circuit, time ms) and the recorded v, g_exc, g_inh at each step end.  A true
        ``stop`` (Ctrl-C's flag) ends the run after the step in progress: ``self.step``
        says how far it got."""
        p, dt = self.p, self.dt
        spikes_k, spikes_t = [], []
        vs, ges, gis = [], [], []
        noise = self.sigma_v * np.sqrt(1 - np.exp(-2 * dt / p["tau_m"]))
        first = self.step
        for step in range(first, first + n_steps):
            if stop and step > first:
                break
            t0 = step * dt
            # 1. membrane
            free = np.clip(t0 + dt - np.maximum(t0, self.refractory_until), 0.0, dt)
            free[free < 1e-9] = 0.0
            ge, gi = self.g_e * self.avg_e, self.g_i * self.avg_i  # uS, or nA (CUBA)
            gc_e, gc_i = np.where(self.cond, ge, 0.0), np.where(self.cond, gi, 0.0)
            g_tot = self.g_leak + gc_e + gc_i
            v_inf = (self.g_leak * p["v_rest"] + gc_e * p["e_rev_E"] + gc_i * p["e_rev_I"]
                     + p["i_offset"] + np.where(self.cond, 0.0, ge - gi)) / g_tot  # fmt: skip
            v0 = np.where(self.refractory_until > t0, p["v_reset"], self.v)
            v1 = v_inf + (v0 - v_inf) * np.exp(-free * g_tot / p["cm"])
            if self.sigma_v:
                v1 += noise * self.rng.standard_normal(v1.size) * (free > 0)
            self.v = np.where(free > 0, v1, p["v_reset"])
            # 2. threshold, reset, refractory
            crossed = (free > 0) & (self.v >= p["v_thresh"])
            crossed[self.adex] = False
            fired, t_spike = np.flatnonzero(crossed), np.empty(0)
            if fired.size:
                a, b = v0[fired], self.v[fired]
                frac = np.clip((p["v_thresh"][fired] - a) / (b - a), 0.0, 1.0)
                t_spike = self._on_grid(t0, t0 + dt - free[fired] * (1 - frac))
                self.v[fired] = p["v_reset"][fired]
                self.refractory_until[fired] = t_spike + p["tau_refrac"][fired]
            if self.adex.size:
                i = self.adex
                k_ad, t_ad = self._adex_step(t0, v0[i], ge[i], gi[i])
                fired, t_spike = np.concatenate([fired, k_ad]), np.concatenate([t_spike, t_ad])
            if fired.size:
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
                if self.plastic:
                    rows = np.unique(rows)
                for c in self.plastic:  # depressing / facilitating drivers
                    efficacy = release(c, rows, t0 + dt)
                    self.g_e += efficacy @ c["w_exc"][rows]
                    self.g_i += efficacy @ c["w_inh"][rows]
            if record_v is not None:
                vs.append(self.v[record_v])
            if record_g is not None:
                ges.append(self.g_e[record_g])
                gis.append(self.g_i[record_g])
            self.step = step + 1
        k = np.concatenate(spikes_k) if spikes_k else np.empty(0, np.int64)
        t = np.concatenate(spikes_t) if spikes_t else np.empty(0)
        return k, t, _stack(vs), _stack(ges), _stack(gis)


def _stack(rows):
    return np.array(rows) if rows else None
