"""Translating standard names and units to a simulator's own, from tables that are data.

A backend writes one :class:`ModelTranslation` per standard model (cell, synapse,
plasticity component, current source) and hands its tables to a :class:`Translator`; the
translator does the rest, vectorised: checking names, scaling units, running transforms,
answering the inverse questions (recorded values, connection values) and state lookups.

Writing a table: a plain mapping ``our name -> Param(native name, our unit, native unit)``
(the factor is computed once by :func:`~pynn_uni.common.units.scale`, never typed by
hand); state variables likewise in ``state`` (``settable=False`` where the simulator
cannot take an initial value).  A many-to-one relation (e.g. ``cm, tau_m -> C_m, g_L``) is
a :class:`Computed`: two *named* functions, the forward one and its inverse, each reading
and returning a dict of arrays.  Native values set regardless go in ``fixed``, standard
values the simulator supports at one value only in ``constraints``, and a model the
simulator cannot express is ``ModelTranslation(None, unsupported=reason)``.

Weights and STDP weight bounds carry the pseudo-unit :data:`~pynn_uni.common.units.WEIGHT`:
their standard unit is the post cell type's ``weight_unit`` (uS, nA or mV), known only at
projection time, and the backend's ``native_weight_units`` map says which native unit each
becomes.  A simulator that routes inhibition by the weight's sign passes ``weight_sign``
-1; ``Param(signed=False)`` keeps a weight-valued parameter (a learning rate) unsigned.
Values a simulator stores as integers may leave as numpy ints; scalars leave as Python
scalars (some simulators refuse 0-d arrays).
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pynn_uni import errors
from pynn_uni.common.units import WEIGHT, scale

Values = dict[str, Any]


@dataclass(frozen=True)
class Param:
    """One standard parameter or state variable <-> one native one, related by a unit scale."""

    native: str
    unit: str  # standard unit, or WEIGHT
    native_unit: str  # the simulator's unit, or WEIGHT
    settable: bool = True  # state only: the simulator accepts it as an initial value
    signed: bool = True  # WEIGHT only: takes the sign the simulator gives the weight

    def factor(self, weight_factor: float = 1.0, weight_sign: float = 1.0) -> float:
        """Standard -> native multiplier; ``weight_factor`` is that of a WEIGHT value (see
        :meth:`Translator.weight_factor`)."""
        if self.unit == WEIGHT:
            return weight_factor * (weight_sign if self.signed else 1.0)
        return scale(self.unit, self.native_unit)


def param(native: str, unit: str, native_unit: str | None = None, **kw) -> Param:
    """Shorthand for a table entry: the native unit defaults to the standard one."""
    return Param(native, unit, unit if native_unit is None else native_unit, **kw)


@dataclass(frozen=True)
class Computed:
    """A many-to-one translation: ``forward(std) -> native`` and ``inverse(native) -> std``.

    ``forward`` reads the standard ``inputs`` and returns the native ``outputs``; ``inverse``
    reads the native ``native_inputs`` (``outputs`` unless stated) and returns standard values.
    """

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    forward: Callable[[Values], Values]
    inverse: Callable[[Values], Values]
    native_inputs: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The forward function's name, for messages (a partial names its function)."""
        f = self.forward
        return f.func.__name__ if isinstance(f, functools.partial) else f.__name__

    @property
    def inverse_inputs(self) -> tuple[str, ...]:
        return self.native_inputs or self.outputs


