"""Property-based hostile input: connector arguments, connection lists, connection files and
cell parameters drawn by hypothesis give either a named :mod:`pynn_uni.errors` error or a
valid result, nothing else (no raw ``ValueError``/``IndexError``/``TypeError`` from numpy or
Python, no hang: every example runs under a deadline).

A valid result is checked, not just accepted: a projection's connections lie within both
populations, and where the connector fixes them their number (and for a list, the listed
pairs themselves) come out exactly.  Run on the reference backend and on NEST, each example
in a fresh ``setup()``; ``$PYNN_UNI_MEMORY_LIMIT`` stands in for a small machine so that an
absurd count is refused, never attempted.
"""

from __future__ import annotations

import importlib
import math
import os
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pynn_uni import errors
from pynn_uni.common import budget

BACKENDS = ["reference", "nest"]
MODULES = {"reference": "pynn_uni.testing.reference", "nest": "pynn_uni.nest"}
#: every exception class pynn_uni defines: what "refused by name" means here
NAMED = tuple(
    cls
    for cls in vars(errors).values()
    if isinstance(cls, type)
    and issubclass(cls, BaseException)
    and cls.__module__ == errors.__name__
)
SETTINGS = settings(
    max_examples=200,
    deadline=timedelta(seconds=2),
    database=None,
    # ``sim`` only imports the backend (and ends it after the test): each example calls
    # setup() itself, so nothing carries over between examples
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module", autouse=True)
def small_machine():
    old = os.environ.get(budget.LIMIT_ENV)
    os.environ[budget.LIMIT_ENV] = str(2**30)
    yield
    if old is None:
        del os.environ[budget.LIMIT_ENV]
    else:
        os.environ[budget.LIMIT_ENV] = old


@pytest.fixture(params=BACKENDS)
def sim(request):
    if request.param == "nest":
        pytest.importorskip("nest")
    module = importlib.import_module(MODULES[request.param])
    yield module
    module.end()


def outcome(call):
    """``call()``'s result, or None when it raised a named pynn_uni error.  FromList's
    missing ``column_names`` keeps PyNN's ``TypeError`` (message naming the connector)."""
    try:
        return call()
    except NAMED:
        return None
    except TypeError as err:
        if "give column_names" in str(err):
            return None
        raise


def _pairs(prj) -> list[tuple[int, int]]:
    return sorted((int(i), int(j)) for i, j in prj.get([], format="list"))


def _assert_within(prj, n_pre: int, n_post: int) -> list[tuple[int, int]]:
    pairs = _pairs(prj)
    assert len(pairs) == prj.size()
    assert all(0 <= i < n_pre and 0 <= j < n_post for i, j in pairs), pairs
    return pairs


# -- strategies ---------------------------------------------------------------------------------
HOSTILE_FLOATS = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -0.0, 1e-300, 5e-324, 1e308, -1e308, 0.5, 1.0, 2.0]
)
JUNK = st.sampled_from([None, "x", "1", True, False, b"0", 1j, [], object()])
COUNTS = (
    st.integers(-3, 12)
    | st.sampled_from([10**12, 2**63, 10**30])
    | HOSTILE_FLOATS
    | st.sampled_from([None, True, "3", 2.0])
)
PROBABILITIES = st.floats(-0.5, 1.5) | HOSTILE_FLOATS | JUNK | st.integers(-1, 2)
FLAGS = st.booleans() | st.sampled_from([0, 1, "NoMutual", "no", None, 2])


CONNECTORS = "AllToAll OneToOne FixedProbability FixedNumberPre FixedNumberPost FixedTotalNumber"
CONNECTORS = CONNECTORS.split()


@st.composite
def connector_cases(draw):
    kind = draw(st.sampled_from(CONNECTORS))
    args = {"allow_self_connections": draw(FLAGS)}
    if kind == "OneToOne":
        args = {}
    elif kind == "FixedProbability":
        args["p_connect"] = draw(PROBABILITIES)
        args["rng"] = None
    elif kind.startswith("Fixed"):
        args["n"] = draw(COUNTS)
        args["with_replacement"] = draw(FLAGS)
    n_pre, n_post = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    same = draw(st.booleans())
    return kind, args, n_pre, n_post, same


