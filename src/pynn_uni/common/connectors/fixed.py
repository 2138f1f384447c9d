"""Connectors that give each cell, or the projection, a fixed number of connections.

The draws follow PyNN 0.13's stream exactly (see :mod:`pynn_uni.common.connectors`):
with replacement one ``randint`` per row, without replacement a permutation per row,
FixedTotalNumber alternating source and target draws.
"""

from __future__ import annotations

import numpy as np

from pynn_uni.common import budget
from pynn_uni.common.connectors.base import (
    Connector,
    check_allow_self,
    check_count,
    check_flag,
    concat,
    sort_pairs,
    split_keys,
)
from pynn_uni.common.connectors.context import check_rng, connector_rng, spec_rngs
from pynn_uni.errors import ConnectionError, InvalidParameterValueError
from pynn_uni.random import NumpyRNG, RandomDistribution, mt_consume, mt_words


def _randint(rng, n: int, high: int) -> np.ndarray:
    """``n`` integers in [0, high), as PyNN's ``rng.next(n, 'uniform_int', ...)``."""
    if type(rng) is NumpyRNG:
        return rng.rng.randint(0, high, size=int(n)).astype(np.int64, copy=False)
    values = rng.next(int(n), "uniform_int", {"low": 0, "high": high})
    return np.asarray(values, dtype=np.int64)


def _randint_excluding(rng, counts, high: int, excluded) -> np.ndarray:
    """PyNN's draws with replacement avoiding one index per row: row r draws
    ``counts[r]`` integers in [0, high), then redraws those equal to ``excluded[r]`` until
    none is, before the next row starts.  Returns the rows' values, concatenated.

    Vectorised over the rows between two rows that need a redraw: draw ahead, find the
    first such row, rewind the stream and draw up to it again (identical values), redraw.
    (PyNN 0.13 indexes its redraws wrongly when a redrawn value hits again; here the
    redraw simply repeats.)
    """
    counts = np.asarray(counts, dtype=np.int64)
    ends = np.cumsum(counts)
    starts = ends - counts
    out = np.empty(int(ends[-1]) if counts.size else 0, dtype=np.int64)
    mean = max(1.0, float(counts.mean())) if counts.size else 1.0
    p_hit = -np.expm1(mean * np.log1p(-1.0 / max(high, 2)))  # P(a row needs a redraw)
    chunk = int(max(256.0, 2.0 * mean / max(p_hit, 1e-9)))  # draws ahead: ~2 hit rows
    r, rows = 0, counts.size
    state = rng.rng.get_state() if type(rng) is NumpyRNG else None
    while r < rows:
        a = starts[r]
        r2 = min(rows, max(r + 1, int(np.searchsorted(ends, a + chunk, side="right"))))
        if state is not None:
            state = rng.rng.get_state()
            values = _randint(rng, ends[r2 - 1] - a, high)
            row_of = np.repeat(np.arange(r, r2), counts[r:r2])
            hit = values == excluded[row_of]
            if not hit.any():
                out[a : ends[r2 - 1]] = values
                r = r2
                continue
            h = int(row_of[np.argmax(hit)])
            rng.rng.set_state(state)
        else:
            h = r  # a generator that cannot rewind: one row at a time
        out[a : ends[h]] = _randint(rng, ends[h] - a, high)
        row = out[starts[h] : ends[h]]
        bad = np.flatnonzero(row == excluded[h])
        while bad.size:
            row[bad] = _randint(rng, bad.size, high)
            bad = bad[row[bad] == excluded[h]]
        r = h + 1
    return out


