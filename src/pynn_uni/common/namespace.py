"""Build a backend's ``sim`` namespace: the same common classes and functions for every
backend, with ``setup`` bound to that backend's class."""

from __future__ import annotations

import functools

import pynn_uni.errors as errors_module
import pynn_uni.random as random_module
import pynn_uni.space as space_module
from pynn_uni.common import connectors, control, models, procedural, provenance, simulation
from pynn_uni.common.assembly import Assembly
from pynn_uni.common.ids import ID
from pynn_uni.common.populations import Population, PopulationView
from pynn_uni.common.projections import Connection, Projection
from pynn_uni.network import Network
from pynn_uni.parameters import ArrayParameter, Sequence
from pynn_uni.random import NativeRNG, NumpyRNG, RandomDistribution
from pynn_uni.space import Space


def populate(namespace: dict, backend_factory, extra: dict | None = None) -> None:
    """Fill a backend module's globals with the PyNN API."""
    module = namespace.get("__name__")

    @functools.wraps(control.setup)
    def setup(timestep=0.1, min_delay="auto", **extra_args):
        return control.setup(backend_factory, timestep, min_delay, _namespace=module, **extra_args)

    api = {
        "setup": setup,
        "end": control.end,
        "run": control.run,
        "run_for": control.run_for,
        "run_until": control.run_until,
        "reset": control.reset,
        "get_current_time": control.get_current_time,
        "get_time_step": control.get_time_step,
        "get_min_delay": control.get_min_delay,
        "get_max_delay": control.get_max_delay,
        "num_processes": control.num_processes,
        "rank": control.rank,
        "list_standard_models": models.list_standard_models,
        "provenance": provenance.provenance,
        "Population": Population,
        "PopulationView": PopulationView,
        "Assembly": Assembly,
        "ID": ID,
        "Projection": Projection,
        "Connection": Connection,
        "Network": Network,
        "Space": Space,
        "NumpyRNG": NumpyRNG,
        "NativeRNG": NativeRNG,
        "RandomDistribution": RandomDistribution,
        "Sequence": Sequence,
        "ArrayParameter": ArrayParameter,
        "errors": errors_module,
        "random": random_module,
        "space": space_module,
    }
    for name in ("create", "connect", "set", "initialize", "record", "record_v", "record_gsyn"):
        api[name] = getattr(procedural, name)
    for name in dir(connectors):
        if name.endswith("Connector") or name in ("IndexBasedExpression",):
            api[name] = getattr(connectors, name)
    for name in models.__all__:
        api[name] = getattr(models, name)
    for name in _BOUND_FUNCTIONS:
        api[name] = _bound_function(api[name], module)
    for name in ("Population", "Projection"):
        api[name] = _bound_class(api[name], module)
    # create/connect build through this module's classes (a partial adds no frame, so their
    # deprecation warnings still point at the caller's line)
    api["create"] = functools.partial(procedural.create, _population=api["Population"])
    api["connect"] = functools.partial(procedural.connect, _projection=api["Projection"])
    api.update(extra or {})
    namespace.update(api)


#: functions that act on the current simulation: refused through another backend's module
_BOUND_FUNCTIONS = (
    "end", "run", "run_for", "run_until", "reset", "get_current_time", "get_time_step",
    "get_min_delay", "get_max_delay",
)  # fmt: skip


def _bound_function(function, module: str):
    @functools.wraps(function)
    def bound(*args, **kwargs):
        simulation.check_namespace(module, f"{function.__name__}()")
        return function(*args, **kwargs)

    return bound


def _bound_class(cls, module: str):
    """``cls`` as this backend module's class: its constructor (``cls.__init__`` reads
    ``_namespace``) checks that the current simulation was set up through this module.
    A subclass, so ``isinstance`` holds for every backend's objects; it pickles by name
    from the backend module; no wrapper frame, so warnings point at the user's line."""
    attributes = {"_namespace": module, "__module__": module, "__qualname__": cls.__qualname__}
    return type(cls.__name__, (cls,), dict(attributes, __doc__=cls.__doc__))