@dataclass(frozen=True)
class ModelTranslation:
    """How one standard model (cell, synapse, plasticity component, source) lives natively.

    ``native``: the native model, None when the simulator cannot express it (``unsupported``
    says why).  ``params``/``state``: one-to-one parameters / state variables (initial
    values and recordables).  ``computed``: many-to-one translations.  ``fixed``: native
    values set regardless.  ``receptor_ports``: receptor name -> native port (models with
    named receptors; else the simulator routes by the weight's sign).  ``weight``: unit of
    incoming weights (cells).  ``constraints``: standard parameters supported at one value
    only.  ``post_params``: synapse parameters the simulator keeps on the post neuron.
    ``from_post``: native synapse parameter <- the post cell's standard parameter, per
    receptor type.  ``notes``: semantic differences worth documenting.
    """

    native: str | None
    params: Mapping[str, Param] = field(default_factory=dict)
    state: Mapping[str, Param] = field(default_factory=dict)
    computed: tuple[Computed, ...] = ()
    fixed: Mapping[str, Any] = field(default_factory=dict)
    receptor_ports: Mapping[str, int] = field(default_factory=dict)
    weight: Param | None = None
    constraints: Mapping[str, float] = field(default_factory=dict)
    post_params: Mapping[str, Param] = field(default_factory=dict)
    from_post: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    unsupported: str = ""
    notes: str = ""

    @property
    def standard_names(self) -> frozenset[str]:
        """Every standard parameter name the translation understands."""
        names = set(self.params) | set(self.state) | set(self.constraints) | set(self.post_params)
        for c in self.computed:
            names.update(c.inputs)
        return frozenset(names)


def unsupported(reason: str) -> ModelTranslation:
    """The table entry of a model the simulator cannot express."""
    return ModelTranslation(None, unsupported=reason)


# ---------------------------------------------------------------------------------------------
#   Array helpers for transforms
# ---------------------------------------------------------------------------------------------


def as_array(value) -> np.ndarray:
    """A float array from a number, array, ArrayParameter/Sequence or array of those."""
    value = getattr(value, "value", value)
    a = np.asarray(value)
    if a.dtype == object:
        items = [np.asarray(getattr(x, "value", x), dtype=float) for x in a.ravel()]
        try:
            return np.stack(items).reshape(a.shape + items[0].shape) if items else a
        except ValueError:  # ragged: spike times of several cells
            out = np.empty(a.shape, dtype=object)
            out.ravel()[:] = items
            return out
    return a.astype(float) if a.dtype.kind in "biuf" else a


def scaled(value, factor: float, divide: bool = False) -> np.ndarray:
    """``value * factor`` (or ``/ factor``: dividing by 1000 keeps 0.7 exact where
    multiplying by 0.001 does not)."""
    a = as_array(value)
    if factor == 1.0:
        return a
    if a.dtype == object:
        out = np.empty(a.shape, dtype=object)
        out.ravel()[:] = [x / factor if divide else x * factor for x in a.ravel()]
        return out
    return a / factor if divide else a * factor


def plain(value):
    """A 0-d numeric array as a Python scalar; anything else unchanged."""
    a = np.asarray(value)
    return a.item() if a.ndim == 0 and a.dtype != object else value


def stack_receptors(names: tuple[str, ...], outputs: Mapping[str, str], std: Values) -> Values:
    """Per-receptor standard values ``'<receptor>.<param>'`` -> native per-port arrays
    (last axis: one port per receptor, in ``names`` order)."""
    out = {}
    for name, native in outputs.items():
        columns = np.broadcast_arrays(*[as_array(std[f"{r}.{name}"]) for r in names])
        out[native] = np.stack(columns, axis=-1)
    return out


def split_receptors(names: tuple[str, ...], outputs: Mapping[str, str], native: Values) -> Values:
    """Inverse of :func:`stack_receptors`."""
    out = {}
    for name, nname in outputs.items():
        a = as_array(native[nname])
        for k, r in enumerate(names):
            out[f"{r}.{name}"] = a[..., k]
    return out


# ---------------------------------------------------------------------------------------------
#   Translating
# ---------------------------------------------------------------------------------------------

Model = str | ModelTranslation


