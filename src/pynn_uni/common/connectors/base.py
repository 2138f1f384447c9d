"""The connector base classes and what every connector shares.

:class:`Connector` yields a projection's connections as blocks in canonical order;
:class:`MapConnector` decides each (pre, post) pair independently, column by column.
The helpers sort pairs into canonical (post, pre) order and check common arguments.

Arguments are checked when a connector is made, naming the connector, the argument and
the value; what depends on the projection (sizes, indices, the memory the connections
need) is checked when it connects, before the first connection is drawn.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from pynn_uni.common import budget, describing
from pynn_uni.common.backend import ConnectionArrays
from pynn_uni.common.connectors.context import ConnectionContext
from pynn_uni.errors import InvalidParameterValueError
from pynn_uni.random import NumpyRNG


def concat(parts, dtype=np.int64) -> np.ndarray:
    """One int array from a list of blocks (empty list: an empty array)."""
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype)


def check_count(name: str, argument: str, value, extra: str = "") -> int:
    """A number of connections or cells: a non-negative int (numpy ints too).  Refused,
    naming the connector, the argument and the value: bools (``True`` is not a count),
    floats (even integral ones: PyNN takes ints), NaN, None, strings.  ``extra`` names
    what else the argument may be."""
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        if value >= 0:
            return int(value)
    raise InvalidParameterValueError(
        f"{name}: {argument} must be a non-negative int{extra}, not {value!r} "
        f"({type(value).__name__})"
    )


def check_flag(name: str, argument: str, value) -> bool:
    """A yes/no argument: a bool, or 0/1 (a truthy string such as 'no' is refused)."""
    if isinstance(value, (bool, np.bool_)) or (
        isinstance(value, numbers.Integral) and value in (0, 1)
    ):
        return bool(value)
    raise InvalidParameterValueError(f"{name}: {argument} must be True or False, not {value!r}")


def check_allow_self(name, value):
    """``allow_self_connections`` as a bool or ``'NoMutual'``; anything else is refused."""
    if not (isinstance(value, (bool, np.bool_)) or value == "NoMutual"):
        raise InvalidParameterValueError(
            f"{name}: allow_self_connections must be True, False or 'NoMutual', not {value!r}"
        )
    return value if value == "NoMutual" else bool(value)


class Connector:
    """Base of all connectors: how to choose the connections of a projection.

    ``location_selector`` (multi-compartment targets) is kept for the backend; ``safe``
    enables weight/delay checks; ``callback(fraction_done)`` is called after each block
    (a progress callback, as in PyNN: what it returns is ignored; an exception it raises
    stops the connector, and the projection being made keeps no connection).
    """

    parameter_names: tuple[str, ...] = ()

    def __init__(self, location_selector=None, safe: bool = True, callback=None):
        if callback is not None and not callable(callback) and not isinstance(callback, bool):
            raise InvalidParameterValueError(
                f"{type(self).__name__}: callback must be callable, not {callback!r}"
            )
        self.location_selector = location_selector
        self.safe = safe
        self.callback = callback if callable(callback) else None

    def expected_connections(self, pre_size: int, post_size: int) -> float | None:
        """How many connections this connector makes between ``pre_size`` and
        ``post_size`` cells, without drawing anything: exact where the count is fixed
        (FixedTotalNumber, FixedNumberPre/Post with an int ``n``, OneToOne, FromList), the
        mean for random ones (FixedProbability), an upper bound where self connections
        may be dropped (AllToAll); ``None`` when it is not known before connecting.  The
        memory a projection needs is estimated from it."""
        return None

    def connect(self, ctx: ConnectionContext) -> Iterator[ConnectionArrays]:
        """Yield the projection's connections as blocks in canonical (post, pre) order.

        Raises :class:`~pynn_uni.errors.ResourceLimitError` before drawing anything when
        the expected connections would not fit in the machine's memory."""
        self.check_budget(ctx)
        for block, fraction in self._connect(ctx):
            if len(block):
                yield block
            if self.callback is not None:
                self.callback(float(fraction))
        ctx.check_complete()

    def check_budget(self, ctx: ConnectionContext, count: float | None = None) -> None:
        """Refuse ``count`` connections (default: :meth:`expected_connections`) whose index
        and value arrays would exceed the machine's memory."""
        if count is None:
            count = self.expected_connections(ctx.pre_size, ctx.post_size)
        if count is None:
            return
        budget.check_memory(
            budget.connection_bytes(count, len(ctx.synapse_values)),
            f"{type(self).__name__} in {ctx.name}: {count:.4g} connections "
            f"({ctx.pre_size} x {ctx.post_size} cells)",
            "connect fewer cells or ask for fewer connections",
        )

    def _connect(self, ctx: ConnectionContext):
        raise NotImplementedError

    def get_parameters(self) -> dict:
        """The connector's defining parameters, by name."""
        return {name: getattr(self, name) for name in self.parameter_names}

    def describe(self, template="connector_default.txt", engine="default"):
        """Text description; ``template=None`` returns the context dict."""
        return describing.render(
            template, {"name": type(self).__name__, "parameters": self.get_parameters()}
        )

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_parameters().items())
        return f"{type(self).__name__}({params})"

    def _yield_sorted(self, ctx, pre, post, explicit=None, order=None):
        """Yield precomputed connections, already in canonical order, in blocks.

        ``order`` (see :meth:`ConnectionContext.finish`): connection k was generated
        ``order[k]``-th, counting column by column; blocks then hold whole columns.
        """
        n = pre.size
        step = max(1, ctx.block_pairs)
        if n == 0:
            yield ctx.finish(pre, post, explicit), 1.0
            return
        cuts = list(range(0, n, step)) + [n]
        if order is not None:  # move each cut to a column start
            cuts = np.unique(np.searchsorted(post, post[np.minimum(cuts, n - 1)], "left"))
            cuts = [*cuts.tolist(), n] if cuts[-1] != n else cuts.tolist()
        for s, e in zip(cuts[:-1], cuts[1:], strict=True):
            sl = slice(s, e)
            part = None if explicit is None else {k: v[sl] for k, v in explicit.items()}
            sub = None if order is None else order[sl] - s
            yield ctx.finish(pre[sl], post[sl], part, order=sub), min(1.0, e / n)


