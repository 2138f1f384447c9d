"""Spike trains of the random spike sources, drawn with numpy in blocks of 1 s.

Block ``b`` of a population uses a generator seeded by ``(rng_seed, first id, b)``, so a
split run equals a single run and ``reset()`` replays the same trains.  Renewal processes
(gamma, Poisson with dead time) carry each cell's next spike time from block to block.
Times are rounded up to the time grid, as NEST's generators emit on the grid.
"""

from __future__ import annotations

import numpy as np

from pynn_uni import errors

BLOCK_MS = 1000.0
RENEWAL = ("SpikeSourceGamma", "SpikeSourcePoissonRefractory")


def _per_cell(params: dict, names, n: int):
    return [np.broadcast_to(np.asarray(params[k], float), (n,)) for k in names]


def poisson_block(params: dict, n: int, b: int, rng, dt: float):
    """(cell index, time ms) of block [b, b+1) s of a Poisson source."""
    rate, start, duration = _per_cell(params, ("rate", "start", "duration"), n)
    lo = np.maximum(start, b * BLOCK_MS)
    hi = np.minimum(start + duration, (b + 1) * BLOCK_MS)
    span = np.clip(hi - lo, 0.0, None)
    counts = rng.poisson(rate * span / 1000.0)
    idx = np.repeat(np.arange(n), counts)
    times = lo[idx] + rng.random(idx.size) * span[idx]
    return idx, np.ceil(times / dt - 1e-9) * dt


def _intervals(kind: str, params: dict, n: int, rng, cells: np.ndarray) -> np.ndarray:
    """One inter-spike interval (ms) for each of ``cells``."""
    if kind == "SpikeSourceGamma":
        alpha, beta = _per_cell(params, ("alpha", "beta"), n)
        return rng.gamma(alpha[cells], 1000.0 / np.maximum(beta[cells], 1e-300))
    rate, dead = _per_cell(params, ("rate", "tau_refrac"), n)
    mean = 1000.0 / np.maximum(rate[cells], 1e-300)
    if np.any(mean < dead[cells]):
        raise errors.InvalidParameterValueError(
            f"SpikeSourcePoissonRefractory: rate {rate[cells].max()} Hz is above "
            f"1 / tau_refrac ({dead[cells].min()} ms)"
        )
    return dead[cells] + rng.exponential(mean - dead[cells])


def renewal_block(kind: str, params: dict, n: int, b: int, rng, dt: float, upcoming):
    """Block [b, b+1) s of a renewal source.  ``upcoming``: each cell's next spike time at
    the block's start (None: the process starts at ``start``).  Returns (idx, times, the
    next spike times after the block)."""
    start, duration = _per_cell(params, ("start", "duration"), n)
    stop = start + duration
    nxt = np.full(n, np.inf) if upcoming is None else np.array(upcoming, float)
    if upcoming is None:
        fresh = np.arange(n)
        nxt[fresh] = start[fresh] + _intervals(kind, params, n, rng, fresh)
    end = (b + 1) * BLOCK_MS
    idx, times = [], []
    while True:
        due = np.flatnonzero((nxt < end) & (nxt <= stop))
        if due.size == 0:
            break
        idx.append(due)
        times.append(nxt[due])
        nxt[due] = nxt[due] + _intervals(kind, params, n, rng, due)
    nxt[nxt > stop] = np.inf
    if not idx:
        return np.empty(0, np.int64), np.empty(0), nxt
    idx, times = np.concatenate(idx), np.concatenate(times)
    return idx, np.ceil(times / dt - 1e-9) * dt, nxt
