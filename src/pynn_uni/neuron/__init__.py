"""``import pynn_uni.neuron as sim``: the PyNN 0.13 API on NEURON 9.

Importing this module imports neither NEURON nor compiles anything; ``setup()`` does
(pynn_uni's NMODL mechanisms compile once into a per-user cache, see ``compile.py``).
``setup(timestep=0.1, min_delay='auto', max_delay='auto', use_cvode=False, rtol=None,
atol=None, rng_seed=42)``.

Native access (docs/neuron.md): ``sim.h`` is NEURON's ``h``; ``sim.native_cell(id)`` (or
``id._cell``) a cell's NEURON object; ``sim.native_connections(projection)`` its NetCons;
``sim.native_cell_type(model)`` makes a cell type of an ARTIFICIAL_CELL mechanism or of a
class that builds sections; ``sim.IntFire1``, ``IntFire2``, ``IntFire4`` are NEURON's own.
"""

import functools

from pynn_uni.common.namespace import populate as _populate
from pynn_uni.neuron.backend import NeuronBackend
from pynn_uni.neuron.hoc import neuron_h
from pynn_uni.neuron.native import native_cell_type

_BUILTIN_ARTIFICIAL = ("IntFire1", "IntFire2", "IntFire4")


def __getattr__(name: str):
    if name == "h":  # NEURON's HocObject, with pynn_uni's mechanisms loaded
        return neuron_h()
    if name in _BUILTIN_ARTIFICIAL:  # PyNN's NEURON-only names; loads NEURON on first use
        return _builtin_type(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _builtin_type(name: str) -> type:
    return native_cell_type(name)


def native_cell(cell_id):
    """The NEURON object of cell ``cell_id``: ``PynnIF(Static)``, ``PynnRelay``, ..., an
    ``IntFire1``, or the instance of a native class (``.soma`` etc.); same as ``id._cell``.
    Raises ``NotLocalError`` for a cell on another MPI rank."""
    return cell_id._cell


def native_connections(projection) -> list:
    """The projection's NetCons on this rank (one per connection, in creation order)."""
    return projection.nest_connections


_populate(
    globals(),
    NeuronBackend,
    {
        "native_cell": native_cell,
        "native_connections": native_connections,
        "native_cell_type": native_cell_type,
    },
)
