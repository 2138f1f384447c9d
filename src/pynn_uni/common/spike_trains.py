"""Spike trains of the spike sources, simulator-neutral: the same seed gives the same trains
on every backend that generates them on the host.

Random sources are drawn with numpy in blocks of ``BLOCK_MS``; block ``b`` of a population
uses the generator :func:`block_rng` ``(seed, first id, b)``.  Blocks make a split run equal a
single run (and ``reset()`` replay the same trains); keying by the population's first global
id, not by an MPI rank or the order of creation, gives every process and every backend the
same trains.  Renewal processes (gamma, Poisson with dead time) carry each cell's next spike
time from block to block.  Times are rounded up to the time grid, as NEST's generators emit
on the grid.

SpikeSourceInhGamma is a gamma renewal process whose hazard follows piecewise-constant
parameters (Muller et al. 2007): in the histogram bin starting at ``tbins[i]`` the hazard at
age ``s`` since the last spike is that of a gamma distribution with shape ``a[i]`` and scale
``b[i]`` (s), so within a bin the intervals are gamma(a[i], b[i]) and the age carries over
bin edges.  It starts at ``start`` as if a spike had occurred there and is silent before
``tbins[0]``; ``b = inf`` silences a bin.
"""

from __future__ import annotations

import numpy as np

from pynn_uni import errors
from pynn_uni.common import units

BLOCK_MS = 1000.0
RENEWAL = ("SpikeSourceGamma", "SpikeSourcePoissonRefractory", "SpikeSourceInhGamma")
#: the random sources (drawn block by block); SpikeSourceArray's trains are given
RANDOM = ("SpikeSourcePoisson", *RENEWAL)
_MS_PER_S = units.scale("s", "ms")  # rates are in Hz, gamma scales (``beta``, ``b``) per s or in s


def block_rng(seed: int, first_id: int, block: int) -> np.random.Generator:
    """The generator of block ``block`` of the population whose first global id is
    ``first_id`` (the one seeding rule: see the module docstring)."""
    return np.random.default_rng([seed, first_id, block])


