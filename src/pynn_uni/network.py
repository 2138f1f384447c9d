"""A container for the parts of a model (PyNN's ``pyNN.network.Network``).

A :class:`Network` groups populations, views, assemblies and projections so that they can be
counted, recorded, looked up by label, written out or exported (e.g. to SONATA) together.
It holds references only: the objects themselves stay in the simulation that made them.
"""

from __future__ import annotations

import sys
from itertools import chain
from types import ModuleType

from pynn_uni.common.assembly import Assembly
from pynn_uni.common.populations import Population, PopulationView
from pynn_uni.common.projections import Projection
from pynn_uni.recording import get_io

__all__ = ["Network"]


class Network:
    """``Network(*components)``: populations, views, assemblies and projections.

    Adding a view adds its parent population; adding an assembly adds its populations.
    Collections are exposed as frozensets (``populations``, ``views``, ``assemblies``,
    ``projections``).
    """

    def __init__(self, *components):
        self._populations: set = set()
        self._views: set = set()
        self._assemblies: set = set()
        self._projections: set = set()
        self.add(*components)

    @property
    def populations(self) -> frozenset:
        return frozenset(self._populations)

    @property
    def views(self) -> frozenset:
        return frozenset(self._views)

    @property
    def assemblies(self) -> frozenset:
        return frozenset(self._assemblies)

    @property
    def projections(self) -> frozenset:
        return frozenset(self._projections)

    def add(self, *components) -> None:
        """Add components; anything else raises ``TypeError``."""
        for component in components:
            if isinstance(component, Population):
                self._populations.add(component)
            elif isinstance(component, PopulationView):
                self._views.add(component)
                self._populations.add(component.grandparent)
            elif isinstance(component, Assembly):
                self._assemblies.add(component)
                self._populations.update(
                    getattr(p, "grandparent", p) for p in component.populations
                )
            elif isinstance(component, Projection):
                self._projections.add(component)
            else:
                raise TypeError(
                    f"Network.add(): expected a Population, PopulationView, Assembly or "
                    f"Projection, got {type(component).__name__}"
                )

    @property
    def sim(self) -> ModuleType:
        """The backend module (``pynn_uni.nest``, ...) whose simulation holds the network."""
        if not self._populations:
            raise ValueError("an empty Network belongs to no simulator")
        backend = next(iter(self._populations))._simulation.backend
        package = type(backend).__module__.rsplit(".", 1)[0]
        return sys.modules[package]

    def count_neurons(self) -> int:
        """Total number of cells in the network's populations."""
        return sum(p.size for p in self._populations)

    def count_connections(self) -> int:
        """Total number of connections of the network's projections."""
        return sum(prj.size() for prj in self._projections)

    def get_component(self, label: str):
        """The population, view, assembly or projection called ``label`` (``None`` if none)."""
        for obj in chain(self._populations, self._views, self._assemblies, self._projections):
            if obj.label == label:
                return obj
        return None

    def filter(self, cell_types="all") -> Assembly:
        """An Assembly of the populations whose cell type is in ``cell_types`` (classes);
        ``"all"``: every population that takes current (no spike sources)."""
        if cell_types is None:
            raise ValueError("filter(): give a list of cell type classes, or 'all'")
        if cell_types == "all":
            chosen = [p for p in self._populations if p.celltype.injectable]
        else:
            chosen = [p for p in self._populations if type(p.celltype) in tuple(cell_types)]
        return Assembly(*sorted(chosen, key=lambda p: p.first_id))

    def record(self, variables, to_file=None, sampling_interval=None, include_spike_source=True):
        """Record ``variables`` from every population (spike sources only if
        ``include_spike_source``)."""
        for pop in self._populations:
            if include_spike_source or pop.celltype.injectable:
                pop.record(variables, to_file=to_file, sampling_interval=sampling_interval)

    def get_data(self, variables="all", gather=True, clear=False, annotations=None) -> list:
        """One neo Block per assembly of the network (as PyNN: populations added on their
        own are not included; wrap them in an Assembly)."""
        return [a.get_data(variables, gather, clear, annotations) for a in self._assemblies]

    def write_data(self, io, variables="all", gather=True, clear=False, annotations=None):
        """Write :meth:`get_data` with a neo IO object or to a file name."""
        if isinstance(io, str):
            io = get_io(io)
        io.write(self.get_data(variables, gather, clear, annotations))
