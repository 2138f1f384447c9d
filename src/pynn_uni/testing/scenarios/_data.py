"""Reading recorded data back as plain arrays, the same way for every backend."""

from __future__ import annotations

import numpy as np


def signal(population, name: str, segment: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """(times in ms, values[n_samples, n_cells]) of the analog signal ``name`` (PyNN units)."""
    block = population.get_data(name)
    sigs = [s for s in block.segments[segment].analogsignals if s.name == name]
    assert len(sigs) == 1, f"expected one AnalogSignal {name!r}, got {len(sigs)}"
    sig = sigs[0]
    return sig.times.rescale("ms").magnitude, np.asarray(sig.magnitude)


def spike_times(population, segment: int = -1) -> list[np.ndarray]:
    """Spike times (ms) of each cell, in population order."""
    block = population.get_data("spikes")
    trains = sorted(
        block.segments[segment].spiketrains, key=lambda st: st.annotations["source_index"]
    )
    return [st.rescale("ms").magnitude for st in trains]


def connection_table(projection, names=("weight", "delay")) -> np.ndarray:
    """Connections as rows (i, j, *names), sorted, so two builds compare row by row."""
    rows = np.asarray(projection.get(list(names), format="list"), dtype=float)
    rows = rows.reshape(-1, 2 + len(names))
    return rows[np.lexsort(rows.T[::-1])]