def _permutation_prefixes(rng, counts, N: int, blocked) -> np.ndarray:
    """PyNN's draws without replacement: row r takes every allowed index (0..N-1 but
    ``blocked[r]``) ``counts[r] // allowed`` times, then the first ``counts[r] % allowed``
    of ``rng.permutation(allowed)``.  Returns the rows' values, concatenated.

    The permutation is drawn row by row (a C-level shuffle each; PyNN's stream cannot be
    reproduced otherwise), only for rows with a remainder.
    """
    counts = np.asarray(counts, dtype=np.int64)
    has = blocked >= 0
    avail = N - has.astype(np.int64)
    if np.any((avail <= 0) & (counts > 0)):
        raise ConnectionError("no cells available to choose from")
    safe = np.maximum(avail, 1)
    full, rem = counts // safe, counts % safe
    ends = np.cumsum(counts)
    starts = ends - counts
    out = np.empty(int(ends[-1]) if counts.size else 0, dtype=np.int64)
    every = np.arange(N, dtype=np.int64)
    if full.any():
        # the full rounds of each row: (allowed cells) repeated, at the row's start
        rows = np.repeat(np.arange(counts.size), full * avail)
        pos = np.arange(rows.size) - np.repeat(np.cumsum(full * avail) - full * avail, full * avail)
        cell = pos % np.maximum(avail[rows], 1)
        cell += (has[rows] & (cell >= blocked[rows])).astype(np.int64)
        out[starts[rows] + pos] = cell
    permutation = rng.permutation
    for r in np.flatnonzero(rem):
        allowed = every if not has[r] else np.delete(every, blocked[r])
        out[ends[r] - rem[r] : ends[r]] = permutation(allowed)[: rem[r]]
    return out


def _draw_partners(rng, counts, N: int, blocked, with_replacement: bool) -> np.ndarray:
    """Partners of each row in PyNN's draw order, concatenated (row r owns counts[r])."""
    if not with_replacement:
        return _permutation_prefixes(rng, counts, N, blocked)
    if np.any(blocked >= 0):
        if N <= 1 and counts.any():
            raise ConnectionError("no cells available to choose from")
        return _randint_excluding(rng, counts, N, blocked)
    if N == 0 and counts.any():
        raise ConnectionError("no cells available to choose from")
    return _randint(rng, int(counts.sum()), N)


def _alternating_randint(rng, n: int, high_a: int, high_b: int):
    """``n`` pairs drawn as PyNN's FixedTotalNumberConnector does: ``randint(0, high_a,
    size=1)`` then ``randint(0, high_b, size=1)``, alternately, from a NumpyRNG.

    Each call is a masked rejection loop over raw 32-bit words, whose mask and bound
    depend on whose turn it is.  Each word either flips the turn (accepted by both),
    keeps it (by neither) or sets it (by one only), so the turn after every word follows
    from the last setting word and the parity of the flips since: no loop over draws.
    A word is accepted exactly where the turn changes, and the accepted words alternate
    between the two ranges.
    """
    empty = np.empty(0, dtype=np.int64)
    if n == 0:
        return empty, empty
    if high_a == 1 or high_b == 1:  # a one-value range draws no words
        a = np.zeros(n, np.int64) if high_a == 1 else _randint(rng, n, high_a)
        b = np.zeros(n, np.int64) if high_b == 1 else _randint(rng, n, high_b)
        return a, b
    mask = np.array([(1 << int(h - 1).bit_length()) - 1 for h in (high_a, high_b)], np.uint32)
    top = np.array([high_a - 1, high_b - 1], np.uint32)
    words_per_pair = (mask[0] + 1.0) / high_a + (mask[1] + 1.0) / high_b
    need, got, used, turn = 2 * n, [], 0, 0
    while need:
        k = int(need / 2 * words_per_pair * 1.02) + 256
        w = mt_words(rng, used + k)[used:]
        acc_a, acc_b = (w & mask[0]) <= top[0], (w & mask[1]) <= top[1]
        # narrow types throughout: this is most of the connector's time on large projections
        flips = np.cumsum(acc_a & acc_b, dtype=np.uint8)  # only the parity matters
        setting = acc_a ^ acc_b
        at = np.flatnonzero(setting)
        # the turn after each word: set by the last setting word j (a's word -> b's turn),
        # then flipped by the flips after j: acc_a[j] ^ flips[j] ^ flips[i] (mod 2); the
        # words before any setting word start from ``turn``
        table = np.concatenate((np.array([turn], np.uint8), acc_a[at].view(np.uint8) ^ flips[at]))
        ranks = np.cumsum(setting, dtype=np.int32 if k < 2**31 else np.int64)
        after = (table[ranks] ^ flips) & 1
        changed = np.empty_like(after)
        changed[0], changed[1:] = after[0] ^ turn, after[1:] ^ after[:-1]
        accepted = np.flatnonzero(changed)[:need]
        values = w[accepted]  # the turn changes only here, so the first is ``turn``'s
        values[0::2] &= mask[turn]
        values[1::2] &= mask[1 - turn]
        got.append(values)
        need -= accepted.size
        if need:
            used, turn = used + k, int(after[-1])
        else:
            used += int(accepted[-1]) + 1
    mt_consume(rng, used)
    values = np.concatenate(got).astype(np.int64)
    return values[0::2], values[1::2]


