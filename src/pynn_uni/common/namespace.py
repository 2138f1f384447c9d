"""Build a backend's ``sim`` namespace: the same common classes and functions for every
backend, with ``setup`` bound to that backend's class."""

from __future__ import annotations

import functools


def populate(namespace: dict, backend_factory, extra: dict | None = None) -> None:
    """Fill a backend module's globals with the PyNN API."""
    import pynn_uni.errors as errors_module
    import pynn_uni.random as random_module
    import pynn_uni.space as space_module
    from pynn_uni.common import connectors, control, models, procedural, provenance
    from pynn_uni.common.populations import ID, Assembly, Population, PopulationView
    from pynn_uni.common.projections import Connection, Projection
    from pynn_uni.network import Network
    from pynn_uni.parameters import ArrayParameter, Sequence
    from pynn_uni.random import NativeRNG, NumpyRNG, RandomDistribution
    from pynn_uni.space import Space

    @functools.wraps(control.setup)
    def setup(timestep=0.1, min_delay="auto", **extra_args):
        return control.setup(backend_factory, timestep, min_delay, **extra_args)

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
    api.update(extra or {})
    namespace.update(api)
