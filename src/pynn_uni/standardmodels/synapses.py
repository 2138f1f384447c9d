"""Standard synapse types and STDP components (PyNN's ``pyNN.standardmodels.synapses``)."""

from pynn_uni.common.models import STANDARD_SYNAPSE_TYPES, STDP_COMPONENTS
from pynn_uni.common.models.base import (
    StandardSynapseType,
    STDPTimingDependence,
    STDPWeightDependence,
)

globals().update(STANDARD_SYNAPSE_TYPES)
globals().update(STDP_COMPONENTS)

__all__ = [
    *STANDARD_SYNAPSE_TYPES,
    *STDP_COMPONENTS,
    "STDPTimingDependence",
    "STDPWeightDependence",
    "StandardSynapseType",
]
