"""What drives the cells from outside: spike sources and current sources, on the time grid.

Time grid: step ``k`` runs from ``k dt`` to ``(k + 1) dt``; an event is *stamped* with the
grid point at which it happens.  A time ``t`` that is not on the grid moves up to the next
grid point (``ceil``), as NEST's generators do, so nothing happens before it was asked for.

* Spike sources emit, during step ``k``, the spikes stamped ``k + 1``.  A spike at ``t <= 0``
  cannot be emitted (the first step ends at ``dt``) and is dropped, as NEST drops spike
  times that are not in the future.  ``SpikeSourcePoisson`` trains come from
  :mod:`pynn_uni.common.spike_trains` (seeded by ``(rng_seed, first id, 1 s block)``), so a
  split run equals a single run and ``reset()`` replays the same trains.
* A current source is sampled at the start of each step and that value is held over the
  step: a switch at ``t`` acts from the first grid point ``>= t``.  DCSource is on in
  ``[start, stop)``, StepCurrentSource holds ``amplitudes[i]`` from ``times[i]`` on, and
  ACSource is ``offset + amplitude sin(2 pi frequency (t - start) + phase)`` in
  ``[start, stop)`` (frequency in Hz, phase in degrees).
"""

from __future__ import annotations

import numpy as np

from pynn_uni.common import spike_trains
from pynn_uni.common.units import scale

_CYCLES_PER_MS = scale("Hz", "1/ms")  # frequency (Hz) x time (ms) = cycles

#: spike sources this backend emits
SPIKE_SOURCES = ("SpikeSourceArray", "SpikeSourcePoisson")
#: current sources this backend injects
CURRENT_SOURCES = ("DCSource", "StepCurrentSource", "ACSource")


def grid_steps(times, dt: float) -> np.ndarray:
    """The grid point each time moves to (the first at or after it), as a step count."""
    return np.ceil(np.asarray(times, float) / dt - 1e-9).astype(np.int64)


class SpikeSource:
    """The spikes of one spike-source population, as (step stamp, cell index) events."""

    def __init__(self, model: str, n: int, params: dict, dt: float, seed: int, first_id: int):
        self.model, self.n, self.dt = model, n, dt
        self.trains = None
        if model == "SpikeSourcePoisson":
            self.trains = spike_trains.Trains(model, params, n, seed, first_id, dt)
        self.configure(params, 0.0)

    def configure(self, params: dict, now: float) -> None:
        """New parameters from ``now`` (ms) on; spikes already emitted stay emitted."""
        if self.trains is not None:
            self.trains.forget_after(now, params)
        else:
            idx, times = spike_trains.array_spikes(params["spike_times"], self.n)
            self.array = (grid_steps(times, self.dt), idx)

    def events(self, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
        """(stamps, cell indices) of the spikes stamped in ``(first, last]``, by stamp."""
        if self.trains is not None:
            idx, times = self.trains.covering(first * self.dt, last * self.dt)
            stamps = np.rint(np.asarray(times) / self.dt).astype(np.int64)
        else:
            stamps, idx = self.array
        keep = (stamps > first) & (stamps <= last)
        order = np.argsort(stamps[keep], kind="stable")
        return stamps[keep][order], np.asarray(idx)[keep][order]


def current(model: str, params: dict, steps: np.ndarray, dt: float) -> np.ndarray:
    """The current (nA) a source injects over each of ``steps`` (sampled at the step start)."""
    steps = np.asarray(steps, np.int64)
    if model == "StepCurrentSource":
        switch = grid_steps(params["times"], dt)
        amplitudes = np.concatenate([[0.0], np.asarray(params["amplitudes"], float)])
        return amplitudes[np.searchsorted(switch, steps, side="right")]
    on = (steps >= grid_steps(params["start"], dt)) & (steps < grid_steps(params["stop"], dt))
    if model == "DCSource":
        return np.where(on, float(params["amplitude"]), 0.0)
    t = steps * dt - float(params["start"])  # ACSource
    angle = 2.0 * np.pi * float(params["frequency"]) * _CYCLES_PER_MS * t + np.deg2rad(
        params["phase"]
    )
    wave = float(params["offset"]) + float(params["amplitude"]) * np.sin(angle)
    return np.where(on, wave, 0.0)
