"""Every PyNN connector, vectorised, producing blocks of :class:`ConnectionArrays`.

The public names of the ``pyNN.connectors`` path.  The modules: ``context`` (what a
connector sees of a projection, and its generators), ``base`` (the base classes, canonical
order), ``deterministic``, ``probabilistic``, ``fixed``, ``explicit``, ``small_world``;
string formulas and ``IndexBasedExpression`` come from :mod:`pynn_uni.common.expressions`.

A connector sees a projection only through a :class:`ConnectionContext` (sizes, cell keys,
positions, space and the synapse value specs) and yields blocks whose concatenation is
the whole projection.  Three rules hold for every connector:

* **Canonical order.**  Connections are sorted by (post index, pre index); equal pairs
  keep their generation order.  A 1-D value array "in connection order" is therefore
  well defined and the same on every backend.
* **PyNN's random stream.**  A random connector draws from its ``rng`` (default
  ``NumpyRNG(seed=151985012)``, made when the connector is, as in PyNN) exactly the numbers
  PyNN 0.13 draws, in the same order, so a seeded script gives PyNN's connections:
  map connectors draw ``pre_size`` uniforms per postsynaptic column, column by column
  (one vectorised call here); FixedNumberPre/Post draw per column/row with ``randint``
  or ``permutation``; FixedTotalNumber alternates source and target draws.  As in PyNN,
  map connectors draw from a copy of the rng (so it does not advance) and the others from
  the rng itself.  Random synapse values are drawn, as in PyNN, from a copy of their rng
  taken when the projection connects, per connection in PyNN's order (column by column,
  sources in the order they were drawn; FromList: each column restarts the copy).  Every
  column is drawn whatever ``local_post_mask`` says (parallel safe: MPI ranks get the
  connections of a serial run, filtered); the block size changes memory, never results.
* **Replay.**  ``ctx.entropy`` holds a copy of the connector's rng taken before the first
  draw; passing it back in (``ConnectionContext(..., entropy=...)``) regenerates the same
  connections without touching the rng, so a network description can keep the seed (and
  stream position) rather than the arrays.
"""

from __future__ import annotations

from pynn_uni.common.connectors.base import Connector, MapConnector
from pynn_uni.common.connectors.context import ConnectionContext
from pynn_uni.common.connectors.deterministic import AllToAllConnector, OneToOneConnector
from pynn_uni.common.connectors.explicit import (
    ArrayConnector,
    CloneConnector,
    CSAConnector,
    FromFileConnector,
    FromListConnector,
)
from pynn_uni.common.connectors.fixed import (
    FixedNumberConnector,
    FixedNumberPostConnector,
    FixedNumberPreConnector,
    FixedTotalNumberConnector,
)
from pynn_uni.common.connectors.probabilistic import (
    DisplacementDependentProbabilityConnector,
    DistanceDependentProbabilityConnector,
    FixedProbabilityConnector,
    IndexBasedProbabilityConnector,
)
from pynn_uni.common.connectors.small_world import SmallWorldConnector
from pynn_uni.common.expressions import IndexBasedExpression, compile_distance_expression

__all__ = [
    "ConnectionContext",
    "IndexBasedExpression",
    "Connector",
    "MapConnector",
    "AllToAllConnector",
    "OneToOneConnector",
    "FixedProbabilityConnector",
    "DistanceDependentProbabilityConnector",
    "DisplacementDependentProbabilityConnector",
    "IndexBasedProbabilityConnector",
    "FixedNumberConnector",
    "FixedNumberPreConnector",
    "FixedNumberPostConnector",
    "FixedTotalNumberConnector",
    "FromListConnector",
    "FromFileConnector",
    "ArrayConnector",
    "CloneConnector",
    "SmallWorldConnector",
    "CSAConnector",
    "compile_distance_expression",
]
