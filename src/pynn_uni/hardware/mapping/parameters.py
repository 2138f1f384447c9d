"""Cell parameters: standard model -> the chip's circuit parameters, range and sharing checks.

Every neuron type the chip runs becomes the same per-circuit arrays (standard units:
mV, ms, nF, uS, nA; AdEx ``a`` in nS): a LIF core, a ``mode`` (COBA, CUBA or AdEx, which
the emulator switches on) and the AdEx terms, which are inert (a = b = delta_T = 0) for
the LIF modes.  ``v_thresh`` is where the circuit fires (AdEx: ``v_spike``); ``v_T`` is the
AdEx exponential's threshold.  The translation is a table (:mod:`.translations`).  Time
constants in HW are bio / speed-up.
"""

from __future__ import annotations

import numpy as np

from pynn_uni.common.units import scale
from pynn_uni.hardware.errors import (
    HardwareParameterConflictError,
    HardwareParameterRangeError,
    UnsupportedOnHardwareError,
)
from pynn_uni.hardware.mapping.translations import REALISED_AS, TRANSLATOR
from pynn_uni.hardware.profiles import Profile

#: the circuit's parameters, in this order everywhere
LIF_NAMES = ("v_rest", "v_reset", "v_thresh", "e_rev_E", "e_rev_I", "cm", "tau_m",
             "tau_refrac", "tau_syn_E", "tau_syn_I", "i_offset")  # fmt: skip

#: AdEx terms; the LIF modes get a = b = delta_T = 0, tau_w = 1 ms, v_T = v_thresh
ADEX_NAMES = ("a", "b", "delta_T", "tau_w", "v_T")

_MS_TO_US = scale("ms", "us")


def check_model(celltype, profile: Profile) -> None:
    """UnsupportedOnHardwareError unless the profile runs this cell type."""
    name = type(celltype).__name__
    if celltype.is_spike_source:
        if name in ("SpikeSourceArray", "SpikeSourcePoisson"):
            return
        supported = ("SpikeSourceArray", "SpikeSourcePoisson")
    elif name in profile.models:
        return
    else:
        supported = profile.models
    raise UnsupportedOnHardwareError(
        f"{name} is not supported on the {profile.name!r} chip profile "
        f"(supported: {', '.join(supported)})"
    )


def to_lif(celltype, params: dict, n: int) -> dict[str, np.ndarray]:
    """Per-cell circuit arrays (n,) from a standard cell type's parameter dict (through
    the chip's translation table)."""
    model = type(celltype).__name__
    if model in REALISED_AS:
        model, convert = REALISED_AS[model]
        params = convert(params)
    values = TRANSLATOR.to_native(model, params)
    return {k: np.broadcast_to(np.asarray(values[k], dtype=float), (n,)).copy()
            for k in (*LIF_NAMES, *ADEX_NAMES, "mode")}  # fmt: skip


def check_fixed(celltype, lif: dict, profile: Profile, label: str) -> None:
    """A type whose parameters the circuits cannot realise at all is unsupported as such."""
    for k, want in profile.fixed.items():
        bad = np.flatnonzero(np.abs(lif[k] - want) > 1e-9 * max(abs(want), 1.0))
        if bad.size:
            raise UnsupportedOnHardwareError(
                f"{type(celltype).__name__} in population {label!r} is supported on the "
                f"{profile.name!r} chip only with {k} = {want} (fixed on the chip); got "
                f"{lif[k][bad[0]]} for cell(s) {bad[:5].tolist()}"
            )


def check_ranges(lif: dict, profile: Profile, label: str, policy: str = "error") -> dict:
    """Range check against the profile's bio ranges; with ``policy='clip'`` clip instead.

    Returns {parameter: number of clipped cells} for the report."""
    clipped = {}
    for k, (lo, hi) in profile.ranges.items():
        v = lif[k]
        bad = np.flatnonzero((v < lo - 1e-9) | (v > hi + 1e-9))
        if not bad.size:
            continue
        if policy != "clip":
            raise HardwareParameterRangeError(
                f"population {label!r}: {k} = {v[bad[0]]} (cells {bad[:5].tolist()}"
                f"{'...' if bad.size > 5 else ''}) is outside the range [{lo}, {hi}] that the "
                f"{profile.name!r} chip realises"
            )
        lif[k] = np.clip(v, lo, hi)
        clipped[k] = int(bad.size)
    return clipped


def shared_groups(circuits: np.ndarray, profile: Profile) -> np.ndarray:
    """Group id of each circuit for shared parameters (-1: nothing shared)."""
    if profile.shared_groups == "block_parity":
        return (circuits // profile.neurons_per_block) * 2 + circuits % 2
    return np.full(circuits.shape, -1)


def check_shared(
    groups: np.ndarray, lif: dict, label: str, taken: dict, profile: Profile, policy="error"
) -> list:
    """Neurons of one shared group must agree with each other and with earlier populations.

    ``taken`` maps (group, parameter) -> (value, owner label) and is updated.  With
    ``policy='first'`` the first value wins (Spikey's behaviour) and the ignored ones are
    returned for the report."""
    ignored = []
    for k in profile.shared_parameters:
        v = lif[k]
        for g in np.unique(groups[groups >= 0]):
            vals = v[groups == g]
            first, owner = taken.get((int(g), k), (vals[0], label))
            differ = np.abs(vals - first) > 1e-9
            if differ.any():
                if policy != "first":
                    other = vals[np.argmax(differ)]
                    raise HardwareParameterConflictError(
                        f"{k} is shared by the circuits of group {int(g)} (block x parity) on "
                        f"the {profile.name!r} chip: population {owner!r} has {first}, "
                        f"population {label!r} has {other}"
                    )
                ignored.append((label, k, int(g), np.unique(vals[differ]).tolist()))
                v[groups == g] = first
            taken.setdefault((int(g), k), (first, owner))
    return ignored


def to_hw(lif: dict, profile: Profile) -> dict:
    """HW-time view of the parameters (times / speed-up, in us), for the report."""
    s = profile.speedup
    return {f"{k}_hw_us": lif[k] / s * _MS_TO_US for k in ("tau_m", "tau_refrac", "tau_syn_E",
                                                      "tau_syn_I")}  # fmt: skip
