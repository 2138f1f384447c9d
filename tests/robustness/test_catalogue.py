"""Bad values derived from the standard models' own declarations, on every backend.

Each model declares its parameters with a constraint (``> 0``, ``>= 0``, ``[0, 1]``) and
cross-parameter relations (``v_reset < v_thresh``, ``w_min <= w_max``); the cases below are
generated from those declarations (src/pynn_uni/common/models/), so a model or constraint added
later is covered without writing a case:

* every constrained parameter of every model, given a value just outside its range, at
  construction; for cell types also through ``Population.set`` and for current sources through
  ``set_parameters``;
* every relation of every cell type and weight dependence, broken;
* one non-finite value (NaN, None, +-inf, a string) per model, in rotation over its parameters;
* the boundary values that a constraint allows (0 for ``>= 0``, 0 and 1 for ``[0, 1]``) are
  accepted.

Each refusal asserts the error class and that the message names the model or population, the
parameter and the allowed range, then that the simulation still runs (``follow_up``).  A case
that builds a population of a model carries a ``model`` marker and is skipped where the backend
does not declare it; construction alone is the common layer's and runs on every backend.
"""

from __future__ import annotations

import pytest

from pynn_uni import errors
from pynn_uni.common import models
from pynn_uni.common.models.base import FRACTION, NON_NEGATIVE, POSITIVE, TIMES
from pynn_uni.common.validation import OPEN_ENDED

IPVE = errors.InvalidParameterValueError
NAN, INF = float("nan"), float("inf")

#: models constructed from parameters alone, by registry
CELL_TYPES = dict(models.STANDARD_CELL_TYPES)
OTHER_MODELS = {
    **models.STANDARD_CELL_COMPONENTS,
    **models.STANDARD_POST_SYNAPTIC_RESPONSES,
    **models.STANDARD_SYNAPSE_TYPES,
    **models.STDP_COMPONENTS,
    **models.STANDARD_CURRENT_SOURCES,
}
ALL_MODELS = {**CELL_TYPES, **OTHER_MODELS}

#: values just outside each constraint, and the words the message uses for the range
OUTSIDE = {POSITIVE: (0.0, -1.0), NON_NEGATIVE: (-1.0,), FRACTION: (1.5, -0.1)}
ALLOWED_EDGES = {NON_NEGATIVE: (0.0,), FRACTION: (0.0, 1.0)}
WORDS = {POSITIVE: "> 0", NON_NEGATIVE: ">= 0", FRACTION: "between 0 and 1"}
NONFINITE = (NAN, None, INF, -INF, "abc")


def _scalar_constraints(cls):
    """(parameter, tag) of the scalar-valued constrained parameters, in declaration order."""
    schema = cls.get_schema()
    return [(p, t) for p, t in cls.constraints.items() if t in OUTSIDE and schema[p] is float]


def _fmt(value) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _construct(name, params):
    return lambda s: getattr(s, name)(**params)


def _population(name, params):
    return lambda s: s.Population(2, getattr(s, name)(**params), label="bad")


def _population_set(name, params):
    return lambda s: s.Population(2, getattr(s, name)(), label="bad").set(**params)


def _source_set(name, params):
    return lambda s: getattr(s, name)().set_parameters(**params)


def _case(case_id, call, fragments, marks=()):
    return pytest.param(call, IPVE, tuple(fragments), id=case_id, marks=list(marks))


def _constraint_cases():
    cases = []
    for name, cls in ALL_MODELS.items():
        for param, tag in _scalar_constraints(cls):
            for value in OUTSIDE[tag]:
                cases.append(_case(
                    f"{name}({param}={value})", _construct(name, {param: value}),
                    [name, repr(param), WORDS[tag], str(value)],
                ))  # fmt: skip
            value = OUTSIDE[tag][0]
            if name in CELL_TYPES:
                cases.append(_case(
                    f"{name}.set({param}={value})", _population_set(name, {param: value}),
                    ["'bad'", f"set({param})", WORDS[tag], str(value)],
                    [pytest.mark.model(name)],
                ))  # fmt: skip
            elif name in models.STANDARD_CURRENT_SOURCES:
                cases.append(_case(
                    f"{name}.set_parameters({param}={value})", _source_set(name, {param: value}),
                    [name, repr(param), WORDS[tag], str(value)],
                ))  # fmt: skip
    return cases


