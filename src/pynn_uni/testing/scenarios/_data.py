"""Reading recorded data and connections back as plain arrays, and what a backend's
capabilities say it must give back, the same way for every backend."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

from pynn_uni import errors
from pynn_uni.testing.scenarios.honesty import STANDARD_CELL_TYPES

#: preferred postsynaptic cell types, then any standard cell type the backend declares
TARGET_CELL_TYPES = tuple(
    dict.fromkeys(
        ("IF_curr_exp", "IF_cond_exp", "IF_facets_hardware1")
        + tuple(m for m in STANDARD_CELL_TYPES if not m.startswith("SpikeSource"))
    )
)
#: a weight every backend holds exactly (µS or nA): 4 steps of a 1 nS chip weight, 1 of 4 nS
W = 0.004


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


def connection_mask(projection) -> np.ndarray:
    """pre x post boolean matrix of existing connections (NaN marks an absent one)."""
    return ~np.isnan(np.asarray(projection.get("weight", format="array"), dtype=float))


def connection_pairs(projection) -> np.ndarray:
    """(i, j) of every connection, sorted, one row per connection (duplicates kept)."""
    return connection_table(projection, names=("weight",))[:, :2].astype(int)


# -- what the backend declares --------------------------------------------------------------
def target_cell_type(sim, capabilities):
    """A cell of the first of :data:`TARGET_CELL_TYPES` the backend declares (skip if none):
    connectivity does not depend on the cell model, so every backend can run it."""
    name = next((m for m in TARGET_CELL_TYPES if m in capabilities.models), None)
    if name is None:
        pytest.skip(f"{capabilities.path} declares no standard non-source cell type")
    return getattr(sim, name)()


def source_and_cells(sim, capabilities, n_pre: int, n_post: int, structure=None):
    """A spike-source population and a target-cell population, both on ``structure``."""
    return (
        sim.Population(n_pre, sim.SpikeSourceArray(spike_times=[]), structure=structure),
        sim.Population(n_post, target_cell_type(sim, capabilities), structure=structure),
    )


def fixed_delay(sim, capabilities) -> float | None:
    """The one delay of a backend that declares ``min_delay == max_delay``, else None."""
    lo, hi = (capabilities.limits.get(k) for k in ("min_delay", "max_delay"))
    if lo is None or lo != hi:
        return None
    return sim.get_time_step() if lo == "timestep" else float(lo)


def expected_delays(sim, capabilities, requested) -> np.ndarray:
    """The delays (ms) the backend must report for ``requested``."""
    requested = np.asarray(requested, dtype=float)
    fixed = fixed_delay(sim, capabilities)
    return requested if fixed is None else np.full_like(requested, fixed)


def substituting_delays(sim, capabilities):
    """Around a projection with delays other than the fixed one: a backend with a single
    fixed delay must warn (RoundingWarning) that it replaced them."""
    if fixed_delay(sim, capabilities) is None:
        return contextlib.nullcontext()
    return pytest.warns(errors.RoundingWarning)
