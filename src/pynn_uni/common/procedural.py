"""PyNN's deprecated procedural API: thin wrappers that warn and call the object API."""

from __future__ import annotations

from pynn_uni.common.connectors import FixedProbabilityConnector
from pynn_uni.common.deprecation import deprecated
from pynn_uni.common.ids import ID
from pynn_uni.common.models import StaticSynapse
from pynn_uni.common.populations import Population
from pynn_uni.common.projections import Projection


def create(cellclass, cellparams=None, n=1, *, _population=None):
    population_class = _population or Population  # a backend module's class, if given
    deprecated("create", "Population(...)")
    if isinstance(cellclass, type):
        cellclass = cellclass(**(cellparams or {}))
    return population_class(n, cellclass)


def connect(
    pre, post, weight=0.0, delay=None, receptor_type=None, p=1, rng=None, *, _projection=None
):
    deprecated("connect", "Projection(...)")
    projection_class = _projection or Projection  # a backend module's class, if given
    pre = pre.as_view() if isinstance(pre, ID) else pre
    post = post.as_view() if isinstance(post, ID) else post
    return projection_class(
        pre,
        post,
        FixedProbabilityConnector(p, rng=rng),
        StaticSynapse(weight=weight, delay=delay),
        receptor_type=receptor_type,
    )


def set(cells, **parameters):  # noqa: A001 - PyNN's name
    deprecated("set", "Population.set(...)")
    if isinstance(cells, ID):
        raise AttributeError("set() does not take a single ID: use id.param = value")
    cells.set(**parameters)


def initialize(cells, **initial_values):
    deprecated("initialize", "Population.initialize(...)")
    cells.initialize(**initial_values)


def _record(variables, source, filename, sampling_interval=None, annotations=None):
    """Record from a group (or one ID) into ``filename``, written at ``end()``;
    ``annotations`` go onto the group, so into the written Block."""
    source = source.as_view() if isinstance(source, ID) else source
    source.record(variables, to_file=filename, sampling_interval=sampling_interval)
    if annotations:
        source.annotate(**annotations)


def record(variables, source, filename, sampling_interval=None, annotations=None):
    deprecated("record", "Population.record(...)")
    _record(variables, source, filename, sampling_interval, annotations)


def record_v(source, filename):
    deprecated("record_v", "Population.record('v')")
    _record("v", source, filename)


def record_gsyn(source, filename):
    deprecated("record_gsyn", "Population.record(['gsyn_exc', 'gsyn_inh'])")
    _record(["gsyn_exc", "gsyn_inh"], source, filename)
