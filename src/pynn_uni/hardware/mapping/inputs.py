"""Host-side spike sources encoded onto the chip's event grid."""

from __future__ import annotations

import numpy as np

#: Poisson trains are drawn in chunks of this length (ms) from a stream per (seed,
#: population, chunk), so run(a); run(b) gives the same spikes as run(a + b)
CHUNK = 1000.0


def to_grid(times: np.ndarray, grid: float, rounding: str) -> np.ndarray:
    """Event times on the grid: ``floor`` (Spikey: never early) or ``nearest`` (BSS-2)."""
    x = np.asarray(times, float) / grid
    k = np.floor(x + 1e-9) if rounding == "floor" else np.rint(x)
    return k * grid


def poisson(rate, start, duration, t0: float, t1: float, seed: int, pop_index: int, n: int):
    """(cell index, time ms) of Poisson spikes in (t0, t1] for ``n`` cells; rate in Hz."""
    rate = np.broadcast_to(np.asarray(rate, float), (n,))
    start = np.broadcast_to(np.asarray(start, float), (n,))
    stop = start + np.broadcast_to(np.asarray(duration, float), (n,))
    cells, times = [], []
    for c in range(max(0, int(t0 // CHUNK)), int(np.ceil(t1 / CHUNK))):
        rng = np.random.default_rng([seed, pop_index, c])
        lo = c * CHUNK
        counts = rng.poisson(rate * CHUNK / 1000.0)
        idx = np.repeat(np.arange(n), counts)
        t = lo + rng.random(idx.size) * CHUNK
        keep = (t > t0) & (t <= t1) & (t >= start[idx]) & (t < stop[idx])
        cells.append(idx[keep])
        times.append(t[keep])
    if not cells:
        return np.empty(0, np.int64), np.empty(0)
    return np.concatenate(cells), np.concatenate(times)


def array_spikes(spike_times, n: int):
    """(cell index, time ms) from a SpikeSourceArray's ``spike_times`` value."""
    values = spike_times if isinstance(spike_times, np.ndarray) else [spike_times] * n
    trains = [np.asarray(getattr(s, "value", s), float).ravel() for s in values]
    idx = np.repeat(np.arange(n), [t.size for t in trains])
    return idx, np.concatenate(trains) if trains else np.empty(0)


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
