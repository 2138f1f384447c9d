"""Base classes of the standard models, and the machinery that turns declarations into classes.

A standard model is declared once, as data: a class body holding ``spec``, a dict
``{parameter: (default, unit, doc[, constraint])}``, and for cells ``initial``
(``{state variable: (default, unit)}``), ``recordable`` and a few flags.  ``__init_subclass__``
derives from it everything the rest of pynn_uni reads: ``default_parameters``, ``units``
(parameters *and* state variables), ``parameter_docs``, ``default_initial_values`` and the
range ``constraints`` that :meth:`StandardModelType.check_parameter_value` enforces.  No model
has methods of its own; backends never redeclare models.
"""

from __future__ import annotations

import copy
import types
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np

from pynn_uni.common import validation
from pynn_uni.common.expressions import DistanceExpression
from pynn_uni.errors import InvalidParameterValueError, NonExistentParameterError
from pynn_uni.parameters import ArrayParameter, ParameterSpace

#: Constraint tags usable as the 4th item of a parameter declaration.
POSITIVE = ">0"
NON_NEGATIVE = ">=0"
FRACTION = "[0,1]"
#: an array of times in ms: non-negative and sorted (spike times)
TIMES = "times"

_CONSTRAINTS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], str]] = {
    POSITIVE: (lambda a: a > 0, "> 0"),
    NON_NEGATIVE: (lambda a: a >= 0, ">= 0"),
    FRACTION: (lambda a: (a >= 0) & (a <= 1), "between 0 and 1"),
}
#: the shortest positive time (ms) a ``POSITIVE`` time constant or interval may have, 1 µs:
#: far below any physiological one, and shorter ones break the simulators' integration
#: (tau_m = 1e-6 ms: NaN on the reference backend's exact integration, whose exp(dt/tau)
#: overflows; NEST's adaptive solvers take dt/tau steps and stall)
MIN_TIME = 1e-3
#: the smallest other ``POSITIVE`` value: a normal float, whose reciprocal is finite
#: (cm = 5e-324 makes g = cm / tau_m or 1 / cm overflow to inf, then NaN)
MIN_POSITIVE = float(np.finfo(float).tiny)


class hybridmethod:
    """A method that reads the class's declarations when called on the class and the
    instance's when called on an instance (models such as ``PointNeuron`` or
    ``STDPMechanism`` assemble their parameters per instance)."""

    def __init__(self, func: Callable):
        self.__func__ = func
        self.__doc__ = func.__doc__
        self.__name__ = func.__name__

    def __get__(self, obj, objtype=None):
        return types.MethodType(self.__func__, objtype if obj is None else obj)


def declare(vocabulary: Mapping[str, tuple], **defaults: Any) -> dict[str, tuple]:
    """Parameter declarations ``{name: (default, unit, doc[, constraint])}``.

    Unit, doc and constraint come from ``vocabulary[name]``; a tuple given as the default is
    used as the full declaration instead (for a model whose parameter differs from the shared
    meaning of its name).
    """
    return {
        name: value if isinstance(value, tuple) else (value, *vocabulary[name])
        for name, value in defaults.items()
    }


def _schema_type(default) -> type:
    if isinstance(default, ArrayParameter):
        return type(default)
    if isinstance(default, (bool, np.bool_)):
        return bool
    if isinstance(default, (int, np.integer)):
        return int
    return float  # floats, and None ("filled in later", e.g. a synapse delay)


def _plain(lazy) -> Any:
    """A readable value for one lazy parameter: the value itself if homogeneous."""
    if lazy is None:
        return None
    if lazy.is_homogeneous:
        value = lazy.evaluate(simplify=True)
        return value.item() if isinstance(value, np.generic) else value
    return lazy.base_value


