"""PyNN's column-by-column ``normal_clipped`` stream, drawn in bulk.

PyNN draws a ``normal_clipped`` synapse value column by column: each column draws its
values, then redraws those out of range (in index order, round after round) before the
next column starts.  One generator call per column costs far more than the numbers
(a projection has thousands of columns).  Here the Mersenne Twister's normals are drawn
ahead in chunks; a column's draws end at an in-range normal (see
``_starts_from_good_values``), so each column's place in that stream follows from a
cumulative sum of the column lengths, and the values are gathered in bulk: the same
numbers, and the generator is left where the per-column calls would leave it.
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np

from pynn_uni.errors import InvalidParameterValueError
from pynn_uni.random import MAX_REDRAWS

CHUNK = 1 << 18  # normals drawn per chunk; the generator is rewound to a chunk's start


class _Stream:
    """The normals of a RandomState drawn ahead in chunks, with prefix counts of the
    out-of-range ones; ``rewind(n)`` leaves the generator after exactly ``n`` normals."""

    def __init__(self, rs, mu, sigma, low, high, n_hint: int):
        self.rs, self.args, self.low, self.high = rs, (mu, sigma), low, high
        self.values = np.empty(0)
        self.prefix = np.zeros(1, np.int64)
        self.states: list = []  # generator state before each chunk, chunk starts
        self.starts: list[int] = []
        self.extend(n_hint)

    def extend(self, need: int) -> None:
        """Draw until at least ``need`` normals are in the buffer."""
        if self.values.size >= need:  # the usual case: called once per column
            return
        pieces, size = [self.values], self.values.size
        while size < need:
            k = min(CHUNK, max(need - size, 1024))
            self.states.append(self.rs.get_state())
            self.starts.append(size)
            pieces.append(self.rs.normal(loc=self.args[0], scale=self.args[1], size=k))
            size += k
        if len(pieces) > 1:
            new = np.concatenate(pieces[1:])
            bad = (new < self.low) | (new > self.high)
            self.values = np.concatenate(pieces)
            self.prefix = np.concatenate([self.prefix, self.prefix[-1] + np.cumsum(bad)])

    def next_bad(self, p: int, horizon: int) -> int:
        """Index of the first out-of-range normal at or after ``p``, looking at least up to
        ``horizon`` (beyond it: ``horizon``, as if there were one)."""
        self.extend(horizon)
        i = int(np.searchsorted(self.prefix, self.prefix[p] + 1))
        return i - 1 if i < self.prefix.size else max(horizon, self.values.size)

    def bad_between(self, a: int, b: int) -> int:
        if b > self.values.size:
            self.extend(b)
        return int(self.prefix[b] - self.prefix[a])

    def rewind(self, used: int) -> None:
        k = bisect_right(self.starts, used) - 1
        self.rs.set_state(self.states[k])
        if used > self.starts[k]:
            self.rs.normal(loc=self.args[0], scale=self.args[1], size=used - self.starts[k])


def normal_clipped_by_column(rs, lengths, mu, sigma, low, high) -> np.ndarray:
    """The values of ``len(lengths)`` consecutive PyNN per-column draws from the
    RandomState ``rs`` (column c draws ``lengths[c]`` values), concatenated."""
    lengths = np.asarray(lengths, dtype=np.int64)
    n = int(lengths.sum())
    stream = _Stream(rs, mu, sigma, low, high, n + n // 8 + 1024)
    starts, p = _starts_from_good_values(stream, lengths, n)
    if starts is None:  # the interval holds little of the mass: walk column by column
        starts, p = _walk_columns(stream, lengths, mu, sigma, low, high)
    stream.rewind(p)
    values = stream.values
    first = np.cumsum(lengths) - lengths  # each column's first value in ``out``
    out = values[np.repeat(starts - first, lengths) + np.arange(n)]
    # the redraw rounds: a column's k-th value still out of range takes the k-th normal
    # after the ones its earlier rounds used
    cur = np.flatnonzero((out < low) | (out > high))
    col = np.searchsorted(first, cur, side="right") - 1
    next_draw = starts + lengths
    rounds = 0
    while cur.size:
        rounds += 1
        if rounds > MAX_REDRAWS:
            raise _too_many_redraws(cur.size, mu, sigma, low, high)
        group = np.concatenate(([0], np.flatnonzero(np.diff(col)) + 1))
        rank = np.arange(cur.size) - np.repeat(group, np.diff(np.append(group, cur.size)))
        src = next_draw[col] + rank
        out[cur] = values[src]
        next_draw += np.bincount(col, minlength=lengths.size)
        still = (values[src] < low) | (values[src] > high)
        cur, col = cur[still], col[still]
    return out


def _starts_from_good_values(stream: _Stream, lengths, n: int):
    """Each column's first normal in the stream, and the normals used in all, without a
    walk: a column's draws (its values, then rounds of redraws of those out of range) end
    exactly at the ``lengths[c]``-th in-range normal after its start, so column c ends at
    the ``(lengths[0] + ... + lengths[c])``-th in-range normal of the stream.  ``None``
    when fewer than 1 in 10 normals are in range (the walk then raises as PyNN would)."""
    good = stream.values.size - int(stream.prefix[-1])
    if good < stream.values.size // 10:
        return None, 0
    while good < n:
        stream.extend(stream.values.size + int((n - good) * stream.values.size / good) + 1024)
        good = stream.values.size - int(stream.prefix[-1])
    in_range = np.flatnonzero(np.diff(stream.prefix) == 0)
    done = np.cumsum(lengths)  # in-range normals used once each column is done
    ends = np.where(done > 0, in_range[np.maximum(done, 1) - 1] + 1, 0)
    starts = np.concatenate(([0], ends[:-1])).astype(np.int64)
    return starts, int(ends[-1]) if ends.size else 0


def _walk_columns(stream: _Stream, lengths, mu, sigma, low, high):
    """``_starts_from_good_values`` one column at a time, counting redraw rounds."""
    ends = np.concatenate(([0], np.cumsum(lengths))).tolist()
    starts = np.empty(lengths.size, np.int64)  # each column's first normal in the stream
    c, p, columns = 0, 0, lengths.size
    while c < columns:
        # columns c, c+1, ... whose windows end before the next out-of-range normal
        # draw no redraws: jump over them
        q = stream.next_bad(p, p + ends[-1] - ends[c])
        c2 = max(c, bisect_right(ends, q - p + ends[c]) - 1)
        if c2 > c:
            starts[c:c2] = p - ends[c] + np.asarray(ends[c:c2])
            p += ends[c2] - ends[c]
            c = c2
            if c >= columns:
                break
        starts[c] = p
        pos = p + ends[c + 1] - ends[c]
        redraw = stream.bad_between(p, pos)
        rounds = 0
        while redraw:
            rounds += 1
            if rounds > MAX_REDRAWS:
                raise _too_many_redraws(redraw, mu, sigma, low, high)
            redraw, pos = stream.bad_between(pos, pos + redraw), pos + redraw
        p, c = pos, c + 1
    return starts, p


def _too_many_redraws(still: int, mu, sigma, low, high) -> InvalidParameterValueError:
    return InvalidParameterValueError(
        f"normal_clipped(mu={mu}, sigma={sigma}, low={low}, high={high}): still {still} "
        f"values outside [low, high] after {MAX_REDRAWS} redraws; the interval holds almost "
        "none of the distribution's mass"
    )
