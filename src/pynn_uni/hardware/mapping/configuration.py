"""The chip configuration of a routed network: calibrated circuit parameters, the weight
matrices of every source row (per receptor and short-term plasticity class) and the emulator
that runs them (spec 3b, steps 1-10).  Built at ``run()`` (or ``prepare()``) from the
population and projection handles, after routing."""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np

from pynn_uni.common.backend import lookup
from pynn_uni.hardware.emulator.chip import Deviations, effective_deviations
from pynn_uni.hardware.emulator.loop import Emulator
from pynn_uni.hardware.errors import HardwareParameterRangeError, WeightRoundingWarning
from pynn_uni.hardware.mapping import parameters, stp
from pynn_uni.hardware.mapping.routing import locate
from pynn_uni.hardware.profiles import Profile

#: the emulator's state that a rebuild between runs keeps
_STATE = ("v", "w", "g_e", "g_i", "refractory_until", "step", "pending", "rng")


def build(profile: Profile, cfg: Mapping, dt: float, pops: list, projs: list,
          stp_classes: list, previous: tuple[Emulator, np.ndarray] | None = None,
          ) -> tuple[Emulator, np.ndarray]:  # fmt: skip
    """(emulator, cell id of each source row).  ``previous``: the emulator and source ids
    of an earlier build, whose state (and drivers' state) the new one continues from;
    without it the populations' initial values apply."""
    neurons = [p for p in pops if p.circuits is not None]
    circuits = np.concatenate([p.circuits for p in neurons]) if neurons else np.empty(0, int)
    dev = effective_deviations(profile, cfg["chip_id"], cfg["calibration"])
    lif = _calibrated(neurons, circuits, dev)
    # source rows: every cell id that is presynaptic somewhere
    sources = np.unique(np.concatenate([h.pre_id for h in projs] or [np.empty(0, int)]))
    w, codes = _weights(profile, dev, pops, projs, len(stp_classes), sources, circuits)
    check_merged(profile, codes, w, sources, circuits, pops, projs,
                 cfg["weight_clip"] == "clip")  # fmt: skip
    own = np.full(circuits.size, -1)  # source row of each circuit's spikes
    if neurons and sources.size:
        pos, hit = lookup(sources, np.concatenate([p.ids for p in neurons]))
        own[hit] = pos[hit]
    noise = profile.noise["sigma_v"] if cfg["noise"] else 0.0
    plastic = [
        stp.driver_state(setting, w[k + 1, 0], w[k + 1, 1])
        for k, setting in enumerate(stp_classes) if w[k + 1].any()
    ]  # fmt: skip
    emulator = Emulator(
        lif, w[0, 0], w[0, 1], dt, profile.event_grid, profile.event_rounding, 1, own,
        cfg["reference_grid"], noise, int(cfg["trial_seed"]), plastic,
    )  # fmt: skip
    if previous is not None:  # parameters or weights changed between runs: keep the state
        old, old_sources = previous
        for k in _STATE:
            setattr(emulator, k, getattr(old, k))
        stp.carry_state(old.plastic, emulator.plastic, old_sources, sources)
    else:
        offset = 0
        for p in neurons:
            for k in ("v", "w"):
                if k in p.initial:
                    getattr(emulator, k)[offset : offset + p.n] = p.initial[k]
            offset += p.n
    return emulator, sources


def _calibrated(neurons: list, circuits: np.ndarray, dev: Deviations) -> dict:
    """The circuits' parameters, in placement order, as this chip realises them."""
    names = (*parameters.LIF_NAMES, *parameters.ADEX_NAMES, "mode")
    lif = {k: np.concatenate([p.lif[k] for p in neurons]) if neurons else np.empty(0)
           for k in names}  # fmt: skip
    lif["tau_m"] = lif["tau_m"] * dev.tau_m[circuits]
    for j, k in enumerate(("v_rest", "v_reset", "v_thresh")):
        lif[k] = lif[k] + dev.voltage[circuits, j]
    return lif


def _weights(profile: Profile, dev: Deviations, pops: list, projs: list, n_classes: int,
             sources: np.ndarray, circuits: np.ndarray):  # fmt: skip
    """(weights, summed codes), both shaped (1 + STP classes, receptor, source row,
    circuit): the realised weight of each routed synapse (code x LSB x the chip's driver
    and synapse strength), summed where connections share one synapse."""
    w = np.zeros((1 + n_classes, 2, sources.size, circuits.size))
    codes = np.zeros(w.shape, np.int64)
    slot = np.full(profile.neurons, -1)
    slot[circuits] = np.arange(circuits.size)
    per = profile.neurons_per_block
    for h in projs:
        ok = h.row >= 0
        post_circuit, _ = locate(pops, h.post_id[ok])
        strength = dev.driver[h.row[ok]] * dev.synapse[h.row[ok], post_circuit % per]
        where = (h.stp[ok], h.receptor, np.searchsorted(sources, h.pre_id[ok]),
                 slot[post_circuit])  # fmt: skip
        np.add.at(w, where, h.code[ok] * h.lsb * strength)
        np.add.at(codes, where, h.code[ok])
    return w, codes


def check_merged(profile: Profile, codes: np.ndarray, w: np.ndarray, sources: np.ndarray,
                 circuits: np.ndarray, pops: list, projs: list, clip: bool) -> None:  # fmt: skip
    """Several connections between one source and one cell share the chip's single synapse
    there: their weight codes add, and the sum must fit the synapse (k_max).  Over the
    limit: an error naming the projections, or (``clip``) ``w`` clipped and counted."""
    over = codes > profile.k_max
    if not over.any():
        return
    _, _, row, col = (int(i[0]) for i in np.nonzero(over))
    cell = int(circuits[col])
    involved = [
        h for h in projs
        if np.any((h.pre_id == sources[row]) & (locate(pops, h.post_id)[0] == cell))
    ]  # fmt: skip
    names = ", ".join(repr(h.label) for h in involved)
    if not clip:
        raise HardwareParameterRangeError(
            f"{names}: {int(codes[over][0])} weight steps between source "
            f"{int(sources[row])} and one cell: repeated connections share the chip's one "
            f"synapse, which holds at most {profile.k_max} steps (fewer repeats, "
            "smaller weights, or setup(weight_clip='clip'))"
        )
    w[over] *= profile.k_max / codes[over]
    involved[0].stats["n_clipped"] += int(np.count_nonzero(over))
    warnings.warn(
        f"{names}: {int(np.count_nonzero(over))} synapse(s) holding repeated connections "
        f"clipped to {profile.k_max} weight steps",
        WeightRoundingWarning,
        stacklevel=5,
    )
