"""Hostile connector arguments, connection lists, connection files and formulas, refused by
name in the common layer before any connection is made, identically on every backend.

Each refused case asserts the error class and message fragments naming the connector, the
argument and the value (a list's row, a file's path and line, a formula's text), then that
the same simulation still builds, runs and returns data (``follow_up``).  Each accepted case
checks that a legitimate edge value (PyNN's own semantics, such as ``n`` above the pool
without replacement) still connects.  ``$PYNN_UNI_MEMORY_LIMIT`` stands in for a small
machine, so an absurd count is refused here as it would be on any machine.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from pynn_uni import errors
from pynn_uni.common import budget
from pynn_uni.common.simulation import current_simulation

NAN, INF = float("nan"), float("inf")
GiB = 2**30


@pytest.fixture(autouse=True)
def small_machine(monkeypatch):
    monkeypatch.setenv(budget.LIMIT_ENV, str(GiB))


def _cells(s, n=3, label="post", **params):
    return s.Population(n, s.IF_cond_exp(**params), label=label)


def _prj(s, connector, synapse=None, n_pre=3, n_post=3):
    """A projection 'prj' from ``n_pre`` spike sources to ``n_post`` cells; both sides are
    laid out on PyNN's default line (cell i at x = i µm), so pair i -> i is at d = 0."""
    pre = s.Population(n_pre, s.SpikeSourceArray(spike_times=[1.0]), label="pre")
    synapse = synapse if synapse is not None else s.StaticSynapse(weight=0.01)
    return s.Projection(pre, _cells(s, n_post), connector, synapse, label="prj")


def _file(tmp, name: str, content: str | bytes) -> str:
    path = tmp / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return str(path)


def _from_file(s, tmp, name, content):
    path = _file(tmp, name, content)
    return path, lambda: _prj(s, s.FromFileConnector(path))


HEADER = "# columns = ['i', 'j', 'weight', 'delay']\n"
#: formulas a hostile user tries, refused when compiled (as a d_expression and as a weight)
FORMULAS = [
    ("deep-parentheses", "(" * 10000 + "d" + ")" * 10000, ["longer than 10000"]),
    ("deep-unary", "-" * 300 + "d", ["nested more than 200"]),
    ("deep-sum", "d+" * 300 + "d", ["nested more than 200"]),
    ("huge-literal", "1e309 * d", ["'1e309 * d'", "float range"]),
    ("huge-power", "9**9**9*0.0+0.01", ["too large"]),
    ("constant-overflow", "1e308 * 10 + d", ["gives inf"]),
    ("constant-division", "d + 1/0", ["1 / 0", "divides by zero"]),
    ("complex-constant", "(-8.0)**(1/3) + d", ["not a real number"]),
    ("import", "__import__('os')", ["unknown name '__import__'"]),
    ("dunder-attribute", "d.__class__", ["'__class__'", "not allowed"]),
    ("module-attribute", "np.__dict__", ["'__dict__'", "not allowed"]),
    ("out-argument", "exp(d, d)", ["exp()", "1 argument"]),
    ("where-one-argument", "where(d < 1)", ["where()", "3 arguments"]),
    ("bare-function", "np.exp + d", ["'np.exp'", "call it"]),
    ("chained-comparison", "0 < d < 5", ["chained comparison"]),
    ("lambda", "(lambda: 1)()", ["only plain calls"]),
    ("comprehension", "[d for d in (1, 2)]", ["not allowed"]),
]


def _formula(kind, text):
    """Compile ``text`` as a connector's d_expression or as a synapse weight."""
    if kind == "d_expression":
        return lambda s, t: s.DistanceDependentProbabilityConnector(text)
    return lambda s, t: s.StaticSynapse(weight=text)


