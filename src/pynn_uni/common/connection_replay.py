"""A projection's connections drawn again, block for block, instead of kept.

A backend that must answer ``Projection.get`` itself (PyNEST reads a connection's values
in 5-10 us each) keeps a copy of what it connected; at 10 B per synapse that is a quarter
of the cortical microcircuit's memory.  Random values need not be kept: every connector
draws from a copy of its rng taken before the first draw (``ConnectionContext.entropy``)
and every random synapse value from a copy of its rng taken at its first draw, so the same
blocks come out again from those copies.  A backend keeps what is cheap (node ids, delays
in steps) and asks :meth:`ConnectionReplay.block` for the rest.

Only connectors and values that are functions of those generators alone replay: the
built-in connectors below, with numbers and random distributions as values, on one MPI
process (elsewhere a backend keeps its copy, as before).
"""

from __future__ import annotations

import copy
import numbers

from pynn_uni.common import connectors, mpi
from pynn_uni.random import RandomDistribution

#: connectors whose blocks depend on the projection's cells, their generator and the
#: synapse values only (not on user code, or on positions, which may change later)
REPLAYABLE = tuple(
    getattr(connectors, name)
    for name in (
        "AllToAllConnector",
        "FixedNumberPostConnector",
        "FixedNumberPreConnector",
        "FixedProbabilityConnector",
        "FixedTotalNumberConnector",
        "OneToOneConnector",
    )
)


def _plain_value(spec) -> bool:
    """A number, a random distribution, or a lazy array of them combined with numbers."""
    if isinstance(spec, (numbers.Number, RandomDistribution)) or spec is None:
        return True
    if hasattr(spec, "base_value") and hasattr(spec, "operations"):
        return _plain_value(spec.base_value) and all(
            arg is None or isinstance(arg, numbers.Number) or _plain_value(arg)
            for _, arg in spec.operations
        )
    return False


def _frozen(spec):
    """A copy of a value spec that later changes to the original do not reach; its
    distributions keep naming their generator (only its copies are drawn from)."""
    if isinstance(spec, RandomDistribution):
        rd = copy.copy(spec)
        rd.parameters = dict(spec.parameters)
        return rd
    if hasattr(spec, "base_value") and hasattr(spec, "operations"):
        out = copy.copy(spec)
        out.base_value = _frozen(spec.base_value)
        out.operations = [(f, _frozen(arg)) for f, arg in spec.operations]
        return out
    return spec


class ConnectionReplay:
    """The blocks of one projection, drawn again from the generators' copies in ``ctx``.

    ``block(i)`` returns the ``i``-th non-empty block the connector yielded; blocks asked
    for in order are drawn once each (a new pass starts when one is asked for again)."""

    #: blocks smaller than this are kept: the copies a replay holds (~10 kB) would cost
    #: more than their values
    MIN_BLOCK = 2048

    def __init__(self, connector, make_context, values: dict):
        self._connector = connector
        self._make_context = make_context
        self._values = values
        self._entropy = self._value_rngs = None
        self.n_blocks = 0
        self._blocks = None
        self._next = 0

    @classmethod
    def of(cls, connector, make_context, ctx) -> ConnectionReplay | None:
        """A replay for the projection about to connect through ``ctx``, or None where
        none is possible; :meth:`seal` it once connected.  ``make_context(values)``: a
        new context like ``ctx`` with these synapse value specs."""
        if (
            type(connector) not in REPLAYABLE
            or mpi.num_processes() > 1
            or ctx.local_post_mask is not None
            or not all(_plain_value(v) for v in ctx.synapse_values.values())
        ):
            return None
        ctx.keep_value_rng_origins = True
        return cls(connector, make_context, ctx.synapse_values)

    def seal(self, ctx, n_blocks: int) -> None:
        """Keep copies of the value specs and of the generators ``ctx`` drew from (as
        they were before drawing), once all ``n_blocks`` blocks are drawn."""
        # copies: a connector or distribution changed after connecting changes nothing
        self._connector = copy.deepcopy(self._connector)
        self._values = {k: _frozen(v) for k, v in self._values.items()}
        # the context's own copies (it is done with): by id() of the specs' generators,
        # which the copied specs still name, and the connector's rng before it drew
        self._value_rngs = ctx.value_rng_origins()
        self._entropy = ctx.entropy
        self.n_blocks = n_blocks

    def _pass(self):
        ctx = self._make_context(self._values)
        ctx.entropy = self._entropy  # (rng_for draws from a copy of it)
        ctx.restore_value_rngs(copy.deepcopy(self._value_rngs))
        # the connector's own generator, without its progress callback and budget check
        return (block for block, _ in self._connector._connect(ctx) if len(block))

    def block(self, index: int):
        if self._blocks is None or index < self._next:
            self._blocks, self._next = self._pass(), 0
        while self._next < index:
            next(self._blocks)
            self._next += 1
        self._next += 1
        block = next(self._blocks)
        if self._next == self.n_blocks:  # the last one: let the connector's arrays go
            self.release()
        return block

    def release(self) -> None:
        """Drop the pass in progress (it holds a connector's arrays)."""
        self._blocks, self._next = None, 0
