"""Post-synaptic response components of ``PointNeuron`` (PyNN's
``pyNN.standardmodels.receptors`` path)."""

from pynn_uni.common.models import STANDARD_POST_SYNAPTIC_RESPONSES
from pynn_uni.common.models.base import StandardPostSynapticResponse

globals().update(STANDARD_POST_SYNAPTIC_RESPONSES)

__all__ = [*STANDARD_POST_SYNAPTIC_RESPONSES, "StandardPostSynapticResponse"]