# -- refused: (id, callable(sim, tmp_path), error class, message fragments) ---------------------
# fmt: off
REFUSED = [
    # counts: absurd, negative, not ints
    ("FixedTotalNumber(10**12)", lambda s, t: s.FixedTotalNumberConnector(10**12),
     errors.ResourceLimitError, ["FixedTotalNumberConnector", "n=1000000000000", "memory"]),
    ("FixedNumberPre(10**12)", lambda s, t: s.FixedNumberPreConnector(10**12),
     errors.ResourceLimitError, ["FixedNumberPreConnector", "n=1000000000000"]),
    ("FixedNumberPre(2e7)-projection", lambda s, t: _prj(s, s.FixedNumberPreConnector(2 * 10**7)),
     errors.ResourceLimitError, ["FixedNumberPreConnector", "'prj'", "connections"]),
    ("FixedNumberPre(2e7)-replacement",
     lambda s, t: _prj(s, s.FixedNumberPreConnector(2 * 10**7, with_replacement=True)),
     errors.ResourceLimitError, ["FixedNumberPreConnector", "'prj'"]),
    ("FixedNumberPost(2e7)-projection",
     lambda s, t: _prj(s, s.FixedNumberPostConnector(2 * 10**7)),
     errors.ResourceLimitError, ["FixedNumberPostConnector", "'prj'"]),
    ("FixedNumberPre(-1)", lambda s, t: s.FixedNumberPreConnector(-1),
     errors.InvalidParameterValueError, ["FixedNumberPreConnector", "n must", "-1"]),
    ("FixedNumberPre(2.0)", lambda s, t: s.FixedNumberPreConnector(2.0),
     errors.InvalidParameterValueError, ["FixedNumberPreConnector", "2.0", "float"]),
    ("FixedNumberPost(True)", lambda s, t: s.FixedNumberPostConnector(True),
     errors.InvalidParameterValueError, ["FixedNumberPostConnector", "True", "bool"]),
    ("FixedNumberPre(None)", lambda s, t: s.FixedNumberPreConnector(None),
     errors.InvalidParameterValueError, ["n must", "None"]),
    ("FixedNumberPre(nan)", lambda s, t: s.FixedNumberPreConnector(NAN),
     errors.InvalidParameterValueError, ["n must", "nan"]),
    ("FixedNumberPre('3')", lambda s, t: s.FixedNumberPreConnector("3"),
     errors.InvalidParameterValueError, ["n must", "'3'"]),
    ("FixedTotalNumber(-5)", lambda s, t: s.FixedTotalNumberConnector(-5),
     errors.InvalidParameterValueError, ["FixedTotalNumberConnector", "-5"]),
    ("with_replacement='no'", lambda s, t: s.FixedNumberPreConnector(2, with_replacement="no"),
     errors.InvalidParameterValueError, ["with_replacement", "'no'"]),
    ("FixedTotalNumber-beyond-pairs",
     lambda s, t: _prj(s, s.FixedTotalNumberConnector(10, with_replacement=False)),
     errors.InvalidParameterValueError, ["FixedTotalNumberConnector", "'prj'", "n=10", "9 pairs"]),
    ("FixedNumberPre-no-cell-to-choose",
     lambda s, t: (lambda p: s.Projection(p, p, s.FixedNumberPreConnector(
         1, allow_self_connections=False), s.StaticSynapse(weight=0.01), label="prj"))(
         _cells(s, 1)),
     errors.ConnectionError, ["FixedNumberPreConnector", "'prj'", "no cells"]),
    # probabilities
    ("p=1.5", lambda s, t: s.FixedProbabilityConnector(1.5),
     errors.InvalidParameterValueError, ["FixedProbabilityConnector", "p_connect", "1.5"]),
    ("p=-0.1", lambda s, t: s.FixedProbabilityConnector(-0.1),
     errors.InvalidParameterValueError, ["p_connect", "-0.1"]),
    ("p=nan", lambda s, t: s.FixedProbabilityConnector(NAN),
     errors.InvalidParameterValueError, ["p_connect", "nan"]),
    ("p=inf", lambda s, t: s.FixedProbabilityConnector(INF),
     errors.InvalidParameterValueError, ["p_connect", "inf"]),
    ("p=None", lambda s, t: s.FixedProbabilityConnector(None),
     errors.InvalidParameterValueError, ["p_connect", "None"]),
    ("p=True", lambda s, t: s.FixedProbabilityConnector(True),
     errors.InvalidParameterValueError, ["p_connect", "True"]),
    ("p='0.5'", lambda s, t: s.FixedProbabilityConnector("0.5"),
     errors.InvalidParameterValueError, ["p_connect", "'0.5'"]),
    ("allow_self='maybe'", lambda s, t: s.AllToAllConnector(allow_self_connections="maybe"),
     errors.InvalidParameterValueError, ["allow_self_connections", "'maybe'"]),
    ("rng=numpy-generator",
     lambda s, t: s.FixedProbabilityConnector(0.5, rng=np.random.default_rng(1)),
     errors.InvalidParameterValueError, ["FixedProbabilityConnector", "rng", "Generator"]),
    # sizes and shapes
    ("AllToAll-weight-array-shape",
     lambda s, t: _prj(s, s.AllToAllConnector(), s.StaticSynapse(weight=np.full((2, 2), 0.01))),
     errors.InvalidDimensionsError, ["'prj'", "weight", "(2, 2)", "(3, 3)"]),
    ("OneToOne-weight-list-length",
     lambda s, t: _prj(s, s.OneToOneConnector(), s.StaticSynapse(weight=[0.01] * 4)),
     errors.InvalidDimensionsError, ["'prj'", "weight", "4 values"]),
    ("Array-not-boolean", lambda s, t: s.ArrayConnector(np.full((3, 3), 0.5)),
     errors.InvalidParameterValueError, ["ArrayConnector", "boolean", "0.5"]),
    ("Array-strings", lambda s, t: s.ArrayConnector(np.array([["a", "b"], ["c", "d"]])),
     errors.InvalidParameterValueError, ["ArrayConnector", "boolean", "'a'"]),
    ("Array-1d", lambda s, t: s.ArrayConnector([True, False]),
     errors.InvalidDimensionsError, ["ArrayConnector", "2-D", "(2,)"]),
    ("Array-ragged", lambda s, t: s.ArrayConnector([[True, False], [True]]),
     errors.InvalidDimensionsError, ["ArrayConnector", "different lengths"]),
    ("Array-wrong-shape", lambda s, t: _prj(s, s.ArrayConnector(np.ones((2, 3), bool))),
     errors.InvalidDimensionsError, ["ArrayConnector", "(2, 3)", "'prj'", "3 x 3"]),
    # probabilities from formulas and functions, checked where they are used
    ("d_expression-nan", lambda s, t: _prj(s, s.DistanceDependentProbabilityConnector("0/d")),
     errors.InvalidParameterValueError,
     ["DistanceDependentProbabilityConnector", "'prj'", "d_expression '0/d'", "nan", "d = 0"]),
    ("d_expression>1", lambda s, t: _prj(s, s.DistanceDependentProbabilityConnector("1 + d")),
     errors.InvalidParameterValueError, ["d_expression '1 + d'", "2.0", "[0, 1]"]),
    ("d_expression-power-chain",
     lambda s, t: _prj(s, s.DistanceDependentProbabilityConnector("d**d**d")),
     errors.InvalidParameterValueError, ["'d**d**d'", "16.0", "d = 2"]),
    ("d_expression-overflow",
     lambda s, t: _prj(s, s.DistanceDependentProbabilityConnector("exp(1000 * d) * 0")),
     errors.InvalidParameterValueError, ["'exp(1000 * d) * 0'", "nan"]),
    ("d_expression-negative", lambda s, t: s.DistanceDependentProbabilityConnector("-d"),
     errors.InvalidParameterValueError, ["'-d'", "negative"]),
    ("d_expression-wrong-shape",
     lambda s, t: _prj(s, s.DistanceDependentProbabilityConnector(lambda d: np.ones(7))),
     errors.InvalidDimensionsError, ["d_expression <lambda>", "shape (7,)"]),
    ("d_expression-strings",
     lambda s, t: _prj(s, s.DistanceDependentProbabilityConnector(lambda d: "often")),
     errors.InvalidParameterValueError, ["d_expression <lambda>", "str", "not probabilities"]),
    ("d_expression=None", lambda s, t: s.DistanceDependentProbabilityConnector(None),
     errors.InvalidParameterValueError, ["d_expression", "None"]),
    ("d_expression=12", lambda s, t: s.DistanceDependentProbabilityConnector(12),
     errors.InvalidParameterValueError, ["d_expression", "12"]),
    # synapse values from formulas: division by zero and overflow refused where used
    ("weight-division-by-zero",
     lambda s, t: _prj(s, s.AllToAllConnector(), s.StaticSynapse(weight="0.01/d")),
     errors.InvalidWeightError, ["'prj'", "weight '0.01/d'", "inf", "0 -> 0", "d = 0"]),
    ("weight-overflow",
     lambda s, t: _prj(s, s.AllToAllConnector(), s.StaticSynapse(weight="0.01 * exp(1000*d)")),
     errors.InvalidWeightError, ["'0.01 * exp(1000*d)'", "inf", "d = 1"]),
    ("weight-function-nan",
     lambda s, t: _prj(s, s.AllToAllConnector(), s.StaticSynapse(weight=lambda d: d * NAN)),
     errors.InvalidWeightError, ["'prj'", "weight <lambda>", "nan"]),
    ("delay-division-by-zero",
     lambda s, t: _prj(s, s.AllToAllConnector(), s.StaticSynapse(weight=0.01, delay="1/d")),
     errors.ConnectionError, ["'prj'", "delay '1/d'", "inf"]),
    # connection lists
    ("list-ragged", lambda s, t: s.FromListConnector([(0, 0), (1, 1, 0.01)]),
     errors.InvalidDimensionsError, ["FromListConnector", "row 1", "3 entries", "row 0 has 2"]),
    ("list-word", lambda s, t: s.FromListConnector([(0, 0), (1, "a")]),
     errors.InvalidParameterValueError, ["FromListConnector", "row 1", "'a'", "not a number"]),
    ("list-object", lambda s, t: s.FromListConnector([(0, 0), (1, object())]),
     errors.InvalidParameterValueError, ["row 1", "not a number"]),
    ("list-nested", lambda s, t: s.FromListConnector([(0, 0), ((1, 2), 1)]),
     errors.InvalidParameterValueError, ["row 1"]),
    ("list-nan-index", lambda s, t: s.FromListConnector([(0, 0), (NAN, 1)]),
     errors.InvalidParameterValueError, ["row 1", "presynaptic index nan", "finite"]),
    ("list-inf-index", lambda s, t: s.FromListConnector([(0, 0), (1, INF)]),
     errors.InvalidParameterValueError, ["row 1", "postsynaptic index inf"]),
    ("list-None-index", lambda s, t: s.FromListConnector([(0, 0), (None, 1)]),
     errors.InvalidParameterValueError, ["row 1", "nan"]),
    ("list-float-index", lambda s, t: s.FromListConnector([(0, 0), (1.5, 1)]),
     errors.InvalidParameterValueError, ["row 1", "1.5", "whole number"]),
    ("list-negative-index", lambda s, t: s.FromListConnector([(0, 0), (1, 1), (-1, 2)]),
     errors.InvalidParameterValueError, ["row 2", "-1.0", "negative"]),
    ("list-index-beyond", lambda s, t: _prj(s, s.FromListConnector([(0, 0), (1, 7)])),
     errors.InvalidDimensionsError,
     ["FromListConnector", "postsynaptic index 7", "row 1", "'prj'", "3 postsynaptic"]),
    ("list-pre-index-beyond", lambda s, t: _prj(s, s.FromListConnector([(3, 0)])),
     errors.InvalidDimensionsError, ["presynaptic index 3", "row 0"]),
    ("list-not-a-parameter",
     lambda s, t: _prj(s, s.FromListConnector([(0, 0, 0.5)], column_names=["tau"])),
     errors.NonExistentParameterError, ["'prj'", "'tau'", "weight"]),
    ("list-too-many-names",
     lambda s, t: s.FromListConnector([(0, 1, 0.01)], column_names=["weight", "delay"]),
     errors.InvalidParameterValueError, ["1 value columns", "2 column names"]),
    ("list-too-few-names",
     lambda s, t: s.FromListConnector([(0, 1, 0.01, 1.0)], column_names=["weight"]),
     errors.InvalidParameterValueError, ["2 value columns", "1 column names"]),
    ("list-names-a-string",
     lambda s, t: s.FromListConnector([(0, 1, 0.01)], column_names="weight"),
     errors.InvalidParameterValueError, ["column_names", "'weight'"]),
    ("list-names-repeated",
     lambda s, t: s.FromListConnector([(0, 1, 0.01, 0.02)], column_names=["weight", "weight"]),
     errors.InvalidParameterValueError, ["column_names", "repeat", "weight"]),
    ("list-names-index", lambda s, t: s.FromListConnector([(0, 1, 0)], column_names=["i"]),
     errors.InvalidParameterValueError, ["column_names", "'i'"]),
    ("list-None", lambda s, t: s.FromListConnector(None),
     errors.InvalidParameterValueError, ["FromListConnector", "conn_list", "None"]),
    ("list-a-string", lambda s, t: s.FromListConnector("0 1"),
     errors.InvalidParameterValueError, ["conn_list", "'0 1'"]),
    ("list-one-column", lambda s, t: s.FromListConnector([(0,), (1,)]),
     errors.InvalidDimensionsError, ["conn_list", "(2, 1)"]),
    ("list-weight-nan",
     lambda s, t: _prj(s, s.FromListConnector([(0, 0, NAN, 1.0)])),
     errors.InvalidWeightError, ["'prj'", "weight", "finite"]),
    # connection files: the path and the line, never a raw numpy or pickle exception
    ("file-missing", lambda s, t: _prj(s, s.FromFileConnector(str(t / "nothing.txt"))),
     errors.DataFileError, ["FromFileConnector", "nothing.txt", "does not exist"]),
    ("file-folder", lambda s, t: _prj(s, s.FromFileConnector(str(t))),
     errors.DataFileError, ["FromFileConnector", "is a folder"]),
    ("file-empty", lambda s, t: _from_file(s, t, "empty.txt", "")[1](),
     errors.DataFileError, ["empty.txt", "empty"]),
    ("file-blank-lines", lambda s, t: _from_file(s, t, "blank.txt", "\n  \n\n")[1](),
     errors.DataFileError, ["blank.txt", "empty"]),
    ("file-binary", lambda s, t: _from_file(s, t, "binary.txt", bytes(range(256)))[1](),
     errors.DataFileError, ["binary.txt", "not a text file", "offset 128", "line 2"]),
    ("file-nul-bytes", lambda s, t: _from_file(s, t, "nul.txt", "0 0\n1\x001\n")[1](),
     errors.DataFileError, ["nul.txt", "NUL", "line 2"]),
    ("file-ragged", lambda s, t: _from_file(s, t, "ragged.txt", "0 0 0.01 1\n1 1 0.01\n")[1](),
     errors.DataFileError, ["ragged.txt", "line 2 has 3 columns", "line 1 has 4"]),
    ("file-word", lambda s, t: _from_file(s, t, "word.txt", "0 0 0.01 1\n\n1 x 0.01 1\n")[1](),
     errors.DataFileError, ["word.txt", "line 3", "'x'", "not a number"]),
    ("file-header-unparsable",
     lambda s, t: _from_file(s, t, "hdr.txt", "# columns = ['i', 'j', 'weight'\n0 0 0.01\n")[1](),
     errors.DataFileError, ["hdr.txt", "line 1", "columns"]),
    ("file-header-not-names",
     lambda s, t: _from_file(s, t, "hdr2.txt", "# label = x\n# columns = 5\n0 0\n")[1](),
     errors.DataFileError, ["hdr2.txt", "line 2", "5"]),
    ("file-header-width",
     lambda s, t: _from_file(s, t, "width.txt", HEADER + "0 0 0.01\n")[1](),
     errors.DataFileError, ["width.txt", "3 columns", "header (line 1) names 4"]),
    ("file-three-columns", lambda s, t: _from_file(s, t, "three.txt", "0 0 0.01\n")[1](),
     TypeError, ["FromFileConnector", "three.txt", "column_names"]),
    ("file-index-beyond",
     lambda s, t: _from_file(s, t, "far.txt", HEADER + "0 0 0.01 1\n\n# note\n5 0 0.01 1\n")[1](),
     errors.InvalidDimensionsError, ["presynaptic index 5", "line 5", "far.txt", "'prj'"]),
    ("file-nan-index", lambda s, t: _from_file(s, t, "nan.txt", HEADER + "nan 0 0.01 1\n")[1](),
     errors.InvalidParameterValueError, ["nan.txt", "line 2", "presynaptic index nan"]),
    ("file-float-index", lambda s, t: _from_file(s, t, "half.txt", "0 0\n0.5 1\n")[1](),
     errors.InvalidParameterValueError, ["half.txt", "line 2", "0.5", "whole number"]),
    ("file-npy-garbage", lambda s, t: _from_file(s, t, "junk.npy", b"\x93NUMPY garbage")[1](),
     errors.DataFileError, ["junk.npy", ".npy"]),
    ("file-npy-pickled",
     lambda s, t: (np.save(t / "obj.npy", np.array([{"a": 1}], dtype=object)),
                   _prj(s, s.FromFileConnector(str(t / "obj.npy")))),
     errors.DataFileError, ["obj.npy", "Object arrays"]),
    ("file=None", lambda s, t: s.FromFileConnector(None),
     errors.InvalidParameterValueError, ["FromFileConnector", "file", "None"]),
    # other connectors and the common arguments
    ("callback=5", lambda s, t: s.AllToAllConnector(callback=5),
     errors.InvalidParameterValueError, ["AllToAllConnector", "callback", "5"]),
    ("SmallWorld-degree-nan", lambda s, t: s.SmallWorldConnector(NAN, 0.1),
     errors.InvalidParameterValueError, ["SmallWorldConnector", "degree", "nan"]),
    ("SmallWorld-degree-None", lambda s, t: s.SmallWorldConnector(None, 0.1),
     errors.InvalidParameterValueError, ["SmallWorldConnector", "degree", "None"]),
    ("SmallWorld-rewiring-2", lambda s, t: s.SmallWorldConnector(1.0, 2),
     errors.InvalidParameterValueError, ["rewiring", "2"]),
    ("SmallWorld-n_connections-1.5",
     lambda s, t: s.SmallWorldConnector(1.0, 0.1, n_connections=1.5),
     errors.InvalidParameterValueError, ["n_connections", "1.5"]),
    ("Clone-not-a-projection", lambda s, t: s.CloneConnector(None),
     errors.InvalidParameterValueError, ["CloneConnector", "reference_projection", "NoneType"]),
]
REFUSED += [
    (f"{kind}-{case}", _formula(kind, text), errors.InvalidParameterValueError, fragments)
    for kind in ("d_expression", "weight")
    for case, text, fragments in FORMULAS
]
# fmt: on


