"""Short-term plasticity (Tsodyks-Markram) in the synapse drivers: one setting per row.

A Spikey-class driver depresses *or* facilitates, never both, and sets U by one of four
capacitor ratios r = 1/8, 3/8, 5/8, 7/8 (spec section 1).  Charge sharing releases the
fraction r / (1 + r) = 1/9, 3/11, 5/13, 7/15: these are the realisable U values, and they
are Spikey's selection thresholds (U < 1/9, 3/11, 5/13).  We take the thresholds inclusive,
so each level realises itself: U <= 1/9 -> 1/9, U <= 3/11 -> 3/11, U <= 5/13 -> 5/13, else
7/15.  The same rule serves every profile.  ``Projection.get('U')`` returns the realised U;
a changed U is a RoundingWarning (an error when strict).
"""

from __future__ import annotations

import numpy as np

from pynn_uni.hardware.errors import (
    ParameterRoundingWarning,
    UnsupportedOnHardwareError,
    warn_or_raise,
)

RATIOS = np.array([1 / 8, 3 / 8, 5 / 8, 7 / 8])
LEVELS = RATIOS / (1 + RATIOS)  # realisable U: 1/9, 3/11, 5/13, 7/15
NAMES = ("U", "tau_rec", "tau_facil")


def quantise_u(u) -> tuple[np.ndarray, int]:
    """(realised U, number of values that changed)."""
    u = np.asarray(u, float)
    level = LEVELS[np.searchsorted(LEVELS[:-1] + 1e-12, u, side="left")]
    return level, int(np.count_nonzero(np.abs(level - u) > 1e-12))


#: a recovery time constant at most this (ms) counts as instant (no depression): the chip's
#: facilitating driver then realises it; at <= 200 Hz input the depression neglected is
#: below exp(-5 ms / 1 ms) = 0.7 %.  PyNN's models require tau_rec > 0, so this is how a
#: script asks for pure facilitation.
INSTANT_RECOVERY_MS = 1.0


def instant_recovery(tau_rec, tau_facil) -> tuple[np.ndarray, int]:
    """(tau_rec with instant recoveries of facilitating synapses set to 0, how many)."""
    tau_rec = np.array(tau_rec, float)
    instant = (tau_rec <= INSTANT_RECOVERY_MS) & (np.asarray(tau_facil) > 0)
    tau_rec[instant] = 0.0
    return tau_rec, int(np.count_nonzero(instant))


def check_mode(tau_rec, tau_facil, where: str, profile_name: str) -> None:
    """A driver depresses (tau_facil = 0) or facilitates (tau_rec = 0), not both."""
    both = (np.asarray(tau_rec) > 0) & (np.asarray(tau_facil) > 0)
    if both.any():
        i = int(np.argmax(both))
        raise UnsupportedOnHardwareError(
            f"{where}: TsodyksMarkramSynapse with tau_rec = {np.ravel(tau_rec)[i]} ms and "
            f"tau_facil = {np.ravel(tau_facil)[i]} ms: the {profile_name!r} chip's synapse "
            "drivers either depress or facilitate; set tau_facil to 0, or tau_rec to at most "
            f"{INSTANT_RECOVERY_MS} ms (instant recovery)"
        )


def classify(synapse_model: str, params: dict, n: int, classes: list, where: str,
             profile_name: str, strict: bool) -> tuple[np.ndarray, int]:  # fmt: skip
    """(STP class of each of ``n`` connections: 1-based index into ``classes``, the
    realised (U, tau_rec, tau_facil) settings, which grows by the new ones; 0 static;
    number of U values moved to a driver level)."""
    if synapse_model == "StaticSynapse":
        return np.zeros(n, np.int64), 0
    u, tau_rec, tau_facil = (np.broadcast_to(np.asarray(params[k], float), (n,)) for k in NAMES)
    tau_rec, instant = instant_recovery(tau_rec, tau_facil)
    if instant:
        warn_or_raise(f"{where}: {instant} facilitating synapse(s) with tau_rec <= "
                      f"{INSTANT_RECOVERY_MS} ms realised as a purely facilitating driver "
                      "(tau_rec = 0)", ParameterRoundingWarning, strict, stacklevel=5)  # fmt: skip
    check_mode(tau_rec, tau_facil, where, profile_name)
    level, changed = quantise_u(u)
    if changed:
        example = u[np.abs(level - u) > 1e-12][0]
        warn_or_raise(f"{where}: {changed} U value(s) (e.g. {example}) realised as the "
                      "driver's level 1/9, 3/11, 5/13 or 7/15 (the next one up)",
                      ParameterRoundingWarning, strict, stacklevel=5)  # fmt: skip
    settings = np.stack([level, tau_rec, tau_facil], axis=1)
    uniq, inv = np.unique(settings, axis=0, return_inverse=True)
    ids = []
    for setting in map(tuple, uniq.tolist()):
        if setting not in classes:
            classes.append(setting)
        ids.append(classes.index(setting) + 1)
    return np.asarray(ids, np.int64)[inv.ravel()], changed


def release(state: dict, rows: np.ndarray, t: float) -> np.ndarray:
    """Efficacy u * x of the rows' spikes arriving at ``t`` (ms), updating ``state`` (per
    source row: ``u``, ``x``, ``last``; scalars ``U``, ``tau_rec``, ``tau_facil``):

        u_n = U + u_{n-1} (1 - U) exp(-dt / tau_facil)
        x_n = 1 - (1 - x_{n-1} (1 - u_{n-1})) exp(-dt / tau_rec)

    from u_0 = 0, x_0 = 1, so the first spike releases U."""
    gap = t - state["last"][rows]
    decay = {k: np.exp(-gap / state[k]) if state[k] > 0 else np.zeros(rows.size)
             for k in ("tau_rec", "tau_facil")}  # fmt: skip
    u0, x0 = state["u"][rows], state["x"][rows]
    u = state["U"] + u0 * (1 - state["U"]) * decay["tau_facil"]
    x = 1 - (1 - x0 * (1 - u0)) * decay["tau_rec"]
    state["u"][rows], state["x"][rows], state["last"][rows] = u, x, t
    return u * x


def driver_state(setting: tuple, w_exc: np.ndarray, w_inh: np.ndarray) -> dict:
    """Weights (n_sources, n_circuits) of one STP class and its per-source driver state."""
    n = w_exc.shape[0]
    return dict(zip(NAMES, setting, strict=True), w_exc=w_exc, w_inh=w_inh, u=np.zeros(n),
                x=np.ones(n), last=np.full(n, -np.inf))  # fmt: skip


def carry_state(old: list, new: list, old_sources, new_sources) -> None:
    """Keep each driver's (u, x, last) across a re-mapping between runs."""
    for a in old:
        for b in new:
            if all(a[k] == b[k] for k in NAMES):
                pos = np.searchsorted(old_sources, new_sources)
                hit = pos < len(old_sources)
                hit[hit] = np.asarray(old_sources)[pos[hit]] == new_sources[hit]
                for k in ("u", "x", "last"):
                    b[k][hit] = a[k][pos[hit]]
