"""The SONATA file layout as data and small helpers shared by the reader and the writer.

Everything here follows the SONATA developer guide (AllenInstitute/sonata, version 0.1):
HDF5 files carry ``magic`` (0x0A7A) and ``version`` attributes; ids and indices are unsigned
64-bit integers (never narrower: a 16-bit index wraps past 32,767 rows); type tables are
space-separated CSV files; config files name their folders in a ``manifest`` whose
``$VARIABLES`` are substituted into every string.
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import numpy as np

MAGIC = np.uint32(0x0A7A)
VERSION = np.array([0, 1], dtype=np.uint32)
ID = np.uint64  # node ids, edge ids, type ids, group indices
GROUP_ID = np.uint32
#: SONATA spike-file sorting attribute (an HDF5 enum, as libsonata reads it)
SORTING = {"none": 0, "by_id": 1, "by_time": 2}
#: model_type of the nodes SONATA readers do not simulate but feed with spikes
VIRTUAL = "virtual"
NONE = "NONE"  # the CSV value of a column a node or edge type does not use


def require_h5py():
    """The h5py module, or an ImportError saying which extra provides it."""
    try:
        import h5py
    except ImportError as err:  # pragma: no cover - exercised without the extra
        raise ImportError(
            "SONATA files need h5py: pip install 'pynn_uni[sonata]' (or pip install h5py)"
        ) from err
    return h5py


def asciify(label) -> bytes:
    """``label`` as ASCII bytes, the way PyNN names SONATA populations (→ becomes '-')."""
    text = label.decode() if isinstance(label, bytes) else str(label)
    return text.replace("\u2192", "-").encode("ascii", errors="replace")


def population_name(label, taken: set) -> str:
    """A SONATA population name for ``label``: ASCII letters, digits, '_' and '-' only
    (names become HDF5 groups, file names and node-set keys), unique within ``taken``."""
    base = re.sub(r"[^A-Za-z0-9_\-]", "_", asciify(label).decode()) or "population"
    name, k = base, 1
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


def mark_file(h5file) -> None:
    """Write the attributes that identify a SONATA HDF5 file."""
    h5file.attrs.create("magic", MAGIC, dtype=np.uint32)
    h5file.attrs.create("version", VERSION, dtype=np.uint32)


def check_file(h5file, path) -> None:
    """Refuse a file whose ``magic`` attribute is present and wrong (older tools omit it)."""
    magic = h5file.attrs.get("magic")
    if magic is not None and int(np.ravel(magic)[0]) != int(MAGIC):
        raise ValueError(f"{path}: not a SONATA file (magic {int(np.ravel(magic)[0]):#x})")


def dataset(group, name: str, data, dtype=None, units: str | None = None):
    """One dataset, with its ``units`` attribute when it has units."""
    ds = group.create_dataset(name, data=np.asarray(data, dtype=dtype))
    if units:
        ds.attrs["units"] = units
    return ds


def write_index(group, key: np.ndarray, n_nodes: int) -> None:
    """Write ``group/node_id_to_ranges`` and ``group/range_to_edge_id`` for edges whose
    source (or target) node ids are ``key``, in edge order.

    Each maximal run of consecutive edges with the same node is one range; node n's ranges
    are rows ``node_id_to_ranges[n] = [first, end)`` of ``range_to_edge_id``.
    """
    key = np.asarray(key, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if key.size else np.zeros(0, int)
    ends = np.r_[starts[1:], key.size].astype(np.int64)
    run_node = key[starts]
    order = np.argsort(run_node, kind="stable")
    ranges = np.stack([starts[order], ends[order]], axis=1).astype(ID).reshape(-1, 2)
    sorted_nodes = run_node[order]
    nodes = np.arange(n_nodes)
    first = np.searchsorted(sorted_nodes, nodes, side="left")
    last = np.searchsorted(sorted_nodes, nodes, side="right")
    to_ranges = np.stack([first, last], axis=1).astype(ID).reshape(-1, 2)
    to_ranges[first == last] = 0  # a node without edges: an empty range
    group.create_dataset("node_id_to_ranges", data=to_ranges)
    group.create_dataset("range_to_edge_id", data=ranges)


def row_codes(columns: list) -> tuple[np.ndarray, np.ndarray]:
    """(code of each row, index of each code's first row) for rows made of integer
    ``columns``: rows equal in every column share a code (codes in order of first row)."""
    n = columns[0].size if columns else 0
    code = np.zeros(n, dtype=np.int64)
    for col in columns:
        _, col = np.unique(np.asarray(col), return_inverse=True)
        code = code * (int(col.max(initial=0)) + 1) + col.ravel()
        if code.size and code.min() != code.max():
            _, code = np.unique(code, return_inverse=True)
            code = code.ravel()
        else:
            code = np.zeros(n, dtype=np.int64)
    uniq, first = np.unique(code, return_index=True)
    order = np.argsort(first, kind="stable")  # number codes by first appearance
    renumber = np.empty(uniq.size, dtype=np.int64)
    renumber[order] = np.arange(uniq.size)
    return renumber[code] if n else code, first[order]


# -- type tables (space-separated CSV) --------------------------------------------------------


def write_types(path, id_column: str, rows: list[dict]) -> None:
    """A node- or edge-types table; ``id_column`` first, missing cells ``NONE``."""
    columns = [id_column]
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    with open(path, "w", newline="") as fp:
        writer = csv.writer(fp, delimiter=" ", quotechar='"', quoting=csv.QUOTE_MINIMAL)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c, NONE)) for c in columns])


def _cell(value) -> str:
    return NONE if value is None else str(value)


def read_types(path, id_column: str) -> dict[int, dict]:
    """A types table as ``{type id: {column: value}}``; numbers become int/float, ``NONE``
    (and empty cells) are dropped.  Any run of spaces separates columns (bmtk pads)."""
    with open(path, newline="") as fp:
        lines = [line for line in fp if line.strip()]
    rows = list(csv.reader(lines, delimiter=" ", quotechar='"', skipinitialspace=True))
    header = [h for h in rows[0] if h != ""]
    table = {}
    for raw in rows[1:]:
        cells = [c for c in raw if c != ""]
        row = {k: cast(v) for k, v in zip(header, cells, strict=False) if v not in (NONE, "")}
        table[int(row[id_column])] = row
    return table


def cast(value: str):
    """A CSV cell as int, float or str."""
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


# -- config files -----------------------------------------------------------------------------


def load_config(config_file) -> dict:
    """A circuit or simulation config with its manifest substituted and every relative path
    made absolute against the config's folder (the SONATA rule); ``network`` (a simulation
    config's link to its circuit config) is merged in."""
    path = Path(config_file).resolve()
    with open(path) as fp:
        config = json.load(fp)
    base = path.parent
    variables = {"configdir": str(base)}
    for key, value in (config.get("manifest") or {}).items():
        variables[key.lstrip("$")] = _substitute(str(value), variables)
    for key in list(variables):
        variables[key] = _absolute(variables[key], base)
    config = _walk(config, variables, base)
    network = config.get("network")
    if isinstance(network, str) and "networks" not in config and os.path.exists(network):
        circuit = load_config(network)
        config = {**circuit, **config}
    config["_config_dir"] = str(base)
    return config


_VAR = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


def _substitute(text: str, variables: dict) -> str:
    return _VAR.sub(lambda m: variables.get(m.group(1), m.group(0)), text)


def _absolute(text: str, base: Path) -> str:
    if text.startswith(("./", "../")) or text in (".", ".."):
        return str((base / text).resolve())
    return text


_PATH_KEYS = ("file", "dir", "path", "node_sets", "network", "morphologies", "templates")
#: file names relative to the output folder, not to the config's folder
_OUTPUT_NAMES = ("spikes_file", "file_name", "log_file", "spikes_file_csv", "spikes_file_nwb")


def _walk(obj, variables: dict, base: Path, key: str = ""):
    if isinstance(obj, dict):
        return {k: _walk(v, variables, base, k) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_walk(v, variables, base, key) for v in obj]
    if isinstance(obj, str):
        text = _substitute(obj, variables) if "$" in obj else obj
        path_like = any(p in key for p in _PATH_KEYS) and key not in _OUTPUT_NAMES
        if path_like and text and not os.path.isabs(text):
            text = str((base / text).resolve())
        return text
    return obj


def write_json(path, obj) -> None:
    with open(path, "w") as fp:
        json.dump(obj, fp, indent=2)
        fp.write("\n")
