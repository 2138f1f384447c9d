"""Current sources on NEURON, with NEST's timing: a switching time t changes the current of
the membrane step that starts at t.

DC and step sources are NetCon events into the cell carrying the change (nA) on receptor 2
(any number per cell, every cell type); AC and noise are computed inside PynnIF each step
(one of each per cell), the noise from the cell's own Random123 stream.
"""

from __future__ import annotations

import numpy as np

from pynn_uni import errors
from pynn_uni.neuron import translations as tr

#: current sources computed inside PynnIF (at most one of each per cell)
_WAVES = {"ACSource": "ac", "NoisyCurrentSource": "noise"}


class _Source:
    """A current source on some cells of one population: its steps (time ms, change nA)."""

    def __init__(self, source, target, idx: np.ndarray):
        self.source, self.target, self.idx = source, target, idx
        self.times = self.deltas = np.empty(0)
        self.netcons: list[list] = []  # per step, one NetCon per target cell
        self.history: list = []  # (times, deltas, valid until) before each mid-run update
        self.recorded = False
        self.stream = 0  # NoisyCurrentSource: the third Random123 id of its cells' streams
        self.meter = None
        self.first = -1


class CurrentSources:
    """The backend's current-source methods (mixed into NeuronBackend)."""

    def inject(self, source, target, idx) -> _Source:
        name = type(source).__name__
        if name not in tr.CURRENT_SOURCES or getattr(source, "is_native", False):
            raise errors.NotSupportedError(
                f"{name} is not available on NEURON (supported: {', '.join(tr.CURRENT_SOURCES)})"
            )
        idx = np.asarray(idx, np.int64)
        h = _Source(source, target, idx[target.local[idx]])  # MPI: this rank's cells only
        h.first = int(idx[0]) if idx.size else -1  # the cell whose current is recorded
        if name in _WAVES and target.translation.mechanism != "PynnIF":
            raise errors.NotSupportedError(
                f"{name} into {target.name} is not available on NEURON yet (only DCSource "
                "and StepCurrentSource)"
            )
        if name in _WAVES:
            prefix = _WAVES[name]
            taken = target.waves.setdefault(prefix, set())
            clash = taken.intersection(h.idx.tolist())
            if clash:
                raise errors.NotSupportedError(
                    f"{name}: cell {min(clash)} of this population already has one; NEURON's "
                    f"PynnIF takes at most one {name} per cell"
                )
            taken.update(h.idx.tolist())
            self._n_waves += 1
            h.stream = self._n_waves
            self._set_wave(h)
        else:
            h.times, h.deltas = _steps(source, self.dt)
            h.netcons = self._source_netcons(h, h.deltas)
        self.sources.append(h)
        return h

    def _set_wave(self, h: _Source) -> None:
        """ACSource / NoisyCurrentSource: parameters of the cell's own waveform."""
        p = {k: getattr(v, "value", v) for k, v in h.source.get_parameters().items()}
        prefix = _WAVES[type(h.source).__name__]
        values = {f"{prefix}_on": 1.0, f"{prefix}_start": p["start"], f"{prefix}_stop": p["stop"]}
        if prefix == "ac":
            values.update(ac_amp=p["amplitude"], ac_offset=p["offset"],
                          ac_freq=p["frequency"], ac_phase=p["phase"])  # fmt: skip
        else:
            hold = max(self.dt, round(float(p["dt"]) / self.dt) * self.dt)
            values.update(noise_mean=p["mean"], noise_std=p["stdev"], noise_dt=hold)
        cells = [h.target.cells[i] for i in h.idx.tolist()]
        for c in cells:
            for k, v in values.items():
                setattr(c, k, float(v))
        if prefix == "noise":
            self._seed_noise(h)

    def _seed_noise(self, h: _Source) -> None:
        """Each target cell draws from its own stream: (rng_seed, cell id, source number)."""
        for i in h.idx.tolist():
            rng = h.target.cells[i].noise_rng
            rng.set_ids(self.seed, int(h.target.ids[i]), h.stream)
            rng.set_seq(0)

    def _source_netcons(self, h: _Source, deltas: np.ndarray) -> list:
        """One NetCon per (target cell, distinct step), carrying the step (nA) as weight."""
        NetCon, cells = self.h.NetCon, [h.target.cells[i] for i in h.idx.tolist()]
        made = []
        for d in deltas.tolist():
            row = []
            for c in cells:
                nc = NetCon(None, c)
                nc.weight[0], nc.weight[1] = d, 2
                row.append(nc)
            made.append(row)
        return made

    def update_source(self, h: _Source, source) -> None:
        if type(source).__name__ in _WAVES:
            h.source = source
            self._set_wave(h)
            return
        times, deltas = _steps(source, self.dt)
        mid_run = not self.need_init and self.t > 0
        if mid_run:  # the new level from now on; earlier steps stay as they were
            now = _level(times, deltas, self.t) - _level(h.times, h.deltas, self.t)
            later = times > self.t + 1e-6 * self.dt
            times = np.concatenate([[self.t], times[later]])
            deltas = np.concatenate([[now], deltas[later]])
            h.history.append((h.times, h.deltas, self.t))
        h.times, h.deltas = times, deltas
        h.netcons = self._source_netcons(h, deltas)
        if mid_run:  # the next run queues (t, t1] only: queue the jump at t here
            for nc in h.netcons[0]:
                nc.event(self.t)

    def record_source(self, h: _Source) -> None:
        h.recorded = True
        if type(h.source).__name__ in _WAVES and h.first >= 0 and h.target.local[h.first]:
            h.meter = self.h.Vector()
            var = "i_ac" if _WAVES[type(h.source).__name__] == "ac" else "i_nz"
            h.meter.record(getattr(h.target.cells[h.first], f"_ref_{var}"))

    def source_signal(self, h: _Source):
        t = self.dt * np.arange(int(round(self.t / self.dt)) + 1)
        data = None if h.meter is None else h.meter.as_numpy()[: t.size].copy()
        if self.mpi.parallel and type(h.source).__name__ in _WAVES:  # from the recording rank
            data = next((d for d in self.mpi.allgather(data) if d is not None), None)
        if data is not None:  # sample k holds the current of the step ending at k*dt
            values = np.zeros(t.size)
            values[: max(data.size - 1, 0)] = data[1 : t.size]
            # the step starting at the run's end: AC is known; noise holds its last value
            if _is_ac(h):
                values[-1] = _ac_at(h.source, t[-1], self.dt)
            elif t.size > 1 and _on(h.source, t[-1], self.dt):
                values[-1] = values[-2]
            return t, values
        values = _level(h.times, h.deltas, t)
        for times, deltas, until in h.history:  # levels before mid-run updates
            early = t < until - 1e-9 * self.dt
            values[early] = _level(times, deltas, t[early])
        return t, values

    def _reset_sources(self) -> None:
        """A fresh run uses each source's latest parameters, and the same noise again."""
        for src in self.sources:
            kind = _WAVES.get(type(src.source).__name__)
            if kind == "noise":
                self._seed_noise(src)
            elif kind is None:
                src.history = []
                src.times, src.deltas = _steps(src.source, self.dt)
                src.netcons = self._source_netcons(src, src.deltas)

    def _queue_steps(self, src: _Source, t0: float, t1: float) -> None:
        """Queue the source's current steps in (t0, t1] ([0, t1] on the first run)."""
        eps = 1e-6 * self.dt
        low = -eps if t0 == 0.0 else t0 + eps
        for k in np.flatnonzero((src.times > low) & (src.times <= t1 + eps)).tolist():
            for nc in src.netcons[k]:
                nc.event(float(src.times[k]))


