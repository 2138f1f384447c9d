"""Connections the user states: a boolean matrix, a list, a file, another projection's
connections, or a Connection Set Algebra set."""

from __future__ import annotations

import copy
import os
import reprlib

import numpy as np

from pynn_uni.common import mpi
from pynn_uni.common.connectors.base import Connector, MapConnector, check_flag, sort_pairs
from pynn_uni.common.units import is_number
from pynn_uni.errors import (
    ConnectionError,
    DataFileError,
    InvalidDimensionsError,
    InvalidParameterValueError,
    NonExistentParameterError,
)
from pynn_uni.random import NativeRNG, RandomDistribution
from pynn_uni.recording import files


class ArrayConnector(MapConnector):
    """Connect according to a boolean pre x post matrix (``True`` = connect; 0/1 numbers
    are taken as booleans, any other value is refused)."""

    parameter_names = ("array",)

    def __init__(self, array, location_selector=None, safe=True, callback=None):
        super().__init__(location_selector, safe, callback)
        try:
            array = np.asarray(array)
        except (ValueError, TypeError):  # a ragged nested list
            raise InvalidDimensionsError(
                "ArrayConnector: array must be a 2-D boolean array (pre x post); rows of "
                "different lengths are not one"
            ) from None
        if array.ndim != 2:
            raise InvalidDimensionsError(
                f"ArrayConnector: array must be 2-D (pre x post), got shape {array.shape}"
            )
        if array.dtype != bool:
            numeric = array.dtype.kind in "iuf"
            bad = ~((array == 0) | (array == 1)) if numeric else np.ones(array.shape, bool)
            if bad.any():
                example, at = array[bad].flat[0].item(), np.argwhere(bad)[0].tolist()
                raise InvalidParameterValueError(
                    f"ArrayConnector: array must be boolean (pre x post), got {array.dtype} "
                    f"values such as {example!r} at {at}"
                )
        self.array = array.astype(bool)

    def expected_connections(self, pre_size, post_size):
        return int(self.array.sum()) if self.array.shape == (pre_size, post_size) else None

    def _connect(self, ctx):
        if self.array.shape != (ctx.pre_size, ctx.post_size):
            raise InvalidDimensionsError(
                f"ArrayConnector: array has shape {self.array.shape} but {ctx.name} is "
                f"{ctx.pre_size} x {ctx.post_size} (pre x post)"
            )
        yield from super()._connect(ctx)

    def _map(self, ctx, u, cols):
        return self.array[:, cols].T.copy()


def _rows(conn_list, where: str) -> np.ndarray:
    """``conn_list`` as a float array; rows that are not numbers, or not all of one
    width, are refused naming the first such row (found by a loop only then)."""
    if conn_list is None or isinstance(conn_list, (str, bytes)) or is_number(conn_list):
        raise InvalidParameterValueError(
            f"{where}: conn_list must be a list of rows (i, j, values...), not {conn_list!r}"
        )
    try:
        return np.asarray(conn_list, dtype=float)
    except (ValueError, TypeError, OverflowError):
        pass
    try:
        rows = list(conn_list)
    except TypeError:
        raise InvalidParameterValueError(
            f"{where}: conn_list must be a list of rows (i, j, values...), not "
            f"{type(conn_list).__name__}"
        ) from None
    width = None
    for r, row in enumerate(rows):
        try:
            values = np.asarray(row, dtype=float)
        except (ValueError, TypeError, OverflowError):
            raise InvalidParameterValueError(
                f"{where}: row {r} {reprlib.repr(row)} holds something that is not a number"
            ) from None
        if values.ndim != 1:
            raise InvalidDimensionsError(
                f"{where}: row {r} {reprlib.repr(row)} is not a flat row of numbers"
            )
        if width is None:
            width = values.size
        elif values.size != width:
            raise InvalidDimensionsError(
                f"{where}: row {r} has {values.size} entries but row 0 has {width} "
                "(every row needs the same number)"
            )
    raise InvalidParameterValueError(f"{where}: conn_list cannot be read as rows of numbers")