class Translator:
    """One simulator's tables and the conversions over them.

    ``simulator``: its name, for messages; ``tables``: model name -> translation mappings,
    searched in order; ``native_weight_units``: standard weight unit (uS, nA, mV) -> the
    native one.  A model is named by its standard name or given as a translation built on
    the fly (an STDP combination, a composed neuron).
    """

    def __init__(
        self,
        simulator: str,
        tables: tuple[Mapping[str, ModelTranslation], ...],
        native_weight_units: Mapping[str, str],
    ):
        self.simulator = simulator
        self.tables = tables
        self.native_weight_units = dict(native_weight_units)

    def lookup(self, model: Model) -> ModelTranslation:
        """The table entry of ``model`` (NotSupportedError when the tables lack it)."""
        if isinstance(model, ModelTranslation):
            return model
        for table in self.tables:
            if model in table:
                return table[model]
        raise errors.NotSupportedError(
            f"{model} is not available on {self.simulator} (no translation)"
        )

    def supported(self, model: Model) -> ModelTranslation:
        """:meth:`lookup`, refusing a model the simulator cannot express, with the reason."""
        t = self.lookup(model)
        if t.native is None:
            raise errors.NotSupportedError(
                f"{model} is not available on {self.simulator}: {t.unsupported}"
            )
        return t

    def native_models(self) -> set[str]:
        """Every native model name the tables use."""
        return {t.native for table in self.tables for t in table.values() if t.native}

    def weight_factor(self, weight_unit: str | None) -> float:
        """Standard -> native weight multiplier for a post cell type's weight unit."""
        units = self.native_weight_units
        if weight_unit not in units:
            raise ValueError(
                f"weight unit must be one of {sorted(units)} (the post cell type's "
                f"weight_unit), got {weight_unit!r}"
            )
        return scale(weight_unit, units[weight_unit])

    def to_native(
        self,
        model: Model,
        std: Mapping[str, Any],
        weight_unit: str | None = None,
        weight_sign: float = 1.0,
    ) -> dict[str, Any]:
        """Translate the standard values present in ``std`` (plus the fixed native values).

        A computed translation runs when any of its inputs is present and then needs all of
        them (KeyError naming the missing one).  Values supported at one value only
        (``constraints``) are checked and dropped; ``post_params`` are left to
        :meth:`post_to_native`; initial values of state variables the simulator cannot set
        are dropped (it starts them at rest).
        """
        t = self.supported(model)
        name = model if isinstance(model, str) else t.native
        unknown = set(std) - t.standard_names
        if unknown:
            raise errors.NonExistentParameterError(
                sorted(unknown)[0], name, sorted(t.standard_names)
            )
        for key, only in t.constraints.items():
            if key in std and np.any(as_array(std[key]) != only):
                raise errors.NotSupportedError(
                    f"{name}: {key} = {as_array(std[key])} is not available on "
                    f"{self.simulator} (only {only})"
                )
        out: dict[str, Any] = {}
        weight = None
        for key, p in t.params.items():
            if key in std:
                if p.unit == WEIGHT and weight is None:
                    weight = self.weight_factor(weight_unit)
                out[p.native] = scaled(std[key], p.factor(weight or 1.0, weight_sign))
        for key, p in t.state.items():
            if key in std and p.settable:
                out[p.native] = scaled(std[key], p.factor())
        for c in t.computed:
            present = [k for k in c.inputs if k in std]
            if present:
                missing = [k for k in c.inputs if k not in std]
                if missing:
                    raise KeyError(
                        f"{name}: translating {', '.join(present)} to {self.simulator} "
                        f"({c.name}) also needs {', '.join(missing)}"
                    )
                out.update(c.forward({k: std[k] for k in c.inputs}))
        self._check_overflow(name, t, std, out)
        out.update(t.fixed)
        return {k: plain(v) for k, v in out.items()}

    def _check_overflow(self, name: str, t: ModelTranslation, std, out: dict) -> None:
        """Refuse finite standard values whose native values are not (``cm = 1e308`` nF is
        ``C_m = inf`` pF on NEST): the simulator would take inf or NaN without a word."""
        for key, p in (*t.params.items(), *t.state.items()):
            if key in std and p.native in out:
                units = f" {p.native_unit}" if p.native_unit != WEIGHT else ""
                self._refuse_overflow(name, (key,), std, p.native, out[p.native], units)
        for c in t.computed:
            if all(k in std for k in c.inputs):
                for native in c.outputs:
                    if native in out:
                        self._refuse_overflow(name, c.inputs, std, native, out[native], "")

    def _refuse_overflow(self, name, keys, std, native: str, value, units: str) -> None:
        a = as_array(value)
        if a.dtype.kind not in "fc" or np.isfinite(a).all():
            return
        given = [as_array(std[k]) for k in keys]
        if any(g.dtype.kind not in "biuf" or not np.isfinite(g).all() for g in given):
            return  # an infinite standard value (an open-ended stop) stays infinite
        shown = ", ".join(
            f"{k} = {g.ravel()[:3].tolist() if g.ndim else g.item()}"
            for k, g in zip(keys, given, strict=True)
        )
        raise errors.InvalidParameterValueError(
            f"{name}: {shown} overflows {self.simulator}'s units: {native} would be "
            f"{a[~np.isfinite(a)].ravel()[0]}{units}; give a value that stays within the "
            "float range once translated"
        )

    def from_native(
        self,
        model: Model,
        native: Mapping[str, Any],
        weight_unit: str | None = None,
        weight_sign: float = 1.0,
    ) -> dict[str, Any]:
        """Standard values of every standard parameter and state variable whose native
        values are all in ``native`` (other keys, e.g. the rest of a status dict, are
        ignored)."""
        t = self.supported(model)
        out: dict[str, Any] = {}
        weight = None
        for key, p in t.params.items():
            if p.native in native:
                if p.unit == WEIGHT and weight is None:
                    weight = self.weight_factor(weight_unit)
                f = p.factor(weight or 1.0, weight_sign)
                out[key] = scaled(native[p.native], f, divide=True)
        for key, p in t.state.items():
            if p.native in native:
                out[key] = scaled(native[p.native], p.factor(), divide=True)
        for c in t.computed:
            if all(k in native for k in c.inverse_inputs):
                out.update(c.inverse({k: native[k] for k in c.inverse_inputs}))
        return {k: plain(v) for k, v in out.items()}

    def post_to_native(self, model: Model, std: Mapping[str, Any]) -> dict[str, Any]:
        """The native parameters a synapse type keeps on its post-synaptic neurons."""
        t = self.supported(model)
        return {
            p.native: plain(scaled(std[k], p.factor()))
            for k, p in t.post_params.items()
            if k in std
        }

    def _state(self, model: Model, name: str) -> Param:
        t = self.supported(model)
        if name not in t.state:
            label = model if isinstance(model, str) else t.native
            raise errors.RecordingError(
                name, types.SimpleNamespace(__name__=label, recordable=list(t.state))
            )
        return t.state[name]

    def state_to_native(self, model: Model, name: str) -> tuple[str | None, float]:
        """(native name, standard -> native factor) to initialise state variable ``name``;
        the name is None where the simulator cannot set it (it then starts at rest)."""
        p = self._state(model, name)
        return (p.native if p.settable else None), p.factor()

    def recordable_native(self, model: Model, name: str) -> tuple[str, float]:
        """(native recordable, native -> standard factor) of state variable ``name``."""
        p = self._state(model, name)
        return p.native, 1.0 / p.factor()

    def receptor_port(self, model: Model, receptor_type: str) -> int:
        """Native port of a connection onto ``receptor_type``: the named receptor's, or 0
        (the simulator routes by sign)."""
        t = self.supported(model)
        if t.receptor_ports:
            return t.receptor_ports[receptor_type]
        return 0