def _stable_argsort(values, bound: int) -> np.ndarray:
    """Stable argsort of non-negative ints below ``bound`` (radix sort when they fit in
    16 bits)."""
    if bound <= 1 << 16:
        values = values.astype(np.uint16)
    return np.argsort(values, kind="stable")


def _sort_columns(pre, counts, c0: int, n_pre: int, need_order: bool):
    """Sort the sources drawn for columns c0, c0+1, ... (``counts`` each, in draw order)
    into canonical order: (pre, post, order), ``order`` as for ``finish`` (or ``None``
    when no value is random, so nothing needs drawing in PyNN's order)."""
    ncols = counts.size
    if ncols and np.all(counts == counts[0]):  # a fixed n: sort each row of a matrix
        rows = pre.reshape(ncols, -1)
        post = np.repeat(np.arange(c0, c0 + ncols, dtype=np.int64), rows.shape[1])
        if not need_order:
            return np.sort(rows, axis=1).ravel(), post, None
        o = np.argsort(rows, axis=1, kind="stable")
        order = (o + (np.arange(ncols) * rows.shape[1])[:, None]).ravel()
        return pre[order], post, order
    post = np.repeat(np.arange(c0, c0 + ncols, dtype=np.int64), counts)
    key = (post - c0) * max(1, n_pre) + pre
    if not need_order:
        return np.sort(key) % max(1, n_pre), post, None
    order = np.argsort(key, kind="stable")
    return pre[order], post, order


class FixedNumberConnector(Connector):
    """Base of the connectors that give each cell a fixed number of partners.

    ``n``: a non-negative int, or a RandomDistribution drawn once per cell (as in PyNN,
    100 values are drawn from it at construction to check they are not negative).
    ``allow_self_connections='NoMutual'`` is treated as ``False`` here.  Without
    replacement, an ``n`` above the number of cells to choose from is PyNN's "every cell
    once per full round, then a random subset", not an error; an ``n`` whose connections
    alone would not fit in memory is refused at once.
    """

    parameter_names = ("allow_self_connections", "n", "with_replacement")

    def __init__(
        self,
        n,
        allow_self_connections=True,
        with_replacement=False,
        rng=None,
        location_selector=None,
        safe=True,
        callback=None,
    ):
        super().__init__(location_selector, safe, callback)
        name = type(self).__name__
        if isinstance(n, RandomDistribution):
            if np.any(np.asarray(n.next(100), dtype=float) < 0):
                raise InvalidParameterValueError(
                    f"{name}: the distribution {n!r} gives negative numbers of connections"
                )
        else:
            n = check_count(name, "n", n, " or a RandomDistribution")
            # however many cells: at least n connections (one cell's, or the total)
            budget.check_memory(budget.connection_bytes(n, 0), f"{name}: n={n} connections")
        self.n = n
        self.allow_self_connections = check_allow_self(name, allow_self_connections)
        self.with_replacement = check_flag(name, "with_replacement", with_replacement)
        check_rng(name, rng)
        self.rng = connector_rng(rng)

    def _counts(self, size: int, ctx=None) -> np.ndarray:
        if not isinstance(self.n, RandomDistribution):
            return np.full(size, self.n, dtype=np.int64)
        values = np.asarray(self.n.next(size), dtype=float).reshape(size)
        return self._check_counts(values, ctx)

    def _check_counts(self, values, ctx=None):
        bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
        if np.any(bad):
            raise InvalidParameterValueError(
                f"{type(self).__name__}: the distribution {self.n!r} gave {values[bad][0]!r}, "
                "not a non-negative whole number of connections"
            )
        if ctx is not None:
            self.check_budget(ctx, float(values.sum()))
        return values.astype(np.int64)

    def _blocked(self, ctx, side):
        if self.allow_self_connections is True:
            return np.full(ctx.post_size if side == "post" else ctx.pre_size, -1, np.int64)
        return ctx.self_index(side)

    def _partners(self, ctx, rng, counts, N, blocked, side):
        try:
            return _draw_partners(rng, counts, N, blocked, self.with_replacement)
        except ConnectionError as err:
            raise ConnectionError(
                f"{type(self).__name__} in {ctx.name}: {err} ({N} {side} cells)"
            ) from None


