"""What a connector sees of a projection (:class:`ConnectionContext`) and its generators.

The context turns the (pre, post) pairs a connector chose into :class:`ConnectionArrays`
blocks, evaluating every synapse value in connection order; it also holds the rules for
which generator a connector draws from (PyNN's default seed, replay through ``entropy``,
copies for random synapse values).  See :mod:`pynn_uni.common.connectors` for the rules
every connector keeps.
"""

from __future__ import annotations

import copy
import numbers
from typing import Any

import numpy as np

from pynn_uni.common.backend import ConnectionArrays
from pynn_uni.common.connectors.clipped_draws import normal_clipped_by_column
from pynn_uni.common.expressions import (
    IndexBasedExpression,
    as_floats,
    compile_distance_expression,
    described,
    first_bad,
)
from pynn_uni.errors import (
    ConnectionError,
    InvalidDimensionsError,
    InvalidParameterValueError,
    InvalidWeightError,
)
from pynn_uni.random import (
    AbstractRNG,
    NativeRNG,
    NumpyRNG,
    RandomDistribution,
    _check_parameters,
)
from pynn_uni.space import Space

#: seed of the default connector rng (PyNN's value): default connectivity is deterministic.
DEFAULT_SEED = 151985012
#: default bound on candidate pairs per yielded block (memory, not results).
DEFAULT_BLOCK_PAIRS = 1 << 20
#: what a synapse value that is not a finite number raises: the class the projection's own
#: checks raise for the same value given as a number (a weight, a delay, anything else)
_NOT_FINITE = {"weight": InvalidWeightError, "delay": ConnectionError}


def connector_rng(rng) -> AbstractRNG:
    """A connector's rng as PyNN keeps it: ``None`` becomes a fresh default-seeded one."""
    return NumpyRNG(seed=DEFAULT_SEED) if rng is None else rng


def _resolve_rng(rng) -> AbstractRNG:
    if rng is None:
        return NumpyRNG(seed=DEFAULT_SEED)
    if isinstance(rng, NativeRNG):
        return rng.fallback()  # no backend drew natively: reproducible Python fallback
    return rng


def spec_rngs(spec):
    """The generators a synapse value spec draws from (a RandomDistribution, possibly
    inside a lazy array)."""
    if isinstance(spec, RandomDistribution):
        yield spec.rng
    elif hasattr(spec, "base_value") and hasattr(spec, "operations"):
        yield from spec_rngs(spec.base_value)
        for _, arg in spec.operations:
            yield from spec_rngs(arg)


def check_rng(name: str, rng) -> None:
    """Refuse an ``rng`` that is not a pynn_uni generator (e.g. a numpy Generator)."""
    if rng is not None and not isinstance(rng, AbstractRNG):
        raise InvalidParameterValueError(
            f"{name}: rng must be None or a pynn_uni.random RNG (NumpyRNG, ...), "
            f"not {type(rng).__name__}"
        )


def _is_array_parameter(value) -> bool:
    return any(cls.__name__ == "ArrayParameter" for cls in type(value).__mro__)


