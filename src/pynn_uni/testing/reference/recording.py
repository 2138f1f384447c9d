"""What one population records, kept until the common layer takes it.

The protocol hands data over *since the last call* (``spikes()``, ``signals()``): the
common layer owns segments, clearing and neo; a backend only buffers.  Signals are sampled
on the grid points that are multiples of the sampling interval (counted from t = 0), after
the step ending there, plus the state at t = 0 when a run starts from there (so the first
sample of a segment is the initial value, PyNN's convention).
"""

from __future__ import annotations

import numpy as np


class Recorder:
    def __init__(self, n: int):
        self.n = n
        self.masks: dict[str, np.ndarray] = {}  # variable -> which cells are recorded
        self.intervals: dict[str, int] = {}  # signal -> sampling interval in steps
        self.columns: dict[str, np.ndarray] = {}  # signal -> recorded cells, in order
        self.samples: dict[str, list] = {}  # signal -> [(time, columns, values)]
        self.spike_cells: list[np.ndarray] = []
        self.spike_times: list[np.ndarray] = []

    def record(self, variable: str, idx: np.ndarray, interval: int) -> None:
        mask = self.masks.setdefault(variable, np.zeros(self.n, bool))
        mask[np.asarray(idx, np.int64)] = True
        if variable != "spikes":
            self.intervals[variable] = interval
            self.columns[variable] = np.flatnonzero(mask)  # a new array: new samples' columns
            self.samples.setdefault(variable, [])

    def stop(self, variable: str) -> None:
        self.masks.pop(variable, None)
        self.intervals.pop(variable, None)
        self.columns.pop(variable, None)

    def discard(self) -> None:
        """Drop what was not taken (reset: the common layer took its data before)."""
        self.spike_cells, self.spike_times = [], []
        self.samples = {k: [] for k in self.samples}

    # -- during the run ------------------------------------------------------------------
    def spiked(self, cells: np.ndarray, time: float) -> None:
        mask = self.masks.get("spikes")
        if mask is not None:
            cells = cells[mask[cells]]
            if cells.size:
                self.spike_cells.append(cells)
                self.spike_times.append(np.full(cells.size, time))

    def sample(self, stamp: int, time: float, read) -> None:
        """Take the samples due at ``stamp``; ``read(variable)`` gives the state now."""
        for variable, interval in self.intervals.items():
            if stamp % interval == 0:
                columns = self.columns[variable]
                self.samples[variable].append((time, columns, read(variable)[columns].copy()))

    # -- handing over ------------------------------------------------------------------------
    def take_spikes(self) -> tuple[np.ndarray, np.ndarray]:
        if not self.spike_cells:
            return np.empty(0, np.int64), np.empty(0)
        cells, times = np.concatenate(self.spike_cells), np.concatenate(self.spike_times)
        self.spike_cells, self.spike_times = [], []
        return cells, times

    def take_signal(self, variable: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        samples, self.samples[variable] = self.samples.get(variable, []), []
        if not samples:
            return np.empty(0), np.empty((0, 0)), np.empty(0, np.int64)
        times = np.array([t for t, _, _ in samples])
        if all(c is samples[0][1] for _, c, _ in samples):  # the usual case: one column set
            return times, np.stack([v for _, _, v in samples]), samples[0][1]
        columns = np.unique(np.concatenate([c for _, c, _ in samples]))
        values = np.full((len(samples), columns.size), np.nan)  # cells added mid-way
        for row, (_, c, v) in enumerate(samples):
            values[row, np.searchsorted(columns, c)] = v
        return times, values, columns