class FixedNumberPreConnector(FixedNumberConnector):
    """Each postsynaptic cell receives exactly ``n`` connections from random pre cells.

    Without replacement, a pre cell is chosen at most once until all have been chosen:
    with ``n`` above the number of pre cells, each is connected once per full round and
    a random subset makes up the remainder.  With replacement, sources are i.i.d.
    """

    def expected_connections(self, pre_size, post_size):
        return None if isinstance(self.n, RandomDistribution) else self.n * post_size

    def _connect(self, ctx):
        ctx.copy_value_rngs()
        counts = self._counts(ctx.post_size, ctx)
        blocked = self._blocked(ctx, "post")
        rng = ctx.rng_for(self.rng)
        random_values = ctx.has_random_values
        per_col = max(1, int(counts.mean())) if counts.size else 1
        for cols in ctx.column_blocks(per_col):
            c0, c1 = int(cols[0]), int(cols[-1]) + 1
            pre = self._partners(ctx, rng, counts[c0:c1], ctx.pre_size, blocked[c0:c1], "pre")
            pre, post, order = _sort_columns(pre, counts[c0:c1], c0, ctx.pre_size, random_values)
            yield ctx.finish(pre, post, order=order), c1 / ctx.post_size
        if ctx.post_size == 0:
            yield ctx.finish(np.empty(0, np.int64), np.empty(0, np.int64)), 1.0


class FixedNumberPostConnector(FixedNumberConnector):
    """Each presynaptic cell makes exactly ``n`` connections to random post cells.

    Same sampling rules as :class:`FixedNumberPreConnector`, with the roles swapped.
    All connections are generated, then sorted into canonical order.
    """

    def expected_connections(self, pre_size, post_size):
        return None if isinstance(self.n, RandomDistribution) else self.n * pre_size

    def _connect(self, ctx):
        blocked = self._blocked(ctx, "pre")
        rng = ctx.rng_for(self.rng)
        if isinstance(self.n, RandomDistribution) and any(r is rng for r in spec_rngs(self.n)):
            # PyNN draws each row's count just before its partners, from the same stream
            parts = []
            for r in range(ctx.pre_size):
                count = self._check_counts(np.asarray([self.n.next(1)[0]], dtype=float), ctx)
                block = blocked[r : r + 1]
                parts.append(self._partners(ctx, rng, count, ctx.post_size, block, "post"))
            counts = np.array([p.size for p in parts], dtype=np.int64)
            post = concat(parts)
        else:
            counts = self._counts(ctx.pre_size, ctx)
            post = self._partners(ctx, rng, counts, ctx.post_size, blocked, "post")
        pre = np.repeat(np.arange(ctx.pre_size, dtype=np.int64), counts)
        pre, post = sort_pairs(pre, post, ctx.pre_size)
        yield from self._yield_sorted(ctx, pre, post)


