"""Current sources on NEURON, with NEST's timing: a switching time t changes the current of
the membrane step that starts at t.

DC and step sources are NetCon events into the cell carrying the change (nA) on receptor 2
(any number per cell, every cell type); AC and noise are computed inside PynnIF each step
(one of each per cell), the noise from the cell's own Random123 stream.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from pynn_uni import errors
from pynn_uni.common import units
from pynn_uni.common.backend import SourceSpec
from pynn_uni.neuron import translations as tr
from pynn_uni.neuron.handles import PopulationHandle, SourceHandle

#: current sources computed inside PynnIF (at most one of each per cell)
_WAVES = {"ACSource": "ac", "NoisyCurrentSource": "noise"}
_MS_PER_S = units.scale("s", "ms")  # frequencies are in Hz, times in ms


class CurrentSources:
    """The backend's current-source methods (mixed into NeuronBackend)."""

    def inject(self, spec: SourceSpec, target: PopulationHandle, idx: np.ndarray) -> SourceHandle:
        name = spec.model
        if name not in tr.CURRENT_SOURCES:
            raise errors.NotSupportedError(
                f"{name} is not available on NEURON (supported: {', '.join(tr.CURRENT_SOURCES)})"
            )
        idx = np.asarray(idx, np.int64)
        first = int(idx[0]) if idx.size else -1  # the cell whose current is recorded
        h = SourceHandle(name, dict(spec.parameters), target, target.local_of(idx), first)
        if name in _WAVES and (target.translation is None
                               or target.translation.mechanism != "PynnIF"):  # fmt: skip
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
            h.times, h.deltas = _steps(h.kind, h.parameters, self.dt)
            h.netcons = self._source_netcons(h, h.deltas)
        self.sources.append(h)
        return h

    def _set_wave(self, h: SourceHandle) -> None:
        """ACSource / NoisyCurrentSource: parameters of the cell's own waveform."""
        p = h.parameters
        prefix = _WAVES[h.kind]
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

    def _seed_noise(self, h: SourceHandle) -> None:
        """Each target cell draws from its own stream: (rng_seed, cell id, source number)."""
        for i in h.idx.tolist():
            rng = h.target.cells[i].noise_rng
            rng.set_ids(self.seed, int(h.target.ids[i]), h.stream)
            rng.set_seq(0)

    def _source_netcons(self, h: SourceHandle, deltas: np.ndarray) -> list:
        """One NetCon per (target cell, distinct step), carrying the step (nA) as weight."""
        h.stale = set()
        return [self._source_row(h, d) for d in deltas.tolist()]

    def _source_row(self, h: SourceHandle, delta: float) -> list:
        NetCon, made = self.h.NetCon, []
        for i in h.idx.tolist():
            nc = NetCon(None, h.target.cells[i])
            nc.weight[0], nc.weight[1] = delta, 2
            made.append(nc)
        return made

    def update_source(self, handle: SourceHandle, parameters: Mapping) -> None:
        h = handle
        h.parameters = dict(parameters)
        if h.kind in _WAVES:
            self._set_wave(h)
            return
        times, deltas = _steps(h.kind, h.parameters, self.dt)
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

    def remake_source(self, h: SourceHandle) -> None:
        """The source's hold on its target cells made again (they were remade)."""
        if h.kind in _WAVES:
            self._set_wave(h)
        else:
            h.netcons = self._source_netcons(h, h.deltas)
        if h.recorded:
            self.record_source(h)

    def record_source(self, handle: SourceHandle) -> None:
        h = handle
        h.recorded = True
        if h.kind in _WAVES and h.first >= 0 and h.target.local[h.first]:
            h.meter = self.h.Vector()
            var = "i_ac" if _WAVES[h.kind] == "ac" else "i_nz"
            h.meter.record(getattr(h.target.cells[h.first], f"_ref_{var}"))

    def source_signal(self, handle: SourceHandle) -> tuple[np.ndarray, np.ndarray]:
        h = handle
        t = self.dt * np.arange(int(round(self.t / self.dt)) + 1)
        data = None if h.meter is None else h.meter.as_numpy()[: t.size].copy()
        if self.mpi.parallel and h.kind in _WAVES:  # from the recording rank
            data = next((d for d in self.mpi.allgather(data) if d is not None), None)
        if data is not None:  # sample k holds the current of the step ending at k*dt
            values = np.zeros(t.size)
            values[: max(data.size - 1, 0)] = data[1 : t.size]
            # the step starting at the run's end: AC is known; noise holds its last value
            if h.kind == "ACSource":
                values[-1] = _ac_at(h.parameters, t[-1], self.dt)
            elif t.size > 1 and _on(h.parameters, t[-1], self.dt):
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
            kind = _WAVES.get(src.kind)
            if kind == "noise":
                self._seed_noise(src)
            elif kind is None:
                src.history = []
                src.times, src.deltas = _steps(src.kind, src.parameters, self.dt)
                src.netcons = self._source_netcons(src, src.deltas)

    def _queue_steps(self, src: SourceHandle, t0: float, t1: float) -> None:
        """Queue the source's current steps in (t0, t1] ([0, t1] on the first run)."""
        eps = 1e-6 * self.dt
        low = -eps if t0 == 0.0 else t0 + eps
        for k in np.flatnonzero((src.times > low) & (src.times <= t1 + eps)).tolist():
            if k in src.stale:  # retired by Ctrl-C: fresh NetCons
                src.netcons[k] = self._source_row(src, float(src.deltas[k]))
                src.stale.discard(k)
            for nc in src.netcons[k]:
                nc.event(float(src.times[k]))

    def _retire_steps(self, src: SourceHandle, after: float, stop: float) -> list:
        """After a run that Ctrl-C stopped at ``stop``: the NetCons of the steps still
        queued (later than NEURON's time ``after``) deliver zero from now on and are
        replaced when next queued; a step at ``stop`` itself, which the next run does not
        queue, is queued again at once.  Returns the retired NetCons."""
        if src.kind in _WAVES:
            return []
        retired = []
        for k in np.flatnonzero(src.times > after).tolist():
            if k in src.stale:
                continue
            for nc in src.netcons[k]:
                nc.weight[0] = 0.0
            retired.extend(src.netcons[k])
            src.stale.add(k)
            if src.times[k] <= stop + 1e-6 * self.dt:
                src.netcons[k] = self._source_row(src, float(src.deltas[k]))
                src.stale.discard(k)
                for nc in src.netcons[k]:
                    nc.event(float(src.times[k]))
        return retired


def _on(p: Mapping, t: float, dt: float) -> bool:
    return p["start"] - 0.01 * dt <= t < p["stop"] - 0.01 * dt


def _ac_at(p: Mapping, t: float, dt: float) -> float:
    """An ACSource's current (nA) over the step that starts at t (as pynn_if.mod's waves)."""
    if not _on(p, t, dt):
        return 0.0
    p = {k: float(v) for k, v in p.items()}
    phase = 2 * np.pi * p["frequency"] * (t - p["start"]) / _MS_PER_S + np.deg2rad(p["phase"])
    return p["offset"] + p["amplitude"] * np.sin(phase)


def _steps(kind: str, p: Mapping, dt: float):
    """(times, changes) of a DC or step current source, times on the grid: the change
    applies to the membrane from the step that starts at its time (NEST's semantics)."""
    if kind == "DCSource":
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
