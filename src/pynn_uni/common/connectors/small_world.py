"""Watts-Strogatz small-world connectivity, drawn from block-seeded streams.

PyNN 0.13 has no working SmallWorldConnector, so there is no stream to follow: four
integers drawn from the connector's rng seed one independent generator per chunk of
presynaptic rows, so results do not depend on the block size or on which rank draws.
"""

from __future__ import annotations

import numpy as np

from pynn_uni.common.connectors.base import (
    Connector,
    check_allow_self,
    check_count,
    concat,
    sort_pairs,
)
from pynn_uni.common.connectors.context import check_rng, connector_rng
from pynn_uni.common.units import is_number
from pynn_uni.errors import InvalidParameterValueError

#: candidate pairs per independently seeded draw chunk (fixed: results depend on it).
DRAW_CHUNK_PAIRS = 1 << 20

_STREAM_REWIRE = 1


def _stream(entropy, stream: int, index: int) -> np.random.Generator:
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(stream, index)))
    )


def _real(value) -> bool:
    return is_number(value) and not isinstance(value, (bool, np.bool_))


def _chunks(n_rows: int, width: int):
    """(index, start, stop) of consecutive runs of rows, ``DRAW_CHUNK_PAIRS`` pairs each."""
    chunk = max(1, DRAW_CHUNK_PAIRS // max(1, width))
    for index, start in enumerate(range(0, n_rows, chunk)):
        yield index, start, min(start + chunk, n_rows)


class SmallWorldConnector(Connector):
    """Watts-Strogatz small-world connectivity on the cells' positions.

    Each presynaptic cell first connects to every postsynaptic cell at distance
    ``< degree`` (in the projection's ``space``), or, if ``n_connections`` is given, to
    its ``n_connections`` nearest postsynaptic cells (efferent connections per cell).
    Each of these connections is then rewired with probability ``rewiring`` to a
    uniformly random postsynaptic cell that this cell does not yet target (and not
    itself unless ``allow_self_connections``), so out-degrees are preserved.  PyNN
    declares this connector but raises NotImplementedError; this is a working version.
    """

    parameter_names = ("allow_self_connections", "degree", "rewiring", "n_connections")

    def __init__(
        self,
        degree,
        rewiring,
        allow_self_connections=True,
        n_connections=None,
        rng=None,
        location_selector=None,
        safe=True,
        callback=None,
    ):
        super().__init__(location_selector, safe, callback)
        name = "SmallWorldConnector"
        if not _real(rewiring) or not 0 <= rewiring <= 1:
            raise InvalidParameterValueError(
                f"{name}: rewiring is a probability in [0, 1], not {rewiring!r}"
            )
        if not _real(degree) or not degree >= 0:
            raise InvalidParameterValueError(
                f"{name}: degree must be a distance >= 0 (µm), not {degree!r}"
            )
        if n_connections is not None:
            n_connections = check_count(name, "n_connections", n_connections, " or None")
        self.degree = degree
        self.rewiring = float(rewiring)
        self.allow_self_connections = check_allow_self(
            "SmallWorldConnector", allow_self_connections
        )
        self.n_connections = None if n_connections is None else int(n_connections)
        check_rng("SmallWorldConnector", rng)
        self.rng = connector_rng(rng)
        self.d_expression = f"d < {degree:g}"

    def expected_connections(self, pre_size, post_size):
        return None if self.n_connections is None else self.n_connections * pre_size

    def _lattice(self, ctx, r0, r1, blocked):
        # distance from pre rows r0:r1 to all post cells, shape (rows, post)
        sq = ctx.space._sq_distances_3n(
            ctx.pre_positions[:, r0:r1, None], ctx.post_positions[:, None, :]
        )
        d = np.sqrt(np.broadcast_to(sq, (r1 - r0, ctx.post_size))).copy()
        rows = np.arange(r1 - r0)
        has = blocked >= 0
        if self.n_connections is None:
            lattice = d < self.degree
            lattice[rows[has], blocked[has]] = False
            return lattice
        d[rows[has], blocked[has]] = np.inf
        avail = ctx.post_size - int(has.any())
        if self.n_connections > avail:
            raise InvalidParameterValueError(
                f"SmallWorldConnector in {ctx.name}: n_connections={self.n_connections} but only "
                f"{avail} postsynaptic cells are available"
            )
        nearest = np.argsort(d, axis=1, kind="stable")[:, : self.n_connections]
        lattice = np.zeros(d.shape, dtype=bool)
        lattice[rows[:, None], nearest] = True
        return lattice

    def _rewire(self, gen, lattice, blocked):
        rows, N = lattice.shape
        r_edge, c_edge = np.nonzero(lattice)
        pick = gen.random(r_edge.size) < self.rewiring
        r_old, c_old = r_edge[pick], c_edge[pick]
        taken = lattice.copy()  # old targets stay taken, so a rewired edge really moves
        has = blocked >= 0
        taken[np.arange(rows)[has], blocked[has]] = True
        pending = np.arange(r_old.size)
        new = np.full(r_old.size, -1, dtype=np.int64)
        for _ in range(10_000):
            if not pending.size:
                break
            free = N - taken[r_old[pending]].sum(axis=1)
            pending = pending[free > 0]  # a row with no free target keeps its edges
            if not pending.size:
                break
            cand = gen.integers(0, N, size=pending.size)
            r = r_old[pending]
            ok = ~taken[r, cand]
            lin = r * N + cand
            _, first = np.unique(lin, return_index=True)
            is_first = np.zeros(pending.size, dtype=bool)
            is_first[first] = True
            ok &= is_first
            taken[r[ok], cand[ok]] = True
            new[pending[ok]] = cand[ok]
            pending = pending[~ok]
        done = new >= 0
        result = lattice.copy()
        result[r_old[done], c_old[done]] = False
        result[r_old[done], new[done]] = True
        return result

    def _connect(self, ctx):
        blocked = (
            np.full(ctx.pre_size, -1, np.int64)
            if self.allow_self_connections is True
            else ctx.self_index("pre")
        )
        # PyNN 0.13 has no SmallWorldConnector: the rewiring streams are seeded from four
        # integers drawn from the connector's rng
        draws = ctx.rng_for(self.rng).next(4, "uniform_int", {"low": 0, "high": 2**31 - 1})
        entropy = [int(x) for x in draws]
        pres, posts = [], []
        for index, r0, r1 in _chunks(ctx.pre_size, ctx.post_size):
            lattice = self._lattice(ctx, r0, r1, blocked[r0:r1])
            if self.rewiring > 0:
                lattice = self._rewire(
                    _stream(entropy, _STREAM_REWIRE, index), lattice, blocked[r0:r1]
                )
            r, c = np.nonzero(lattice)
            pres.append(r + r0)
            posts.append(c)
        pre, post = sort_pairs(concat(pres), concat(posts), ctx.pre_size)
        yield from self._yield_sorted(ctx, pre, post)
