"""Current injection: the simulator-facing half of the current source classes.

A source object (data, in :mod:`pynn_uni.common.models`) calls these through the current
Simulation; they resolve the target cells to (population, indices) and call the backend.
"""

from __future__ import annotations

import numpy as np

from pynn_uni.common.assembly import Assembly
from pynn_uni.common.backend import SourceSpec
from pynn_uni.common.ids import ID
from pynn_uni.common.populations import BasePopulation
from pynn_uni.common.simulation import check_live


def _targets(cells):
    """(population, indices) pairs for a Population, view, Assembly, ID or list of IDs."""
    if isinstance(cells, Assembly):
        for member in cells.populations:
            yield from _targets(member)
    elif isinstance(cells, BasePopulation):
        yield cells._population_and_indices()
    elif isinstance(cells, ID):
        yield cells.parent, np.array([cells.parent.id_to_index(cells)])
    else:
        by_parent: dict = {}
        for c in cells:
            by_parent.setdefault(c.parent, []).append(c.parent.id_to_index(c))
        for parent, idx in by_parent.items():
            yield parent, np.asarray(idx)


def inject(sim, source, cells) -> None:
    check_source(source, "injected before")
    targets = list(_targets(cells))
    for pop, _ in targets:
        what = f"{type(source).__name__}.inject_into: Population {pop.label!r}"
        check_live(pop._simulation, what)
    for pop, idx in targets:
        if not pop.celltype.injectable:
            raise TypeError(
                f"cells of {pop.label!r} ({type(pop.celltype).__name__}) "
                "cannot take current injection"
            )
        handle = sim.backend.inject(_spec(source), pop._handle, idx)
        source.__dict__.setdefault("_handles", []).append(handle)
        source.__dict__.setdefault("_targets", []).append((pop, idx))  # for export
    source.__dict__["_simulation"] = sim  # get_data() works after end(), as for populations
    source._injected = True
    if source not in sim.current_sources:
        sim.current_sources.append(source)


def update(sim, source) -> None:
    check_source(source, "set_parameters")
    for handle in source.__dict__.get("_handles", []):
        sim.backend.update_source(handle, _spec(source).parameters)


def record(sim, source) -> None:
    check_source(source, "record")
    source.__dict__["_recorded"] = True
    for handle in source.__dict__.get("_handles", [])[:1]:
        sim.backend.record_source(handle)


def get_data(sim, source):
    """The injected current as a neo AnalogSignal in nA (from the first target)."""
    import neo
    import quantities as pq

    frozen = source.__dict__.get("_frozen_data")
    if frozen is not None and sim.ended:  # the simulation finished: what it recorded
        return frozen
    if sim.ended:
        check_source(source, "get_data", reading=True)
    handles = source.__dict__.get("_handles", [])
    if not handles:
        raise ValueError("record() the source after injecting it, before get_data()")
    times, values = sim.backend.source_signal(handles[0])
    keep = times <= sim.t + sim.dt / 2
    times, values = times[keep], values[keep]
    dt = sim.dt
    return neo.AnalogSignal(
        values,
        units="nA",
        sampling_period=dt * pq.ms,
        t_start=(times[0] if len(times) else 0.0) * pq.ms,
    )


def check_source(source, action: str, reading: bool = False) -> None:
    sim = source.__dict__.get("_simulation")
    if sim is not None:
        check_live(sim, f"{type(source).__name__} ({action})", reading)


def _spec(source) -> SourceSpec:
    """The source as data for the backend: its class and its current parameter values."""
    values = {k: getattr(v, "value", v) for k, v in source.get_parameters().items()}
    return SourceSpec(type(source), values)
