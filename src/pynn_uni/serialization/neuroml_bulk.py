"""The parts of a NeuroML2 file that grow with the network, written and read in bulk.

A projection's ``<connectionWD>`` elements (one per connection) and a population's
``<instance>`` elements (one per cell) are the whole size of a large file.  libNeuroML makes
one Python object per element (tens of µs each, on both sides), so here they bypass it:
:func:`write_document` lets libNeuroML write everything else (the projections empty, the
large populations without instances) and splices the elements in, formatted from numpy
arrays block by block (floats as ``repr``, which reads back as the same double), straight
into the file.  :func:`read_document` scans the file for the elements laid out as libNeuroML
writes them (attribute order, double quotes), block by block, into arrays, and hands the rest
of the document, those elements cut out, to libNeuroML.  A projection or population whose
elements the scanner cannot account for one by one (another writer's layout, comments, a
namespace prefix) is left whole to libNeuroML, so any valid file reads.
"""

from __future__ import annotations

import io
import mmap
import os
import re
from dataclasses import dataclass

import numpy as np

from pynn_uni.common.units import scale

from .neuroml_models import UNIT_ALIASES

BLOCK = 1 << 12  # elements formatted per write
WINDOW = 1 << 20  # bytes scanned per step


@dataclass
class Connections:
    """One projection's connections: ``pre``/``post`` index the cells of the pre/post
    NeuroML2 population; ``paths`` (write side) are the cell paths of those cells."""

    pre: np.ndarray
    post: np.ndarray
    weight: np.ndarray  # µS or nA, as the synapse takes them
    delay: np.ndarray  # ms
    pre_paths: np.ndarray | None = None
    post_paths: np.ndarray | None = None


@dataclass
class Instances:
    """A populationList's cells: ``ids`` and ``positions`` (3, n) in µm."""

    ids: np.ndarray
    positions: np.ndarray


# -- writing -----------------------------------------------------------------------------------
_OPEN = re.compile(r'<(projection|population) id="([^"]+)"[^>]*?(/?)>')


def write_document(doc, path, bulk: dict) -> None:
    """Write ``doc`` to ``path`` with the elements of ``bulk`` added: ``{("projection", id):
    Connections, ("population", id): Instances}`` (their libNeuroML objects left empty)."""
    from neuroml.writers import NeuroMLWriter

    buffer = io.StringIO()
    NeuroMLWriter.write(doc, buffer, close=False)
    text = buffer.getvalue()
    with open(path, "w") as out:
        pos = 0
        for m in _OPEN.finditer(text):
            items = bulk.get((m[1], m[2]))
            if items is None:
                continue
            indent = text[text.rfind("\n", 0, m.start()) + 1 : m.start()]
            if m[3]:  # self-closing: open it, add the elements, close it
                out.write(text[pos : m.end() - 2] + ">\n")
                _write_items(out, items, indent + "    ")
                out.write(f"{indent}</{m[1]}>")
                pos = m.end()
            else:  # the elements go last, after the properties
                close = text.find(f"</{m[1]}>", m.end())
                line = text.rfind("\n", 0, close) + 1
                out.write(text[pos:line])
                _write_items(out, items, indent + "    ")
                pos = line
        out.write(text[pos:])


def _write_items(out, items, indent: str) -> None:
    if isinstance(items, Connections):
        line = (
            f'{indent}<connectionWD id="{{}}" preCellId="{{}}" postCellId="{{}}" '
            f'weight="{{!r}}" delay="{{!r}}ms"/>\n'
        ).format
        columns = (items.pre_paths[items.pre], items.post_paths[items.post], items.weight,
                   items.delay)  # fmt: skip
    else:
        line = (
            f'{indent}<instance id="{{}}">\n{indent}    <location x="{{!r}}" y="{{!r}}" '
            f'z="{{!r}}"/>\n{indent}</instance>\n'
        ).format
        columns = (items.positions[0], items.positions[1], items.positions[2])
    n = len(columns[0])
    for start in range(0, n, BLOCK):
        part = [c[start : start + BLOCK].tolist() for c in columns]
        out.write("".join(map(line, range(start, min(n, start + BLOCK)), *part)))


# -- reading -----------------------------------------------------------------------------------
_SEGMENTS = rb'(?: preSegmentId="[^"]*")?(?: preFractionAlong="[^"]*")?'
_POST_SEGMENTS = _SEGMENTS.replace(b"pre", b"post")
_CELLS = rb' id="\d+" preCellId="([^"]*)"' + _SEGMENTS + rb' postCellId="([^"]*)"' + _POST_SEGMENTS
_NUMBER = rb"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*"
_CONNECTION_WD = re.compile(
    rb"<connectionWD" + _CELLS + rb' weight="' + _NUMBER + rb'" delay="' + _NUMBER
    + rb'([A-Za-z_]*)\s*"/>\s*'
)  # fmt: skip
_CONNECTION = re.compile(rb"<connection" + _CELLS + rb"/>\s*")
_INSTANCE = re.compile(
    rb'<instance id="(\d+)">\s*<location x="' + _NUMBER + rb'" y="' + _NUMBER + rb'" z="'
    + _NUMBER + rb'"/>\s*</instance>\s*'
)  # fmt: skip
_SPAN = re.compile(rb'<(projection|population)\s[^>]*?\bid="([^"]*)"[^>]*?(/?)>')
#: an element the scanner did not take (then libNeuroML reads the whole span)
_LEFT = {
    b"projection": re.compile(rb"<(?:[\w.-]+:)?connection(?:WD)?[\s/>]"),
    b"population": re.compile(rb"<(?:[\w.-]+:)?instance[\s/>]"),
}
_BETWEEN_TAGS = re.compile(rb">\s+<")


