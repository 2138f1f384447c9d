"""Every PyNN connector, vectorised, producing blocks of :class:`ConnectionArrays`.

A connector sees a projection only through a :class:`ConnectionContext` (sizes, cell keys,
positions, space and the synapse value specs) and yields blocks whose concatenation is
the whole projection.  Three rules hold for every connector:

* **Canonical order.**  Connections are sorted by (post index, pre index); equal pairs
  keep their generation order.  A 1-D value array "in connection order" is therefore
  well defined and the same on every backend.
* **Block-independent randomness.**  Random connectivity is drawn in fixed chunks of
  postsynaptic columns (or presynaptic rows), each from its own stream
  ``SeedSequence(entropy, spawn_key=(stream, chunk))``.  ``entropy`` is drawn once per
  ``connect`` from the connector's ``rng`` (default ``NumpyRNG(seed=151985012)``, made
  afresh at each call, so default connectivity is deterministic).  The result therefore
  does not depend on the block size, on ``local_post_mask`` (MPI ranks get the same
  connections as a serial run, filtered), nor on the number of processes.
* **Replay.**  ``ctx.entropy`` holds the entropy used; passing it back in
  (``ConnectionContext(..., entropy=...)``) regenerates the same connections without
  touching the rng, so a network description can keep the seed rather than the arrays.
"""

from __future__ import annotations

import ast
import copy
import numbers
import os
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from pynn_uni.common import describing
from pynn_uni.common.backend import ConnectionArrays
from pynn_uni.errors import (
    ConnectionError,
    InvalidDimensionsError,
    InvalidParameterValueError,
    NonExistentParameterError,
)
from pynn_uni.random import AbstractRNG, NativeRNG, NumpyRNG, RandomDistribution
from pynn_uni.space import Space

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

#: seed of the default connector rng (PyNN's value): default connectivity is deterministic.
DEFAULT_SEED = 151985012
#: candidate pairs per independently seeded draw chunk (fixed: results depend on it).
DRAW_CHUNK_PAIRS = 1 << 20
#: default bound on candidate pairs per yielded block (memory, not results).
DEFAULT_BLOCK_PAIRS = 1 << 20

_STREAM_CONNECT = 0
_STREAM_REWIRE = 1

# -- expressions in d --------------------------------------------------------------

_EXPR_FUNCTIONS: dict[str, Any] = {
    name: getattr(np, name)
    for name in (
        "exp sqrt sin cos tan arcsin arccos arctan arctan2 sinh cosh tanh log log10 abs fabs "
        "minimum maximum where floor ceil fmod hypot ldexp power"
    ).split()
}
_EXPR_FUNCTIONS.update(pi=np.pi, e=np.e)
_EXPR_NODES = tuple(
    getattr(ast, name)
    for name in (
        "Expression BinOp UnaryOp Compare Call Name Load Constant Add Sub Mult Div FloorDiv "
        "Mod Pow USub UAdd Lt LtE Gt GtE Eq NotEq BitAnd BitOr Invert"
    ).split()
)


class _FloatConstants(ast.NodeTransformer):
    # integer powers of integer constants could run for ever; floats overflow at once
    def visit_Constant(self, node):
        if isinstance(node.value, int) and not isinstance(node.value, bool):
            return ast.copy_location(ast.Constant(float(node.value)), node)
        return node


def compile_distance_expression(expression: str) -> Callable[[np.ndarray], np.ndarray]:
    """Compile a string expression in ``d`` (e.g. ``"exp(-d/100)"``) into ``f(d)``.

    The expression is parsed, not ``eval``'d as given: only arithmetic, comparisons,
    numbers, ``d``, ``pi``, ``e`` and numpy functions (exp, sqrt, sin, cos, abs, minimum,
    maximum, where, log, ...) are allowed, and there are no builtins.
    """
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as err:
        raise InvalidParameterValueError(f"cannot parse expression {expression!r}: {err}") from err
    for node in ast.walk(tree):
        if not isinstance(node, _EXPR_NODES):
            raise InvalidParameterValueError(
                f"expression {expression!r}: {type(node).__name__} is not allowed "
                "(only arithmetic, comparisons, numbers, d and numpy functions)"
            )
        if isinstance(node, ast.Name) and node.id != "d" and node.id not in _EXPR_FUNCTIONS:
            raise InvalidParameterValueError(
                f"expression {expression!r}: unknown name {node.id!r}; allowed: d, "
                + ", ".join(sorted(_EXPR_FUNCTIONS))
            )
        if isinstance(node, ast.Call) and (not isinstance(node.func, ast.Name) or node.keywords):
            raise InvalidParameterValueError(
                f"expression {expression!r}: only plain calls of numpy functions are allowed"
            )
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            raise InvalidParameterValueError(
                f"expression {expression!r}: constant {node.value!r} is not a number"
            )
    tree = ast.fix_missing_locations(_FloatConstants().visit(tree))
    code = compile(tree, "<distance expression>", "eval")

    def f(d):
        namespace = dict(_EXPR_FUNCTIONS, d=d)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return eval(code, {"__builtins__": {}}, namespace)  # noqa: S307 - vetted AST

    f.expression = expression
    return f


# -- the projection as a connector sees it ---------------------------------------------


class IndexBasedExpression:
    """Base class of functions ``f(i, j)`` of pre index ``i`` and post index ``j``.

    Subclasses implement ``__call__(i, j)`` on integer arrays (broadcast shapes) and
    may read ``self.projection`` (and ``self.context``, a :class:`ConnectionContext`),
    which are set on a copy before each use.
    """

    def __init__(self):
        self.projection = None
        self.context = None

    def __call__(self, i, j):
        raise NotImplementedError


