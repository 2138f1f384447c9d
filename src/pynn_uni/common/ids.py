"""ID: one cell, an int (the backend's cell id) that knows its population.

The population does the work (parameter values, views, positions); an ID only names the
cell and refuses changes once its simulation has ended or been replaced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pynn_uni import errors
from pynn_uni.common.simulation import check_live

if TYPE_CHECKING:
    from pynn_uni.common.populations import PopulationView


class ID(int):
    """One cell: an int (the backend's cell id) that knows its population.

    Every parameter of the cell type is an attribute: ``p[0].tau_m``, ``p[0].tau_m = 30``.
    """

    def __new__(cls, value, parent=None):
        obj = int.__new__(cls, value)
        obj.parent = parent
        return obj

    def __getattr__(self, name):
        parent = object.__getattribute__(self, "parent")
        if parent is not None and name in parent.celltype.default_parameters:
            return parent._get_one(self, name)
        raise AttributeError(name)

    def __setattr__(self, name, value):
        if name == "parent":
            object.__setattr__(self, name, value)
        elif self.parent is not None and name in self.parent.celltype.default_parameters:
            self._check_live()
            self.as_view().set(**{name: value})
        else:
            raise AttributeError(f"cell {int(self)} has no parameter {name!r}")

    def __reduce__(self):
        return int, (int(self),)

    def _check_live(self) -> None:
        if self.parent is not None:
            check_live(self.parent._simulation, f"ID {int(self)} of {self.parent.label!r}")

    @property
    def celltype(self):
        return self.parent.celltype

    @property
    def local(self) -> bool:
        """Whether this MPI rank simulates the cell (always, with one process)."""
        return bool(self.parent is None or self.parent.is_local(self))

    @property
    def _cell(self):
        """The simulator's own object for this cell (PyNN's name on NEURON): on NEST a
        one-node NodeCollection, on NEURON the cell's mechanism object, or for a native
        section-based type the instance that holds its sections and synapses."""
        pop = self.parent
        if pop is None:
            raise TypeError(f"ID {int(self)} belongs to no population")
        if not self.local:
            raise errors.NotLocalError(
                f"cell {int(self)} of {pop.label!r} lives on another MPI rank: only its "
                "owner holds its simulator object (see ID.local)"
            )
        return pop._simulation.backend.native_cell(pop._handle, pop.id_to_index(self))

    @property
    def is_standard_cell(self) -> bool:
        return not getattr(self.parent.celltype, "is_native", False)

    @property
    def position(self) -> np.ndarray:
        return self.parent.positions[:, self.parent.id_to_index(self)]

    @position.setter
    def position(self, pos):
        self.parent._set_position(self.parent.id_to_index(self), pos)

    def as_view(self) -> PopulationView:
        return self.parent[np.array([self.parent.id_to_index(self)])]

    def get_parameters(self) -> dict:
        return {name: self.parent._get_one(self, name) for name in self.celltype.default_parameters}

    def set_parameters(self, **parameters) -> None:
        self._check_live()
        self.as_view().set(**parameters)

    def set(self, *args, **kwargs):
        raise AttributeError("ID.set() does not exist: use set_parameters() or attribute access")

    def get_initial_value(self, variable: str):
        return self.as_view().initial_values_of(variable)[0]

    def set_initial_value(self, variable: str, value) -> None:
        self._check_live()
        self.as_view().initialize(**{variable: value})

    def inject(self, current_source) -> None:
        self._check_live()
        self.as_view().inject(current_source)
