"""Helpers for simulation scripts: picking a backend from the command line, logging,
timestamped file names, timing, progress bars and small array utilities.

The module path is PyNN's (``pyNN.utility``), so ``from pyNN.utility import get_simulator,
Timer`` ports by changing the package name only; so are its sub-modules ``script_tools``,
``timer``, ``progress_bar``, ``build`` and ``plotting``.  Nothing here imports a simulator or
matplotlib at import time.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import numpy as np

from .plotting import connection_plot
from .progress_bar import ProgressBar, SimulationProgressBar
from .script_tools import (
    get_script_args,
    get_simulator,
    init_logging,
    normalized_filename,
    notify,
)
from .timer import Timer

__all__ = [
    "ProgressBar",
    "SimulationProgressBar",
    "Timer",
    "connection_plot",
    "forgetful_memoize",
    "get_script_args",
    "get_simulator",
    "init_logging",
    "load_population",
    "normalized_filename",
    "notify",
    "save_population",
    "sort_by_column",
]

logger = logging.getLogger("pynn_uni")


# -- saving a population's spikes as a spike source -----------------------------------------


def save_population(population: Any, filename: str, variables: Sequence[str] | None = None):
    """Save a population's recorded spikes, size, label, structure and the parameters named
    in ``variables``, so :func:`load_population` can replay it as a ``SpikeSourceArray``.

    Spikes are stored as an ``(n_spikes, 2)`` array of (index in population, time in ms),
    in a :mod:`shelve` database (pickle-based: only load files you trust).
    """
    import shelve

    block = population.get_data("spikes", gather=True)
    trains = block.segments[-1].spiketrains if block.segments else []
    index = [
        np.full(len(st), st.annotations.get("source_index", i), dtype=float)
        for i, st in enumerate(trains)
    ]
    times = [np.asarray(st.rescale("ms").magnitude, dtype=float) for st in trains]
    spikes = np.column_stack(
        [np.concatenate(index or [np.empty(0)]), np.concatenate(times or [np.empty(0)])]
    )
    with shelve.open(filename) as db:
        db["spike_times"] = spikes
        db["label"] = population.label
        db["size"] = population.size
        db["structure"] = getattr(population, "structure", None)
        db["variables"] = {name: population.get(name) for name in (variables or ())}


def load_population(filename: str, sim: ModuleType) -> Any:
    """Create, in backend ``sim``, a ``SpikeSourceArray`` population that replays a file
    written by :func:`save_population` (and re-applies its saved parameters)."""
    import shelve

    from pynn_uni.parameters import Sequence as SpikeSequence

    with shelve.open(filename) as db:
        spikes = np.asarray(db["spike_times"], dtype=float).reshape(-1, 2)
        size, label = int(db["size"]), db["label"]
        structure, variables = db["structure"], dict(db["variables"])
    order = np.lexsort((spikes[:, 1], spikes[:, 0]))
    idx, times = spikes[order, 0].astype(np.int64), spikes[order, 1]
    bounds = np.searchsorted(idx, np.arange(size + 1))
    spike_times = [SpikeSequence(times[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    kwargs = {"label": label}
    if structure is not None:
        kwargs["structure"] = structure
    population = sim.Population(size, sim.SpikeSourceArray(spike_times=spike_times), **kwargs)
    if variables:
        population.set(**variables)
    return population


# -- small array and caching helpers --------------------------------------------------------


def sort_by_column(a: np.ndarray, col: int) -> np.ndarray:
    """Rows of the 2-D array ``a`` sorted (stably) by column ``col``."""
    a = np.asarray(a)
    return a[np.argsort(a[:, col], kind="stable"), :]


def _same(x: Any, y: Any) -> bool:
    if x is y:
        return True
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        return type(x) is type(y) and np.array_equal(x, y)
    try:
        return bool(x == y)
    except Exception:  # objects whose == is not a plain truth value
        return False


class forgetful_memoize:
    """Decorator caching only the most recent call: the same arguments again return the
    stored value, different ones recompute and replace it.

    For expensive functions called repeatedly with the same arguments from different
    places, without growing memory.  Works on methods too (the instance is an argument).
    """

    def __init__(self, func: Callable) -> None:
        self.func = func
        self.cached_args: tuple | None = None
        self.cached_kwargs: dict | None = None
        self.cached_value: Any = None
        functools.update_wrapper(self, func)

    def __call__(self, *args, **kwargs):
        cached = self.cached_args
        if (
            cached is not None
            and len(cached) == len(args)
            and all(_same(a, b) for a, b in zip(cached, args, strict=True))
            and self.cached_kwargs is not None
            and self.cached_kwargs.keys() == kwargs.keys()
            and all(_same(self.cached_kwargs[k], v) for k, v in kwargs.items())
        ):
            logger.debug("forgetful_memoize: using cached value of %s", self.func.__name__)
            return self.cached_value
        value = self.func(*args, **kwargs)
        self.cached_args, self.cached_kwargs, self.cached_value = args, kwargs, value
        return value

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return functools.partial(self.__call__, obj)
