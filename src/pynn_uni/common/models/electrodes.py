"""Standard current sources (electrodes), declared as data, with PyNN's object behaviour.

A current source holds one concrete value per parameter (a random distribution given as a
value is drawn once, when set).  ``src.amplitude`` reads a plain float (or a
:class:`~pynn_uni.parameters.Sequence`), ``src.amplitude = 2.0`` and ``src.set_parameters(...)``
validate and store, and once injected every change is passed on to the running simulation.
The simulator work itself is done by the current :class:`Simulation` (``common/control.py``).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from pynn_uni.common import simulation
from pynn_uni.common.ids import ID
from pynn_uni.errors import InvalidParameterValueError, NonExistentParameterError
from pynn_uni.parameters import ParameterSpace, Sequence

from .base import NON_NEGATIVE, POSITIVE, StandardModelType, declare

#: name -> (unit, doc[, constraint])
PARAMETERS: dict[str, tuple] = {
    "amplitude": ("nA", "current amplitude"),
    "start": ("ms", "time the current is switched on", NON_NEGATIVE),
    "stop": ("ms", "time the current is switched off", NON_NEGATIVE),
    "frequency": ("Hz", "frequency of the sine wave", NON_NEGATIVE),
    "offset": ("nA", "constant current added to the sine wave"),
    "phase": ("deg", "phase of the sine wave at t = start"),
    "amplitudes": ("nA", "current from each of the step times on"),
    "times": ("ms", "times at which the current steps to the next amplitude"),
    "mean": ("nA", "mean of the noise current"),
    "stdev": ("nA", "standard deviation of the noise current", NON_NEGATIVE),
    "dt": ("ms", "interval between new noise values", POSITIVE),
}

_PERIOD = dict(start=0.0, stop=1e12)


class _NoSuchParameter(NonExistentParameterError, AttributeError):
    """Unknown attribute of a current source: a ``NonExistentParameterError`` (PyNN) that is
    also an ``AttributeError``, so ``hasattr``/``getattr(src, name, default)`` keep working."""


class StandardCurrentSource(StandardModelType):
    """A current injected into cells (nA, ms).  See the module docstring for the behaviour."""

    _injected: bool

    def __init__(self, **parameters):
        object.__setattr__(self, "_injected", False)
        super().__init__()
        self._store(parameters)

    # -- parameter access -------------------------------------------------------------------
    def set_parameters(self, **parameters) -> None:
        """Validate and set parameters; an injected source updates the simulation too."""
        owner = self.__dict__.get("_simulation")  # set when injected
        if owner is not None:  # refuse before storing: a source of a finished simulation
            simulation.check_live(owner, f"{type(self).__name__} (set_parameters)")
        self._store(parameters)
        if self._injected:
            simulation.current_simulation().update_source(self)

    def get_parameters(self) -> dict[str, Any]:
        """``{name: value}`` with plain floats (and Sequences for step sources)."""
        return {name: lazy.base_value for name, lazy in self.parameter_space.items()}

    def __getattr__(self, name: str):
        if name.startswith("_") or name == "parameter_space":
            raise AttributeError(name)
        if name == "set":
            raise AttributeError(
                f"{type(self).__name__} has no set(): use source.set_parameters(amplitude=0.5) "
                "or assign the parameter directly, e.g. source.amplitude = 0.5"
            )
        parameters = self.get_parameters()
        if name in parameters:
            value = parameters[name]
            # an array value reads as a numpy array (indexable, like PyNN's), a copy
            return np.array(value.value, dtype=float) if isinstance(value, Sequence) else value
        raise _NoSuchParameter(name, type(self).__name__, parameters)

    def __setattr__(self, name: str, value) -> None:
        if name in type(self).default_parameters:
            self.set_parameters(**{name: value})
        else:
            object.__setattr__(self, name, value)

    def _store(self, parameters: dict[str, Any]) -> None:
        self._check_names(parameters)
        trial = ParameterSpace(self.get_parameters(), self.get_schema(), component=self)
        trial.update(**parameters)  # units, types and ranges
        values = {name: self._single_value(name, lazy) for name, lazy in trial.items()}
        self._check_consistency(values)
        self._on_grid(values)
        object.__setattr__(
            self,
            "parameter_space",
            ParameterSpace(values, self.get_schema(), shape=None, component=self),
        )

    def _single_value(self, name: str, lazy):
        if not lazy.is_homogeneous:
            if isinstance(lazy.base_value, np.ndarray):
                raise InvalidParameterValueError(
                    f"{type(self).__name__}: parameter {name!r} takes a single value, "
                    f"got an array {lazy.base_value!r}"
                )
            lazy = copy.deepcopy(lazy)
            lazy.shape = (1,)
            value = lazy.evaluate()[0]  # a random distribution or function: drawn once
        else:
            value = lazy.evaluate(simplify=True)
        if isinstance(value, np.generic):
            value = value.item()
        if np.ndim(value) == 0 or isinstance(value, Sequence):  # step times/amplitudes too
            self.check_parameter_value(name, value)
        return value

    def _on_grid(self, values: dict[str, Any]) -> None:
        """Map switching times onto the simulation's time grid (in place); default: none."""

    def _check_consistency(self, values: dict[str, Any]) -> None:
        if "start" in values and "stop" in values and values["stop"] < values["start"]:
            raise InvalidParameterValueError(
                f"{type(self).__name__}: stop ({values['stop']} ms) is before "
                f"start ({values['start']} ms)"
            )

    # -- simulation ----------------------------------------------------------------------------
    def inject_into(self, cells) -> None:
        """Inject into a Population, PopulationView, Assembly or list of IDs."""
        for celltype in _celltypes(cells, f"{type(self).__name__}.inject_into()"):
            if not getattr(celltype, "injectable", True):
                raise TypeError(
                    f"cannot inject {type(self).__name__} into {type(celltype).__name__} cells: "
                    "spike sources take no current"
                )
        simulation.current_simulation().inject(self, cells)
        object.__setattr__(self, "_injected", True)

    def record(self) -> None:
        """Record the injected current (read it back with :meth:`get_data`)."""
        simulation.current_simulation().record_source(self)

    def get_data(self):
        """The recorded current as a neo signal in nA."""
        sim = self.__dict__.get("_simulation") or simulation.current_simulation()
        return sim.source_data(self)