def array_spikes(spike_times, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(cell index, time ms) of a SpikeSourceArray's ``spike_times`` value: an object array
    of one train per cell, or one train shared by all ``n`` cells."""
    values = spike_times if isinstance(spike_times, np.ndarray) else [spike_times] * n
    trains = [np.asarray(getattr(s, "value", s), float).ravel() for s in values]
    idx = np.repeat(np.arange(n), [t.size for t in trains])
    return idx, (np.concatenate(trains) if trains else np.empty(0))


class Trains:
    """The trains of one random source population, drawn block by block and kept, so split
    runs and ``reset()`` replay them; ``forget_after`` drops the blocks a parameter change
    makes stale."""

    def __init__(self, kind: str, params: dict, n: int, seed: int, first_id: int, dt: float):
        self.kind, self.params, self.n = kind, params, n
        self.seed, self.first_id, self.dt = seed, first_id, dt
        self.blocks: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.upcoming: dict = {}  # renewal sources: the process state at block b's start

    def forget_after(self, t: float, params: dict) -> None:
        """New parameters from ``t`` ms on: blocks ending after ``t`` are drawn again."""
        self.params = params
        self.blocks = {b: v for b, v in self.blocks.items() if (b + 1) * BLOCK_MS <= t}

    def block(self, b: int) -> tuple[np.ndarray, np.ndarray]:
        """(cell index, time ms) of block [b, b+1) (unsorted)."""
        if b not in self.blocks:
            rng = block_rng(self.seed, self.first_id, b)
            if self.kind in RENEWAL:
                if b > 0 and b - 1 not in self.blocks:
                    self.block(b - 1)  # renewal: the blocks in order
                idx, times, self.upcoming[b + 1] = renewal_block(
                    self.kind, self.params, self.n, b, rng, self.dt, self.upcoming.get(b)
                )
            else:
                idx, times = poisson_block(self.params, self.n, b, rng, self.dt)
            self.blocks[b] = (idx, times)
        return self.blocks[b]

    def covering(self, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
        """(cell index, time ms) of every block that overlaps [t0, t1] (unsorted; the caller
        picks its window)."""
        first, last = int(np.floor(t0 / BLOCK_MS)), int(np.floor(t1 / BLOCK_MS))
        parts = [self.block(b) for b in range(first, last + 1)]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _per_cell(params: dict, names, n: int):
    return [np.broadcast_to(np.asarray(params[k], float), (n,)) for k in names]


def poisson_block(params: dict, n: int, b: int, rng, dt: float):
    """(cell index, time ms) of block [b, b+1) s of a Poisson source."""
    rate, start, duration = _per_cell(params, ("rate", "start", "duration"), n)
    lo = np.maximum(start, b * BLOCK_MS)
    hi = np.minimum(start + duration, (b + 1) * BLOCK_MS)
    span = np.clip(hi - lo, 0.0, None)
    counts = rng.poisson(rate * span / _MS_PER_S)
    idx = np.repeat(np.arange(n), counts)
    times = lo[idx] + rng.random(idx.size) * span[idx]
    return idx, np.ceil(times / dt - 1e-9) * dt


def _intervals(kind: str, params: dict, n: int, rng, cells: np.ndarray) -> np.ndarray:
    """One inter-spike interval (ms) for each of ``cells``."""
    if kind == "SpikeSourceGamma":
        alpha, beta = _per_cell(params, ("alpha", "beta"), n)
        return rng.gamma(alpha[cells], _MS_PER_S / np.maximum(beta[cells], 1e-300))
    rate, dead = _per_cell(params, ("rate", "tau_refrac"), n)
    mean = _MS_PER_S / np.maximum(rate[cells], 1e-300)
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
    if kind == "SpikeSourceInhGamma":
        return inh_gamma_block(params, n, b, rng, dt, upcoming)
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


def rows(value) -> list[np.ndarray]:
    """An array-valued parameter as one float array per cell, or a single one shared by all
    cells (an ArrayParameter / Sequence, or an object array holding one per cell)."""
    if isinstance(value, np.ndarray) and value.dtype == object:
        items = value.tolist()
    elif isinstance(value, np.ndarray) and value.ndim == 2:
        items = list(value)
    else:
        items = [value]
    return [np.atleast_1d(np.asarray(getattr(v, "value", v), float)).ravel() for v in items]


def histograms(params: dict, n: int):
    """[(cell indices, tbins ms, a, scale ms)] of a SpikeSourceInhGamma, cells grouped by
    identical histograms; raises InvalidParameterValueError on a malformed one."""
    table = {k: rows(params[k]) for k in ("tbins", "a", "b")}
    one = all(len(r) == 1 for r in table.values())
    if one:
        keys = [0] * n
        shared = {0: tuple(table[k][0] for k in ("tbins", "a", "b"))}
    else:
        per_cell = [
            tuple(table[k][i % len(table[k])] for k in ("tbins", "a", "b")) for i in range(n)
        ]
        keys = [tuple(tuple(x.tolist()) for x in cell) for cell in per_cell]
        shared = {key: cell for key, cell in zip(keys, per_cell, strict=True)}
    members: dict = {}
    for i, key in enumerate(keys):
        members.setdefault(key, []).append(i)
    groups = []
    for key, cells in members.items():
        tbins, a, b = shared[key]
        _check_histogram(tbins, a, b, None if one else cells[0])
        groups.append((np.asarray(cells, np.int64), tbins, a, _MS_PER_S * b))
    return groups


def _check_histogram(tbins, a, b, cell: int | None) -> None:
    where = "SpikeSourceInhGamma" + ("" if cell is None else f" (cell {cell})")
    if not (tbins.size == a.size == b.size) or tbins.size == 0:
        raise errors.InvalidParameterValueError(
            f"{where}: a, b and tbins need one value per bin, got {a.size}, {b.size} and "
            f"{tbins.size}"
        )
    if np.any(np.diff(tbins) <= 0) or not np.all(np.isfinite(tbins)):
        raise errors.InvalidParameterValueError(
            f"{where}: tbins must be finite and strictly increasing, got {tbins.tolist()}"
        )
    if np.any(~(a > 0)) or not np.all(np.isfinite(a)):
        raise errors.InvalidParameterValueError(
            f"{where}: a must be > 0 and finite, got {a.tolist()}"
        )
    if np.any(~(b > 0)):
        raise errors.InvalidParameterValueError(
            f"{where}: b must be > 0 s (inf: silent), got {b.tolist()}"
        )


def _gamma_beyond(rng, a: float, scale: float, age: np.ndarray) -> np.ndarray:
    """Gamma(a, scale) draws conditioned on exceeding ``age`` (ms, per element), by inverting
    the upper regularised incomplete gamma function; where the survival at ``age`` underflows,
    by rejection from the exponential tail that bounds it (exact for every a)."""
    if not np.isfinite(scale):
        return np.full(age.size, np.inf)
    from scipy import special  # here: importing it costs every script 14 MB

    u = 1.0 - rng.random(age.size)  # in (0, 1]
    z = age / scale
    survival = special.gammaincc(a, z)
    x = scale * special.gammainccinv(a, u * survival)
    far = survival < 1e-250
    if np.any(far):  # density ~ (1 + r/age)^(a-1) exp(-r/scale): propose r ~ Exp(rate)
        extra = max(a - 1.0, 0.0)
        tau, out = age[far], np.empty(int(far.sum()))
        todo = np.arange(out.size)
        while todo.size:
            r = rng.exponential(1.0 / (1.0 / scale - extra / tau[todo]))
            rel = r / tau[todo]
            keep = rng.random(todo.size) < (1.0 + rel) ** (a - 1.0) * np.exp(-extra * rel)
            out[todo[keep]] = tau[todo[keep]] + r[keep]
            todo = todo[~keep]
        x[far] = out
    return np.maximum(x, age)


def inh_gamma_block(params: dict, n: int, b: int, rng, dt: float, state):
    """Block [b, b+1) s of a SpikeSourceInhGamma.  ``state``: each cell's (last spike time,
    next spike time drawn under the current bin's parameters; NaN: to be drawn), or None at
    the start.  At each bin edge the next spike is redrawn from the new gamma distribution
    conditioned on the age reached; inside a bin the intervals are plain gamma draws."""
    start, duration = _per_cell(params, ("start", "duration"), n)
    stop = start + duration
    if state is None:
        last, nxt = start.copy(), np.full(n, np.nan)
    else:
        last, nxt = state[0].copy(), state[1].copy()
    lo, hi = b * BLOCK_MS, (b + 1) * BLOCK_MS
    idx, times = [], []
    for cells, tbins, shape, scale in histograms(params, n):
        cuts = np.concatenate([[lo], tbins[(tbins > lo) & (tbins < hi)], [hi]])
        for u, v in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
            i = int(np.searchsorted(tbins, u, side="right")) - 1
            if i < 0:  # before the first bin: no hazard
                continue
            if u == tbins[i]:  # new parameters: redraw from the age reached
                nxt[cells] = np.nan
            fresh = cells[np.isnan(nxt[cells])]
            at = np.maximum(u, start[fresh])
            go = (at < v) & (at < stop[fresh])
            fresh, at = fresh[go], at[go]
            nxt[fresh] = last[fresh] + _gamma_beyond(rng, shape[i], scale[i], at - last[fresh])
            while True:
                due = cells[(nxt[cells] < v) & (nxt[cells] <= stop[cells])]
                if due.size == 0:
                    break
                idx.append(due)
                times.append(nxt[due])
                last[due] = nxt[due]
                nxt[due] = last[due] + rng.gamma(shape[i], scale[i], due.size)
    if not idx:
        return np.empty(0, np.int64), np.empty(0), (last, nxt)
    idx, times = np.concatenate(idx), np.concatenate(times)
    return idx, np.ceil(times / dt - 1e-9) * dt, (last, nxt)
