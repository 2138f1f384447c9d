"""``import pynn_uni.nest as sim``: the PyNN 0.13 API on NEST 3.

Importing this module does not import NEST; ``setup()`` does.  ``sim.nest`` is the PyNEST
module itself (imported on first use), for the native calls PyNN scripts make.
"""

from pynn_uni.common.namespace import populate as _populate
from pynn_uni.nest.native import (
    NativeCellType,
    NativeElectrodeType,
    NativeSynapseType,
    native_cell_type,
    native_electrode_type,
    native_synapse_type,
)


def _backend():
    from pynn_uni.nest.backend import NestBackend

    return NestBackend()


def __getattr__(name: str):
    if name == "nest":  # the PyNEST module, as PyNN scripts reach it (``sim.nest``)
        from pynn_uni.nest.backend import _nest

        return _nest()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def native_cell(cell_id):
    """Cell ``cell_id`` as a one-node NEST NodeCollection (same as ``id._cell``)."""
    return cell_id._cell


_populate(globals(), _backend, {"native_cell": native_cell})
NativeCellType, NativeSynapseType, NativeElectrodeType  # noqa: B018 - re-exported
native_cell_type, native_synapse_type, native_electrode_type  # noqa: B018
