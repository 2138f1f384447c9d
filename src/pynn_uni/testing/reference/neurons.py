"""Integrate-and-fire cells on a fixed time grid, integrated step by step with exact propagators.

Units are PyNN's standard ones: ms, mV, nA, nF, uS (so ``tau_m / cm`` is a resistance in
MOhm and ``cm / tau_m`` the leak conductance in uS).  Every parameter is an array over the
population's cells.

One step runs from ``t_k`` to ``t_k + dt`` in NEST's order for ``iaf_psc_*`` / ``iaf_cond_*``:

1. membrane: unless the cell is refractory, ``v`` moves to its value at ``t_k + dt`` given
   the synaptic state at ``t_k`` and the external current ``I_k`` (``i_offset`` plus the
   current sources sampled at ``t_k``), which is held over the step;
2. synapses: each synaptic response decays over the step, then the weights of the spikes that
   *arrive* at ``t_k + dt`` are added: an input arriving at ``t0`` starts to move ``v`` just
   after ``t0`` (the PSP is 0 at ``t0``, as in the closed forms);
3. threshold: ``v >= v_thresh`` at ``t_k + dt`` is a spike stamped ``t_k + dt``; then
   ``v = v_reset``, held for ``round(tau_refrac / dt)`` steps while the synapses evolve.

Current-based cells are linear between spikes, so step 1 is exact: the state at ``t_k + dt``
is the exact solution of the ODEs (exponential propagators, as NEST's ``iaf_psc_*``).
Conductance-based cells are not linear in the state (``g(t) (E - v)``), and no closed form
exists; the scheme here is documented and second-order accurate: the conductances evolve
exactly, and the membrane takes one exact exponential step of the linear ODE in which each
conductance is replaced by its exact *mean over the step*.  With no synaptic input this is
exact (DC responses, relaxation); with input its error is O(dt^2) (measured in
``tests/unit/test_reference_backend.py`` against a fine Runge-Kutta solution).
"""

from __future__ import annotations

import numpy as np

#: standard cell type -> (shape of the synaptic response, conductance based?)
MODELS: dict[str, tuple[str, bool]] = {
    "IF_curr_exp": ("exp", False),
    "IF_curr_alpha": ("alpha", False),
    "IF_curr_delta": ("delta", False),
    "IF_cond_exp": ("exp", True),
    "IF_cond_alpha": ("alpha", True),
}


def _phi(x: np.ndarray) -> np.ndarray:
    """``(1 - exp(-x)) / x``, = ``integral_0^1 exp(-x u) du`` (1 at x = 0)."""
    x = np.asarray(x, float)
    safe = np.where(x == 0.0, 1.0, x)
    return np.where(x == 0.0, 1.0, -np.expm1(-safe) / safe)


def _psi(x: np.ndarray) -> np.ndarray:
    """``(1 - exp(-x) (1 + x)) / x^2`` = ``integral_0^1 u exp(-x u) du`` (1/2 at x = 0;
    a Taylor series near 0, where the closed form cancels)."""
    x = np.asarray(x, float)
    small = np.abs(x) < 1e-3
    safe = np.where(small, 1.0, x)
    series = 0.5 - x / 3.0 + x**2 / 8.0 - x**3 / 30.0
    return np.where(small, series, (1.0 - np.exp(-safe) * (1.0 + safe)) / safe**2)


class Synapse:
    """The summed response of one receptor (excitatory or inhibitory) of every cell.

    ``exp``: a spike of weight ``w`` adds ``w`` to ``s``, which decays with ``tau``.
    ``alpha``: it adds ``w e / tau`` to the drive ``y``; ``ds/dt = -s/tau + y`` and
    ``dy/dt = -y/tau`` give ``s = w (t/tau) e^(1 - t/tau)``, peaking at ``w`` after ``tau``.
    ``s`` is a current (nA) or a conductance (uS).
    """

    def __init__(self, shape: str, n: int):
        self.shape = shape
        self.s = np.zeros(n)
        self.y = np.zeros(n)

    def configure(self, tau: np.ndarray, tau_m: np.ndarray, cm: np.ndarray, dt: float) -> None:
        """Propagators for this ``tau`` (recomputed whenever a parameter changes)."""
        self.tau, self.dt = tau, dt
        self.decay_factor = np.exp(-dt / tau)
        x = dt / tau
        # mean of s over the coming step, as a function of (s, y) at its start
        self.mean_s, self.mean_y = _phi(x), dt * _psi(x)
        # contribution of (s, y) at t_k to v(t_k + dt) for a current: integral of
        # exp(-(dt - u)/tau_m) s(u) / cm du, with a = 1/tau - 1/tau_m
        a_dt = dt * (1.0 / tau - 1.0 / tau_m)
        base = np.exp(-dt / tau_m) / cm
        self.gain_s, self.gain_y = base * dt * _phi(a_dt), base * dt**2 * _psi(a_dt)

    def mean(self) -> np.ndarray:
        return self.s * self.mean_s + (self.y * self.mean_y if self.shape == "alpha" else 0.0)

    def voltage_gain(self) -> np.ndarray:
        return self.s * self.gain_s + (self.y * self.gain_y if self.shape == "alpha" else 0.0)

    def decay(self) -> None:
        if self.shape == "alpha":
            self.s = (self.s + self.dt * self.y) * self.decay_factor
            self.y = self.y * self.decay_factor
        else:
            self.s = self.s * self.decay_factor

    def receive(self, weights: np.ndarray) -> None:
        if self.shape == "alpha":
            self.y = self.y + weights * np.e / self.tau
        else:
            self.s = self.s + weights

    def clear(self, value=0.0) -> None:
        self.s = np.broadcast_to(np.asarray(value, float), self.s.shape).copy()
        self.y = np.zeros_like(self.y)