def _celltypes(cells, call: str) -> list:
    """The cell types of the target cells; anything but cells is refused naming ``call``."""
    if hasattr(cells, "populations"):  # Assembly
        return [p.celltype for p in cells.populations]
    if hasattr(cells, "celltype"):  # Population, PopulationView
        return [cells.celltype]
    if isinstance(cells, ID):
        return [cells.parent.celltype]
    items = list(cells) if isinstance(cells, (list, tuple, np.ndarray)) else None
    if items is None or not all(isinstance(c, ID) for c in items):
        wrong = cells if items is None else next(c for c in items if not isinstance(c, ID))
        raise TypeError(
            f"{call}: cells must be a Population, PopulationView, Assembly, ID or a list of "
            f"IDs, got {wrong!r} ({type(wrong).__name__})"
        )
    unique = {id(c.parent.celltype): c.parent.celltype for c in items}
    return list(unique.values())


class DCSource(StandardCurrentSource):
    """Constant current between ``start`` and ``stop``."""

    spec = declare(PARAMETERS, amplitude=1.0, **_PERIOD)


class ACSource(StandardCurrentSource):
    """Sine-wave current ``offset + amplitude * sin(2 pi frequency (t - start) + phase)``."""

    spec = declare(PARAMETERS, amplitude=1.0, **_PERIOD, frequency=10.0, offset=0.0, phase=0.0)


class StepCurrentSource(StandardCurrentSource):
    """Piecewise-constant current: 0 before ``times[0]``, then ``amplitudes[i]`` from
    ``times[i]`` on, the last value held."""

    spec = declare(PARAMETERS, amplitudes=Sequence([]), times=Sequence([]))

    def _check_consistency(self, values: dict[str, Any]) -> None:
        amplitudes, times = values["amplitudes"], values["times"]
        if len(amplitudes) != len(times):
            raise InvalidParameterValueError(
                f"StepCurrentSource: {len(amplitudes)} amplitudes but {len(times)} times; "
                "they must have equal length"
            )
        t = np.asarray(times.value, dtype=float)
        if t.size and (t[0] < 0 or np.any(np.diff(t) <= 0)):
            raise InvalidParameterValueError(
                f"StepCurrentSource: times must be >= 0 and strictly increasing, got {t.tolist()}"
            )

    def _on_grid(self, values: dict[str, Any]) -> None:
        """Round the step times to the nearest multiple of the timestep of the current
        simulation (if there is one); where several round to the same step, the last
        amplitude given wins (as in PyNN: [0.41, 0.42, 0.86] ms -> [0.4, 0.9] at dt 0.1)."""
        current = simulation.current_or_none()
        if current is None or not len(values["times"]):
            return
        dt = current.dt
        t = np.rint(np.asarray(values["times"].value, dtype=float) / dt) * dt
        keep = np.append(t[1:] != t[:-1], True)  # the last of each run of equal times
        values["times"] = Sequence(t[keep])
        values["amplitudes"] = Sequence(np.asarray(values["amplitudes"].value)[keep])


class NoisyCurrentSource(StandardCurrentSource):
    """Gaussian white-noise current, a new value every ``dt``, between ``start`` and ``stop``."""

    spec = declare(PARAMETERS, mean=0.0, stdev=1.0, **_PERIOD, dt=0.1)