def _stream(entropy, stream: int, index: int) -> np.random.Generator:
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(stream, index)))
    )


def _resolve_rng(rng) -> AbstractRNG:
    if rng is None:
        return NumpyRNG(seed=DEFAULT_SEED)
    if isinstance(rng, NativeRNG):
        return rng.fallback()  # no backend drew natively: reproducible Python fallback
    return rng


def _check_rng(name: str, rng) -> None:
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
        self.entropy = None if entropy is None else [int(x) for x in np.atleast_1d(entropy)]
        self.projection = projection
        self._offset = 0  # connections finished so far (connection order)
        self._cache: dict[str, Any] = {}
        self._fallback_rngs: dict[int, NumpyRNG] = {}

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

    def pair_mask(self, allow_self_connections, c0: int, c1: int) -> np.ndarray | None:
        """Allowed (post, pre) pairs for post columns c0:c1, shape (c1-c0, pre_size);
        ``None`` when all pairs are allowed."""
        if allow_self_connections is True or not self.shares_cells:
            return None
        pk = self.pre_keys[None, :]
        qk = self.post_keys[c0:c1, None]
        if allow_self_connections == "NoMutual":
            pre_in_post = self._cached(
                "pre_in_post", lambda: np.isin(self.pre_keys, self.post_keys)
            )
            post_in_pre = self._cached(
                "post_in_pre", lambda: np.isin(self.post_keys, self.pre_keys)
            )
            return (pk > qk) | ~(pre_in_post[None, :] & post_in_pre[c0:c1, None])
        return pk != qk

    def distances_block(self, c0: int, c1: int) -> np.ndarray:
        """Distances in ``space`` between post cells c0:c1 and all pre cells,
        shape (c1-c0, pre_size)."""
        sq = self.space._sq_distances_3n(
            self.pre_positions[:, None, :], self.post_positions[:, c0:c1, None]
        )
        return np.sqrt(np.broadcast_to(sq, (c1 - c0, self.pre_size)))

    # -- randomness ----------------------------------------------------------------------
    def _entropy(self, rng) -> list[int]:
        if self.entropy is None:
            draws = _resolve_rng(rng).next(4, "uniform_int", {"low": 0, "high": 2**31 - 1})
            self.entropy = [int(x) for x in draws]
        return self.entropy

    def _skip_nonlocal(self) -> bool:
        """Whether columns with no local cell can be skipped altogether: only if no value
        must be drawn (or counted) for every connection."""
        if self.local_post_mask is None:
            return False
        for spec in self.synapse_values.values():
            if isinstance(spec, RandomDistribution) and getattr(spec.rng, "parallel_safe", True):
                return False
            if isinstance(spec, (np.ndarray, list, tuple)) and np.ndim(spec) == 1:
                return False
        return True

    def column_groups(self, width: int):
        """Chunks of post columns, grouped into blocks: lists of (chunk index, c0, c1).

        A chunk holds about DRAW_CHUNK_PAIRS candidate pairs (``width`` per column) and
        depends only on ``width``; blocks hold whole chunks, up to ``block_pairs``.
        """
        yield from _groups(self.post_size, width, self.block_pairs)

    # -- evaluating synapse values ------------------------------------------------------
    def finish(
        self, pre_idx, post_idx, explicit: dict[str, np.ndarray] | None = None
    ) -> ConnectionArrays:
        """Turn (pre, post) index pairs, in connection order, into a ConnectionArrays
        block with every synapse value evaluated (``explicit`` columns win), keeping only
        local post cells."""
        pre = np.asarray(pre_idx, dtype=np.int64)
        post = np.asarray(post_idx, dtype=np.int64)
        n = pre.size
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
            if isinstance(spec, (np.ndarray, list, tuple)) and np.ndim(spec) == 1:
                if len(spec) != self._offset:
                    raise InvalidDimensionsError(
                        f"{self.name}: {name} has {len(spec)} values in connection order but "
                        f"there are {self._offset} connections"
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
            return _as_values(f(self._distances_for(pre, post, scratch)), m, name, self.name)
        if isinstance(spec, IndexBasedExpression):
            expr = copy.copy(spec)
            expr.projection, expr.context = self.projection, self
            return _as_values(expr(pre, post), m, name, self.name)
        if _is_array_parameter(spec):
            out = np.empty(m, dtype=object)
            out[:] = [spec] * m
            return out
        if hasattr(spec, "base_value") and hasattr(spec, "operations"):  # a lazyarray
            return self._evaluate_larray(name, spec, n, local, pre, post, scratch)
        if callable(spec):
            return _as_values(spec(self._distances_for(pre, post, scratch)), m, name, self.name)
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
        if isinstance(rd.rng, NativeRNG):
            # no backend drew natively: draw from a NumpyRNG seeded with the native seed,
            # continuing the same stream over the blocks of this context
            rng = self._fallback_rngs.setdefault(id(rd), rd.rng.fallback())
            values = rng.next(n, rd.name, rd.parameters, mask=local)
        else:
            values = rd.next(n, mask=local)
        return np.asarray(values, dtype=float)


def _as_values(values, m: int, name: str, where: str) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if values.ndim == 0:
        return np.full(m, float(values))
    if values.shape != (m,):
        raise InvalidDimensionsError(
            f"{where}: {name} function returned shape {values.shape}, expected ({m},)"
        )
    return values


def _groups(n_cols: int, width: int, block_pairs: int):
    chunk = max(1, DRAW_CHUNK_PAIRS // max(1, width))
    per_block = max(1, block_pairs // (chunk * max(1, width)))
    starts = list(range(0, n_cols, chunk))
    for b in range(0, len(starts), per_block):
        yield [
            (i, s, min(s + chunk, n_cols)) for i, s in enumerate(starts[b : b + per_block], start=b)
        ]


def _concat(parts, dtype=np.int64) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype)


def _check_allow_self(name, value):
    if not (isinstance(value, (bool, np.bool_)) or value == "NoMutual"):
        raise InvalidParameterValueError(
            f"{name}: allow_self_connections must be True, False or 'NoMutual', not {value!r}"
        )
    return value if value == "NoMutual" else bool(value)


def _check_probability(where: str, p) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    bad = ~((p >= 0) & (p <= 1))
    if np.any(bad):
        raise InvalidParameterValueError(
            f"{where}: connection probability must lie in [0, 1], got {p[bad].flat[0]!r}"
        )
    return p


# -- base classes --------------------------------------------------------------------------


class Connector:
    """Base of all connectors: how to choose the connections of a projection.

    ``location_selector`` (multi-compartment targets) is kept for the backend; ``safe``
    enables weight/delay checks; ``callback(fraction_done)`` is called after each block.
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

    def connect(self, ctx: ConnectionContext) -> Iterator[ConnectionArrays]:
        """Yield the projection's connections as blocks in canonical (post, pre) order."""
        for block, fraction in self._connect(ctx):
            if len(block):
                yield block
            if self.callback is not None:
                self.callback(fraction)
        ctx.check_complete()

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

    def _yield_sorted(self, ctx, pre, post, explicit=None):
        """Yield precomputed connections, already in canonical order, in blocks."""
        n = pre.size
        step = max(1, ctx.block_pairs)
        if n == 0:
            yield ctx.finish(pre, post, explicit), 1.0
            return
        for s in range(0, n, step):
            sl = slice(s, s + step)
            part = None if explicit is None else {k: v[sl] for k, v in explicit.items()}
            yield ctx.finish(pre[sl], post[sl], part), min(1.0, (s + step) / n)


def _split_keys(keys, n_pre):
    """(pre, post) from canonical keys ``post * n_pre + pre``."""
    post, pre = np.divmod(keys, max(1, n_pre))
    return pre, post


def _sort_pairs(pre, post, n_pre):
    """Sort (pre, post) pairs into canonical (post, pre) order, keeping multiplicity."""
    return _split_keys(np.sort(post.astype(np.int64) * max(1, n_pre) + pre), n_pre)


class MapConnector(Connector):
    """Connectors that decide each (pre, post) pair independently, column by column.

    Subclasses implement ``_map(ctx, gen, c0, c1)`` returning a bool array of shape
    (c1-c0, pre_size) (``True`` = connect), or ``None`` for "all pairs".
    """

    allow_self_connections: Any = True
    _random = False

    def _connect(self, ctx):
        entropy = ctx._entropy(getattr(self, "rng", None)) if self._random else None
        skip = ctx._skip_nonlocal()
        for group in ctx.column_groups(ctx.pre_size):
            keys = []
            for index, c0, c1 in group:
                if skip and not ctx.local_post_mask[c0:c1].any():
                    continue
                gen = _stream(entropy, _STREAM_CONNECT, index) if entropy is not None else None
                conn = self._map(ctx, gen, c0, c1)
                allowed = ctx.pair_mask(self.allow_self_connections, c0, c1)
                if conn is None and allowed is None:
                    keys.append(np.arange(c0 * ctx.pre_size, c1 * ctx.pre_size))
                    continue
                if conn is None:
                    conn = allowed
                elif allowed is not None:
                    conn &= allowed
                keys.append(np.flatnonzero(conn) + c0 * ctx.pre_size)
            pre, post = _split_keys(_concat(keys), ctx.pre_size)
            yield ctx.finish(pre, post), group[-1][2] / max(1, ctx.post_size)
        if ctx.post_size == 0:
            yield ctx.finish(np.empty(0, np.int64), np.empty(0, np.int64)), 1.0

    def _map(self, ctx, gen, c0, c1):
        raise NotImplementedError


# -- deterministic map connectors ---------------------------------------------------------


class AllToAllConnector(MapConnector):
    """Connect every presynaptic cell to every postsynaptic cell.

    ``allow_self_connections=False`` drops pairs of the same cell (compared by identity,
    so it works for views and assemblies); ``'NoMutual'`` keeps one direction of each
    pair of cells present on both sides (the one from the higher ID).
    """

    parameter_names = ("allow_self_connections",)

    def __init__(
        self, allow_self_connections=True, location_selector=None, safe=True, callback=None
    ):
        super().__init__(location_selector, safe, callback)
        self.allow_self_connections = _check_allow_self(type(self).__name__, allow_self_connections)

    def _map(self, ctx, gen, c0, c1):
        return None


class OneToOneConnector(Connector):
    """Connect pre cell i to post cell i, for i below the smaller of the two sizes."""

    def _connect(self, ctx):
        idx = np.arange(min(ctx.pre_size, ctx.post_size), dtype=np.int64)
        yield from self._yield_sorted(ctx, idx, idx.copy())


class ArrayConnector(MapConnector):
    """Connect according to a boolean pre x post matrix."""

    parameter_names = ("array",)

    def __init__(self, array, location_selector=None, safe=True, callback=None):
        super().__init__(location_selector, safe, callback)
        array = np.asarray(array)
        if array.ndim != 2:
            raise InvalidDimensionsError(
                f"ArrayConnector: array must be 2-D (pre x post), got shape {array.shape}"
            )
        self.array = array.astype(bool)

    def _map(self, ctx, gen, c0, c1):
        if self.array.shape != (ctx.pre_size, ctx.post_size):
            raise InvalidDimensionsError(
                f"ArrayConnector: array has shape {self.array.shape} but {ctx.name} is "
                f"{ctx.pre_size} x {ctx.post_size} (pre x post)"
            )
        return self.array[:, c0:c1].T.copy()


# -- probabilistic map connectors --------------------------------------------------------


class _ProbabilisticMap(MapConnector):
    _random = True

    def _init_common(self, allow_self_connections, rng):
        self.allow_self_connections = _check_allow_self(type(self).__name__, allow_self_connections)
        _check_rng(type(self).__name__, rng)
        self.rng = rng

    def _probabilities(self, ctx, c0, c1):
        raise NotImplementedError

    def _map(self, ctx, gen, c0, c1):
        p = self._probabilities(ctx, c0, c1)
        p = _check_probability(f"{type(self).__name__} in {ctx.name}", p)
        return gen.random((c1 - c0, ctx.pre_size)) < p


class FixedProbabilityConnector(_ProbabilisticMap):
    """Connect each (pre, post) pair independently with probability ``p_connect``."""

    parameter_names = ("allow_self_connections", "p_connect")

    def __init__(
        self,
        p_connect: float,
        allow_self_connections=True,
        rng=None,
        location_selector=None,
        safe=True,
        callback=None,
    ):
        super().__init__(location_selector, safe, callback)
        try:
            p = float(p_connect)
        except (TypeError, ValueError) as err:
            raise InvalidParameterValueError(
                f"FixedProbabilityConnector: p_connect must be a number, not {p_connect!r}"
            ) from err
        _check_probability("FixedProbabilityConnector", p)
        self.p_connect = p
        self._init_common(allow_self_connections, rng)

    def _map(self, ctx, gen, c0, c1):
        return gen.random((c1 - c0, ctx.pre_size)) < self.p_connect


class DistanceDependentProbabilityConnector(_ProbabilisticMap):
    """Connect each pair with a probability that is a function of their distance.

    ``d_expression``: a string in ``d`` (distance in the projection's ``space``, µm by
    convention), e.g. ``"exp(-d/100)"`` or ``"d < 50"``, or a callable ``f(d)`` on arrays.
    Values must lie in [0, 1].
    """

    parameter_names = ("allow_self_connections", "d_expression")

    def __init__(
        self,
        d_expression,
        allow_self_connections=True,
        rng=None,
        location_selector=None,
        safe=True,
        callback=None,
    ):
        super().__init__(location_selector, safe, callback)
        if isinstance(d_expression, str):
            f = compile_distance_expression(d_expression)
            probe = np.asarray(f(np.array([0.0, 1e12])), dtype=float)
            if np.any(probe < 0):
                raise InvalidParameterValueError(
                    f"DistanceDependentProbabilityConnector: {d_expression!r} is negative at "
                    "d=0 or d=1e12; a probability must be >= 0"
                )
            self.distance_function = f
        elif callable(d_expression):
            self.distance_function = d_expression
        else:
            raise InvalidParameterValueError(
                "DistanceDependentProbabilityConnector: d_expression must be a string in d or "
                f"a callable, not {d_expression!r}"
            )
        self.d_expression = d_expression
        self._init_common(allow_self_connections, rng)

    def _probabilities(self, ctx, c0, c1):
        return self.distance_function(ctx.distances_block(c0, c1))


class IndexBasedProbabilityConnector(_ProbabilisticMap):
    """Connect each pair with probability ``index_expression(i, j)`` (pre i, post j)."""

    parameter_names = ("allow_self_connections", "index_expression")

    def __init__(
        self,
        index_expression,
        allow_self_connections=True,
        rng=None,
        location_selector=None,
        safe=True,
        callback=None,
    ):
        super().__init__(location_selector, safe, callback)
        if not isinstance(index_expression, IndexBasedExpression):
            raise InvalidParameterValueError(
                "IndexBasedProbabilityConnector: index_expression must be an "
                f"IndexBasedExpression, not {type(index_expression).__name__}"
            )
        self.index_expression = index_expression
        self._init_common(allow_self_connections, rng)

    def _probabilities(self, ctx, c0, c1):
        expr = copy.copy(self.index_expression)
        expr.projection, expr.context = ctx.projection, ctx
        # full index arrays of shape (pre, post-chunk), as PyNN's lazy arrays give them
        i = np.repeat(np.arange(ctx.pre_size)[:, None], c1 - c0, axis=1)
        j = np.repeat(np.arange(c0, c1)[None, :], ctx.pre_size, axis=0)
        p = np.asarray(expr(i, j), dtype=float)
        return p.T if p.ndim == 2 else p


class DisplacementDependentProbabilityConnector(_ProbabilisticMap):
    """Connect each pair with probability ``disp_function(disp)``.

    ``disp`` = post position - pre position, shape (3, n_post_chunk, n_pre) (one
    displacement per column of the flattened trailing axes); ``space`` is not applied.
    """

    parameter_names = ("allow_self_connections", "disp_function")

    def __init__(
        self,
        disp_function,
        allow_self_connections=True,
        rng=None,
        location_selector=None,
        safe=True,
        callback=None,
    ):
        super().__init__(location_selector, safe, callback)
        if not callable(disp_function):
            raise InvalidParameterValueError(
                "DisplacementDependentProbabilityConnector: disp_function must be callable"
            )
        self.disp_function = disp_function
        self._init_common(allow_self_connections, rng)

    def _probabilities(self, ctx, c0, c1):
        disp = ctx.post_positions[:, c0:c1, None] - ctx.pre_positions[:, None, :]
        return self.disp_function(disp)


# -- fixed-number connectors -------------------------------------------------------------


def _choose_per_row(gen, counts, N: int, blocked, with_replacement: bool):
    """For each row r, choose ``counts[r]`` of the indices 0..N-1, never ``blocked[r]``
    (-1: none).  Returns keys ``row * N + index``, sorted, repeated for multiplicity.

    Without replacement, counts beyond the available cells take every cell once per full
    round and a random subset for the remainder (PyNN's rule).  Subsets are the first
    distinct values of an i.i.d. uniform sequence (rejection sampling, vectorised over
    rows), hence uniform; more than half the cells are chosen through the complement.
    """
    rows = counts.size
    rr = np.arange(rows)
    has_block = blocked >= 0
    avail = N - has_block.astype(np.int64)
    if np.any((avail <= 0) & (counts > 0)):
        raise ConnectionError("no cells available to choose from")
    if with_replacement:
        r = np.repeat(rr, counts)
        high = avail[r] if has_block.any() else N
        c = gen.integers(0, high, size=r.size)
        if has_block.any():
            c += (has_block[r] & (c >= blocked[r])).astype(c.dtype)
        k = np.bincount(r * N + c, minlength=rows * N)
        lin = np.flatnonzero(k)
        if lin.size and k[lin].max() > 1:
            lin = np.repeat(lin, k[lin])
        return lin
    safe_avail = np.maximum(avail, 1)
    full = counts // safe_avail
    rem = counts - full * safe_avail
    comp = 2 * rem > avail
    k = np.where(comp, avail - rem, rem)
    chosen = np.zeros((rows, N), dtype=bool)
    chosen[rr[has_block], blocked[has_block]] = True
    preset = has_block.astype(np.int64)
    active = np.flatnonzero(k)
    remaining = k[active]
    while active.size:
        r = np.repeat(active, remaining)
        chosen[r, gen.integers(0, N, size=r.size)] = True
        sums = np.count_nonzero(chosen if active.size == rows else chosen[active], axis=1)
        remaining = k[active] + preset[active] - sums
        keep = remaining > 0
        active, remaining = active[keep], remaining[keep]
    chosen[comp] = ~chosen[comp]
    chosen[rr[has_block], blocked[has_block]] = False
    if not full.any():
        return np.flatnonzero(chosen)
    mult = chosen.astype(np.int64) + full[:, None]
    mult[rr[has_block], blocked[has_block]] = 0
    lin = np.flatnonzero(mult)
    return np.repeat(lin, mult.ravel()[lin])


class FixedNumberConnector(Connector):
    """Base of the connectors that give each cell a fixed number of partners.

    ``n``: a non-negative int, or a RandomDistribution drawn once per cell.
    ``allow_self_connections='NoMutual'`` is treated as ``False`` here.
    """

    parameter_names = ("allow_self_connections", "n", "with_replacement")

    def __init__(
        self,
        n,
        allow_self_connections=True,
        with_replacement=False,
        rng=None,
        location_selector=None,
        safe=True,
        callback=None,
    ):
        super().__init__(location_selector, safe, callback)
        name = type(self).__name__
        if isinstance(n, RandomDistribution):
            pass
        elif isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 0:
            n = int(n)
        else:
            raise InvalidParameterValueError(
                f"{name}: n must be a non-negative int or a RandomDistribution, not {n!r}"
            )
        self.n = n
        self.allow_self_connections = _check_allow_self(name, allow_self_connections)
        self.with_replacement = bool(with_replacement)
        _check_rng(name, rng)
        self.rng = rng

    def _counts(self, size: int) -> np.ndarray:
        if not isinstance(self.n, RandomDistribution):
            return np.full(size, self.n, dtype=np.int64)
        values = np.asarray(self.n.next(size), dtype=float).reshape(size)
        if np.any(values < 0) or np.any(values != np.round(values)):
            raise InvalidParameterValueError(
                f"{type(self).__name__}: the distribution {self.n!r} gave a negative or "
                "non-integer number of connections"
            )
        return values.astype(np.int64)

    def _blocked(self, ctx, side):
        if self.allow_self_connections is True:
            return np.full(ctx.post_size if side == "post" else ctx.pre_size, -1, np.int64)
        return ctx.self_index(side)


class FixedNumberPreConnector(FixedNumberConnector):
    """Each postsynaptic cell receives exactly ``n`` connections from random pre cells.

    Without replacement, a pre cell is chosen at most once until all have been chosen:
    with ``n`` above the number of pre cells, each is connected once per full round and
    a random subset makes up the remainder.  With replacement, sources are i.i.d.
    """

    def _connect(self, ctx):
        counts = self._counts(ctx.post_size)
        blocked = self._blocked(ctx, "post")
        entropy = ctx._entropy(self.rng)
        skip = ctx._skip_nonlocal()
        for group in ctx.column_groups(ctx.pre_size):
            keys = []
            for index, c0, c1 in group:
                if skip and not ctx.local_post_mask[c0:c1].any():
                    continue
                gen = _stream(entropy, _STREAM_CONNECT, index)
                try:
                    lin = _choose_per_row(
                        gen, counts[c0:c1], ctx.pre_size, blocked[c0:c1], self.with_replacement
                    )
                except ConnectionError as err:
                    raise ConnectionError(
                        f"FixedNumberPreConnector in {ctx.name}: {err} ({ctx.pre_size} pre cells)"
                    ) from None
                keys.append(lin + c0 * ctx.pre_size)
            pre, post = _split_keys(_concat(keys), ctx.pre_size)
            yield ctx.finish(pre, post), group[-1][2] / max(1, ctx.post_size)


class FixedNumberPostConnector(FixedNumberConnector):
    """Each presynaptic cell makes exactly ``n`` connections to random post cells.

    Same sampling rules as :class:`FixedNumberPreConnector`, with the roles swapped.
    All connections are generated, then sorted into canonical order.
    """

    def _connect(self, ctx):
        counts = self._counts(ctx.pre_size)
        blocked = self._blocked(ctx, "pre")
        entropy = ctx._entropy(self.rng)
        pres, posts = [], []
        for group in _groups(ctx.pre_size, ctx.post_size, DRAW_CHUNK_PAIRS):
            for index, r0, r1 in group:
                gen = _stream(entropy, _STREAM_CONNECT, index)
                try:
                    lin = _choose_per_row(
                        gen, counts[r0:r1], ctx.post_size, blocked[r0:r1], self.with_replacement
                    )
                except ConnectionError as err:
                    raise ConnectionError(
                        f"FixedNumberPostConnector in {ctx.name}: {err} "
                        f"({ctx.post_size} post cells)"
                    ) from None
                row, col = np.divmod(lin, max(1, ctx.post_size))
                pres.append(row + r0)
                posts.append(col)
        pre, post = _sort_pairs(_concat(pres), _concat(posts), ctx.pre_size)
        yield from self._yield_sorted(ctx, pre, post)


class FixedTotalNumberConnector(FixedNumberConnector):
    """Exactly ``n`` connections in total, between uniformly random (pre, post) pairs.

    Unlike PyNN, which ignores them, ``allow_self_connections`` and ``with_replacement``
    are honoured; the draw is also parallel safe (every rank draws the same pairs).
    """

    parameter_names = ("allow_self_connections", "n", "with_replacement")

    def __init__(
        self,
        n,
        allow_self_connections=True,
        with_replacement=True,
        rng=None,
        location_selector=None,
        safe=True,
        callback=None,
    ):
        super().__init__(
            n, allow_self_connections, with_replacement, rng, location_selector, safe, callback
        )

    def _connect(self, ctx):
        n = int(self._counts(1)[0])
        n_pre, n_post = ctx.pre_size, ctx.post_size
        total = n_pre * n_post
        gen = _stream(ctx._entropy(self.rng), _STREAM_CONNECT, 0)
        excluded = self.allow_self_connections is not True and ctx.shares_cells

        def allowed(keys):
            if not excluded:
                return np.ones(keys.size, dtype=bool)
            return ctx.pre_keys[keys % n_pre] != ctx.post_keys[keys // n_pre]

        n_allowed = total
        if excluded:
            n_allowed = total - int((ctx.self_index("post") >= 0).sum())
        if n > 0 and n_allowed == 0:
            raise ConnectionError(f"FixedTotalNumberConnector in {ctx.name}: no allowed pairs")
        if not self.with_replacement and n > n_allowed:
            raise InvalidParameterValueError(
                f"FixedTotalNumberConnector in {ctx.name}: n={n} connections without "
                f"replacement but only {n_allowed} pairs are allowed"
            )
        if self.with_replacement:
            keys = gen.integers(0, total, size=n) if n else np.empty(0, np.int64)
            bad = np.flatnonzero(~allowed(keys))
            while bad.size:  # rejection keeps the allowed pairs uniform
                keys[bad] = gen.integers(0, total, size=bad.size)
                bad = bad[~allowed(keys[bad])]
            keys = np.sort(keys)
        else:
            complement = 2 * n > n_allowed
            want = n_allowed - n if complement else n
            keys = np.empty(0, np.int64)
            while keys.size < want:
                new = gen.integers(0, total, size=want - keys.size)
                keys = np.unique(np.concatenate([keys, new[allowed(new)]]))
            if complement:
                every = np.arange(total, dtype=np.int64)
                every = every[allowed(every)]
                keys = np.setdiff1d(every, keys, assume_unique=True)
        yield from self._yield_sorted(ctx, *_split_keys(keys, n_pre))


# -- explicit connectors -------------------------------------------------------------------


class FromListConnector(Connector):
    """Connections listed explicitly as ``(i, j, p1, p2, ...)`` with i, j cell *indices*.

    Without ``column_names``, 2 columns carry no values and 4 columns carry
    (weight, delay); any other width needs ``column_names``.  Listed values override the
    synapse type's; unlisted parameters take the synapse type's values.
    """

    parameter_names = ("conn_list",)

    def __init__(
        self, conn_list, column_names=None, location_selector=None, safe=True, callback=None
    ):
        super().__init__(location_selector, safe, callback)
        array = np.asarray(conn_list, dtype=float)
        if array.size == 0:
            array = array.reshape(0, 2 + len(column_names or ()))
        if array.ndim != 2 or array.shape[1] < 2:
            raise InvalidDimensionsError(
                f"FromListConnector: conn_list must be rows (i, j, values...), got shape "
                f"{array.shape}"
            )
        n_values = array.shape[1] - 2
        if column_names is None:
            if n_values == 0:
                column_names = ()
            elif n_values == 2:
                column_names = ("weight", "delay")
            else:
                raise TypeError(
                    f"FromListConnector: {array.shape[1]} columns; give column_names for the "
                    f"{n_values} value columns (2 columns = (i, j), 4 = (i, j, weight, delay))"
                )
        column_names = tuple(column_names)
        if len(column_names) != n_values:
            raise InvalidParameterValueError(
                f"FromListConnector: conn_list has {n_values} value columns but "
                f"{len(column_names)} column names {column_names}"
            )
        self.conn_list = array
        self.column_names = column_names

    def _connect(self, ctx):
        yield from self._connect_list(ctx, self.conn_list, self.column_names)

    def _connect_list(self, ctx, array, column_names):
        cls = type(self).__name__
        known = set(ctx.synapse_values)
        for name in column_names:
            if known and name not in known:
                raise NonExistentParameterError(
                    name, f"the synapse type of {ctx.name}", sorted(known)
                )
        idx = array[:, :2]
        if np.any(idx != np.round(idx)):
            row = int(np.flatnonzero(np.any(idx != np.round(idx), axis=1))[0])
            raise InvalidParameterValueError(
                f"{cls}: row {row} has a non-integer index {tuple(idx[row])}"
            )
        pre, post = idx[:, 0].astype(np.int64), idx[:, 1].astype(np.int64)
        for values, size, side in ((pre, ctx.pre_size, "pre"), (post, ctx.post_size, "post")):
            bad = np.flatnonzero((values < 0) | (values >= size))
            if bad.size:
                raise InvalidDimensionsError(
                    f"{cls}: {side}synaptic index {values[bad[0]]} (row {bad[0]}) is out of "
                    f"range for {ctx.name}, which has {size} {side}synaptic cells"
                )
        order = np.lexsort((pre, post))
        explicit = {name: array[order, 2 + k] for k, name in enumerate(column_names)}
        yield from self._yield_sorted(ctx, pre[order], post[order], explicit)


def _read_connection_file(file):
    """(data rows, column names or None) from a file written by Projection.save, a plain
    text table, a ``.npy`` array, or a PyNN-style file object."""
    if hasattr(file, "get_metadata") and hasattr(file, "read"):
        columns = file.get_metadata().get("columns")
        return np.asarray(file.read(), dtype=float), columns
    if isinstance(file, (str, os.PathLike)) and os.fspath(file).endswith(".npy"):
        return np.load(file), None
    if hasattr(file, "read"):
        text = file.read()
    else:
        with open(file) as fh:
            text = fh.read()
    columns = None
    rows = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            key, sep, value = stripped[1:].partition("=")
            if sep and key.strip() == "columns":
                try:
                    columns = list(ast.literal_eval(value.strip()))
                except (ValueError, SyntaxError) as err:
                    raise InvalidParameterValueError(
                        f"FromFileConnector: cannot read the column header {stripped!r}"
                    ) from err
        elif stripped:
            rows.append(stripped)
    if not rows:
        return np.empty((0, len(columns) if columns else 2)), columns
    data = np.loadtxt(rows, dtype=float, ndmin=2)
    return data, columns


class FromFileConnector(FromListConnector):
    """Connections read from a file in FromListConnector's format.

    A ``# columns = ['i', 'j', 'weight', 'delay', ...]`` header (as written by
    ``Projection.save``) names the value columns; without it the FromListConnector rules
    apply.  ``distributed=True`` reads ``<file>.<rank>`` on each MPI rank.
    """

    parameter_names = ("file", "distributed")

    def __init__(self, file, distributed=False, location_selector=None, safe=True, callback=None):
        Connector.__init__(self, location_selector, safe, callback)
        self.file = file
        self.distributed = distributed

    def _connect(self, ctx):
        file = self.file
        if self.distributed:
            from pynn_uni.common import mpi

            file = f"{os.fspath(file)}.{mpi.rank()}"
        data, columns = _read_connection_file(file)
        if data.ndim != 2 or (data.size and data.shape[1] < 2):
            raise InvalidDimensionsError(
                f"FromFileConnector: {file!r} must hold rows (i, j, values...)"
            )
        if columns is not None:
            names = [c for c in columns if c not in ("i", "j")]
        else:
            names = None
        helper = FromListConnector(data, column_names=names)
        yield from self._connect_list(ctx, helper.conn_list, helper.column_names)


class CloneConnector(Connector):
    """The same connections as ``reference_projection`` (pre and post sizes must match).

    Unlike PyNN, which clones only the presence of a pair, multiple connections between
    one pair are cloned as often as they occur.
    """

    parameter_names = ("reference_projection",)

    def __init__(self, reference_projection, location_selector=None, safe=True, callback=None):
        super().__init__(location_selector, safe, callback)
        self.reference_projection = reference_projection

    def _connect(self, ctx):
        ref = self.reference_projection
        shape = getattr(ref, "shape", None)
        if shape is not None and tuple(shape) != (ctx.pre_size, ctx.post_size):
            raise ConnectionError(
                f"CloneConnector: reference projection {getattr(ref, 'label', ref)!r} is "
                f"{shape[0]} x {shape[1]} but {ctx.name} is {ctx.pre_size} x {ctx.post_size}"
            )
        proj = ctx.projection
        if proj is not None and (
            getattr(proj, "pre", None) is not getattr(ref, "pre", None)
            or getattr(proj, "post", None) is not getattr(ref, "post", None)
        ):
            raise ConnectionError(
                f"CloneConnector: {ctx.name} must connect the same pre and post cells as "
                f"the reference projection {getattr(ref, 'label', ref)!r}"
            )
        arrays = ref._connection_arrays()
        pre, post = _sort_pairs(arrays.pre, arrays.post, ctx.pre_size)
        if pre.size and (pre.max() >= ctx.pre_size or post.max() >= ctx.post_size):
            raise InvalidDimensionsError(
                f"CloneConnector: the reference projection has indices beyond {ctx.name}"
            )
        yield from self._yield_sorted(ctx, pre, post)


# -- small world ------------------------------------------------------------------------


class SmallWorldConnector(Connector):
    """Watts-Strogatz small-world connectivity on the cells' positions.

    Each presynaptic cell first connects to every postsynaptic cell at distance
    ``< degree`` (in the projection's ``space``), or, if ``n_connections`` is given, to
    its ``n_connections`` nearest postsynaptic cells (efferent connections per cell).
    Each of these connections is then rewired with probability ``rewiring`` to a
    uniformly random postsynaptic cell that this cell does not yet target (and not
    itself unless ``allow_self_connections``), so out-degrees are preserved.  PyNN
    declares this connector but raises NotImplementedError; this is a working version.
    """

    parameter_names = ("allow_self_connections", "degree", "rewiring", "n_connections")

    def __init__(
        self,
        degree,
        rewiring,
        allow_self_connections=True,
        n_connections=None,
        rng=None,
        location_selector=None,
        safe=True,
        callback=None,
    ):
        super().__init__(location_selector, safe, callback)
        if not 0 <= rewiring <= 1:
            raise InvalidParameterValueError(
                f"SmallWorldConnector: rewiring is a probability in [0, 1], not {rewiring!r}"
            )
        if degree < 0:
            raise InvalidParameterValueError(f"SmallWorldConnector: degree={degree!r} < 0")
        if n_connections is not None and (int(n_connections) != n_connections or n_connections < 0):
            raise InvalidParameterValueError(
                f"SmallWorldConnector: n_connections={n_connections!r} is not a count"
            )
        self.degree = degree
        self.rewiring = float(rewiring)
        self.allow_self_connections = _check_allow_self(
            "SmallWorldConnector", allow_self_connections
        )
        self.n_connections = None if n_connections is None else int(n_connections)
        _check_rng("SmallWorldConnector", rng)
        self.rng = rng
        self.d_expression = f"d < {degree:g}"

    def _lattice(self, ctx, r0, r1, blocked):
        # distance from pre rows r0:r1 to all post cells, shape (rows, post)
        sq = ctx.space._sq_distances_3n(
            ctx.pre_positions[:, r0:r1, None], ctx.post_positions[:, None, :]
        )
        d = np.sqrt(np.broadcast_to(sq, (r1 - r0, ctx.post_size))).copy()
        rows = np.arange(r1 - r0)
        has = blocked >= 0
        if self.n_connections is None:
            lattice = d < self.degree
            lattice[rows[has], blocked[has]] = False
            return lattice
        d[rows[has], blocked[has]] = np.inf
        avail = ctx.post_size - int(has.any())
        if self.n_connections > avail:
            raise InvalidParameterValueError(
                f"SmallWorldConnector in {ctx.name}: n_connections={self.n_connections} but only "
                f"{avail} postsynaptic cells are available"
            )
        nearest = np.argsort(d, axis=1, kind="stable")[:, : self.n_connections]
        lattice = np.zeros(d.shape, dtype=bool)
        lattice[rows[:, None], nearest] = True
        return lattice

    def _rewire(self, gen, lattice, blocked):
        rows, N = lattice.shape
        r_edge, c_edge = np.nonzero(lattice)
        pick = gen.random(r_edge.size) < self.rewiring
        r_old, c_old = r_edge[pick], c_edge[pick]
        taken = lattice.copy()  # old targets stay taken, so a rewired edge really moves
        has = blocked >= 0
        taken[np.arange(rows)[has], blocked[has]] = True
        pending = np.arange(r_old.size)
        new = np.full(r_old.size, -1, dtype=np.int64)
        for _ in range(10_000):
            if not pending.size:
                break
            free = N - taken[r_old[pending]].sum(axis=1)
            pending = pending[free > 0]  # a row with no free target keeps its edges
            if not pending.size:
                break
            cand = gen.integers(0, N, size=pending.size)
            r = r_old[pending]
            ok = ~taken[r, cand]
            lin = r * N + cand
            _, first = np.unique(lin, return_index=True)
            is_first = np.zeros(pending.size, dtype=bool)
            is_first[first] = True
            ok &= is_first
            taken[r[ok], cand[ok]] = True
            new[pending[ok]] = cand[ok]
            pending = pending[~ok]
        done = new >= 0
        result = lattice.copy()
        result[r_old[done], c_old[done]] = False
        result[r_old[done], new[done]] = True
        return result

    def _connect(self, ctx):
        blocked = (
            np.full(ctx.pre_size, -1, np.int64)
            if self.allow_self_connections is True
            else ctx.self_index("pre")
        )
        entropy = ctx._entropy(self.rng)
        pres, posts = [], []
        for group in _groups(ctx.pre_size, ctx.post_size, DRAW_CHUNK_PAIRS):
            for index, r0, r1 in group:
                lattice = self._lattice(ctx, r0, r1, blocked[r0:r1])
                if self.rewiring > 0:
                    lattice = self._rewire(
                        _stream(entropy, _STREAM_REWIRE, index), lattice, blocked[r0:r1]
                    )
                r, c = np.nonzero(lattice)
                pres.append(r + r0)
                posts.append(c)
        pre, post = _sort_pairs(_concat(pres), _concat(posts), ctx.pre_size)
        yield from self._yield_sorted(ctx, pre, post)


# -- connection set algebra -------------------------------------------------------------


class CSAConnector(Connector):
    """Connections from a Connection Set Algebra set ``cset`` (needs the ``csa`` package).

    A mask (arity 0) gives the pairs; a set of arity 2 also gives (weight, delay).
    """

    parameter_names = ("cset",)

    def __init__(self, cset, location_selector=None, safe=True, callback=None):
        try:
            import csa  # noqa: F401
        except ImportError as err:
            raise ImportError(
                "CSAConnector needs the 'csa' package (pip install csa); it is not installed"
            ) from err
        super().__init__(location_selector, safe, callback)
        self.cset = cset

    def _connect(self, ctx):  # pragma: no cover - csa is not installed here
        import csa

        finite = csa.cross(range(ctx.pre_size), range(ctx.post_size)) * self.cset
        rows = np.array(list(finite), dtype=float).reshape(-1, 2 + 2 * (csa.arity(self.cset) == 2))
        names = ("weight", "delay") if rows.shape[1] == 4 else ()
        yield from FromListConnector._connect_list(self, ctx, rows, names)
