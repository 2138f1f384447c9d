"""The LEMS simulation file that runs an exported NeuroML2 network (``LEMS_<id>.xml``).

Written with the standard library, so export needs libNeuroML only (not pyNeuroML): it
includes the NeuroML2 core type definitions (``Cells.xml``, ``Networks.xml``,
``Simulation.xml`` and ``PyNN.xml``, which jNeuroML and pyNeuroML resolve), the network file,
and a ``<Simulation>`` of the given length and step that writes the membrane potential of the
cells that record ``v`` (one ``OutputFile``, a column per cell, in SI units as LEMS writes) and
the spikes of the cells that record ``spikes`` (one ``EventOutputFile`` per population, format
``ID_TIME``, the id being the cell's index in its pynn_uni population).
"""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

from .neuroml_models import NO_SPIKE_PORT, NeuroMLExportWarning

CORE_TYPES = ("Cells.xml", "Networks.xml", "Simulation.xml", "PyNN.xml")


def write_lems(
    path: Path,
    nml_file: str,
    reference: str,
    sim_id: str,
    duration: float,
    dt: float,
    recorded: list,
) -> None:
    """Write the LEMS file; ``recorded``: ``(group, {variable: cell indices})`` per population,
    ``group`` being how export wrote the population (NeuroML2 population and component ids)."""

    root = ET.Element("Lems")
    ET.SubElement(root, "Target", component=sim_id)
    for name in (*CORE_TYPES, nml_file):
        ET.SubElement(root, "Include", file=name)
    sim = ET.SubElement(
        root,
        "Simulation",
        id=sim_id,
        length=f"{duration!r}ms",
        step=f"{dt!r}ms",
        target=reference,
    )
    for group, variables in recorded:
        label = group.base
        celltype = type(group.owner.celltype).__name__
        for variable, cells in variables.items():
            if variable == "spikes" and celltype not in NO_SPIKE_PORT:
                out = ET.SubElement(
                    sim,
                    "EventOutputFile",
                    id=f"{label}_spikes",
                    fileName=f"{reference}.{label}.spikes",
                    format="ID_TIME",
                )
                for cell, where in zip(cells.tolist(), _paths(group, cells), strict=True):
                    ET.SubElement(
                        out, "EventSelection", id=str(cell), select=where, eventPort="spike"
                    )
            elif variable == "v":
                out = ET.SubElement(
                    sim, "OutputFile", id=f"{label}_v", fileName=f"{reference}.{label}.v.dat"
                )
                for cell, where in zip(cells.tolist(), _paths(group, cells), strict=True):
                    ET.SubElement(out, "OutputColumn", id=str(cell), quantity=f"{where}/v")
            else:
                warnings.warn(
                    f"Population {group.owner.label!r}: recording of {variable!r} is not "
                    f"written to the LEMS file (NeuroML2's {celltype} cannot output it there; "
                    "only spikes and v of cells with a spike port are written)",
                    NeuroMLExportWarning,
                    stacklevel=3,
                )
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="unicode", xml_declaration=False)


def _paths(group, cells) -> list[str]:
    """LEMS paths ``pop/i/comp`` of the cells (a populationList's instances)."""
    return [p[3:] for p in group.cell_paths(cells)]
