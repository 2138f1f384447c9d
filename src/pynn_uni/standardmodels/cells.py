"""Standard cell types and cell components (PyNN's ``pyNN.standardmodels.cells`` path)."""

from pynn_uni.common.models import STANDARD_CELL_COMPONENTS, STANDARD_CELL_TYPES, PointNeuron
from pynn_uni.common.models.base import StandardCellType, StandardCellTypeComponent
from pynn_uni.parameters import ArrayParameter, Sequence

globals().update(STANDARD_CELL_TYPES)
globals().update(STANDARD_CELL_COMPONENTS)

__all__ = [
    *STANDARD_CELL_TYPES,
    *STANDARD_CELL_COMPONENTS,
    "ArrayParameter",
    "PointNeuron",
    "Sequence",
    "StandardCellType",
    "StandardCellTypeComponent",
]
