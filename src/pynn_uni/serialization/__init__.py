"""Writing and reading networks in standard file formats (PyNN's ``pyNN.serialization``).

SONATA (:mod:`pynn_uni.serialization.sonata`): :func:`export_to_sonata`,
:func:`import_from_sonata`, :func:`load_sonata_simulation_plan` and the neo IO
:class:`SonataIO`.  Needs h5py (``pip install 'pynn_uni[sonata]'``).
"""

from .sonata import (
    SimulationPlan,
    SonataIO,
    asciify,
    export_to_sonata,
    import_from_sonata,
    load_sonata_simulation_plan,
)

__all__ = [
    "SimulationPlan",
    "SonataIO",
    "asciify",
    "export_to_sonata",
    "import_from_sonata",
    "load_sonata_simulation_plan",
]
