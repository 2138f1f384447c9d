"""PyNN's ``pyNN.standardmodels`` path: the standard model types and their base classes.

pynn_uni declares every standard model once, as data, in :mod:`pynn_uni.common.models`;
this package and its sub-modules (``cells``, ``synapses``, ``electrodes``, ``receptors``)
re-export those classes under PyNN's module paths, e.g. for ``isinstance`` checks or
subclassing in scripts written for PyNN.
"""

from pynn_uni.common.models import BASE_CLASSES
from pynn_uni.errors import NoModelAvailableError as ModelNotAvailable

from . import cells, electrodes, receptors, synapses

globals().update({cls.__name__: cls for cls in BASE_CLASSES})

__all__ = [
    *(cls.__name__ for cls in BASE_CLASSES),
    "ModelNotAvailable",
    "cells",
    "electrodes",
    "receptors",
    "synapses",
]