@pytest.mark.parametrize(
    "call, error, fragments", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_refused(assert_refused, sim, follow_up, tmp_path, call, error, fragments):
    assert_refused(call, error, fragments, sim, tmp_path)
    assert "prj" not in [p.label for p in current_simulation().projections]
    follow_up(sim)


@pytest.mark.skipif(importlib.util.find_spec("csa") is not None, reason="csa is installed")
def test_csa_without_the_package_says_so(sim, follow_up):
    with pytest.raises(ImportError, match="CSAConnector needs the 'csa' package"):
        sim.CSAConnector(None)
    follow_up(sim)


def test_a_raising_callback_leaves_no_connection(sim, follow_up):
    """The callback's own error propagates, and the connections already handed to the
    backend are undone: the postsynaptic cells receive nothing from the firing cells."""
    fractions = []

    def stop(fraction):
        fractions.append(fraction)
        raise RuntimeError("stop here")

    pre = _cells(sim, 2, "pre", i_offset=1.0)  # fire within 50 ms
    post = _cells(sim, 2)
    post.record("v")
    with pytest.raises(RuntimeError, match="stop here"):
        sim.Projection(
            pre, post, sim.AllToAllConnector(callback=stop), sim.StaticSynapse(weight=0.03),
            label="prj",
        )  # fmt: skip
    assert fractions == [1.0] and isinstance(fractions[0], float)
    assert "prj" not in [p.label for p in current_simulation().projections]
    sim.run(50.0)
    v = post.get_data().segments[-1].analogsignals[0].magnitude
    assert v.max() < -64.0, "a connection of the failed projection delivered input"
    follow_up(sim)


# -- accepted: legitimate edge values still connect ---------------------------------------------
def _pairs(prj):
    return sorted((int(i), int(j)) for i, j in prj.get([], format="list"))


def _one_to_one_unequal(s):
    # PyNN's map is i == j over pre x post: the diagonal of the smaller side
    assert _pairs(_prj(s, s.OneToOneConnector(), n_post=2)) == [(0, 0), (1, 1)]


def _more_than_the_pool(s):
    # PyNN without replacement: every cell once per full round, then a random subset
    prj = _prj(s, s.FixedNumberPreConnector(5, rng=s.NumpyRNG(seed=3)))
    counts = np.bincount([j for _, j in _pairs(prj)], minlength=3)
    assert counts.tolist() == [5, 5, 5]
    assert len(set(_pairs(prj))) == 9  # each pre cell reaches each post cell at least once


def _duplicates_connect_twice(s):
    assert _pairs(_prj(s, s.FromListConnector([(0, 1), (0, 1), (2, 2)]))) == [
        (0, 1), (0, 1), (2, 2)]  # fmt: skip


def _empty_list(s):
    assert _pairs(_prj(s, s.FromListConnector([]))) == []


def _saved_empty_file(s, tmp):
    path = _file(tmp, "none.txt", HEADER)  # what Projection.save writes for no connections
    assert _pairs(_prj(s, s.FromFileConnector(path))) == []


def _file_with_comments(s, tmp):
    # (delays below the follow-up's first spike: NEST relays spike sources by the least delay)
    path = _file(tmp, "notes.txt", HEADER + "# a note\n0 1 0.01 0.5  # trailing\n\n2 2 0.01 0.5\n")
    assert _pairs(_prj(s, s.FromFileConnector(path))) == [(0, 1), (2, 2)]


def _callback_returning_none(s):
    fractions = []
    prj = _prj(s, s.AllToAllConnector(callback=lambda f: fractions.append(f)))
    assert prj.size() == 9 and fractions[-1] == 1.0


def _probability_edges(s):
    assert _prj(s, s.FixedProbabilityConnector(0.0)).size() == 0
    assert _prj(s, s.FixedProbabilityConnector(1)).size() == 9
    assert _prj(s, s.FixedProbabilityConnector(np.float32(1.0))).size() == 9


def _zero_counts(s):
    assert _prj(s, s.FixedNumberPreConnector(np.int64(0))).size() == 0
    assert _prj(s, s.FixedTotalNumberConnector(0)).size() == 0


def _boolean_formula(s):
    assert _pairs(_prj(s, s.DistanceDependentProbabilityConnector("d < 0.5"))) == [
        (0, 0), (1, 1), (2, 2)]  # fmt: skip


def _zero_one_array(s):
    assert _pairs(_prj(s, s.ArrayConnector(np.eye(3, dtype=int)))) == [(0, 0), (1, 1), (2, 2)]


def _expected_connections(s):
    assert s.AllToAllConnector().expected_connections(3, 4) == 12
    assert s.OneToOneConnector().expected_connections(3, 4) == 3
    assert s.FixedTotalNumberConnector(7).expected_connections(3, 4) == 7
    assert s.FixedNumberPreConnector(2).expected_connections(3, 4) == 8
    assert s.FixedNumberPostConnector(2).expected_connections(3, 4) == 6
    assert s.FixedProbabilityConnector(0.5).expected_connections(3, 4) == pytest.approx(6.0)
    assert s.FromListConnector([(0, 0), (1, 1)]).expected_connections(3, 4) == 2
    assert s.DistanceDependentProbabilityConnector("d < 1").expected_connections(3, 4) is None


ACCEPTED = [
    ("OneToOne-3x2", _one_to_one_unequal),
    ("FixedNumberPre-n-above-pool", _more_than_the_pool),
    ("FromList-duplicates", _duplicates_connect_twice),
    ("FromList-empty", _empty_list),
    ("FromFile-header-only", _saved_empty_file),
    ("FromFile-comments", _file_with_comments),
    ("callback-returns-None", _callback_returning_none),
    ("p=0-and-1", _probability_edges),
    ("n=0", _zero_counts),
    ("boolean-d_expression", _boolean_formula),
    ("Array-0/1", _zero_one_array),
    ("expected_connections", _expected_connections),
]


@pytest.mark.parametrize("call", [c[1] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_accepted(sim, follow_up, tmp_path, call):
    if call.__code__.co_argcount == 2:
        call(sim, tmp_path)
    else:
        call(sim)
    follow_up(sim)