def _checked_table(array, column_names, where: str, row_name=lambda r: f"row {r}"):
    """(rows, value column names) of a connection list, refusing what no projection could
    use: a shape other than rows of (i, j, values...), column names that do not match the
    value columns (not strings, repeated, or 'i'/'j'), indices that are not finite,
    whole, non-negative numbers (naming the row and value).  Indices beyond the
    populations are checked when connecting."""
    if column_names is not None and (
        isinstance(column_names, str)
        or not isinstance(column_names, (list, tuple))
        or not all(isinstance(c, str) for c in column_names)
    ):
        raise InvalidParameterValueError(
            f"{where}: column_names must be a list of parameter names, not {column_names!r}"
        )
    if array.size == 0:
        array = array.reshape(0, 2 + len(column_names or ()))
    if array.ndim != 2 or array.shape[1] < 2:
        got = f"shape {array.shape}" if array.ndim else f"{array.item()!r}"
        raise InvalidDimensionsError(
            f"{where}: conn_list must be rows (i, j, values...), got {got}"
        )
    n_values = array.shape[1] - 2
    if column_names is None:
        if n_values == 0:
            column_names = ()
        elif n_values == 2:
            column_names = ("weight", "delay")
        else:
            raise TypeError(  # PyNN's class for a missing column_names
                f"{where}: {array.shape[1]} columns; give column_names for the {n_values} "
                "value columns (2 columns = (i, j), 4 = (i, j, weight, delay))"
            )
    column_names = tuple(column_names)
    if len(column_names) != n_values:
        raise InvalidParameterValueError(
            f"{where}: conn_list has {n_values} value columns ({array.shape[1]} columns in "
            f"all: i, j and values) but {len(column_names)} column names {column_names}"
        )
    repeated = sorted(
        {c for c in column_names if column_names.count(c) > 1} | ({"i", "j"} & set(column_names))
    )
    if repeated:
        raise InvalidParameterValueError(
            f"{where}: column_names {column_names} repeat or name the index columns: {repeated}"
        )
    idx = array[:, :2]
    for test, problem in (
        (~np.isfinite(idx), "is not a finite number"),
        (idx != np.round(idx), "is not a whole number"),
        (idx < 0, "is negative"),
    ):
        if test.any():
            r, c = np.argwhere(test)[0]
            side = "pre" if c == 0 else "post"
            raise InvalidParameterValueError(
                f"{where}: {row_name(r)}: {side}synaptic index {float(idx[r, c])!r} {problem} "
                "(indices count the cells of each side from 0)"
            )
    return array, column_names


class FromListConnector(Connector):
    """Connections listed explicitly as ``(i, j, p1, p2, ...)`` with i, j cell *indices*.

    Without ``column_names``, 2 columns carry no values and 4 columns carry
    (weight, delay); any other width needs ``column_names``.  Listed values override the
    synapse type's; unlisted parameters take the synapse type's values.  A pair listed
    twice is connected twice, as in PyNN.  Rows, names and indices are checked when the
    connector is made (naming the row); indices beyond the populations when it connects.
    """

    parameter_names = ("conn_list",)

    def __init__(
        self, conn_list, column_names=None, location_selector=None, safe=True, callback=None
    ):
        super().__init__(location_selector, safe, callback)
        array = _rows(conn_list, "FromListConnector")
        self.conn_list, self.column_names = _checked_table(array, column_names, "FromListConnector")

    def expected_connections(self, pre_size, post_size):
        return len(self.conn_list)

    def _connect(self, ctx):
        yield from self._connect_list(ctx, self.conn_list, self.column_names)

    def _connect_list(
        self, ctx, array, column_names, per_column_values=True, row_name=lambda r: f"row {r}"
    ):
        cls = type(self).__name__
        known = set(ctx.synapse_values)
        for name in column_names:
            if known and name not in known:
                raise NonExistentParameterError(
                    name, f"the synapse type of {ctx.name}", sorted(known)
                )
        idx = array[:, :2]
        for c, size, side in ((0, ctx.pre_size, "pre"), (1, ctx.post_size, "post")):
            bad = np.flatnonzero((idx[:, c] < 0) | (idx[:, c] >= size))
            if bad.size:
                raise InvalidDimensionsError(
                    f"{cls}: {side}synaptic index {idx[bad[0], c]:g} ({row_name(bad[0])}) is out "
                    f"of range for {ctx.name}, which has {size} {side}synaptic cells"
                )
        pre, post = idx[:, 0].astype(np.int64), idx[:, 1].astype(np.int64)
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


def _file_name(file) -> str:
    if isinstance(file, (str, os.PathLike)):
        return os.fspath(file)
    return str(getattr(file, "name", None) or type(file).__name__)


