"""PyNN's column-by-column ``normal_clipped`` stream, drawn in bulk.

PyNN draws a ``normal_clipped`` synapse value column by column: each column draws its
values, then redraws those out of range (in index order, round after round) before the
next column starts.  One generator call per column costs far more than the numbers
(a projection has thousands of columns).  Here the normals are drawn in bulk until as
many are in range as there are values (``_draw_to_last_good``): a column's draws end at
an in-range normal, so each column's place in that stream follows from a cumulative sum
of the column lengths (``_column_starts``), the values are gathered in bulk, and the
stream ends where the per-column calls end: the same numbers, the same generator state.
Intervals that hold under 1 in 10 normals are walked column by column over normals drawn
ahead in chunks (the generator is then rewound to where the columns end).
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
    if n == 0:  # (empty columns draw nothing)
        return np.empty(0)
    values = _draw_to_last_good(rs, mu, sigma, low, high, n)
    if values is not None:
        good = np.flatnonzero((values >= low) & (values <= high))
        starts = _column_starts(good, lengths)
    else:  # the interval holds little of the mass: walk column by column
        stream = _Stream(rs, mu, sigma, low, high, n + n // 8 + 1024)
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


def _draw_to_last_good(rs, mu, sigma, low, high, n: int):
    """Normals of ``rs`` up to and including its ``n``-th in range, which is where the
    per-column draws of ``n`` values end (see ``_column_starts``): each call draws as many
    as are still missing, so the stream stops exactly there.  ``None``, with ``rs`` as it
    was, when fewer than 1 in 10 of the first ``n`` are in range (the walk then raises as
    PyNN would)."""
    state = rs.get_state()
    pieces, good = [], 0
    while good < n:
        drawn = rs.normal(loc=mu, scale=sigma, size=n - good)
        k = int(np.count_nonzero((drawn >= low) & (drawn <= high)))
        if not pieces and k < drawn.size // 10:
            rs.set_state(state)
            return None
        pieces.append(drawn)
        good += k
    return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)


def _column_starts(good: np.ndarray, lengths) -> np.ndarray:
    """Each column's first normal in the stream whose in-range normals are at ``good``: a
    column's draws (its values, then rounds of redraws of those out of range) end exactly
    at the ``lengths[c]``-th in-range normal after its start, so column c ends at the
    ``(lengths[0] + ... + lengths[c])``-th in-range normal of the stream."""
    done = np.cumsum(lengths)  # in-range normals used once each column is done
    ends = np.where(done > 0, good[np.maximum(done, 1) - 1] + 1, 0)
    return np.concatenate(([0], ends[:-1])).astype(np.int64)


def _walk_columns(stream: _Stream, lengths, mu, sigma, low, high):
    """Column starts and the normals used, one column at a time, counting redraw rounds
    (for intervals that hold under 1 in 10 normals)."""
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
