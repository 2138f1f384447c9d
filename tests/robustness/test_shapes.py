"""Malformed sizes and indices, refused by name in the common layer on every backend.

A size is a non-negative int (numpy integers too): ``Population(True)`` made one cell,
``Population(1.5)`` or ``('3')`` are not sizes.  An index keeps PyNN's meaning for ints,
slices, integer arrays and boolean masks of the group's length; a float, a bool, a string
or a mask of the wrong length is refused (``p[1.5]`` was cell 1).  ``sample(n)`` draws at
most the group's size.  Each refusal names the group and the offending value, and the same
simulation still builds, runs and returns data afterwards (``follow_up``).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest

from pynn_uni import errors
from pynn_uni.common.selection import normalise_selector


def _pop(s, n=4, label="p"):
    return s.Population(n, s.IF_cond_exp(), label=label)


def _asm(s):
    return _pop(s, 3, "a") + _pop(s, 2, "b")


def _new(s, size):
    return s.Population(size, s.IF_cond_exp(), label="new")


SizeError = errors.InvalidDimensionsError

# -- refused: (id, callable(sim), error, message fragments) --------------------------------------
# fmt: off
REFUSED = [
    # sizes
    ("Population(True)", lambda s: _new(s, True), SizeError, ["Population()", "True", "bool"]),
    ("Population(False)", lambda s: _new(s, False), SizeError, ["False"]),
    ("Population(np.True_)", lambda s: _new(s, np.True_), SizeError, ["True"]),
    ("Population(1.5)", lambda s: _new(s, 1.5), SizeError, ["non-negative int", "1.5", "float"]),
    ("Population(2.0)", lambda s: _new(s, 2.0), SizeError, ["2.0", "float"]),
    ("Population(np.float64(2))", lambda s: _new(s, np.float64(2.0)), SizeError, ["2.0"]),
    ("Population('3')", lambda s: _new(s, "3"), SizeError, ["'3'", "str"]),
    ("Population(None)", lambda s: _new(s, None), SizeError, ["None"]),
    ("Population(-1)", lambda s: _new(s, -1), SizeError, ["non-negative", "-1"]),
    ("Population([3])", lambda s: _new(s, [3]), SizeError, ["[3]", "list"]),
    ("Population((2, 1.5))", lambda s: _new(s, (2, 1.5)), SizeError, ["(2, 1.5)", "1.5"]),
    ("Population((True, 2))", lambda s: _new(s, (True, 2)), SizeError, ["True", "bool"]),
    ("Population((2, -1))", lambda s: _new(s, (2, -1)), SizeError, ["-1"]),
    # single indices
    ("p[1.5]", lambda s: _pop(s)[1.5], TypeError, ["Population 'p'", "1.5", "float"]),
    ("p[True]", lambda s: _pop(s)[True], TypeError, ["'p'", "True", "bool"]),
    ("p[np.False_]", lambda s: _pop(s)[np.False_], TypeError, ["'p'", "False"]),
    ("p['a']", lambda s: _pop(s)["a"], TypeError, ["'p'", "'a'", "str"]),
    ("p[None]", lambda s: _pop(s)[None], TypeError, ["'p'", "None"]),
    ("p[1+0j]", lambda s: _pop(s)[1 + 0j], TypeError, ["'p'", "complex"]),
    ("p[4]", lambda s: _pop(s)[4], IndexError, ["'p'", "index 4", "size 4"]),
    ("p[-5]", lambda s: _pop(s)[-5], IndexError, ["'p'", "-5"]),
    ("p[np.int64(9)]", lambda s: _pop(s)[np.int64(9)], IndexError, ["'p'", "9"]),
    # arrays, masks, slices
    ("p[[0, 1.5]]", lambda s: _pop(s)[[0, 1.5]], TypeError, ["'p'", "integers", "1.5"]),
    ("p[float-array]", lambda s: _pop(s)[np.array([0.0, 1.0])], TypeError, ["'p'", "float64"]),
    ("p[['a', 'b']]", lambda s: _pop(s)[["a", "b"]], TypeError, ["'p'", "'a'"]),
    ("p[[0, 9]]", lambda s: _pop(s)[[0, 9]], IndexError, ["'p'", "index 9", "size 4"]),
    ("p[[-5]]", lambda s: _pop(s)[[-5]], IndexError, ["'p'", "-5"]),
    ("p[2-d]", lambda s: _pop(s)[np.array([[0, 1], [2, 3]])], SizeError,
     ["'p'", "one-dimensional", "(2, 2)"]),
    ("p[mask-short]", lambda s: _pop(s)[[True, False]], SizeError,
     ["'p'", "mask of length 2", "size 4"]),
    ("p[mask-long]", lambda s: _pop(s)[np.ones(5, bool)], SizeError, ["length 5", "size 4"]),
    ("p[0:1.5]", lambda s: _pop(s)[0:1.5], TypeError, ["'p'", "slice", "1.5"]),
    ("p[::0]", lambda s: _pop(s)[::0], ValueError, ["step"]),
    ("PopulationView(p, 7)", lambda s: s.PopulationView(_pop(s), 7), IndexError, ["'p'", "7"]),
    # sample
    ("p.sample(10)", lambda s: _pop(s).sample(10), errors.InvalidParameterValueError,
     ["'p'.sample()", "n=10", "4 cells"]),
    ("p.sample(-1)", lambda s: _pop(s).sample(-1), errors.InvalidParameterValueError, ["n=-1"]),
    ("p.sample(1.5)", lambda s: _pop(s).sample(1.5), errors.InvalidParameterValueError,
     ["sample()", "1.5"]),
    ("p.sample(True)", lambda s: _pop(s).sample(True), errors.InvalidParameterValueError,
     ["True"]),
    # views
    ("view[2]", lambda s: _pop(s)[1:3][2], IndexError, ["PopulationView", "index 2", "size 2"]),
    ("view[0.5]", lambda s: _pop(s)[1:3][0.5], TypeError, ["PopulationView", "0.5"]),
    ("view[mask-long]", lambda s: _pop(s)[1:3][[True, True, True]], SizeError,
     ["PopulationView", "length 3", "size 2"]),
    ("view.sample(3)", lambda s: _pop(s)[1:3].sample(3), errors.InvalidParameterValueError,
     ["PopulationView", "n=3", "2 cells"]),
    # assemblies
    ("asm[1.5]", lambda s: _asm(s)[1.5], TypeError, ["Assembly", "1.5"]),
    ("asm[True]", lambda s: _asm(s)[True], TypeError, ["Assembly", "True"]),
    ("asm['a']", lambda s: _asm(s)["a"], TypeError, ["Assembly", "'a'"]),
    ("asm[5]", lambda s: _asm(s)[5], IndexError, ["Assembly", "index 5", "size 5"]),
    ("asm[[0, 5]]", lambda s: _asm(s)[[0, 5]], IndexError, ["Assembly", "5"]),
    ("asm[mask-short]", lambda s: _asm(s)[[True] * 3], SizeError,
     ["Assembly", "length 3", "size 5"]),
    ("asm.sample(6)", lambda s: _asm(s).sample(6), errors.InvalidParameterValueError,
     ["Assembly", "n=6", "5 cells"]),
]
# fmt: on


@pytest.mark.parametrize("call, error, fragments", [c[1:] for c in REFUSED],
                         ids=[c[0] for c in REFUSED])  # fmt: skip
def test_refused(assert_refused, sim, follow_up, call, error, fragments):
    assert_refused(call, error, fragments, sim)
    follow_up(sim)


# -- accepted: PyNN's selectors keep their meaning ------------------------------------------------
def _ids(group) -> list[int]:
    return [int(c) for c in group]


def test_sizes_accepted(sim, follow_up):
    assert _new(sim, np.int64(3)).size == 3
    assert _new(sim, np.uint8(2)).size == 2
    grid = sim.Population((2, 3), sim.IF_cond_exp(), label="grid")
    assert grid.size == 6 and grid.positions.shape == (3, 6)
    follow_up(sim)


def test_indices_accepted(sim, follow_up):
    p = _pop(sim, 6)
    cells = _ids(p)
    assert int(p[np.int64(2)]) == cells[2] and int(p[-1]) == cells[5]
    assert _ids(p[1:4]) == cells[1:4] and _ids(p[::2]) == cells[::2]
    assert _ids(p[np.array([4, 0])]) == [cells[0], cells[4]]  # sorted, as PyNN's views
    assert _ids(p[[-1, 0]]) == [cells[0], cells[5]]
    assert _ids(p[(0, 2)]) == [cells[0], cells[2]]  # a tuple is a list of indices, as in PyNN
    assert _ids(p[np.array(3)]) == [cells[3]]  # a 0-d array: a view of one cell
    mask = np.array([True, False, True, False, False, True])
    assert _ids(p[mask]) == [cells[0], cells[2], cells[5]]
    assert _ids(p[list(mask)]) == [cells[0], cells[2], cells[5]]
    assert p[[]].size == 0 and p[np.array([], dtype=np.int64)].size == 0
    view = p[1:5]
    assert int(view[0]) == cells[1] and _ids(view[[True, False, False, True]]) == [
        cells[1],
        cells[4],
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicates are removed with a warning
        assert _ids(p[[1, 1]]) == [cells[1]]
    assert p.sample(6).size == 6 and p.sample(0).size == 0
    assert p.sample(np.int64(2)).size == 2
    follow_up(sim)


def test_assembly_indices_accepted(sim, follow_up):
    asm = _asm(sim)
    cells = _ids(asm)
    assert int(asm[np.int64(3)]) == cells[3] and int(asm[-1]) == cells[4]
    assert _ids(asm[[True, False, False, True, True]]) == [cells[0], cells[3], cells[4]]
    assert _ids(asm[1:4]) == cells[1:4]
    assert asm.sample(5).size == 5
    follow_up(sim)


def test_selection_is_vectorised():
    """Selectors over a million cells are one numpy pass (no Python loop per cell)."""
    n = 10**6
    start = time.perf_counter()
    assert normalise_selector(np.arange(n)[::-1].copy(), n).size == n
    assert normalise_selector(np.ones(n, bool), n).size == n
    with pytest.raises(IndexError, match=f"index {n}"):
        normalise_selector(np.arange(n + 1), n, "big")
    assert time.perf_counter() - start < 1.0
