"""``import pynn_uni.neuron as sim``: the PyNN 0.13 API on NEURON 9.

Importing this module imports neither NEURON nor compiles anything; ``setup()`` does
(pynn_uni's NMODL mechanisms compile once into a per-user cache, see ``compile.py``).
``sim.h`` is NEURON's ``h``; ``sim.native_cell(id)`` is a cell's NEURON object (``PynnIF``
or ``PynnRelay``); ``sim.native_connections(projection)`` its NetCons.
``setup(timestep=0.1, min_delay='auto', max_delay='auto', use_cvode=False, rtol=None,
atol=None, rng_seed=42)``.
"""

from pynn_uni.common.namespace import populate as _populate


def _backend():
    from pynn_uni.neuron.backend import NeuronBackend

    return NeuronBackend()


def __getattr__(name: str):
    if name == "h":  # NEURON's HocObject, with pynn_uni's mechanisms loaded
        from pynn_uni.neuron.backend import _neuron_h

        return _neuron_h()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def native_cell(cell_id):
    """The NEURON object (a ``PynnIF`` or ``PynnRelay`` instance) of the cell ``cell_id``."""
    parent = cell_id.parent
    pop, idx = parent._population_and_indices()
    return pop._handle.cells[int(idx[parent.id_to_index(cell_id)])]


def native_connections(projection) -> list:
    """The projection's NetCons (one per connection, in creation order)."""
    return list(projection._handle.netcons)


_populate(
    globals(), _backend, {"native_cell": native_cell, "native_connections": native_connections}
)
