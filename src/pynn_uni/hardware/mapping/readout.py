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
