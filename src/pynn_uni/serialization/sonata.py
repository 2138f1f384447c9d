"""SONATA (https://github.com/AllenInstitute/sonata) networks and simulation outputs.

The names of PyNN 0.13's ``pyNN.serialization.sonata``; the work is split by what it holds:
:mod:`.sonata_format` (the file layout), :mod:`.sonata_write` (export),
:mod:`.sonata_read` (import), :mod:`.sonata_plan` (simulation configs) and
:mod:`.sonata_io` (spike and report files, :class:`SonataIO`).
"""

from .sonata_format import MAGIC, asciify, load_config
from .sonata_io import SonataIO, read_report, read_spikes, write_report, write_spikes
from .sonata_plan import SimulationPlan, load_sonata_simulation_plan
from .sonata_read import import_from_sonata
from .sonata_write import export_to_sonata

__all__ = [
    "MAGIC",
    "SimulationPlan",
    "SonataIO",
    "asciify",
    "export_to_sonata",
    "import_from_sonata",
    "load_config",
    "load_sonata_simulation_plan",
    "read_report",
    "read_spikes",
    "write_report",
    "write_spikes",
]
