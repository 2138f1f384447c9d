"""Writing and reading networks in standard file formats (PyNN's ``pyNN.serialization``).

SONATA (:mod:`pynn_uni.serialization.sonata`): :func:`export_to_sonata`,
:func:`import_from_sonata`, :func:`load_sonata_simulation_plan` and the neo IO
:class:`SonataIO`.  Needs h5py (``pip install 'pynn_uni[sonata]'``).
NeuroML2 (:mod:`pynn_uni.serialization.neuroml`): :func:`export_to_neuroml`,
:func:`import_from_neuroml`.  Needs libNeuroML (``pip install 'pynn_uni[neuroml]'``).
"""

from .neuroml import NeuroMLExportWarning, NeuroMLFiles, export_to_neuroml, import_from_neuroml
from .sonata import (
    SimulationPlan,
    SonataIO,
    asciify,
    export_to_sonata,
    import_from_sonata,
    load_sonata_simulation_plan,
)

__all__ = [
    "NeuroMLExportWarning",
    "NeuroMLFiles",
    "export_to_neuroml",
    "import_from_neuroml",
    "SimulationPlan",
    "SonataIO",
    "asciify",
    "export_to_sonata",
    "import_from_sonata",
    "load_sonata_simulation_plan",
]