def _expected_size(kind, args, n_pre, n_post, self_pairs: int) -> int | None:
    """The connections a connector must make, where its arguments fix the number."""
    allow = args.get("allow_self_connections")
    if kind == "OneToOne":
        return min(n_pre, n_post)
    if kind == "AllToAll":
        return n_pre * n_post if allow is True or self_pairs == 0 else None
    if kind == "FixedTotalNumber":
        return args["n"]
    if kind == "FixedNumberPre" and (allow is True or self_pairs == 0):
        return args["n"] * n_post if n_pre else None
    if kind == "FixedNumberPost" and (allow is True or self_pairs == 0):
        return args["n"] * n_pre if n_post else None
    return None


@pytest.mark.parametrize("sim", BACKENDS, indirect=True)
@SETTINGS
@given(case=connector_cases())
def test_connector_arguments(sim, case):
    kind, args, n_pre, n_post, same = case
    sim.setup(timestep=0.1)
    connector = outcome(lambda: getattr(sim, f"{kind}Connector")(**args))
    if connector is None:
        return
    post = sim.Population(n_post, sim.IF_cond_exp(), label="post")
    pre = post if same else sim.Population(n_pre, sim.IF_cond_exp(), label="pre")
    n_pre = pre.size
    synapse = sim.StaticSynapse(weight=0.01, delay=0.5)
    prj = outcome(lambda: sim.Projection(pre, post, connector, synapse, label="prj"))
    if prj is None:
        return
    pairs = _assert_within(prj, n_pre, n_post)
    self_pairs = min(n_pre, n_post) if same else 0
    expected = _expected_size(kind, args, n_pre, n_post, self_pairs)
    if expected is not None:
        assert len(pairs) == expected
    if same and args.get("allow_self_connections") in (False, 0):
        assert all(i != j for i, j in pairs)


ENTRIES = (
    st.integers(-2, 5)
    | HOSTILE_FLOATS
    | st.floats(0.0, 5.0)
    | st.sampled_from([None, "a", "1", 10**400, True])
)


@st.composite
def connection_lists(draw):
    width = draw(st.integers(1, 5))
    ragged = draw(st.booleans()) and draw(st.booleans())
    rows = draw(
        st.lists(
            st.lists(ENTRIES, min_size=width, max_size=width)
            if not ragged
            else st.lists(ENTRIES, min_size=1, max_size=5),
            max_size=6,
        )
    )
    names = draw(
        st.none()
        | st.lists(st.sampled_from(["weight", "delay", "tau", "i", "U"]), max_size=3)
        | st.sampled_from(["weight", 5])
    )
    return rows, names


@pytest.mark.parametrize("sim", BACKENDS, indirect=True)
@SETTINGS
@given(case=connection_lists())
def test_connection_lists(sim, case):
    rows, names = case
    sim.setup(timestep=0.1)
    connector = outcome(lambda: sim.FromListConnector(rows, column_names=names))
    if connector is None:
        return
    pre = sim.Population(4, sim.SpikeSourceArray(spike_times=[1.0]), label="pre")
    post = sim.Population(3, sim.IF_cond_exp(), label="post")
    prj = outcome(lambda: sim.Projection(pre, post, connector, sim.StaticSynapse(), label="prj"))
    if prj is None:
        return
    pairs = _assert_within(prj, 4, 3)
    assert pairs == sorted((int(float(r[0])), int(float(r[1]))) for r in rows)


TOKENS = st.sampled_from(
    "0 1 2 3 7 -1 0.5 nan inf 1e400 0.01 x # \t ,".split(" ")
    + ["# columns = ['i', 'j']", "# columns = ['i', 'j', 'weight', 'delay']"]
    + ["# columns = ['i', 'j', 'weight'", "# columns = 5", "# label = x"]
)
TEXT_LINES = st.lists(st.lists(TOKENS, max_size=5).map(" ".join), max_size=6).map("\n".join)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("connection_files")


