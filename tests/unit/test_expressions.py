"""String formulas: one grammar and bounded evaluation for connectors and synapse values."""

import math
import pickle
import time

import numpy as np
import pytest

from pynn_uni.common.connectors import (
    AllToAllConnector,
    ConnectionContext,
    DistanceDependentProbabilityConnector,
    compile_distance_expression,
)
from pynn_uni.common.expressions import DistanceExpression, Expression
from pynn_uni.common.models import StaticSynapse
from pynn_uni.errors import InvalidParameterValueError
from pynn_uni.parameters import LazyArray
from pynn_uni.space import Space


def probability_path(text):
    """A connector's d_expression (also probed for negative values)."""
    return DistanceDependentProbabilityConnector(text).distance_function


def synapse_path(text):
    """The parameter compiler: a synapse weight given as a string."""
    return StaticSynapse(weight=text).parameter_space["weight"].base_value


#: where a string formula is accepted: the connectors' compiler (d_expression, string
#: synapse values of a connection), the probability connector, synapse parameters, lazy arrays
PATHS = [compile_distance_expression, probability_path, synapse_path, LazyArray]

# non-negative at d = 0 and d = 1e12, so a probability expression too
VALID = [
    "exp(-d/100)",
    "0.1 + d/100",
    "np.sqrt(d)",
    "numpy.exp(-d) * np.pi",
    "where(d < 50, 1.0, 0.0)",
    "(d > 1) & (d < 5) | (d == 0)",
    "~(d > 3)",
    "minimum(d, 2) + maximum(d, 3)",
    "abs(-d) * pi + fabs(d) * e",
    "d ** 2 // 3 % 5",
    "arctan2(d, 1) + hypot(d, 1) + fmod(d, 3) + power(d, 0.5)",
    "1 + sin(d) * cos(d) * tanh(d)",
    "log(1 + d) + log10(1 + d) + floor(d) + ceil(d)",
    "inf > d",
    "-d + +d",
    "2**10 * d",
    "e**-d",
]

INVALID = [
    "9**9**9*0.0+0.01",  # Python's exact integer power: minutes
    "9**9**9**9",
    "10.0**400 * d",
    "d ** 9**9**9",
    "1" + "0" * 400 + " * d",  # a number no float holds
    "d.__class__",
    "d.real",
    "np.__dict__",
    "np.exp.__globals__",
    "foo.exp(d)",
    "__import__('os')",
    "open(d)",
    "getattr(d, 'real')",
    "x + d",
    "np",
    "pi()",
    "d(1)",
    "np.pi(d)",
    "exp(d, out=d)",
    "ldexp(d, 2)",
    "exp(*d)",
    "lambda: 1",
    "[d for d in (1, 2)]",
    "d[0]",
    "{1: d}",
    "'a' * 3",
    "d if d else 1",
    "d and 1",
    "d +",
    "",
]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: getattr(p, "__name__", str(p)))
def test_the_hang_case_is_refused_at_once_naming_the_expression(path):
    text = "9**9**9*0.0+0.01"
    start = time.perf_counter()
    with pytest.raises(InvalidParameterValueError, match="too large") as info:
        path(text)
    assert time.perf_counter() - start < 1.0
    assert repr(text) in str(info.value)


def test_the_hang_case_as_a_string_synapse_value_of_a_connection():
    ctx = ConnectionContext(
        2, 2, None, None, np.zeros((3, 2)), np.ones((3, 2)), Space(), {"weight": "9**9**9*0.0"}
    )
    with pytest.raises(InvalidParameterValueError, match="9\\*\\*9\\*\\*9"):
        list(AllToAllConnector().connect(ctx))


@pytest.mark.parametrize("text", VALID)
def test_both_paths_accept_the_same_formulas_with_the_same_values(text):
    d = np.array([0.0, 0.5, 3.0, 49.0, 120.0])
    expected = np.asarray(compile_distance_expression(text)(d), dtype=float)
    for f in (probability_path(text), synapse_path(text), LazyArray(text).base_value):
        np.testing.assert_array_equal(np.asarray(f(d), dtype=float), expected)


@pytest.mark.parametrize("text", INVALID)
@pytest.mark.parametrize("path", PATHS, ids=lambda p: getattr(p, "__name__", str(p)))
def test_both_paths_refuse_the_same_formulas_naming_them(path, text):
    with pytest.raises(InvalidParameterValueError) as info:
        path(text)
    assert repr(text) in str(info.value)


@pytest.mark.parametrize(
    "text, d, expected",
    [
        ("exp(-d/100)", 100.0, 0.36787944117144233),  # 1/e
        ("sqrt(d)", 16.0, 4.0),
        ("np.hypot(d, 4)", 3.0, 5.0),
        ("log10(d)", 1000.0, 3.0),
        ("sin(pi/2) * d", 3.0, 3.0),
        ("d**2 + 1", 3.0, 10.0),
        ("2**10", 0.0, 1024.0),
        ("7 // 2 + 7 % 2", 0.0, 4.0),
        ("arctan2(d, d)", 1.0, math.pi / 4),
        ("where(d < 50, 1, 0)", 60.0, 0.0),
        ("maximum(d, 2) - minimum(d, 2)", 5.0, 3.0),
    ],
)
def test_values_are_the_known_numbers(text, d, expected):
    for f in (compile_distance_expression(text), synapse_path(text)):
        got = np.broadcast_to(np.asarray(f(np.array([d])), dtype=float), (1,))[0]
        assert got == pytest.approx(expected, rel=1e-15)


def test_a_connection_gets_the_formula_of_its_distance():
    pre = np.array([[0.0, 30.0, 100.0], [0.0, 40.0, 0.0], [0.0, 0.0, 0.0]])
    post = np.zeros((3, 1))
    ctx = ConnectionContext(3, 1, None, None, pre, post, Space(), {"weight": "exp(-d/100)"})
    (block,) = AllToAllConnector().connect(ctx)
    np.testing.assert_allclose(block.params["weight"], [1.0, math.exp(-0.5), math.exp(-1.0)])


def test_division_by_zero_and_overflow_follow_numpy():
    f = DistanceExpression("1/d + exp(d)")
    np.testing.assert_array_equal(f(np.array([0.0, 1000.0])), [np.inf, np.inf])


def test_other_variables_and_equality():
    f = Expression("i * 10 + j", variables=("i", "j"))
    np.testing.assert_array_equal(f(np.array([1, 2]), np.array([3, 4])), [13.0, 24.0])
    with pytest.raises(InvalidParameterValueError, match="unknown name 'd'"):
        Expression("d + i", variables=("i", "j"))
    assert DistanceExpression("d") == DistanceExpression("d") != Expression("d", ("d", "x"))
    assert pickle.loads(pickle.dumps(DistanceExpression("2*d")))(3.0) == 6.0