class ConnectionContext:
    """What a connector sees of a projection.

    ``pre_keys``/``post_keys``: int arrays, equal key means the same cell (for
    ``allow_self_connections``: pre and post may be views or assemblies of the same
    cells).  ``pre_positions``/``post_positions``: callables returning 3 x N arrays
    (called only when needed).  ``synapse_values``: standard name -> value spec; each
    spec is a scalar, a :class:`RandomDistribution` (one draw per connection, in
    connection order), a 2-D pre x post array, a 1-D array in connection order, a
    callable ``f(d)`` of distance, an :class:`IndexBasedExpression` ``f(i, j)``, a string
    expression in ``d``, or an ArrayParameter/Sequence (the same object for every
    connection, returned as an object array).  ``None`` values are left out.

    ``local_post_mask`` (bool over post) restricts what :meth:`finish` returns; the
    connections drawn are the same as if every cell were local.  ``block_pairs`` bounds
    the candidate pairs per block; ``entropy`` replays a previous draw (see module doc);
    ``projection`` is handed to IndexBasedExpressions.
    """

    def __init__(
        self,
        pre_size,
        post_size,
        pre_keys,
        post_keys,
        pre_positions,
        post_positions,
        space,
        synapse_values: dict[str, object],
        local_post_mask=None,
        label="",
        *,
        block_pairs: int = DEFAULT_BLOCK_PAIRS,
        entropy=None,
        projection=None,
    ):
        self.pre_size = int(pre_size)
        self.post_size = int(post_size)
        self.pre_keys = (
            np.arange(self.pre_size, dtype=np.int64)
            if pre_keys is None
            else np.asarray(pre_keys, dtype=np.int64)
        )
        self.post_keys = (
            -1 - np.arange(self.post_size, dtype=np.int64)
            if post_keys is None
            else np.asarray(post_keys, dtype=np.int64)
        )
        if self.pre_keys.shape != (self.pre_size,) or self.post_keys.shape != (self.post_size,):
            raise InvalidDimensionsError(
                f"{label or 'projection'}: {self.pre_keys.size} pre keys / "
                f"{self.post_keys.size} post keys for a {self.pre_size} x {self.post_size} "
                "projection"
            )
        self._pre_positions_fn = pre_positions
        self._post_positions_fn = post_positions
        self.space = space if space is not None else Space()
        self.synapse_values = dict(synapse_values or {})
        if local_post_mask is not None:
            local_post_mask = np.asarray(local_post_mask, dtype=bool)
            if local_post_mask.shape != (self.post_size,):
                raise InvalidDimensionsError(
                    f"{label or 'projection'}: local_post_mask has shape "
                    f"{local_post_mask.shape}, expected ({self.post_size},)"
                )
        self.local_post_mask = local_post_mask
        self.label = label
        self.block_pairs = max(1, int(block_pairs))
        self.entropy = entropy
        self.projection = projection
        self._offset = 0  # connections finished so far (connection order)
        self._cache: dict[str, Any] = {}
        self._value_rngs: dict[int, AbstractRNG] = {}
        #: keep each value generator's copy as it was before drawing (a replay asks for
        #: them: common/connection_replay.py); a copy costs ~0.15 ms, so only then
        self.keep_value_rng_origins = False
        self._value_rng_origins: dict[int, AbstractRNG] = {}
        self._draw_post = self._draw_order = None

    # -- lazily computed facts -------------------------------------------------------
    def _cached(self, key, compute):
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @property
    def pre_positions(self) -> np.ndarray:
        """Positions of the presynaptic cells, 3 x pre_size."""
        return self._cached(
            "pre_pos", lambda: self._positions(self._pre_positions_fn, self.pre_size, "pre")
        )

    @property
    def post_positions(self) -> np.ndarray:
        """Positions of the postsynaptic cells, 3 x post_size."""
        return self._cached(
            "post_pos", lambda: self._positions(self._post_positions_fn, self.post_size, "post")
        )

    def _positions(self, fn, n, side):
        if fn is None:
            raise InvalidParameterValueError(f"{self.name}: needs {side}synaptic positions")
        pos = np.asarray(fn() if callable(fn) else fn, dtype=float)
        if pos.shape != (3, n):
            raise InvalidDimensionsError(
                f"{self.name}: {side}synaptic positions have shape {pos.shape}, expected (3, {n})"
            )
        return pos

    @property
    def name(self) -> str:
        return f"projection {self.label!r}" if self.label else "projection"

    @property
    def shares_cells(self) -> bool:
        """Whether some cell appears on both sides (self connections are possible)."""
        return self._cached("shares", lambda: bool(np.isin(self.post_keys, self.pre_keys).any()))

    def self_index(self, side: str) -> np.ndarray:
        """For each cell of ``side`` ('post' or 'pre'), the index of the same cell on the
        other side, or -1."""

        def compute():
            mine, other = (
                (self.post_keys, self.pre_keys)
                if side == "post"
                else (self.pre_keys, self.post_keys)
            )
            if not self.shares_cells or other.size == 0:
                return np.full(mine.size, -1, dtype=np.int64)
            order = np.argsort(other, kind="stable")
            pos = np.clip(np.searchsorted(other[order], mine), 0, other.size - 1)
            return np.where(other[order][pos] == mine, order[pos], -1).astype(np.int64)

        return self._cached("self_" + side, compute)

    def pair_mask(self, allow_self_connections, cols) -> np.ndarray | None:
        """Allowed (post, pre) pairs for post columns ``cols`` (int array), shape
        (cols.size, pre_size); ``None`` when all pairs are allowed."""
        if allow_self_connections is True or not self.shares_cells:
            return None
        pk = self.pre_keys[None, :]
        qk = self.post_keys[cols, None]
        if allow_self_connections == "NoMutual":
            pre_in_post = self._cached(
                "pre_in_post", lambda: np.isin(self.pre_keys, self.post_keys)
            )
            post_in_pre = self._cached(
                "post_in_pre", lambda: np.isin(self.post_keys, self.pre_keys)
            )
            return (pk > qk) | ~(pre_in_post[None, :] & post_in_pre[cols, None])
        return pk != qk

    def distances_block(self, cols) -> np.ndarray:
        """Distances in ``space`` between post cells ``cols`` and all pre cells,
        shape (cols.size, pre_size)."""
        sq = self.space._sq_distances_3n(
            self.pre_positions[:, None, :], self.post_positions[:, cols, None]
        )
        return np.sqrt(np.broadcast_to(sq, (len(cols), self.pre_size)))

    # -- randomness ----------------------------------------------------------------------
    def rng_for(self, rng) -> AbstractRNG:
        """The generator to draw this projection's connections from: ``rng`` itself (a
        copy is kept in ``entropy`` first), or, when replaying, a copy of ``entropy``."""
        if self.entropy is not None:
            return copy.deepcopy(self.entropy)
        rng = _resolve_rng(rng)
        self.entropy = copy.deepcopy(rng)
        return rng

    def values_need_every_column(self) -> bool:
        """Whether synapse values must be evaluated for every connection, local or not: a
        parallel-safe random value (drawn for all, kept where local) or a 1-D array in
        connection order."""
        for spec in self.synapse_values.values():
            if any(getattr(r, "parallel_safe", True) for r in spec_rngs(spec)):
                return True
            if isinstance(spec, (np.ndarray, list, tuple)) and np.ndim(spec) == 1:
                return True
        return False

    @property
    def has_random_values(self) -> bool:
        """Whether some synapse value is drawn from a random distribution."""
        return any(True for spec in self.synapse_values.values() for _ in spec_rngs(spec))

    def copy_value_rngs(self) -> None:
        """Take now the copies of the synapse values' generators that values are drawn
        from (else taken at the first draw).  As in PyNN, random synapse values come from
        a copy of their rng made when the projection connects, so the rng itself does not
        advance; PyNN copies before the connector draws for FixedNumberPre and the map
        connectors, after it for FixedNumberPost and FixedTotalNumber."""
        for spec in self.synapse_values.values():
            for rng in spec_rngs(spec):
                self._value_rng(rng)

    def _value_rng(self, rng):
        key = id(rng)
        if key not in self._value_rngs:
            if isinstance(rng, NativeRNG):
                # no backend drew natively: a NumpyRNG seeded with the native seed
                self._value_rngs[key] = rng.fallback()
            else:
                self._value_rngs[key] = copy.deepcopy(rng)
            if self.keep_value_rng_origins:
                self._value_rng_origins[key] = copy.deepcopy(self._value_rngs[key])
        return self._value_rngs[key]

    def value_rng_origins(self) -> dict:
        """The synapse values' generators as they were before their first draw, by ``id``
        of the spec's rng (kept where ``keep_value_rng_origins`` was set)."""
        return self._value_rng_origins

    def restore_value_rngs(self, rngs: dict) -> None:
        """Draw the values from these copies (``value_rng_origins`` of an earlier
        context over the same synapse value specs) rather than new ones."""
        self._value_rngs = dict(rngs)

    def column_blocks(self, width: int, columns=None):
        """Consecutive runs of post columns (an int array each) of about ``block_pairs``
        candidate pairs (``width`` per column), over ``columns`` (default: all)."""
        cols = np.arange(self.post_size) if columns is None else np.asarray(columns)
        step = max(1, self.block_pairs // max(1, width))
        for s in range(0, cols.size, step):
            yield cols[s : s + step]

    # -- evaluating synapse values ------------------------------------------------------
    def finish(
        self, pre_idx, post_idx, explicit: dict[str, np.ndarray] | None = None, order=None
    ) -> ConnectionArrays:
        """Turn (pre, post) index pairs, in connection order, into a ConnectionArrays
        block with every synapse value evaluated (``explicit`` columns win), keeping only
        local post cells.

        ``order`` (optional): connection k of the block was the ``order[k]``-th generated;
        random values are drawn in generation order (PyNN's) and then put in connection
        order.  Blocks must hold whole postsynaptic columns.
        """
        pre = np.asarray(pre_idx, dtype=np.int64)
        post = np.asarray(post_idx, dtype=np.int64)
        n = pre.size
        self._draw_post, self._draw_order = post, order
        local = None if self.local_post_mask is None else self.local_post_mask[post]
        lpre, lpost = (pre, post) if local is None else (pre[local], post[local])
        explicit = explicit or {}
        params: dict[str, np.ndarray] = {}
        scratch: dict[str, np.ndarray] = {}
        for name, spec in self.synapse_values.items():
            if name in explicit or spec is None:
                continue
            params[name] = self._evaluate(name, spec, n, local, lpre, lpost, scratch)
        for name, values in explicit.items():
            values = np.asarray(values, dtype=float)
            params[name] = values if local is None else values[local]
        self._offset += n
        return ConnectionArrays(lpre, lpost, params)

    def check_complete(self) -> None:
        """Raise InvalidDimensionsError if a 1-D value array was not used up exactly."""
        for name, spec in self.synapse_values.items():
            spec = getattr(spec, "base_value", spec)  # a lazy array holding the list
            if isinstance(spec, (np.ndarray, list, tuple)) and np.ndim(spec) == 1:
                if len(spec) != self._offset:
                    raise InvalidDimensionsError(
                        f"{self.name}: parameter {name!r} has {len(spec)} values in connection "
                        f"order, expected one per connection ({self._offset})"
                    )

    def _distances_for(self, pre, post, scratch):
        if "d" not in scratch:
            scratch["d"] = self.space.paired_distances(
                self.pre_positions[:, pre], self.post_positions[:, post]
            )
        return scratch["d"]

    def _evaluate(self, name, spec, n, local, pre, post, scratch) -> np.ndarray:
        m = pre.size
        if isinstance(spec, RandomDistribution):
            return self._draw(spec, n, local)
        if isinstance(spec, (numbers.Number, np.generic)):
            return np.full(m, float(spec))
        if isinstance(spec, str):
            f = self._cached("expr:" + spec, lambda: compile_distance_expression(spec))
            values = f(self._distances_for(pre, post, scratch))
            return self._function_values(name, spec, values, pre, post, scratch)
        if isinstance(spec, IndexBasedExpression):
            expr = copy.copy(spec)
            expr.projection, expr.context = self.projection, self
            return self._function_values(name, spec, expr(pre, post), pre, post, scratch)
        if _is_array_parameter(spec):
            out = np.empty(m, dtype=object)
            out[:] = [spec] * m
            return out
        if hasattr(spec, "base_value") and hasattr(spec, "operations"):  # a lazyarray
            return self._evaluate_larray(name, spec, n, local, pre, post, scratch)
        if callable(spec):
            values = spec(self._distances_for(pre, post, scratch))
            return self._function_values(name, spec, values, pre, post, scratch)
        if isinstance(spec, (list, tuple)):
            if any(isinstance(x, (list, tuple, np.ndarray)) for x in spec):
                raise TypeError(
                    f"{self.name}: {name} is a nested list; give a 2-D numpy array (pre x post)"
                )
            spec = np.asarray(spec, dtype=float)
        if isinstance(spec, np.ndarray):
            return self._evaluate_array(name, spec, n, local, pre, post)
        raise InvalidParameterValueError(
            f"{self.name}: cannot use {type(spec).__name__} value {spec!r} for {name}"
        )

    def _evaluate_array(self, name, arr, n, local, pre, post):
        if arr.ndim == 0:
            return np.full(pre.size, float(arr))
        if arr.ndim == 2:
            if arr.shape != (self.pre_size, self.post_size):
                raise InvalidDimensionsError(
                    f"{self.name}: {name} array has shape {arr.shape}, expected "
                    f"(pre, post) = ({self.pre_size}, {self.post_size})"
                )
            return np.asarray(arr[pre, post], dtype=float)
        if arr.ndim == 1:
            if self._offset + n > arr.size:
                raise InvalidDimensionsError(
                    f"{self.name}: {name} has {arr.size} values in connection order but there "
                    f"are more connections (at least {self._offset + n})"
                )
            values = np.asarray(arr[self._offset : self._offset + n], dtype=float)
            return values if local is None else values[local]
        raise InvalidDimensionsError(f"{self.name}: {name} array has {arr.ndim} dimensions")

    def _evaluate_larray(self, name, spec, n, local, pre, post, scratch):
        # the base value per connection, then the lazy operations elementwise, so that a
        # RandomDistribution base is still drawn once per connection in connection order
        values = self._evaluate(name, spec.base_value, n, local, pre, post, scratch)
        for f, arg in spec.operations:
            if arg is None:
                values = f(values)
            elif hasattr(arg, "base_value") and hasattr(arg, "operations"):
                values = f(values, self._evaluate_larray(name, arg, n, local, pre, post, scratch))
            else:
                values = f(values, arg)
        return values

    def _draw(self, rd: RandomDistribution, n: int, local) -> np.ndarray:
        if n == 0:
            return np.empty(0)
        rng = self._value_rng(rd.rng)
        order = self._draw_order
        mask = local if order is None else None
        if rd.name == "normal_clipped":
            # PyNN draws per column, and redraws out-of-range values before the next
            # column: the stream differs from one bulk draw, so follow it column by column
            post = self._draw_post
            cuts = np.flatnonzero(np.diff(post)) + 1
            p = rd.parameters
            if type(rng) is NumpyRNG and all(np.ndim(v) == 0 for v in p.values()):
                _check_parameters(rd.name, p)
                lengths = np.diff(np.concatenate(([0], cuts, [n])))
                values = normal_clipped_by_column(
                    rng.rng, lengths, p["mu"], p["sigma"], p["low"], p["high"]
                )
            else:
                values = np.concatenate(
                    [
                        np.asarray(rng.next(len(seg), rd.name, p), dtype=float)
                        for seg in np.split(np.arange(n), cuts)
                    ]
                )
            values = values if mask is None else values[mask]
        else:
            values = np.asarray(rng.next(n, rd.name, rd.parameters, mask=mask), dtype=float)
        if order is not None:
            values = values[order]
            if local is not None:
                values = values[local]
        return values

    def _function_values(self, name, spec, values, pre, post, scratch) -> np.ndarray:
        """The values a formula or function gave for the connections (pre, post), one
        finite number each: anything else (a string, a wrong shape, NaN or inf from a
        division by zero or an overflow) is refused naming the connection and value."""
        m = pre.size
        where = f"{self.name}: {name} {described(spec)}"
        values = as_floats(values, where)
        if values.ndim == 0:
            values = np.full(m, float(values))
        elif values.shape != (m,):
            raise InvalidDimensionsError(
                f"{where} returned shape {values.shape}, expected ({m},) (one per connection)"
            )
        k = first_bad(values)
        if k is not None:
            at = f" (d = {scratch['d'][k]:g})" if "d" in scratch else ""
            raise _NOT_FINITE.get(name, InvalidParameterValueError)(
                f"{where} gives {float(values[k])!r} for the connection {pre[k]} -> {post[k]}{at}; "
                f"{name} must be a finite number"
            )
        return values
