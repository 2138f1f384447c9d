"""The connectors that :mod:`.connectivity` leaves out, realised on the simulator.

Every expected connection set is computed here from first principles (grid coordinates,
index rules, counting arguments), never from the connector, and compared with what the
backend reports through ``Projection.get`` / ``size``.  Positions are integer multiples
of 10 µm, so every distance and displacement tested against a threshold is exact.

Seeds: :func:`test_same_seed_same_connections_in_fresh_setups` shows that a seeded
connector gives the same connection list in two fresh ``setup()`` calls on one backend.
Every backend runs that same scenario on the same (backend-independent) draw, so identity
*across* backends follows from the per-backend checks with no second simulator loaded.

The target cell type is the first of :data:`._data.TARGET_CELL_TYPES` the backend
declares, and weights are small multiples of 0.001 (1 nS, or 1 pA on a current-based
cell), which a chip with a 1 nS or finer weight step holds exactly.  Delays are compared
as requested unless the backend declares one fixed delay (``min_delay == max_delay`` in
``[limits]``), in which case that delay must be reported.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from pynn_uni.connectors import IndexBasedExpression
from pynn_uni.testing.plugin import TIMESTEP, conformance_setup
from pynn_uni.testing.scenarios._analytic import assert_close
from pynn_uni.testing.scenarios._data import (
    W,
    connection_mask,
    connection_pairs,
    connection_table,
    expected_delays,
    source_and_cells,
    substituting_delays,
    target_cell_type,
)

pytestmark = pytest.mark.model("SpikeSourceArray")

#: grid spacing (µm)
DX = 10.0


# -- building blocks ----------------------------------------------------------------------


def _grid2d(sim, aspect_ratio: float = 1.0):
    return sim.space.Grid2D(aspect_ratio=aspect_ratio, dx=DX, dy=DX)


def _grid(nx: int, ny: int) -> np.ndarray:
    """Positions (N x 2) of a sequentially filled nx x ny Grid2D with spacing DX: PyNN
    fills y fastest, so cell k sits at (DX * (k // ny), DX * (k % ny))."""
    k = np.arange(nx * ny)
    return DX * np.column_stack([k // ny, k % ny]).astype(float)


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """pre x post Euclidean distances of the row-position arrays ``a`` and ``b``."""
    return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1))


def _connect(sim, pre, post, connector, **synapse):
    return sim.Projection(pre, post, connector, sim.StaticSynapse(**{"weight": W, **synapse}))


def _assert_mask(prj, expected: np.ndarray, what: str) -> None:
    got = connection_mask(prj)
    wrong = np.argwhere(got != expected)
    assert not wrong.size, (
        f"{what}: {len(wrong)} pairs differ from the expected set, first (i, j) = "
        f"{tuple(wrong[0])} (expected {'present' if expected[tuple(wrong[0])] else 'absent'})"
    )
    assert prj.size() == expected.sum(), f"{what}: {prj.size()} connections, {expected.sum()}"


# -- distance and displacement ------------------------------------------------------------
def test_distance_dependent_connects_exactly_the_pairs_within_range(sim, capabilities):
    """p = (d < r) on a 4 x 4 grid of spacing 10: the Moore neighbourhood for r = 15 (the
    diagonal is 14.1), the von Neumann one for a callable with r = 11; a recurrent
    projection without self connections loses only the diagonal."""
    pre, post = source_and_cells(sim, capabilities, 16, 16, _grid2d(sim))
    d = _distances(_grid(4, 4), _grid(4, 4))
    moore = _connect(sim, pre, post, sim.DistanceDependentProbabilityConnector("d < 15"))
    _assert_mask(moore, d < 15, "d < 15")
    assert (d < 15).sum() == 4 * 4 + 8 * 6 + 4 * 9  # corners, edges, interior (with self)
    cross = _connect(sim, pre, post, sim.DistanceDependentProbabilityConnector(lambda d: d < 11))
    _assert_mask(cross, d < 11, "callable d < 11")
    recurrent = _connect(
        sim,
        post,
        post,
        sim.DistanceDependentProbabilityConnector("d < 15", allow_self_connections=False),
    )
    _assert_mask(recurrent, (d < 15) & ~np.eye(16, dtype=bool), "recurrent d < 15, no self")


def test_distance_on_periodic_line_is_a_ring(sim, capabilities):
    """With x periodic over 80 µm, 8 cells 10 µm apart form a ring: d < 15 joins each cell
    to itself and its two neighbours, 0 and 7 included."""
    pre, post = source_and_cells(sim, capabilities, 8, 8, sim.space.Line(dx=DX))
    space = sim.Space(periodic_boundaries=((0.0, 80.0), None, None))
    prj = sim.Projection(
        pre,
        post,
        sim.DistanceDependentProbabilityConnector("d < 15"),
        sim.StaticSynapse(weight=W),
        space=space,
    )
    steps = np.abs(np.subtract.outer(np.arange(8), np.arange(8))) % 8
    _assert_mask(prj, np.isin(steps, (0, 1, 7)), "periodic ring")


def test_distance_expressions_give_weights_and_delays(sim, capabilities):
    """Weights and delays given as functions of distance (a string and a callable) come
    back as those functions of the cells' separation, on exactly the pairs d < 25."""
    pre, post = source_and_cells(sim, capabilities, 5, 5, sim.space.Line(dx=DX))
    with substituting_delays(sim, capabilities):
        prj = sim.Projection(
            pre,
            post,
            sim.DistanceDependentProbabilityConnector("d < 25"),
            sim.StaticSynapse(weight="0.001 + 0.0001 * d", delay=lambda d: 0.1 + 0.01 * d),
        )
    i, j = np.nonzero(np.abs(np.subtract.outer(np.arange(5), np.arange(5))) <= 2)
    order = np.lexsort((j, i))
    i, j = i[order], j[order]
    d = DX * np.abs(i - j)
    expected = np.column_stack(
        [i, j, 0.001 + 0.0001 * d, expected_delays(sim, capabilities, 0.1 + 0.01 * d)]
    )
    assert_close(connection_table(prj), expected, rel=1e-9, what="(i, j, weight(d), delay(d))")


def _step_right(disp):
    return ((disp[0] == DX) & (disp[1] == 0)).astype(float)


def _same_column_near(disp):
    return ((disp[0] == 0) & (np.abs(disp[1]) <= DX)).astype(float)


def test_displacement_dependent_expression(sim, capabilities):
    """On a 3 x 4 grid, p(post - pre) = (dx == 10 and dy == 0) connects each cell to its
    neighbour one step along +x; |dy| <= 10 at dx = 0 gives the column neighbourhood."""
    pre, post = source_and_cells(sim, capabilities, 12, 12, _grid2d(sim, aspect_ratio=0.75))
    disp = _grid(3, 4)[None, :, :] - _grid(3, 4)[:, None, :]  # post - pre, pre x post
    dx, dy = disp[..., 0], disp[..., 1]
    right = _connect(sim, pre, post, sim.DisplacementDependentProbabilityConnector(_step_right))
    _assert_mask(right, (dx == DX) & (dy == 0), "dx == 10, dy == 0")
    assert right.size() == 2 * 4  # the last x column has no right neighbour
    column = _connect(
        sim, pre, post, sim.DisplacementDependentProbabilityConnector(_same_column_near)
    )
    _assert_mask(column, (dx == 0) & (np.abs(dy) <= DX), "dx == 0, |dy| <= 10")


# -- index based --------------------------------------------------------------------------
class _Diagonal(IndexBasedExpression):
    def __call__(self, i, j):
        return (i == j).astype(float)


class _AntiDiagonal(IndexBasedExpression):
    """Reads the projection it is evaluated for, as PyNN allows."""

    def __call__(self, i, j):
        return (i + j == self.projection.post.size - 1).astype(float)


class _EvenSum(IndexBasedExpression):
    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def __call__(self, i, j):
        return np.where((i + j) % 2 == 0, self.p, 0.0)


def test_index_based_probability(sim, capabilities, tolerance):
    """p = (i == j) is the one-to-one diagonal of a 6 x 9 projection; an expression using
    ``self.projection`` gives the anti-diagonal; p = 0.5 on the 200 pairs with i + j even
    (20 x 20) leaves the odd pairs empty and draws Binomial(200, 0.5) connections."""
    pre, post = source_and_cells(sim, capabilities, 6, 9)
    diagonal = _connect(sim, pre, post, sim.IndexBasedProbabilityConnector(_Diagonal()))
    _assert_mask(diagonal, np.eye(6, 9, dtype=bool), "i == j")
    anti = _connect(sim, post, post, sim.IndexBasedProbabilityConnector(_AntiDiagonal()))
    _assert_mask(anti, np.fliplr(np.eye(9, dtype=bool)), "i + j == 8")
    pre, post = source_and_cells(sim, capabilities, 20, 20)
    rng = sim.NumpyRNG(seed=5)
    parity = _connect(sim, pre, post, sim.IndexBasedProbabilityConnector(_EvenSum(0.5), rng=rng))
    odd = np.add.outer(np.arange(20), np.arange(20)) % 2 == 1
    assert not connection_mask(parity)[odd].any(), "a connection where p = 0 (i + j odd)"
    n, mean, sigma = parity.size(), 200 * 0.5, math.sqrt(200 * 0.5 * 0.5)
    assert abs(n - mean) < tolerance["stat_sigma"] * sigma, f"{n} connections, expected {mean}"


# -- fixed total number -------------------------------------------------------------------
def test_fixed_total_number(sim, capabilities):
    """Exactly n connections.  Without replacement no pair repeats, and n = every allowed
    pair of a recurrent 6-cell projection without self connections is all 30 of them;
    with replacement, 20 connections among 9 pairs must repeat some (pigeonhole)."""
    pre, post = source_and_cells(sim, capabilities, 10, 10)
    rng = sim.NumpyRNG(seed=7)
    distinct = _connect(
        sim, pre, post, sim.FixedTotalNumberConnector(37, with_replacement=False, rng=rng)
    )
    pairs = connection_pairs(distinct)
    assert distinct.size() == len(pairs) == 37
    assert len(np.unique(pairs, axis=0)) == 37, "a pair repeats without replacement"
    cells = sim.Population(6, target_cell_type(sim, capabilities))
    every = _connect(
        sim,
        cells,
        cells,
        sim.FixedTotalNumberConnector(
            30, allow_self_connections=False, with_replacement=False, rng=rng
        ),
    )
    _assert_mask(every, ~np.eye(6, dtype=bool), "30 of the 30 allowed pairs")
    small_pre, small_post = source_and_cells(sim, capabilities, 3, 3)
    repeated = _connect(
        sim,
        small_pre,
        small_post,
        sim.FixedTotalNumberConnector(20, with_replacement=True, rng=rng),
    )
    pairs = connection_pairs(repeated)
    assert repeated.size() == len(pairs) == 20
    assert len(np.unique(pairs, axis=0)) < 20, "20 connections on 9 pairs without a repeat"


# -- small world --------------------------------------------------------------------------
def test_small_world_lattice_and_rewiring(sim, capabilities):
    """Rewiring 0 leaves the distance-degree lattice (d < 15 on a 5 x 5 grid: the Moore
    neighbourhood, no self connections); rewiring 1 rewires the edges but keeps each
    cell's out-degree, with no self connection and no repeated pair; ``n_connections=2``
    on a line picks the two nearest cells."""
    cells = sim.Population(25, target_cell_type(sim, capabilities), structure=_grid2d(sim))
    d = _distances(_grid(5, 5), _grid(5, 5))
    lattice = (d < 15) & ~np.eye(25, dtype=bool)
    kw = dict(allow_self_connections=False, rng=sim.NumpyRNG(seed=13))
    still = _connect(sim, cells, cells, sim.SmallWorldConnector(15, 0.0, **kw))
    _assert_mask(still, lattice, "small world, rewiring 0")
    rewired = _connect(sim, cells, cells, sim.SmallWorldConnector(15, 1.0, **kw))
    pairs = connection_pairs(rewired)
    assert rewired.size() == lattice.sum()
    assert not np.array_equal(connection_mask(rewired), lattice), (
        "rewiring 1 left the lattice as is"
    )
    assert np.array_equal(np.bincount(pairs[:, 0], minlength=25), lattice.sum(axis=1))
    assert not np.any(pairs[:, 0] == pairs[:, 1]), "a self connection after rewiring"
    assert len(np.unique(pairs, axis=0)) == len(pairs), "a repeated pair after rewiring"
    line = sim.Population(6, target_cell_type(sim, capabilities), structure=sim.space.Line(dx=DX))
    nearest = _connect(sim, line, line, sim.SmallWorldConnector(0, 0.0, n_connections=2, **kw))
    expected = np.zeros((6, 6), dtype=bool)
    for i, targets in enumerate([(1, 2), (0, 2), (1, 3), (2, 4), (3, 5), (3, 4)]):
        expected[i, list(targets)] = True
    _assert_mask(nearest, expected, "two nearest cells")


# -- clone and file -----------------------------------------------------------------------
def test_clone_copies_pairs_with_own_weights(sim, capabilities):
    """A clone has the reference projection's (pre, post) pairs, duplicates included, and
    the weight of its own synapse type."""
    pre, post = source_and_cells(sim, capabilities, 8, 8)
    rng = sim.NumpyRNG(seed=17)
    for ref_connector in (
        sim.FixedProbabilityConnector(0.3, rng=rng),
        sim.FixedNumberPreConnector(10, with_replacement=True, rng=rng),
    ):
        ref = _connect(sim, pre, post, ref_connector)
        clone = _connect(sim, pre, post, sim.CloneConnector(ref), weight=0.002)
        assert np.array_equal(connection_pairs(clone), connection_pairs(ref)), (
            f"clone of {ref_connector!r}"
        )
        assert_close(
            connection_table(clone, names=("weight",))[:, 2],
            np.full(clone.size(), 0.002),
            rel=1e-9,
            what="cloned projection's own weight",
        )


def test_from_file_round_trip(sim, capabilities, tmp_path: Path):
    """A file written by hand (with PyNN's ``# columns`` header) and one written by
    Projection.save both give back exactly the connections they list."""
    listed = [(0, 1, 0.003, 1.5), (2, 0, 0.001, 0.4), (3, 3, 0.005, 2.0)]
    path = tmp_path / "conns.txt"
    path.write_text(
        "# columns = ['i', 'j', 'weight', 'delay']\n"
        + "".join(f"{i} {j} {w!r} {d!r}\n" for i, j, w, d in listed)
    )
    rows = np.array(listed, dtype=float)
    pre, post = source_and_cells(sim, capabilities, 4, 4)
    with substituting_delays(sim, capabilities):
        loaded = sim.Projection(pre, post, sim.FromFileConnector(str(path)), sim.StaticSynapse())
    rows = rows[np.lexsort(rows.T[::-1])]
    rows[:, 3] = expected_delays(sim, capabilities, rows[:, 3])
    assert_close(connection_table(loaded), rows, rel=1e-9, what="hand-written file")
    with substituting_delays(sim, capabilities):
        original = _connect(
            sim, pre, post, sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(seed=19)), delay=1.0
        )
    saved = str(tmp_path / "saved.txt")
    original.save(["weight", "delay"], saved)
    other_post = sim.Population(4, target_cell_type(sim, capabilities))
    reloaded = sim.Projection(pre, other_post, sim.FromFileConnector(saved), sim.StaticSynapse())
    assert_close(
        connection_table(reloaded), connection_table(original), rel=1e-9, what="saved file"
    )


def test_csa_connector(sim, capabilities):
    """Connection-set masks give their pairs; a valued set (arity 2) also gives (weight,
    delay) for each pair."""
    csa = pytest.importorskip("csa", reason="CSAConnector needs the optional 'csa' package")
    pre, post = source_and_cells(sim, capabilities, 5, 5)
    one = _connect(sim, pre, post, sim.CSAConnector(csa.oneToOne))
    _assert_mask(one, np.eye(5, dtype=bool), "csa.oneToOne")
    rest = _connect(sim, pre, post, sim.CSAConnector(csa.full - csa.oneToOne))
    _assert_mask(rest, ~np.eye(5, dtype=bool), "csa.full - csa.oneToOne")
    with substituting_delays(sim, capabilities):
        valued = sim.Projection(
            pre, post, sim.CSAConnector(csa.cset(csa.oneToOne, 0.003, 1.5)), sim.StaticSynapse()
        )
    idx = np.arange(5)
    expected = np.column_stack(
        [idx, idx, np.full(5, 0.003), expected_delays(sim, capabilities, np.full(5, 1.5))]
    )
    assert_close(connection_table(valued), expected, rel=1e-9, what="csa.cset(oneToOne, w, d)")


# -- seeds --------------------------------------------------------------------------------
class _Decay(IndexBasedExpression):
    def __call__(self, i, j):
        return np.exp(-np.abs(i - j) / 4.0)


def _seeded_projections(sim, capabilities, seed: int) -> dict[str, np.ndarray]:
    """(i, j) pairs of one projection per random connector, each with its own seeded rng
    (and one on the default rng, which PyNN makes deterministic)."""
    pre, post = source_and_cells(sim, capabilities, 36, 36, _grid2d(sim))

    def rng():
        return sim.NumpyRNG(seed=seed)

    connectors = {
        "FixedProbability": sim.FixedProbabilityConnector(0.3, rng=rng()),
        "FixedProbability(default rng)": sim.FixedProbabilityConnector(0.3),
        "FixedNumberPre": sim.FixedNumberPreConnector(5, rng=rng()),
        "FixedNumberPost": sim.FixedNumberPostConnector(5, rng=rng()),
        "FixedTotalNumber": sim.FixedTotalNumberConnector(200, rng=rng()),
        "DistanceDependent": sim.DistanceDependentProbabilityConnector("exp(-d / 20)", rng=rng()),
        "DisplacementDependent": sim.DisplacementDependentProbabilityConnector(
            lambda disp: 0.5 * (disp[0] >= 0), rng=rng()
        ),
        "IndexBased": sim.IndexBasedProbabilityConnector(_Decay(), rng=rng()),
        "SmallWorld": sim.SmallWorldConnector(15, 0.5, rng=rng()),
    }
    return {
        name: connection_pairs(_connect(sim, post if name == "SmallWorld" else pre, post, c))
        for name, c in connectors.items()
    }


def test_same_seed_same_connections_in_fresh_setups(sim, capabilities):
    """Every random connector with the same seed gives the same connection list after
    end() and a fresh setup(); a different seed gives a different one."""
    first = _seeded_projections(sim, capabilities, seed=23)
    sim.end()
    sim.setup(timestep=TIMESTEP, **conformance_setup(capabilities))
    second = _seeded_projections(sim, capabilities, seed=23)
    for name, pairs in first.items():
        assert len(pairs), f"{name}: no connections (the scenario proves nothing)"
        assert np.array_equal(pairs, second[name]), f"{name}: same seed, different connections"
    other = _seeded_projections(sim, capabilities, seed=24)
    assert not np.array_equal(first["FixedProbability"], other["FixedProbability"])
