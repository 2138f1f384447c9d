"""Host-side spike sources, put on the chip's event grid and sent over the input link.

A SpikeSourcePoisson's trains are :class:`pynn_uni.common.spike_trains.Trains`, drawn on the
event grid: the seeding rule shared with the software backends (``rng_seed``, the
population's first id, 1 s blocks) gives the same trains as theirs before each rounds to its
own grid.  A SpikeSourceArray's given times are rounded to the grid here.
"""

from __future__ import annotations

import numpy as np

from pynn_uni.common.backend import lookup
from pynn_uni.common.spike_trains import array_spikes
from pynn_uni.hardware.errors import InputLossError
from pynn_uni.hardware.profiles import Profile


def to_grid(times: np.ndarray, grid: float, rounding: str) -> np.ndarray:
    """Event times on the grid: ``floor`` (Spikey: never early) or ``nearest`` (BSS-2)."""
    x = np.asarray(times, float) / grid
    k = np.floor(x + 1e-9) if rounding == "floor" else np.rint(x)
    return k * grid


def emitted(p, t0: float, t1: float, grid: float, rounding: str):
    """(cell index, time on the grid, largest shift from the requested time) of the spikes
    of source population handle ``p``, at least those in (t0, t1] (the caller picks)."""
    if p.trains is not None:  # drawn on the grid
        idx, t = p.trains.covering(max(t0, 0.0), t1)
        return idx, t, 0.0
    idx, t = array_spikes(p.params["spike_times"], p.n)
    tq = to_grid(t, grid, rounding)
    return idx, tq, float(np.abs(tq - t).max()) if t.size else 0.0


class InputLink:
    """The host -> chip event link: a token bucket (:func:`token_bucket`) whose state spans
    runs (``restart`` refills it, at ``reset()``), and the counts of the mapping report.

    ``policy``: ``'count'`` drops and counts the events the link cannot carry, ``'error'``
    raises InputLossError before anything changes."""

    def __init__(self, profile: Profile, policy: str):
        self.profile, self.policy = profile, policy
        self.events, self.lost, self.max_shift = 0, 0, 0.0
        self.restart()

    def restart(self) -> None:
        self.tokens, self.t_last = self.profile.input_burst, 0.0

    def state(self) -> tuple:
        """What a run changes (bucket and counts), for ``restore`` when Ctrl-C cuts it short."""
        return self.tokens, self.t_last, self.events, self.lost, self.max_shift

    def restore(self, state: tuple) -> None:
        self.tokens, self.t_last, self.events, self.lost, self.max_shift = state

    def events_of(self, sources: list, source_ids: np.ndarray, t0: float, t1: float,
                  d_fix: float, dt: float, grid: float, rounding: str) -> dict:  # fmt: skip
        """Arrival step -> source rows of the host spikes arriving in (t0, t1] (sent one
        fixed delay ``d_fix`` earlier); records, in each source handle that records spikes,
        what it emitted in (t0, t1], whether or not it arrived."""
        send, rows, recorded = [], [], []
        shift = self.max_shift
        lo, hi = t0 - d_fix, t1 - d_fix
        for p in sources:
            idx, tq, moved = emitted(p, lo, t1, grid, rounding)
            if "spikes" in p.active:
                mine = (tq > t0 + 1e-9) & (tq <= t1 + 1e-9) & np.isin(idx, p.recorded["spikes"])
                order = np.argsort(tq[mine], kind="stable")  # in time, as the chip's own
                recorded.append((p, idx[mine][order], tq[mine][order]))
            shift = max(shift, moved)
            if not source_ids.size:  # no cell is presynaptic anywhere: nothing to send
                continue
            sel = (tq > lo + 1e-9) & (tq <= hi + 1e-9)
            pos, ok = lookup(source_ids, p.ids[idx[sel]])
            send.append(tq[sel][ok])
            rows.append(pos[ok])
        send = np.concatenate(send) if send else np.empty(0)
        rows = np.concatenate(rows) if rows else np.empty(0, np.int64)
        order = np.argsort(send, kind="stable")
        send, rows = send[order], rows[order]
        keep = self._carry(send, t0, t1)
        for p, idx, tq in recorded:
            p.spikes.append((idx, tq))
        self.max_shift = shift
        arrival = np.ceil((send[keep] + d_fix) / dt - 1e-6).astype(np.int64) - 1
        rows = rows[keep]
        bounds = np.flatnonzero(np.diff(arrival)) + 1
        return {int(s[0]): r for s, r in zip(np.split(arrival, bounds), np.split(rows, bounds),
                                               strict=True) if s.size}  # fmt: skip

    def _carry(self, send: np.ndarray, t0: float, t1: float) -> np.ndarray:
        """Which of the events sent at ``send`` (sorted) the link carries."""
        p = self.profile
        keep, tokens, t_last = token_bucket(send, p.input_rate, p.input_burst, self.tokens,
                                            self.t_last)  # fmt: skip
        lost = int(send.size - keep.sum())
        if lost and self.policy == "error":
            raise InputLossError(
                f"{lost} of {send.size} input events in ({t0}, {t1}] ms exceed the "
                f"{p.name!r} chip's input link ({p.input_rate:g} events/ms bio, bursts of "
                f"{p.input_burst:g}); setup(input_loss='count') drops and counts them"
            )
        self.tokens, self.t_last = tokens, t_last
        self.events += int(send.size)
        self.lost += lost
        return keep


def token_bucket(times, rate: float, burst: float, tokens: float, t_last: float):
    """Which host events the input link carries: a token bucket of depth ``burst`` events,
    refilled at ``rate`` events per ms bio; an event that finds less than one token is lost.

    ``times`` (ms bio, sorted) are the send times; ``tokens``/``t_last`` the bucket state after
    the previous event.  Returns (kept mask, tokens, t_last).  Lossless traffic (the usual
    case) is decided without a loop: the token deficit obeys Lindley's recursion
    E_i = max(0, E_{i-1} + 1 - rate * dt_i) (E: tokens missing before event i), whose closed
    form is a running minimum."""
    t = np.asarray(times, float)
    keep = np.ones(t.size, bool)
    if not t.size:
        return keep, tokens, t_last
    gaps = np.diff(t, prepend=t_last)
    s = np.cumsum(1.0 - rate * gaps)
    deficit = s - np.minimum(np.minimum.accumulate(s), 1.0 - (burst - tokens))
    short = np.flatnonzero(deficit > burst - 1 + 1e-9)
    if not short.size:
        return keep, burst - deficit[-1] - 1.0, float(t[-1])
    first = short[0]  # lossless up to here; the rest event by event (only under overload)
    if first:
        tokens, t_last = burst - deficit[first - 1] - 1.0, float(t[first - 1])
    for i in range(first, t.size):
        tokens = min(burst, tokens + rate * (t[i] - t_last))
        t_last = float(t[i])
        if tokens >= 1.0 - 1e-9:
            tokens -= 1.0
        else:
            keep[i] = False
    return keep, tokens, t_last