def _read_connection_file(file):
    """(rows, column names or None, row -> 'line L of ...') of a connection file: written
    by Projection.save, a plain text table, a ``.npy`` array or a PyNN-style file object.
    Anything unreadable is refused with :class:`~pynn_uni.errors.DataFileError` naming the
    file (and, for text, the line)."""
    name = _file_name(file)
    where = f"FromFileConnector: {name!r}"
    if hasattr(file, "get_metadata") and hasattr(file, "read"):  # a pynn_uni/PyNN file
        try:
            columns = file.get_metadata().get("columns")
            data = np.asarray(file.read(), dtype=float)
        except (DataFileError, FileNotFoundError):
            raise
        except (OSError, ValueError, TypeError, AttributeError) as err:
            raise DataFileError(f"{where}: cannot be read ({err})") from None
        return data, columns, lambda r: f"row {r} of {name!r}"
    if isinstance(file, (str, os.PathLike)):
        if not os.path.isfile(name):
            why = "is a folder" if os.path.isdir(name) else "does not exist"
            raise DataFileError(f"{where}: the connection file {why}")
        if name.endswith(".npy"):
            try:
                data = np.load(name, allow_pickle=False)
            except (OSError, ValueError, EOFError) as err:
                raise DataFileError(f"{where}: not a .npy array file ({err})") from None
            if data.dtype.kind not in "biuf":
                raise DataFileError(f"{where}: holds {data.dtype} values, not numbers")
            return data, None, lambda r: f"row {r} of {name!r}"
        try:
            with open(name, "rb") as fh:
                raw = fh.read()
        except OSError as err:
            raise DataFileError(f"{where}: cannot be read ({err.strerror})") from None
    elif hasattr(file, "read"):
        raw = file.read()
    else:
        raise InvalidParameterValueError(
            f"FromFileConnector: file must be a path or a file object, not {file!r}"
        )
    if isinstance(raw, (bytes, bytearray)) and not raw.strip():
        raise DataFileError(
            f"{where}: the file is empty (Projection.save writes a '# columns' header even "
            "for no connections)"
        )
    text = files.decode_text(bytes(raw) if isinstance(raw, bytearray) else raw, name)
    if not text.strip():
        raise DataFileError(
            f"{where}: the file is empty (Projection.save writes a '# columns' header even "
            "for no connections)"
        )
    table = files.parse_text_table(text, name)
    columns = table.metadata.get("columns")
    if "columns" in table.metadata and not (
        isinstance(columns, (list, tuple)) and all(isinstance(c, str) for c in columns)
    ):
        line = table.header_lines["columns"]
        raise DataFileError(
            f"{where}: line {line}: the header '# columns = ...' must list the column names "
            f"as a Python list of strings, got {reprlib.repr(columns)}"
        )
    data = table.data
    if columns is not None and data.size and data.shape[1] != len(columns):
        raise DataFileError(
            f"{where}: its rows have {data.shape[1]} columns but its header (line "
            f"{table.header_lines['columns']}) names {len(columns)}: {list(columns)}"
        )
    if data.size == 0:
        data = np.empty((0, len(columns) if columns else 2))
    return data, columns, lambda r: f"line {files.line_of_row(text, r)} of {name!r}"


class FromFileConnector(FromListConnector):
    """Connections read from a file in FromListConnector's format.

    A ``# columns = ['i', 'j', 'weight', 'delay', ...]`` header (as written by
    ``Projection.save``) names the value columns; without it the FromListConnector rules
    apply.  ``distributed=True`` reads ``<file>.<rank>`` on each MPI rank.  The file is
    read when the projection connects, and refused as a whole (naming the file and line)
    before any connection is made.
    """

    parameter_names = ("file", "distributed")

    def __init__(self, file, distributed=False, location_selector=None, safe=True, callback=None):
        Connector.__init__(self, location_selector, safe, callback)
        if not (isinstance(file, (str, os.PathLike)) or hasattr(file, "read")):
            raise InvalidParameterValueError(
                f"FromFileConnector: file must be a path or a file object, not {file!r}"
            )
        self.file = file
        self.distributed = check_flag("FromFileConnector", "distributed", distributed)

    def expected_connections(self, pre_size, post_size):
        return None

    def _connect(self, ctx):
        file = self.file
        if self.distributed:
            file = f"{os.fspath(file)}.{mpi.rank()}"
        data, columns, row_name = _read_connection_file(file)
        names = None if columns is None else [c for c in columns if c not in ("i", "j")]
        where = f"FromFileConnector: {_file_name(file)!r}"
        array, names = _checked_table(data, names, where, row_name)
        self.check_budget(ctx, len(array))
        yield from self._connect_list(ctx, array, names, row_name=row_name)


class CloneConnector(Connector):
    """The same connections as ``reference_projection`` (pre and post sizes must match).

    Unlike PyNN, which clones only the presence of a pair, multiple connections between
    one pair are cloned as often as they occur.
    """

    parameter_names = ("reference_projection",)

    def __init__(self, reference_projection, location_selector=None, safe=True, callback=None):
        super().__init__(location_selector, safe, callback)
        if not hasattr(reference_projection, "_connection_arrays"):
            raise InvalidParameterValueError(
                "CloneConnector: reference_projection must be a Projection, not "
                f"{type(reference_projection).__name__}"
            )
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