def split_keys(keys, n_pre):
    """(pre, post) from canonical keys ``post * n_pre + pre``."""
    post, pre = np.divmod(keys, max(1, n_pre))
    return pre, post


def sort_pairs(pre, post, n_pre):
    """Sort (pre, post) pairs into canonical (post, pre) order, keeping multiplicity."""
    return split_keys(np.sort(post.astype(np.int64) * max(1, n_pre) + pre), n_pre)


class MapConnector(Connector):
    """Connectors that decide each (pre, post) pair independently, column by column.

    Subclasses implement ``_map(ctx, u, cols)`` returning a bool array of shape
    (cols.size, pre_size) (``True`` = connect), or ``None`` for "all pairs"; ``u`` holds
    the uniform draws on [0, 1) for those columns (random connectors) or is ``None``.
    """

    allow_self_connections: Any = True
    _random = False

    def _connect(self, ctx):
        # PyNN draws the map from a copy of the rng (its lazy comparison deep-copies the
        # distribution), so the connector's rng never advances
        rng = copy.deepcopy(ctx.rng_for(self.rng)) if self._random else None
        columns = None
        if (
            ctx.local_post_mask is not None
            and not getattr(rng, "parallel_safe", False)
            and not ctx.values_need_every_column()
        ):
            # nothing is drawn for other ranks' columns (PyNN: a non-parallel-safe rng
            # draws the local columns only): visit the local ones
            columns = np.flatnonzero(ctx.local_post_mask)
        for cols in ctx.column_blocks(ctx.pre_size, columns):
            pre, post = self._pairs(ctx, rng, cols)
            yield ctx.finish(pre, post), (cols[-1] + 1) / ctx.post_size
        if ctx.post_size == 0 or (columns is not None and columns.size == 0):
            yield ctx.finish(np.empty(0, np.int64), np.empty(0, np.int64)), 1.0

    def _pairs(self, ctx, rng, cols):
        n_pre = ctx.pre_size
        u = None if rng is None else _uniforms(rng, cols.size * n_pre).reshape(cols.size, n_pre)
        conn = self._map(ctx, u, cols)
        allowed = ctx.pair_mask(self.allow_self_connections, cols)
        if conn is None and allowed is None:
            return np.tile(np.arange(n_pre, dtype=np.int64), cols.size), np.repeat(cols, n_pre)
        if conn is None:
            conn = allowed
        elif allowed is not None:
            conn &= allowed
        row, pre = np.nonzero(conn)
        return pre.astype(np.int64), cols[row].astype(np.int64)

    def _map(self, ctx, u, cols):
        raise NotImplementedError


def _uniforms(rng, n: int) -> np.ndarray:
    """``n`` uniforms on [0, 1), as PyNN's ``RandomDistribution('uniform', (0, 1))``."""
    if type(rng) is NumpyRNG:
        return rng.rng.random_sample(n)  # what uniform(0, 1) returns, without the affine step
    return np.asarray(rng.next(n, "uniform", {"low": 0.0, "high": 1.0}), dtype=float)