def read_document(path):
    """(libNeuroML document, ``{("projection", id): Connections, ("population", id):
    Instances}``) of the NeuroML2 file ``path``, includes followed; the projections and
    populations in the dict have no connection or instance objects in the document."""
    bulk: dict = {}
    known: dict = {}  # cell path -> index
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        pieces, pos = [], 0
        m = _SPAN.search(data)
        while m is not None:
            close = -1 if m[3] else data.find(b"</" + m[1] + b">", m.end())
            scanned = None if close < 0 else _scan(data, m.end(), close, m[1], known)
            if scanned is not None:  # else not the layout the scanner reads: libNeuroML reads it
                items, rest = scanned
                bulk[(m[1].decode(), m[2].decode())] = items
                pieces += [data[pos : m.end()], rest]
                pos = close
            m = _SPAN.search(data, max(close, m.end()))
        pieces.append(data[pos:])
    return _parse(b"".join(pieces), os.path.realpath(path)), bulk


def _parse(text: bytes, path: str):
    """The libNeuroML document of ``text`` (the file ``path``), its includes merged in."""
    import neuroml
    from neuroml.loaders import read_neuroml2_file
    from neuroml.nml.nml import parseString
    from neuroml.utils import add_all_to_document

    doc = parseString(text, silence=True)
    if not isinstance(doc, neuroml.NeuroMLDocument):
        raise ValueError(f"not a NeuroML2 document (its root is {type(doc).__name__})")
    seen = [path]  # libNeuroML's record of the files read, against include cycles
    for include in doc.includes:
        where = include.href
        if not os.path.exists(where):
            where = os.path.join(os.path.dirname(path), where)
        if os.path.realpath(where) not in seen:
            seen.append(os.path.realpath(where))
            sub = read_neuroml2_file(where, include_includes=True, already_included=seen)
            add_all_to_document(sub, doc)
    doc.includes = []
    return doc


def _scan(data, start: int, stop: int, tag: bytes, known: dict):
    """(Connections or Instances, the span's other content) of ``data[start:stop]``, or None
    where an element is not in the scanner's layout."""
    patterns = [_CONNECTION_WD, _CONNECTION] if tag == b"projection" else [_INSTANCE]
    columns = [[] for _ in patterns]
    rest = []
    last = b"/>" if tag == b"projection" else b"</instance>"  # where an element ends
    pos = start
    while pos < stop:
        end = data.find(last, pos + WINDOW, stop) if stop - pos > WINDOW else -1
        end = stop if end < 0 else end + len(last)
        window = data[pos:end]
        _release(data, pos, end)
        pos = end
        if b"<!--" in window or b"<![CDATA[" in window:
            return None
        for pattern, found in zip(patterns, columns, strict=True):
            parts = pattern.split(window)
            k = pattern.groups + 1
            if len(parts) > 1:
                found.append(_convert(pattern, [parts[i::k] for i in range(1, k)], known))
            window = b"".join(parts[::k])
        if _LEFT[tag].search(window):
            return None
        window = _BETWEEN_TAGS.sub(b"><", window).strip()
        if window:
            rest.append(window)
    return _assemble(tag, columns), b"".join(rest)


def _release(data, start: int, stop: int) -> None:
    """Drop the pages of ``data[start:stop]`` (copied out) from memory: the mapped file never
    stays resident as a whole."""
    first = start - start % mmap.PAGESIZE
    if hasattr(data, "madvise") and hasattr(mmap, "MADV_DONTNEED"):
        data.madvise(mmap.MADV_DONTNEED, first, stop - first)


def _convert(pattern, groups: list, known: dict) -> tuple:
    if pattern is _INSTANCE:
        return (np.array(groups[0]).astype(np.int64),
                *(np.fromiter(map(float, g), float, len(g)) for g in groups[1:]))  # fmt: skip
    pre, post = _cell_indices(groups[0], known), _cell_indices(groups[1], known)
    if pattern is _CONNECTION:
        return pre, post, np.ones(len(pre)), np.zeros(len(pre))
    weight = np.fromiter(map(float, groups[2]), float, len(pre))
    delay = np.fromiter(map(float, groups[3]), float, len(pre))
    units = set(groups[4])
    if units != {b"ms"}:
        symbols = np.array(groups[4])
        for unit in units:
            name = unit.decode()
            delay[symbols == unit] *= scale(UNIT_ALIASES.get(name, name), "ms")
    return pre, post, weight, delay


def _cell_indices(paths: list, known: dict) -> np.ndarray:
    """Cell index of each ``../pop/i/comp`` or ``../pop[i]``; ``known`` caches the parse of
    each distinct path (a few per cell, however many connections)."""
    for path in set(paths).difference(known):
        known[path] = int(
            path.split(b"[")[1].split(b"]")[0] if b"[" in path else path.split(b"/")[2]
        )
    return np.fromiter(map(known.__getitem__, paths), np.int64, len(paths))


def _assemble(tag: bytes, columns: list):
    def joined(blocks, k, dtype):
        return np.concatenate([b[k] for b in blocks]) if blocks else np.empty(0, dtype)

    if tag == b"population":
        (blocks,) = columns
        ids = joined(blocks, 0, np.int64)
        positions = np.array([joined(blocks, k, float) for k in (1, 2, 3)]).reshape(3, -1)
        return Instances(ids, positions)
    blocks = columns[0] + columns[1]  # connectionWD first, then plain connections
    return Connections(
        *(joined(blocks, k, t) for k, t in enumerate((np.int64,) * 2 + (float,) * 2))
    )