def _broken(cls, left, op, right):
    """A value of ``left`` that breaks ``left op right`` against ``right``'s default."""
    return float(cls.default_parameters[right]) + (0.0 if op == "<" else 1.0)


def _relation_cases():
    cases = []
    for name, cls in ALL_MODELS.items():
        params = cls.default_parameters
        for left, op, right in cls.relations:
            if left not in params or right not in params or name == "STDPMechanism":
                continue  # inherited relations of models without the names; STDP: its parts'
            value = _broken(cls, left, op, right)
            fragments = [repr(left), op, repr(right), str(value)]
            if name in CELL_TYPES:
                cases.append(_case(
                    f"{name}({left}{'=' if op == '<' else '>'}{right})",
                    _population(name, {left: value}), ["'bad'", *fragments],
                    [pytest.mark.model(name)],
                ))  # fmt: skip
                cases.append(_case(
                    f"{name}.set({left}{'=' if op == '<' else '>'}{right})",
                    _population_set(name, {left: value}), ["'bad'", f"set({left})", *fragments],
                    [pytest.mark.model(name)],
                ))  # fmt: skip
            else:
                cases.append(_case(
                    f"{name}({left}>{right})", _construct(name, {left: value}), [name, *fragments]
                ))  # fmt: skip
    return cases


def _nonfinite_cases():
    """One non-finite value per model, rotating over the values and the model's parameters."""
    cases = []
    for i, (name, cls) in enumerate(ALL_MODELS.items()):
        value = NONFINITE[i % len(NONFINITE)]
        schema, defaults = cls.get_schema(), cls.default_parameters
        if value is None and name in models.STANDARD_SYNAPSE_TYPES:
            value = NAN  # a synapse parameter of None means its default (weight=None, PyNN)
        candidates = [
            p for p in cls.default_parameters
            if schema[p] is float
            and not (value is None and defaults[p] is None)  # None is such a default
            and not (value == INF and (p in OPEN_ENDED or p in cls.infinite_ok))
        ]  # fmt: skip
        if not candidates:
            continue
        param = candidates[i % len(candidates)]
        shown = "None" if value is None else _fmt(value)
        marks = []
        cases.append(_case(
            f"{name}({param}={shown})", _construct(name, {param: value}),
            [name, repr(param), shown], marks,
        ))  # fmt: skip
    return cases


def _edge_cases():
    cases = []
    for name, cls in ALL_MODELS.items():
        for param, tag in _scalar_constraints(cls):
            for value in ALLOWED_EDGES.get(tag, ()):
                call = _construct(name, {param: value})
                cases.append(pytest.param(call, id=f"{name}({param}={value})"))
    return cases


REFUSED = _constraint_cases() + _relation_cases() + _nonfinite_cases()
ACCEPTED = _edge_cases()


@pytest.mark.parametrize("call, error, fragments", REFUSED)
def test_refused(assert_refused, sim, follow_up, call, error, fragments):
    assert_refused(call, error, fragments, sim)
    follow_up(sim)


@pytest.mark.parametrize("call", ACCEPTED)
def test_accepted(sim, follow_up, call):
    call(sim)
    follow_up(sim)


def test_catalogue_knows_every_constraint():
    """A constraint kind added to the models later must get its out-of-range values here,
    else its parameters would silently drop out of the catalogue; ids are distinct."""
    tags = {tag for cls in ALL_MODELS.values() for tag in cls.constraints.values()}
    assert tags <= {*OUTSIDE, TIMES}  # spike times: test_bad_values.py
    ids = [case.id for case in REFUSED + ACCEPTED]
    assert len(ids) == len(set(ids))
    assert sum(len(_scalar_constraints(c)) for c in ALL_MODELS.values()) > 50