class StandardModelType:
    """Base of every standard cell, synapse, plasticity component and current source.

    Class attributes (derived from ``spec``): ``default_parameters`` ``{name: default}``,
    ``units`` ``{name: unit string}`` for parameters and state variables (``'weight'`` means the
    post-synaptic cell type's ``weight_unit``), ``parameter_docs`` and ``constraints``.
    Instances hold their values in ``parameter_space`` (shape ``None``: the same lazy value for
    every cell until a population or projection sets the shape).
    """

    spec: ClassVar[dict[str, tuple]] = {}
    default_parameters: ClassVar[dict[str, Any]] = {}
    default_initial_values: ClassVar[dict[str, Any]] = {}
    units: ClassVar[dict[str, str]] = {}
    parameter_docs: ClassVar[dict[str, str]] = {}
    constraints: ClassVar[dict[str, str]] = {}
    #: accept positional arguments, in declaration order (PyNN's STDP components do)
    positional: ClassVar[bool] = False
    #: accept strings as functions of the distance ``d`` (synapse weights and delays)
    accepts_distance_expressions: ClassVar[bool] = False
    #: cross-parameter constraints ``(left, '<' or '<=', right)``, checked wherever both
    #: values are known (construction, population creation, ``set``)
    relations: ClassVar[tuple[tuple[str, str, str], ...]] = ()
    #: parameters for which +inf is a meaningful value (NaN and -inf never are)
    infinite_ok: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = cls.__dict__
        if "spec" in own:
            spec = own["spec"]
            cls.default_parameters = {name: item[0] for name, item in spec.items()}
            cls.parameter_docs = {name: item[2] for name, item in spec.items()}
            cls.constraints = {name: item[3] for name, item in spec.items() if len(item) > 3}
            cls.units = {name: item[1] for name, item in spec.items()}
        if "initial" in own:
            cls.default_initial_values = {name: item[0] for name, item in own["initial"].items()}
            cls.units = {**cls.units, **{name: item[1] for name, item in own["initial"].items()}}
        if "state_units" in own:
            cls.units = {**cls.units, **own["state_units"]}
        for name, tag in cls.constraints.items():
            if tag not in _CONSTRAINTS and tag != TIMES:
                raise ValueError(f"{cls.__name__}.{name}: unknown constraint {tag!r}")

    def __init__(self, *args, **parameters):
        parameters = self._merge_positional(args, parameters)
        self._check_names(parameters)
        self._check_expressions(parameters)
        self.parameter_space = ParameterSpace(
            self._defaults(), self.get_schema(), shape=None, component=self
        )
        self.parameter_space.update(**parameters)

    def _check_homogeneous_relations(self) -> None:
        """Check ``relations`` now where both sides are single numbers (STDP bounds; a cell
        type's relations are checked by the population that takes its values, as PyNN does)."""
        if not self.relations:
            return
        known = {}
        for name, lazy in self.parameter_space.items():
            if lazy is not None and getattr(lazy, "is_homogeneous", False):
                base = lazy.base_value
                if isinstance(base, (int, float, np.number)) and not lazy.operations:
                    known[name] = base
        validation.check_relations(self._model_name(), self.relations, known)

    # -- declarations, readable on the class or on an instance -----------------------------------
    @hybridmethod
    def get_parameter_names(self) -> list[str]:
        """Names of the model's parameters, in declaration order."""
        return list(self.default_parameters)

    @hybridmethod
    def has_parameter(self, name: str) -> bool:
        return name in self.default_parameters

    @hybridmethod
    def get_schema(self) -> dict[str, type]:
        """``{name: type}``: ``float`` (also for defaults of ``None``), ``int``, or an
        :class:`~pynn_uni.parameters.ArrayParameter` subclass for array-valued parameters."""
        return {name: _schema_type(value) for name, value in self.default_parameters.items()}

    @hybridmethod
    def check_parameter_value(self, name: str, value) -> None:
        """Raise :class:`InvalidParameterValueError` if numeric ``value`` (scalar or array)
        breaks the physical constraint declared for ``name`` (e.g. a negative time constant);
        NaN and infinities (bar an open-ended ``duration``/``stop``) are refused for every name,
        and array values (spike times) are checked element by element."""
        tag = self.constraints.get(name)
        if isinstance(value, ArrayParameter) or (
            isinstance(value, np.ndarray) and value.dtype == object
        ):
            validation.check_array_values(
                self._model_name(), name, value, times=tag == TIMES,
                posinf_ok=name in self.infinite_ok,
            )  # fmt: skip
            return
        validation.check_finite(
            self._model_name(), name, np.asarray(value, dtype=float), name in self.infinite_ok
        )
        if tag is None or tag == TIMES:
            return
        test, description = _CONSTRAINTS[tag]
        arr = np.asarray(value, dtype=float)
        unit = self.units.get(name, "")
        if not np.all(test(arr)):
            bad = arr if arr.ndim == 0 else arr[~test(arr)][:3]
            raise InvalidParameterValueError(
                f"{self._model_name()}: parameter {name!r} must be {description} "
                f"({unit}), got {bad.tolist()}"
            )
        if tag == POSITIVE:
            floor, why = (
                (MIN_TIME, "shorter times break the numerical integration")
                if unit == "ms"
                else (MIN_POSITIVE, "smaller values overflow the model's equations")
            )
            if np.any(arr < floor):
                bad = arr if arr.ndim == 0 else arr[arr < floor][:3]
                raise InvalidParameterValueError(
                    f"{self._model_name()}: parameter {name!r} must be >= {floor} {unit} "
                    f"({why}), got {bad.tolist()}"
                )

    @hybridmethod
    def check_values(self, values: Mapping[str, Any]) -> None:
        """Check evaluated values ``{name: scalar or array}`` against the constraints and,
        where both sides are present, the ``relations``."""
        for name, value in values.items():
            if isinstance(value, (int, float, np.number, np.ndarray, ArrayParameter)) and (
                not isinstance(value, np.ndarray) or value.dtype.kind in "biufO"
            ):
                self.check_parameter_value(name, value)
        validation.check_relations(self._model_name(), self.relations, values)

    @hybridmethod
    def _model_name(self) -> str:
        return self.__name__ if isinstance(self, type) else type(self).__name__

    # -- construction helpers ------------------------------------------------------------------
    def _merge_positional(self, args: tuple, parameters: dict) -> dict:
        if not args:
            return parameters
        names = self.get_parameter_names()
        if not self.positional:
            raise TypeError(f"{self._model_name()}() takes keyword arguments only")
        if len(args) > len(names):
            raise TypeError(
                f"{self._model_name()}() takes at most {len(names)} positional arguments "
                f"({', '.join(names)}), got {len(args)}"
            )
        merged = dict(zip(names, args, strict=False))
        for name in parameters:
            if name in merged:
                raise TypeError(f"{self._model_name()}() got multiple values for {name!r}")
        merged.update(parameters)
        return merged

    def _check_names(self, parameters: Mapping[str, Any]) -> None:
        for name in parameters:
            if name not in self.default_parameters:
                raise NonExistentParameterError(
                    name, self._model_name(), self.get_parameter_names()
                )

    def _check_expressions(self, parameters: Mapping[str, Any]) -> None:
        """A string is an expression of the distance ``d`` where the model accepts one (a
        synapse value); refuse one that does not compile, naming the model and parameter."""
        if not self.accepts_distance_expressions:
            return
        for name, value in parameters.items():
            if isinstance(value, str):
                try:
                    DistanceExpression(value)
                except InvalidParameterValueError as err:
                    raise InvalidParameterValueError(
                        f"{self._model_name()}: parameter {name!r} (a string: an expression "
                        f"of the distance d): {err}"
                    ) from None

    def _defaults(self) -> dict[str, Any]:
        return copy.deepcopy(dict(self.default_parameters))

    # -- description -----------------------------------------------------------------------------
    def _parameter_values(self) -> dict[str, Any]:
        return {name: _plain(lazy) for name, lazy in self.parameter_space.items()}

    def describe(self, template: str | None = "modeltype_default.txt", engine: str = "default"):
        """A human-readable description; with ``template=None`` the context dict instead.

        ``template`` may also be a ``str.format`` template using the context keys (``name``,
        ``parameters``, ``default_parameters``, ``default_initial_values``, ``units``).
        """
        context = self._describe_context()
        if template is None:
            return context
        if "{" in template:
            return template.format(**context)
        lines = [f"{context['name']}", "    Parameters:"]
        for name, value in context["parameters"].items():
            unit = self.units.get(name, "")
            lines.append(f"        {name} = {value!r} {unit}".rstrip())
        return "\n".join(lines)

    def _describe_context(self) -> dict[str, Any]:
        return {
            "name": self._model_name(),
            "parameters": self._parameter_values(),
            "default_parameters": dict(self.default_parameters),
            "default_initial_values": dict(self.default_initial_values),
            "units": dict(self.units),
        }

    def __repr__(self) -> str:
        changed = [
            f"{name}={value!r}"
            for name, value in self._parameter_values().items()
            if not _same(value, self.default_parameters.get(name))
        ]
        return f"{self._model_name()}({', '.join(changed)})"

    def __eq__(self, other) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.parameter_space == other.parameter_space

    def __hash__(self) -> int:
        return hash(type(self).__name__)