@pytest.mark.parametrize("sim", BACKENDS, indirect=True)
@SETTINGS
@given(
    content=st.binary(max_size=200) | TEXT_LINES | st.text(max_size=100),
    name=st.sampled_from(["conn.txt", "conn.npy", "conn"]),
)
def test_connection_files(sim, folder, content, name):
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    sim.setup(timestep=0.1)
    pre = sim.Population(4, sim.SpikeSourceArray(spike_times=[1.0]), label="pre")
    post = sim.Population(3, sim.IF_cond_exp(), label="post")
    prj = outcome(
        lambda: sim.Projection(
            pre,
            post,
            sim.FromFileConnector(str(path)),
            sim.StaticSynapse(weight=0.01),
            label="prj",
        )  # fmt: skip
    )
    if prj is not None:
        _assert_within(prj, 4, 3)


PARAMETER_VALUES = (
    HOSTILE_FLOATS
    | st.floats(-100.0, 100.0)
    | st.integers(-(10**3), 10**3)
    | st.sampled_from([10**400, -(10**400), None, True, "x", "1.0", [1.0, 2.0], [1.0], 1j])
    | st.lists(HOSTILE_FLOATS, min_size=2, max_size=2).map(np.array)
)


@pytest.mark.parametrize("sim", BACKENDS, indirect=True)
@SETTINGS
@given(data=st.data())
def test_cell_parameters(sim, data):
    names = list(sim.IF_cond_exp.default_parameters)
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=4))
    params = {name: data.draw(PARAMETER_VALUES, label=name) for name in chosen}
    sim.setup(timestep=0.1)
    population = outcome(lambda: sim.Population(2, sim.IF_cond_exp(**params), label="cells"))
    if population is None:
        return
    assert population.size == 2
    for name, value in params.items():  # a value that was accepted is the value kept
        got = np.asarray(population.get(name), dtype=float)
        assert np.all(np.isfinite(got))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            assert np.allclose(got, float(value), rtol=1e-12, atol=0) or math.isclose(
                float(np.ravel(got)[0]), float(value)
            )


FORMULA_TOKENS = st.sampled_from(
    "d d ( ) + - * / ** // % < & ~ , 0 1 2 0.5 1e309 9**9**9 inf pi exp( np.exp( where( "
    "minimum( log( sqrt( __import__ .real 'a' np lambda [ ]".split()
    + [" "]
)
FORMULAS = st.lists(FORMULA_TOKENS, min_size=1, max_size=12).map("".join)


def _formula_use(sim, use, text):
    """(connector, synapse) with ``text`` as the d_expression, the weight or the delay."""
    if use == "d_expression":
        return sim.DistanceDependentProbabilityConnector(text), sim.StaticSynapse()
    return sim.AllToAllConnector(), sim.StaticSynapse(**{use: text})


@pytest.mark.parametrize("sim", BACKENDS, indirect=True)
@SETTINGS
@given(text=FORMULAS, use=st.sampled_from(["d_expression", "weight", "delay"]))
def test_formulas(sim, text, use):
    """A formula is refused by name when compiled, or where a value it gives is unusable
    (NaN, inf, a probability outside [0, 1], a negative weight); else its values are used."""
    sim.setup(timestep=0.1)
    made = outcome(lambda: _formula_use(sim, use, text))
    if made is None:
        return
    pre = sim.Population(3, sim.SpikeSourceArray(spike_times=[1.0]), label="pre")
    post = sim.Population(3, sim.IF_cond_exp(), label="post")
    prj = outcome(lambda: sim.Projection(pre, post, *made, label="prj"))
    if prj is None:
        return
    _assert_within(prj, 3, 3)
    for name in ("weight", "delay"):
        values = np.asarray([v for _, _, v in prj.get(name, format="list")], dtype=float)
        assert np.all(np.isfinite(values)), (name, values)
