"""PyNN's ``pyNN.models`` path: the base classes of model types, by PyNN's names.

pynn_uni has one hierarchy, rooted at :class:`~pynn_uni.common.models.base.StandardModelType`
(``pynn_uni.common.models.base``); the names here are aliases of its classes.  Native
(simulator-specific) cell and synapse types are made by each backend's
``native_cell_type()`` / ``native_synapse_type()`` and are not subclasses of these.
"""

from pynn_uni.common.models.base import (
    StandardCellType,
    StandardCellTypeComponent,
    StandardModelType,
    StandardPostSynapticResponse,
    StandardSynapseType,
)
from pynn_uni.common.models.electrodes import StandardCurrentSource
from pynn_uni.parameters import ParameterSpace

BaseModelType = StandardModelType
BaseCellType = StandardCellType
BaseCellTypeComponent = StandardCellTypeComponent
BasePostSynapticResponse = StandardPostSynapticResponse
BaseSynapseType = StandardSynapseType
BaseCurrentSource = StandardCurrentSource

__all__ = [
    "BaseCellType",
    "BaseCellTypeComponent",
    "BaseCurrentSource",
    "BaseModelType",
    "BasePostSynapticResponse",
    "BaseSynapseType",
    "ParameterSpace",
]