def _same(a, b) -> bool:
    try:
        return bool(a == b) if not isinstance(a, np.ndarray) else False
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------------------------------------
#   Cells
# ---------------------------------------------------------------------------------------------


class StandardCellType(StandardModelType):
    """A standard neuron (or spike source) model.

    ``recordable`` lists what ``Population.record`` accepts (``'spikes'`` included);
    ``receptor_types`` the targets a projection may name; ``conductance_based`` and
    ``weight_unit`` (``'uS'``, ``'nA'`` or ``'mV'`` for voltage-jump synapses) say how weights
    are read; ``injectable`` is False for spike sources.
    """

    relations = (("v_reset", "<", "v_thresh"),)

    recordable: ClassVar[list[str]] = ["spikes"]
    receptor_types: ClassVar[list[str]] = ["excitatory", "inhibitory"]
    conductance_based: ClassVar[bool] = True
    injectable: ClassVar[bool] = True
    weight_unit: ClassVar[str] = "uS"
    is_spike_source: ClassVar[bool] = False
    voltage_based_synapses: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.voltage_based_synapses = cls.weight_unit == "mV"

    @hybridmethod
    def can_record(self, variable: str) -> bool:
        return variable in self.recordable


class SpikeSourceType(StandardCellType):
    """A spike source: records only spikes, has no receptors and takes no current.

    ``conductance_based`` stays True, as in PyNN."""

    recordable: ClassVar[list[str]] = ["spikes"]
    receptor_types: ClassVar[list[str]] = []
    injectable: ClassVar[bool] = False
    is_spike_source: ClassVar[bool] = True


