"""Every PyNN connector, vectorised, producing blocks of :class:`ConnectionArrays`.

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
from pynn_uni.random import (
    AbstractRNG,
    NativeRNG,
    NumpyRNG,
    RandomDistribution,
    mt_consume,
    mt_words,
)
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


def _default_rng(rng) -> AbstractRNG:
    """A connector's rng as PyNN keeps it: ``None`` becomes a fresh default-seeded one."""
    return NumpyRNG(seed=DEFAULT_SEED) if rng is None else rng


def _resolve_rng(rng) -> AbstractRNG:
    if rng is None:
        return NumpyRNG(seed=DEFAULT_SEED)
    if isinstance(rng, NativeRNG):
        return rng.fallback()  # no backend drew natively: reproducible Python fallback
    return rng


def _spec_rngs(spec):
    """The generators a synapse value spec draws from (a RandomDistribution, possibly
    inside a lazy array)."""
    if isinstance(spec, RandomDistribution):
        yield spec.rng
    elif hasattr(spec, "base_value") and hasattr(spec, "operations"):
        yield from _spec_rngs(spec.base_value)
        for _, arg in spec.operations:
            yield from _spec_rngs(arg)


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
        self.entropy = entropy
        self.projection = projection
        self._offset = 0  # connections finished so far (connection order)
        self._cache: dict[str, Any] = {}
        self._value_rngs: dict[int, AbstractRNG] = {}
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
            if any(getattr(r, "parallel_safe", True) for r in _spec_rngs(spec)):
                return True
            if isinstance(spec, (np.ndarray, list, tuple)) and np.ndim(spec) == 1:
                return True
        return False

    @property
    def has_random_values(self) -> bool:
        """Whether some synapse value is drawn from a random distribution."""
        return any(True for spec in self.synapse_values.values() for _ in _spec_rngs(spec))

    def copy_value_rngs(self) -> None:
        """Take now the copies of the synapse values' generators that values are drawn
        from (else taken at the first draw).  As in PyNN, random synapse values come from
        a copy of their rng made when the projection connects, so the rng itself does not
        advance; PyNN copies before the connector draws for FixedNumberPre and the map
        connectors, after it for FixedNumberPost and FixedTotalNumber."""
        for spec in self.synapse_values.values():
            for rng in _spec_rngs(spec):
                self._value_rng(rng)

    def _value_rng(self, rng):
        key = id(rng)
        if key not in self._value_rngs:
            if isinstance(rng, NativeRNG):
                # no backend drew natively: a NumpyRNG seeded with the native seed
                self._value_rngs[key] = rng.fallback()
            else:
                self._value_rngs[key] = copy.deepcopy(rng)
        return self._value_rngs[key]

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
        rng = self._value_rng(rd.rng)
        order = self._draw_order
        mask = local if order is None else None
        if rd.name == "normal_clipped":
            # PyNN draws per column, and redraws out-of-range values before the next
            # column: the stream differs from one bulk draw, so follow it column by column
            post = self._draw_post
            cuts = np.flatnonzero(np.diff(post)) + 1
            values = np.concatenate(
                [
                    np.asarray(rng.next(len(seg), rd.name, rd.parameters), dtype=float)
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


def _split_keys(keys, n_pre):
    """(pre, post) from canonical keys ``post * n_pre + pre``."""
    post, pre = np.divmod(keys, max(1, n_pre))
    return pre, post


def _sort_pairs(pre, post, n_pre):
    """Sort (pre, post) pairs into canonical (post, pre) order, keeping multiplicity."""
    return _split_keys(np.sort(post.astype(np.int64) * max(1, n_pre) + pre), n_pre)


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

    def _map(self, ctx, u, cols):
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

    def _map(self, ctx, u, cols):
        if self.array.shape != (ctx.pre_size, ctx.post_size):
            raise InvalidDimensionsError(
                f"ArrayConnector: array has shape {self.array.shape} but {ctx.name} is "
                f"{ctx.pre_size} x {ctx.post_size} (pre x post)"
            )
        return self.array[:, cols].T.copy()


# -- probabilistic map connectors --------------------------------------------------------


class _ProbabilisticMap(MapConnector):
    _random = True

    def _init_common(self, allow_self_connections, rng):
        self.allow_self_connections = _check_allow_self(type(self).__name__, allow_self_connections)
        _check_rng(type(self).__name__, rng)
        self.rng = _default_rng(rng)

    def _probabilities(self, ctx, cols):
        raise NotImplementedError

    def _map(self, ctx, u, cols):
        p = self._probabilities(ctx, cols)
        p = _check_probability(f"{type(self).__name__} in {ctx.name}", p)
        return u < p


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

    def _map(self, ctx, u, cols):
        return u < self.p_connect


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

    def _probabilities(self, ctx, cols):
        return self.distance_function(ctx.distances_block(cols))


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

    def _probabilities(self, ctx, cols):
        expr = copy.copy(self.index_expression)
        expr.projection, expr.context = ctx.projection, ctx
        # full index arrays of shape (pre, post-chunk), as PyNN's lazy arrays give them
        i = np.repeat(np.arange(ctx.pre_size)[:, None], cols.size, axis=1)
        j = np.repeat(np.asarray(cols)[None, :], ctx.pre_size, axis=0)
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

    def _probabilities(self, ctx, cols):
        disp = ctx.post_positions[:, cols, None] - ctx.pre_positions[:, None, :]
        return self.disp_function(disp)


# -- fixed-number connectors -------------------------------------------------------------


def _randint(rng, n: int, high: int) -> np.ndarray:
    """``n`` integers in [0, high), as PyNN's ``rng.next(n, 'uniform_int', ...)``."""
    if type(rng) is NumpyRNG:
        return rng.rng.randint(0, high, size=int(n)).astype(np.int64, copy=False)
    values = rng.next(int(n), "uniform_int", {"low": 0, "high": high})
    return np.asarray(values, dtype=np.int64)


def _randint_excluding(rng, counts, high: int, excluded) -> np.ndarray:
    """PyNN's draws with replacement avoiding one index per row: row r draws
    ``counts[r]`` integers in [0, high), then redraws those equal to ``excluded[r]`` until
    none is, before the next row starts.  Returns the rows' values, concatenated.

    Vectorised over the rows between two rows that need a redraw: draw ahead, find the
    first such row, rewind the stream and draw up to it again (identical values), redraw.
    (PyNN 0.13 indexes its redraws wrongly when a redrawn value hits again; here the
    redraw simply repeats.)
    """
    counts = np.asarray(counts, dtype=np.int64)
    ends = np.cumsum(counts)
    starts = ends - counts
    out = np.empty(int(ends[-1]) if counts.size else 0, dtype=np.int64)
    mean = max(1.0, float(counts.mean())) if counts.size else 1.0
    p_hit = -np.expm1(mean * np.log1p(-1.0 / max(high, 2)))  # P(a row needs a redraw)
    chunk = int(max(256.0, 2.0 * mean / max(p_hit, 1e-9)))  # draws ahead: ~2 hit rows
    r, rows = 0, counts.size
    state = rng.rng.get_state() if type(rng) is NumpyRNG else None
    while r < rows:
        a = starts[r]
        r2 = min(rows, max(r + 1, int(np.searchsorted(ends, a + chunk, side="right"))))
        if state is not None:
            state = rng.rng.get_state()
            values = _randint(rng, ends[r2 - 1] - a, high)
            row_of = np.repeat(np.arange(r, r2), counts[r:r2])
            hit = values == excluded[row_of]
            if not hit.any():
                out[a : ends[r2 - 1]] = values
                r = r2
                continue
            h = int(row_of[np.argmax(hit)])
            rng.rng.set_state(state)
        else:
            h = r  # a generator that cannot rewind: one row at a time
        out[a : ends[h]] = _randint(rng, ends[h] - a, high)
        row = out[starts[h] : ends[h]]
        bad = np.flatnonzero(row == excluded[h])
        while bad.size:
            row[bad] = _randint(rng, bad.size, high)
            bad = bad[row[bad] == excluded[h]]
        r = h + 1
    return out


def _permutation_prefixes(rng, counts, N: int, blocked) -> np.ndarray:
    """PyNN's draws without replacement: row r takes every allowed index (0..N-1 but
    ``blocked[r]``) ``counts[r] // allowed`` times, then the first ``counts[r] % allowed``
    of ``rng.permutation(allowed)``.  Returns the rows' values, concatenated.

    The permutation is drawn row by row (a C-level shuffle each; PyNN's stream cannot be
    reproduced otherwise), only for rows with a remainder.
    """
    counts = np.asarray(counts, dtype=np.int64)
    has = blocked >= 0
    avail = N - has.astype(np.int64)
    if np.any((avail <= 0) & (counts > 0)):
        raise ConnectionError("no cells available to choose from")
    safe = np.maximum(avail, 1)
    full, rem = counts // safe, counts % safe
    ends = np.cumsum(counts)
    starts = ends - counts
    out = np.empty(int(ends[-1]) if counts.size else 0, dtype=np.int64)
    every = np.arange(N, dtype=np.int64)
    if full.any():
        # the full rounds of each row: (allowed cells) repeated, at the row's start
        rows = np.repeat(np.arange(counts.size), full * avail)
        pos = np.arange(rows.size) - np.repeat(np.cumsum(full * avail) - full * avail, full * avail)
        cell = pos % np.maximum(avail[rows], 1)
        cell += (has[rows] & (cell >= blocked[rows])).astype(np.int64)
        out[starts[rows] + pos] = cell
    permutation = rng.permutation
    for r in np.flatnonzero(rem):
        allowed = every if not has[r] else np.delete(every, blocked[r])
        out[ends[r] - rem[r] : ends[r]] = permutation(allowed)[: rem[r]]
    return out


def _draw_partners(rng, counts, N: int, blocked, with_replacement: bool) -> np.ndarray:
    """Partners of each row in PyNN's draw order, concatenated (row r owns counts[r])."""
    if not with_replacement:
        return _permutation_prefixes(rng, counts, N, blocked)
    if np.any(blocked >= 0):
        if N <= 1 and counts.any():
            raise ConnectionError("no cells available to choose from")
        return _randint_excluding(rng, counts, N, blocked)
    if N == 0 and counts.any():
        raise ConnectionError("no cells available to choose from")
    return _randint(rng, int(counts.sum()), N)


def _alternating_randint(rng, n: int, high_a: int, high_b: int):
    """``n`` pairs drawn as PyNN's FixedTotalNumberConnector does: ``randint(0, high_a,
    size=1)`` then ``randint(0, high_b, size=1)``, alternately, from a NumpyRNG.

    Each call is a masked rejection loop over raw 32-bit words, whose mask and bound
    depend on whose turn it is.  Each word either flips the turn (accepted by both),
    keeps it (by neither) or sets it (by one only), so the turn before every word follows
    from a cumulative count of flips since the last setting word: no loop over draws.
    """
    empty = np.empty(0, dtype=np.int64)
    if n == 0:
        return empty, empty
    if high_a == 1 or high_b == 1:  # a one-value range draws no words
        a = np.zeros(n, np.int64) if high_a == 1 else _randint(rng, n, high_a)
        b = np.zeros(n, np.int64) if high_b == 1 else _randint(rng, n, high_b)
        return a, b
    mask = np.array([(1 << int(h - 1).bit_length()) - 1 for h in (high_a, high_b)], np.uint64)
    top = np.array([high_a - 1, high_b - 1], np.uint64)
    mask, top = mask.astype(np.uint32), top.astype(np.uint32)
    words_per_pair = (mask[0] + 1.0) / high_a + (mask[1] + 1.0) / high_b
    need, got, used, turn = 2 * n, [], 0, 0
    while need:
        k = int(need / 2 * words_per_pair * 1.02) + 256
        w = mt_words(rng, used + k)[used:].astype(np.uint32)
        acc_a, acc_b = (w & mask[0]) <= top[0], (w & mask[1]) <= top[1]
        flips = np.cumsum(acc_a & acc_b, dtype=np.uint8)  # only the parity matters
        setting = acc_a != acc_b
        last = np.maximum.accumulate(np.where(setting, np.arange(k), -1))
        at = np.maximum(last, 0)
        base = np.where(last >= 0, acc_a[at].astype(np.int64), turn)  # set by a -> b's turn
        after = base ^ ((flips - np.where(last >= 0, flips[at], 0).astype(np.uint8)) & 1)
        before = np.concatenate(([turn], after[:-1]))
        accepted = np.flatnonzero(np.where(before == 0, acc_a, acc_b))[:need]
        got.append((w[accepted] & mask[before[accepted]]).astype(np.int64))
        need -= accepted.size
        if need:
            used, turn = used + k, int(after[-1])
        else:
            used += int(accepted[-1]) + 1
    mt_consume(rng, used)
    values = np.concatenate(got)
    return values[0::2], values[1::2]


def _stable_argsort(values, bound: int) -> np.ndarray:
    """Stable argsort of non-negative ints below ``bound`` (radix sort when they fit in
    16 bits)."""
    if bound <= 1 << 16:
        values = values.astype(np.uint16)
    return np.argsort(values, kind="stable")


def _sort_columns(pre, counts, c0: int, n_pre: int, need_order: bool):
    """Sort the sources drawn for columns c0, c0+1, ... (``counts`` each, in draw order)
    into canonical order: (pre, post, order), ``order`` as for ``finish`` (or ``None``
    when no value is random, so nothing needs drawing in PyNN's order)."""
    ncols = counts.size
    if ncols and np.all(counts == counts[0]):  # a fixed n: sort each row of a matrix
        rows = pre.reshape(ncols, -1)
        post = np.repeat(np.arange(c0, c0 + ncols, dtype=np.int64), rows.shape[1])
        if not need_order:
            return np.sort(rows, axis=1).ravel(), post, None
        o = np.argsort(rows, axis=1, kind="stable")
        order = (o + (np.arange(ncols) * rows.shape[1])[:, None]).ravel()
        return pre[order], post, order
    post = np.repeat(np.arange(c0, c0 + ncols, dtype=np.int64), counts)
    key = (post - c0) * max(1, n_pre) + pre
    if not need_order:
        return np.sort(key) % max(1, n_pre), post, None
    order = np.argsort(key, kind="stable")
    return pre[order], post, order


class FixedNumberConnector(Connector):
    """Base of the connectors that give each cell a fixed number of partners.

    ``n``: a non-negative int, or a RandomDistribution drawn once per cell (as in PyNN,
    100 values are drawn from it at construction to check they are not negative).
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
            if np.any(np.asarray(n.next(100), dtype=float) < 0):
                raise InvalidParameterValueError(
                    f"{name}: the distribution {n!r} gives negative numbers of connections"
                )
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
        self.rng = _default_rng(rng)

    def _counts(self, size: int) -> np.ndarray:
        if not isinstance(self.n, RandomDistribution):
            return np.full(size, self.n, dtype=np.int64)
        values = np.asarray(self.n.next(size), dtype=float).reshape(size)
        return self._check_counts(values)

    def _check_counts(self, values):
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

    def _partners(self, ctx, rng, counts, N, blocked, side):
        try:
            return _draw_partners(rng, counts, N, blocked, self.with_replacement)
        except ConnectionError as err:
            raise ConnectionError(
                f"{type(self).__name__} in {ctx.name}: {err} ({N} {side} cells)"
            ) from None


class FixedNumberPreConnector(FixedNumberConnector):
    """Each postsynaptic cell receives exactly ``n`` connections from random pre cells.

    Without replacement, a pre cell is chosen at most once until all have been chosen:
    with ``n`` above the number of pre cells, each is connected once per full round and
    a random subset makes up the remainder.  With replacement, sources are i.i.d.
    """

    def _connect(self, ctx):
        ctx.copy_value_rngs()
        counts = self._counts(ctx.post_size)
        blocked = self._blocked(ctx, "post")
        rng = ctx.rng_for(self.rng)
        random_values = ctx.has_random_values
        per_col = max(1, int(counts.mean())) if counts.size else 1
        for cols in ctx.column_blocks(per_col):
            c0, c1 = int(cols[0]), int(cols[-1]) + 1
            pre = self._partners(ctx, rng, counts[c0:c1], ctx.pre_size, blocked[c0:c1], "pre")
            pre, post, order = _sort_columns(pre, counts[c0:c1], c0, ctx.pre_size, random_values)
            yield ctx.finish(pre, post, order=order), c1 / ctx.post_size
        if ctx.post_size == 0:
            yield ctx.finish(np.empty(0, np.int64), np.empty(0, np.int64)), 1.0


class FixedNumberPostConnector(FixedNumberConnector):
    """Each presynaptic cell makes exactly ``n`` connections to random post cells.

    Same sampling rules as :class:`FixedNumberPreConnector`, with the roles swapped.
    All connections are generated, then sorted into canonical order.
    """

    def _connect(self, ctx):
        blocked = self._blocked(ctx, "pre")
        rng = ctx.rng_for(self.rng)
        if isinstance(self.n, RandomDistribution) and any(r is rng for r in _spec_rngs(self.n)):
            # PyNN draws each row's count just before its partners, from the same stream
            parts = []
            for r in range(ctx.pre_size):
                count = self._check_counts(np.asarray([self.n.next(1)[0]], dtype=float))
                block = blocked[r : r + 1]
                parts.append(self._partners(ctx, rng, count, ctx.post_size, block, "post"))
            counts = np.array([p.size for p in parts], dtype=np.int64)
            post = _concat(parts)
        else:
            counts = self._counts(ctx.pre_size)
            post = self._partners(ctx, rng, counts, ctx.post_size, blocked, "post")
        pre = np.repeat(np.arange(ctx.pre_size, dtype=np.int64), counts)
        pre, post = _sort_pairs(pre, post, ctx.pre_size)
        yield from self._yield_sorted(ctx, pre, post)


class FixedTotalNumberConnector(FixedNumberConnector):
    """Exactly ``n`` connections in total, between uniformly random (pre, post) pairs.

    With the defaults the pairs are PyNN's for the same rng (a binomial draw, then source
    and target drawn alternately); on several MPI processes every rank draws the pairs
    of a serial run (PyNN draws a different network per number of processes).  Unlike
    PyNN, which ignores them, ``allow_self_connections`` and ``with_replacement=False``
    are honoured (with a draw order of our own).
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
        rng = ctx.rng_for(self.rng)
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
        if self.with_replacement and not excluded:
            # PyNN: how many connections this (only) process makes, then the pairs
            rng.next(None, "binomial", {"n": n, "p": 1.0})
            if type(rng) is NumpyRNG:
                pre, post = _alternating_randint(rng, n, n_pre, n_post)
            else:
                pre, post = _randint(rng, n, n_pre), _randint(rng, n, n_post)
            if not ctx.has_random_values:
                keys = np.sort(post * max(1, n_pre) + pre)
                yield from self._yield_sorted(ctx, *_split_keys(keys, n_pre))
                return
            # PyNN draws values column by column, sources in the order they were drawn
            drawn = _stable_argsort(post, n_post)
            rank = np.empty(n, dtype=np.int64)
            rank[drawn] = np.arange(n)
            canonical = drawn[_stable_argsort(pre[drawn], n_pre)]
            canonical = canonical[_stable_argsort(post[canonical], n_post)]
            yield from self._yield_sorted(
                ctx, pre[canonical], post[canonical], order=rank[canonical]
            )
            return
        if self.with_replacement:
            keys = _randint(rng, n, total)
            bad = np.flatnonzero(~allowed(keys))
            while bad.size:  # rejection keeps the allowed pairs uniform
                keys[bad] = _randint(rng, bad.size, total)
                bad = bad[~allowed(keys[bad])]
            keys = np.sort(keys)
        else:
            complement = 2 * n > n_allowed
            want = n_allowed - n if complement else n
            keys = np.empty(0, np.int64)
            while keys.size < want:
                new = _randint(rng, want - keys.size, total)
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

    def _connect_list(self, ctx, array, column_names, per_column_values=True):
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
        if per_column_values:
            explicit.update(_list_random_values(ctx, array[:, 1], post, order, explicit))
        yield from self._yield_sorted(ctx, pre[order], post[order], explicit)


def _list_random_values(ctx, targets, post, order, explicit) -> dict[str, np.ndarray]:
    """Random synapse values of a listed projection, as PyNN 0.13 draws them: each
    postsynaptic column evaluates a fresh copy of the synapse parameters, so a column
    with k connections takes the first k values of the rng's stream, given to its
    connections in the order ``np.argsort`` (PyNN's sort of the list by target) puts them.
    Returns values in canonical order (``order``) for every RandomDistribution spec
    (possibly inside a lazy array with plain operations)."""
    specs = {}
    for name, spec in ctx.synapse_values.items():
        ops = []
        if hasattr(spec, "base_value") and hasattr(spec, "operations"):  # a lazyarray
            spec, ops = spec.base_value, list(spec.operations)
        plain_ops = all(not hasattr(arg, "operations") for _, arg in ops)
        if isinstance(spec, RandomDistribution) and name not in explicit and plain_ops:
            specs[name] = (spec, ops)
    if not specs or post.size == 0:
        return {}
    pynn_order = np.argsort(targets)  # PyNN's (default-kind) sort by target
    col = post[pynn_order]
    starts = np.flatnonzero(np.r_[True, col[1:] != col[:-1]])
    sizes = np.diff(np.r_[starts, col.size])
    rank = np.arange(col.size) - np.repeat(starts, sizes)  # place within the column
    size = np.repeat(sizes, sizes)
    out = {}
    for name, (rd, ops) in specs.items():
        values = np.empty(col.size)
        for k in np.unique(sizes):  # one fresh-copy draw per distinct column size
            rng = rd.rng.fallback() if isinstance(rd.rng, NativeRNG) else copy.deepcopy(rd.rng)
            fresh = np.asarray(rng.next(int(k), rd.name, rd.parameters), dtype=float)
            hit = size == k
            values[hit] = fresh[rank[hit]]
        for f, arg in ops:
            values = f(values) if arg is None else f(values, arg)
        by_row = np.empty(col.size)
        by_row[pynn_order] = values
        out[name] = by_row[order]
    return out


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
        self.rng = _default_rng(rng)
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
        # PyNN 0.13 has no SmallWorldConnector: the rewiring streams are seeded from four
        # integers drawn from the connector's rng
        draws = ctx.rng_for(self.rng).next(4, "uniform_int", {"low": 0, "high": 2**31 - 1})
        entropy = [int(x) for x in draws]
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
        # PyNN connects a CSA mask as a map: random values follow the usual stream
        yield from FromListConnector._connect_list(self, ctx, rows, names, False)
