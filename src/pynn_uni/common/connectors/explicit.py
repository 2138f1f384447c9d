"""Connections the user states: a boolean matrix, a list, a file, another projection's
connections, or a Connection Set Algebra set."""

from __future__ import annotations

import ast
import copy
import os

import numpy as np

from pynn_uni.common import mpi
from pynn_uni.common.connectors.base import Connector, MapConnector, sort_pairs
from pynn_uni.errors import (
    ConnectionError,
    InvalidDimensionsError,
    InvalidParameterValueError,
    NonExistentParameterError,
)
from pynn_uni.random import NativeRNG, RandomDistribution


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
        pre, post = sort_pairs(arrays.pre, arrays.post, ctx.pre_size)
        if pre.size and (pre.max() >= ctx.pre_size or post.max() >= ctx.post_size):
            raise InvalidDimensionsError(
                f"CloneConnector: the reference projection has indices beyond {ctx.name}"
            )
        yield from self._yield_sorted(ctx, pre, post)


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
