"""Membrane readout: a chip digitises only a few neurons' analog signals at a time."""

from __future__ import annotations

import numpy as np

from pynn_uni import errors
from pynn_uni.hardware.profiles import Profile


class ReadoutLimitError(errors.RecordingError):
    """More analog channels than the chip's membrane readout has."""

    def __init__(self, message: str, variable, cell_type):
        super().__init__(variable, cell_type)
        self.message = message

    def __str__(self):
        return self.message


def check_readout(circuits: np.ndarray, profile: Profile, variable: str, celltype) -> None:
    """``circuits``: every circuit with an analog signal recorded, the new ones included."""
    circuits = np.unique(circuits)
    if circuits.size > profile.readout_channels:
        raise ReadoutLimitError(
            f"recording {variable!r} from {circuits.size} neurons (circuits "
            f"{circuits[:5].tolist()}) exceeds the {profile.readout_channels} membrane readout "
            f"channel(s) of the {profile.name!r} chip; setup(readout_policy='relaxed') lifts "
            "this limit of the real chip",
            variable,
            celltype,
        )
    if profile.readout_parity and np.unique(circuits % 2).size < circuits.size:
        raise ReadoutLimitError(
            f"recording {variable!r} from circuits {circuits.tolist()}: the {profile.name!r} "
            "chip reads one even and one odd circuit",
            variable,
            celltype,
        )


def probes(neurons: list) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """(offset of each chip population's circuits in the emulator, emulator indices whose v
    and whose conductances are read, None where none are) of the population handles
    ``neurons`` in placement order."""
    offsets = np.cumsum([0] + [p.n for p in neurons])
    rec_v = [o + p.recorded["v"] for p, o in zip(neurons, offsets, strict=False)
             if "v" in p.recorded]  # fmt: skip
    rec_g = [o + np.union1d(p.recorded.get("gsyn_exc", []), p.recorded.get("gsyn_inh", []))
             .astype(np.int64) for p, o in zip(neurons, offsets, strict=False)]  # fmt: skip
    return (offsets, np.concatenate(rec_v) if rec_v else None,
            np.concatenate(rec_g) if rec_g else None)  # fmt: skip


def collect(neurons: list, offsets: np.ndarray, result: tuple, rec_v, rec_g,
            times: np.ndarray, dt: float, readout_sigma: float | None, rng) -> None:  # fmt: skip
    """Hand each population handle what it records of one emulator run: ``result`` is
    (circuit, time) of the spikes and the v, g_exc, g_inh samples at ``times`` (every
    step end); signals are kept at the population's sampling interval, v with the readout's
    noise ``readout_sigma`` (mV; None: no noise) added."""
    k, ts, vs, ges, gis = result
    for p, o in zip(neurons, offsets, strict=False):
        if "spikes" in p.active:
            mine = (k >= o) & (k < o + p.n)
            local = k[mine] - o
            keep = np.isin(local, p.recorded["spikes"])
            p.spikes.append((local[keep], ts[mine][keep]))
        for var, data, index in (("v", vs, rec_v), ("gsyn_exc", ges, rec_g),
                                 ("gsyn_inh", gis, rec_g)):  # fmt: skip
            if var in p.active and data is not None:
                cols = p.recorded[var]
                pick = np.searchsorted(index, o + cols)
                m = int(round(p.interval / dt))
                rows = np.flatnonzero(np.rint(times / dt).astype(np.int64) % m == 0)
                values = data[np.ix_(rows, pick)]
                if var == "v" and readout_sigma is not None:
                    values = values + readout_sigma * rng.standard_normal(values.shape)
                p.signals.setdefault(var, []).append((times[rows], values, cols))