class IntegrateAndFire:
    """The state and update of one population of IF_curr_* / IF_cond_* cells."""

    def __init__(self, model: str, n: int, params: dict, dt: float):
        self.shape, self.conductance_based = MODELS[model]
        self.n, self.dt = n, dt
        self.v = np.zeros(n)
        self.refractory = np.zeros(n, np.int64)  # steps left with v held at v_reset
        self.synapses = (Synapse(self.shape, n), Synapse(self.shape, n))
        self.configure(params)

    def configure(self, params: dict) -> None:
        """Take the population's (whole) parameter set and recompute the propagators."""
        p = {k: np.broadcast_to(np.asarray(v, float), (self.n,)).copy() for k, v in params.items()}
        self.p = p
        dt = self.dt
        self.decay_m = np.exp(-dt / p["tau_m"])  # exp(-dt/tau_m)
        self.dc_gain = p["tau_m"] / p["cm"] * -np.expm1(-dt / p["tau_m"])  # R (1 - decay_m)
        self.refractory_steps = np.floor(p["tau_refrac"] / dt + 0.5).astype(np.int64)
        if self.shape != "delta":
            for syn, tau in zip(self.synapses, (p["tau_syn_E"], p["tau_syn_I"]), strict=True):
                syn.configure(tau, p["tau_m"], p["cm"], dt)

    # -- state ---------------------------------------------------------------------------
    @property
    def state_names(self) -> dict[str, int]:
        """Initial-value / recordable name -> synapse index (0 excitatory, 1 inhibitory)."""
        prefix = "gsyn" if self.conductance_based else "isyn"
        return {} if self.shape == "delta" else {f"{prefix}_exc": 0, f"{prefix}_inh": 1}

    def initialize(self, values: dict) -> None:
        """Start from ``values`` (v and synaptic responses; alpha drives start at 0)."""
        for name, value in values.items():
            if name == "v":
                self.v = np.broadcast_to(np.asarray(value, float), (self.n,)).copy()
            elif name in self.state_names:
                self.synapses[self.state_names[name]].clear(value)
        self.refractory[:] = 0

    def read(self, variable: str) -> np.ndarray:
        """The current value of a recordable state variable (standard units)."""
        if variable == "v":
            return self.v
        return self.synapses[self.state_names[variable]].s

    # -- one step --------------------------------------------------------------------------
    def step(self, current: np.ndarray, arriving: np.ndarray) -> np.ndarray:
        """Advance one step under the external ``current`` (nA, held over the step) with
        ``arriving[r]`` the summed weights arriving at the step's end on receptor ``r``;
        returns which cells spiked at the step's end."""
        p = self.p
        free = self.refractory == 0
        exc, inh = self.synapses
        if self.shape == "delta":
            v = p["v_rest"] + (self.v - p["v_rest"]) * self.decay_m + self.dc_gain * current
            v = v + arriving[0] + arriving[1]  # refractory cells drop their input, as NEST's
        elif self.conductance_based:
            g_leak = p["cm"] / p["tau_m"]
            g_e, g_i = exc.mean(), inh.mean()
            g_total = g_leak + g_e + g_i
            v_inf = g_leak * p["v_rest"] + g_e * p["e_rev_E"] + g_i * p["e_rev_I"] + current
            v_inf = v_inf / g_total
            v = v_inf + (self.v - v_inf) * np.exp(-g_total * self.dt / p["cm"])
        else:
            v = p["v_rest"] + (self.v - p["v_rest"]) * self.decay_m + self.dc_gain * current
            v = v + exc.voltage_gain() + inh.voltage_gain()
        self.v = np.where(free, v, self.v)
        self.refractory = np.where(free, self.refractory, self.refractory - 1)
        if self.shape != "delta":
            for syn, w in zip(self.synapses, arriving, strict=True):
                syn.decay()
                syn.receive(w)
        spiked = self.v >= p["v_thresh"]
        self.v = np.where(spiked, p["v_reset"], self.v)
        self.refractory = np.where(spiked, self.refractory_steps, self.refractory)
        return spiked
