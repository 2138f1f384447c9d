"""The base of native cell types: a simulator's own model as the cell type of a Population.

A backend's ``native_cell_type(model)`` makes a subclass named after the model, declaring
``native_model`` (the simulator's name of it) and its own parameter names, defaults and
units (no translation); the backend adds whatever else tells it how to build the cells.
The common layer reads only what every cell type declares.
"""

from __future__ import annotations

from typing import ClassVar

from pynn_uni import errors
from pynn_uni.parameters import ParameterSpace


class NativeCellType:
    """A cell type in a simulator's own names and units; subclasses declare the model."""

    is_native = True
    native_model: ClassVar[str] = ""
    default_parameters: ClassVar[dict] = {}
    default_initial_values: ClassVar[dict] = {}
    recordable: ClassVar[list] = []
    receptor_types: ClassVar[list] = []
    conductance_based = True
    injectable = True
    is_spike_source = False
    weight_unit = "native"
    units: ClassVar[dict] = {}

    def __init__(self, **parameters):
        unknown = set(parameters) - set(self.default_parameters)
        if unknown:
            raise errors.NonExistentParameterError(
                sorted(unknown)[0], self.native_model, self.default_parameters
            )
        values = dict(self.default_parameters, **parameters)
        self.parameter_space = ParameterSpace(values, None, shape=None)

    @classmethod
    def get_parameter_names(cls):
        return sorted(cls.default_parameters)

    @classmethod
    def get_schema(cls):
        return None

    @classmethod
    def can_record(cls, variable):
        return variable in cls.recordable

    def describe(self, template=None):
        return {"name": self.native_model, "parameters": dict(self.parameter_space.items())}

    def __repr__(self):
        return f"native_cell_type({self.native_model!r})()"