class StandardCellTypeComponent(StandardModelType):
    """The membrane part of a :class:`PointNeuron` (``LIF``, ``AdExp``)."""

    recordable: ClassVar[list[str]] = ["spikes"]
    injectable: ClassVar[bool] = True


class StandardPostSynapticResponse(StandardModelType):
    """A receptor of a :class:`PointNeuron`; its state variables (``gsyn`` in uS for
    conductance-based, ``isyn`` in nA for current-based) are also its recordables.

    ``locations`` is accepted for multicompartment compatibility and kept as an attribute.
    """

    conductance_based: ClassVar[bool] = True
    recordable: ClassVar[list[str]] = []

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "initial" in cls.__dict__:
            cls.recordable = list(cls.default_initial_values)

    def __init__(self, locations=None, **parameters):
        super().__init__(**parameters)
        self.locations = locations


# ---------------------------------------------------------------------------------------------
#   Synapses
# ---------------------------------------------------------------------------------------------


class StandardSynapseType(StandardModelType):
    """A synapse model.  ``weight`` is in the post cell type's ``weight_unit``; ``delay`` (ms)
    defaults to ``None``, meaning the simulation's minimum delay, filled in by the projection.
    Weights and delays may also be strings in the distance ``d``."""

    accepts_distance_expressions: ClassVar[bool] = True
    #: relations between a parameter and the value of each connection (an STDP weight within
    #: its bounds), checked by the projection, where every connection's value is known
    connection_relations: ClassVar[tuple[tuple[str, str, str], ...]] = ()


class STDPWeightDependence(StandardModelType):
    """How an STDP weight change depends on the current weight (bounds in weight units)."""

    relations = (("w_min", "<=", "w_max"),)

    def __init__(self, *args, **parameters):
        super().__init__(*args, **parameters)
        self._check_homogeneous_relations()

    positional: ClassVar[bool] = True


class STDPTimingDependence(StandardModelType):
    """How an STDP weight change depends on the relative timing of pre and post spikes."""

    positional: ClassVar[bool] = True
