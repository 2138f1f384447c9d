"""Recording on NEURON: spikes through NetCon.record, signals through Vector.record, both
handed over in bulk as numpy arrays (gathered from every MPI rank)."""

from __future__ import annotations

import numpy as np

from pynn_uni.neuron import native as native_types
from pynn_uni.neuron.handles import PopulationHandle

#: point processes advanced by NEURON's fixed-step loop (BREAKPOINT), placed on the clock
#: section (PynnIF realises them as PynnIF or PynnIFStatic, see backend.py)
STEPPED = frozenset({"PynnIF"})


class Kept:
    """A recorded Vector's data, kept as numpy after end() frees NEURON's objects."""

    def __init__(self, vec):
        self.data = vec.as_numpy().copy()

    def as_numpy(self) -> np.ndarray:
        return self.data

    def size(self) -> int:
        return self.data.size


class Recording:
    """The backend's recording methods (mixed into NeuronBackend)."""

    def record(
        self, handle: PopulationHandle, variable: str, idx: np.ndarray, interval: float
    ) -> None:
        h, hoc = handle, self.h
        h.interval = interval
        if variable == "spikes":
            if h.spike_t is None:
                h.spike_t, h.spike_i = hoc.Vector(), hoc.Vector()
            for i in h.local_of(idx).tolist():
                if i not in h.spike_nc:
                    nc = native_types.spike_detector(hoc, h, i)
                    nc.record(h.spike_t, h.spike_i, i)
                    h.spike_nc[i] = nc
        else:
            h.recorded_variables.add(variable)
            vectors = h.vectors.setdefault(variable, {})
            for i in h.local_of(idx).tolist():
                if i not in vectors:
                    vec = hoc.Vector()
                    self._record(vec, ref_of(h, i, variable))
                    vectors[i] = vec
        if variable not in h.active:  # (re)start: what was recorded while stopped is dropped
            self._skip(h, variable)
        h.active.add(variable)

    def _record(self, vec, ref) -> None:
        """Every step with the fixed-step solver; on the dt grid with CVODE."""
        if self.cvode.active():
            vec.record(ref, self.dt)
        else:
            vec.record(ref)

    def _skip(self, h: PopulationHandle, variable: str) -> None:
        if variable == "spikes":
            h.spike_read = int(h.spike_t.size()) if h.spike_t is not None else 0
        else:
            h.read[variable] = self._samples(h)

    def _samples(self, h: PopulationHandle) -> int:
        """Samples on the interval grid since the last initialisation (t=0 included)."""
        if self.need_init:
            return 0
        return int(round(self.t / h.interval)) + 1

    def stop_recording(self, handle: PopulationHandle, variable: str) -> None:
        handle.active.discard(variable)

    def spikes(self, handle: PopulationHandle) -> tuple[np.ndarray, np.ndarray]:
        h = handle
        empty = (np.empty(0, np.int64), np.empty(0))
        if h.spike_t is None or self.need_init:
            return empty
        start, h.spike_read = h.spike_read, int(h.spike_t.size())
        if "spikes" not in h.active:
            return empty
        times = h.spike_t.as_numpy()[start:]
        if h.native is None and h.name != "SpikeSourceArray":
            # on the grid: NEURON's t accumulates rounding (~1e-13 ms/step); a
            # SpikeSourceArray emits its exact times, as PyNN's NEURON does
            times = np.round(times / self.dt) * self.dt
        return self.mpi.gather_spikes(h.spike_i.as_numpy()[start:].astype(np.int64), times)

    def signals(
        self, handle: PopulationHandle, variable: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        h = handle
        empty = (np.empty(0), np.empty((0, 0)), np.empty(0, np.int64))
        if variable not in h.recorded_variables or self.need_init:
            return empty
        vectors = h.vectors.get(variable, {})  # this rank's cells only
        total = self._samples(h)
        start, h.read[variable] = h.read.get(variable, 0), total
        if variable not in h.active or total <= start:
            return empty
        columns = np.array(sorted(vectors), dtype=np.int64)
        wanted = np.arange(start, total) * int(round(h.interval / self.dt))  # step numbers
        sampled = np.rint(self._tvec.as_numpy() / self.dt).astype(np.int64)  # since init
        values = np.full((wanted.size, columns.size), np.nan)
        for j, i in enumerate(columns.tolist()):
            data = vectors[i].as_numpy()
            n = min(data.size, sampled.size)  # a vector made mid-run: the latest samples
            steps, data = sampled[sampled.size - n :], data[data.size - n :]
            pos = np.clip(np.searchsorted(steps, wanted), 0, max(n - 1, 0))
            hit = (steps[pos] == wanted) if n else np.zeros(wanted.size, bool)
            values[hit, j] = data[pos[hit]]
        times = h.interval * np.arange(start, total)
        # t = 0 is the initial value, which the common layer supplies (natives: as recorded)
        keep = times > 0.0 if h.native is None else np.ones(times.size, bool)
        return self.mpi.gather_signals(times[keep], values[keep], columns)


def keep_data(h: PopulationHandle) -> None:
    """Recorded data as numpy, readable after end() frees NEURON's objects."""
    h.vectors = {k: {i: Kept(v) for i, v in d.items()} for k, d in h.vectors.items()}
    if h.spike_t is not None:
        h.spike_t, h.spike_i = Kept(h.spike_t), Kept(h.spike_i)


def ref_of(h: PopulationHandle, i: int, variable: str):
    """The NEURON reference recorded for ``variable`` of cell ``i``."""
    if h.native is not None:
        return native_types.ref(h, i, variable)
    if h.name == "PointNeuron" and "." in variable:  # '<receptor>.gsyn': g[r]
        return h.cells[i]._ref_g[h.celltype.receptor_types.index(variable.split(".")[0])]
    return getattr(h.cells[i], f"_ref_{h.translation.recordables[variable]}")