class FixedTotalNumberConnector(FixedNumberConnector):
    """Exactly ``n`` connections in total, between uniformly random (pre, post) pairs.

    With the defaults the pairs are PyNN's for the same rng (a binomial draw, then source
    and target drawn alternately); on several MPI processes every rank draws the pairs
    of a serial run (PyNN draws a different network per number of processes).  Unlike
    PyNN, which ignores them, ``allow_self_connections`` and ``with_replacement=False``
    are honoured (with a draw order of our own).
    """

    parameter_names = ("allow_self_connections", "n", "with_replacement")

    def __init__(
        self,
        n,
        allow_self_connections=True,
        with_replacement=True,
        rng=None,
        location_selector=None,
        safe=True,
        callback=None,
    ):
        super().__init__(
            n, allow_self_connections, with_replacement, rng, location_selector, safe, callback
        )

    def expected_connections(self, pre_size, post_size):
        return None if isinstance(self.n, RandomDistribution) else self.n

    def _connect(self, ctx):
        n = int(self._counts(1, ctx)[0])
        n_pre, n_post = ctx.pre_size, ctx.post_size
        total = n_pre * n_post
        rng = ctx.rng_for(self.rng)
        excluded = self.allow_self_connections is not True and ctx.shares_cells

        def allowed(keys):
            if not excluded:
                return np.ones(keys.size, dtype=bool)
            return ctx.pre_keys[keys % n_pre] != ctx.post_keys[keys // n_pre]

        n_allowed = total
        if excluded:
            n_allowed = total - int((ctx.self_index("post") >= 0).sum())
        if n > 0 and n_allowed == 0:
            raise ConnectionError(f"FixedTotalNumberConnector in {ctx.name}: no allowed pairs")
        if not self.with_replacement and n > n_allowed:
            raise InvalidParameterValueError(
                f"FixedTotalNumberConnector in {ctx.name}: n={n} connections without "
                f"replacement but only {n_allowed} pairs are allowed"
                f"{'' if n_allowed == total else ' (self connections excluded)'}"
            )
        if self.with_replacement and not excluded:
            # PyNN: how many connections this (only) process makes, then the pairs
            rng.next(None, "binomial", {"n": n, "p": 1.0})
            if type(rng) is NumpyRNG:
                pre, post = _alternating_randint(rng, n, n_pre, n_post)
            else:
                pre, post = _randint(rng, n, n_pre), _randint(rng, n, n_post)
            if not ctx.has_random_values:
                keys = np.sort(post * max(1, n_pre) + pre)
                yield from self._yield_sorted(ctx, *split_keys(keys, n_pre))
                return
            # PyNN draws values column by column, sources in the order they were drawn
            # (values: PyNN's draw order; connections: canonical, which only sorts each
            # column by source, so the targets in draw order are the canonical ones)
            pre = pre[_stable_argsort(post, n_post)]
            post = np.repeat(np.arange(n_post, dtype=np.int64), np.bincount(post, minlength=n_post))
            order = np.argsort(post * max(1, n_pre) + pre, kind="stable")
            yield from self._yield_sorted(ctx, pre[order], post, order=order)
            return
        if self.with_replacement:
            keys = _randint(rng, n, total)
            bad = np.flatnonzero(~allowed(keys))
            while bad.size:  # rejection keeps the allowed pairs uniform
                keys[bad] = _randint(rng, bad.size, total)
                bad = bad[~allowed(keys[bad])]
            keys = np.sort(keys)
        else:
            complement = 2 * n > n_allowed
            want = n_allowed - n if complement else n
            keys = np.empty(0, np.int64)
            while keys.size < want:
                new = _randint(rng, want - keys.size, total)
                keys = np.unique(np.concatenate([keys, new[allowed(new)]]))
            if complement:
                every = np.arange(total, dtype=np.int64)
                every = every[allowed(every)]
                keys = np.setdiff1d(every, keys, assume_unique=True)
        yield from self._yield_sorted(ctx, *split_keys(keys, n_pre))
