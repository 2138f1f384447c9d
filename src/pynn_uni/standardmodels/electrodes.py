"""Standard current sources (PyNN's ``pyNN.standardmodels.electrodes`` path)."""

from pynn_uni.common.models.electrodes import (
    ACSource,
    DCSource,
    NoisyCurrentSource,
    StandardCurrentSource,
    StepCurrentSource,
)

__all__ = [
    "ACSource",
    "DCSource",
    "NoisyCurrentSource",
    "StandardCurrentSource",
    "StepCurrentSource",
]
