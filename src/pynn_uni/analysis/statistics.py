"""Spike-train statistics of one population, vectorised over cells.

Every function takes the spike trains of one neo Segment (or ``(cells, times, n_cells,
t_start, t_stop)`` columns, times in ms) and returns one value per cell or per pair, so
two runs can be compared as distributions (see :mod:`pynn_uni.analysis.compare`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: statistics computed for every population, in report order
STATISTICS = ("rate", "cv_isi", "correlation")
#: units of each statistic, for tables and axes
UNITS = {"rate": "Hz", "cv_isi": "", "correlation": ""}


@dataclass(frozen=True)
class SpikeColumns:
    """Spikes of ``n_cells`` cells as flat columns: ``cells`` (index 0..n-1) and ``times``
    (ms) sorted by cell then time, recorded over ``[t_start, t_stop]`` ms."""

    cells: np.ndarray
    times: np.ndarray
    n_cells: int
    t_start: float
    t_stop: float

    @classmethod
    def from_spiketrains(cls, spiketrains) -> SpikeColumns:
        """Columns from neo SpikeTrains (any time unit; converted to ms)."""
        trains = list(spiketrains)
        if not trains:
            return cls(np.empty(0, np.int64), np.empty(0), 0, 0.0, 0.0)
        times = [np.asarray(st.rescale("ms").magnitude, float) for st in trains]
        cells = np.repeat(np.arange(len(trains)), [t.size for t in times])
        t_start = float(min(st.t_start.rescale("ms").magnitude for st in trains))
        t_stop = float(max(st.t_stop.rescale("ms").magnitude for st in trains))
        return cls.from_arrays(cells, np.concatenate(times), len(trains), t_start, t_stop)

    @classmethod
    def from_arrays(cls, cells, times, n_cells: int, t_start: float, t_stop: float):
        cells = np.asarray(cells, np.int64)
        times = np.asarray(times, float)
        order = np.lexsort((times, cells))
        return cls(cells[order], times[order], int(n_cells), float(t_start), float(t_stop))


def _columns(spikes) -> SpikeColumns:
    return spikes if isinstance(spikes, SpikeColumns) else SpikeColumns.from_spiketrains(spikes)


def firing_rates(spikes) -> np.ndarray:
    """Mean firing rate of every cell (Hz): spike count / recording duration."""
    s = _columns(spikes)
    duration = (s.t_stop - s.t_start) / 1000.0
    counts = np.bincount(s.cells, minlength=s.n_cells).astype(float)
    return counts / duration if duration > 0 else np.full(s.n_cells, np.nan)


def cv_isi(spikes, min_spikes: int = 3) -> np.ndarray:
    """Coefficient of variation (std / mean, population std) of the inter-spike intervals
    of every cell with at least ``min_spikes`` spikes (1 for Poisson, 0 for a clock);
    cells with fewer are left out, so the result may be shorter than the population."""
    s = _columns(spikes)
    same = s.cells[1:] == s.cells[:-1]
    isi = np.diff(s.times)[same]
    owner = s.cells[1:][same]
    n = np.bincount(owner, minlength=s.n_cells).astype(float)
    total = np.bincount(owner, isi, minlength=s.n_cells)
    keep = n >= max(min_spikes - 1, 2)
    mean = total[keep] / n[keep]
    sq = np.bincount(owner, isi * isi, minlength=s.n_cells)[keep] / n[keep]
    return np.sqrt(np.maximum(sq - mean * mean, 0.0)) / mean


def binned_counts(spikes, bin_size: float = 5.0) -> np.ndarray:
    """Spike counts, cells x bins of ``bin_size`` ms from t_start (a partial last bin is
    dropped, so all bins have the same width)."""
    s = _columns(spikes)
    n_bins = int(np.floor((s.t_stop - s.t_start) / bin_size + 1e-9))
    b = np.floor((s.times - s.t_start) / bin_size + 1e-9).astype(np.int64)
    ok = (b >= 0) & (b < n_bins)
    flat = np.bincount(s.cells[ok] * n_bins + b[ok], minlength=s.n_cells * n_bins)
    return flat.reshape(s.n_cells, n_bins).astype(float)


def correlation_coefficients(spikes, bin_size: float = 5.0, max_cells: int = 100) -> np.ndarray:
    """Pearson correlation of binned spike counts (``bin_size`` ms) for every pair among the
    first ``max_cells`` cells whose counts vary (silent cells have no defined correlation).
    Independent trains give values around 0 with spread ~ 1/sqrt(number of bins)."""
    counts = binned_counts(spikes, bin_size)
    counts = counts[counts.std(axis=1) > 0][:max_cells]
    if counts.shape[0] < 2:
        return np.empty(0)
    c = np.corrcoef(counts)
    return c[np.triu_indices(c.shape[0], k=1)]


def population_statistics(spikes, bin_size: float = 5.0, max_cells: int = 100) -> dict:
    """All :data:`STATISTICS` of one population's spikes, as {name: values}."""
    s = _columns(spikes)
    return {
        "rate": firing_rates(s),
        "cv_isi": cv_isi(s),
        "correlation": correlation_coefficients(s, bin_size, max_cells),
    }