def _is_ac(h: _Source) -> bool:
    return _WAVES[type(h.source).__name__] == "ac"


def _on(source, t: float, dt: float) -> bool:
    p = source.get_parameters()
    return p["start"] - 0.01 * dt <= t < p["stop"] - 0.01 * dt


def _ac_at(source, t: float, dt: float) -> float:
    """An ACSource's current (nA) over the step that starts at t (as pynn_if.mod's waves)."""
    if not _on(source, t, dt):
        return 0.0
    p = {k: float(getattr(v, "value", v)) for k, v in source.get_parameters().items()}
    phase = 2 * np.pi * p["frequency"] * (t - p["start"]) / 1000 + np.deg2rad(p["phase"])
    return p["offset"] + p["amplitude"] * np.sin(phase)


def _steps(source, dt: float):
    """(times, changes) of a DC or step current source, times on the grid: the change
    applies to the membrane from the step that starts at its time (NEST's semantics)."""
    p = {k: getattr(v, "value", v) for k, v in source.get_parameters().items()}
    if type(source).__name__ == "DCSource":
        times = np.array([p["start"], p["stop"]], float)
        levels = np.array([p["amplitude"], 0.0])
    else:
        times = np.asarray(p["times"], float).ravel()
        levels = np.asarray(p["amplitudes"], float).ravel()
    times = np.round(times / dt) * dt
    order = np.argsort(times, kind="stable")
    times, levels = times[order], levels[order]
    deltas = np.diff(np.concatenate([[0.0], levels]))
    return times, deltas


def _level(times: np.ndarray, deltas: np.ndarray, t):
    """Current (nA) of a step source at time(s) t: the sum of the steps up to t."""
    cum = np.concatenate([[0.0], np.cumsum(deltas)])
    return cum[np.searchsorted(times, np.asarray(t, float) + 1e-9, side="right")]
