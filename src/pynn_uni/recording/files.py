"""Array files with a metadata header, for connection lists (``Projection.save``,
``FromFileConnector``) and cell positions (``save_positions``).

Recorded spikes and signals are written through Neo instead (see :func:`get_io`).  Every
class takes ``(filename, mode='r')``; the mode only says whether the file is read (``'r'``)
or written (``'w'``, ``'a'``), so PyNN's ``'wb'``/``'rb'`` spellings work too.  The file is
opened on first use, parent folders are created on write, and nothing read back is ever
passed to ``eval``: metadata values are parsed with :func:`ast.literal_eval` (and kept as
text when they are not Python literals).  :class:`PickleFile` is the exception by nature:
unpickling runs code, so only read pickle files you trust.

A file that exists but cannot be read as its format (binary bytes in a text file, rows of
different widths, a word where a number should be, a damaged archive or pickle) raises
:class:`~pynn_uni.errors.DataFileError` naming the path and, for text, the line; a missing
file raises the builtin ``FileNotFoundError``, which names the path.
"""

from __future__ import annotations

import ast
import io
import os
import pickle
import re
import reprlib
import warnings
from typing import IO, Any, NamedTuple

import numpy as np

from pynn_uni.errors import DataFileError

__all__ = [
    "BaseFile",
    "HDF5ArrayFile",
    "NumpyBinaryFile",
    "PickleFile",
    "StandardTextFile",
    "TextTable",
    "decode_text",
    "line_of_row",
    "parse_text_table",
]


def _to_literal(value: Any) -> str:
    """``repr`` of a metadata value that :func:`_from_literal` parses back (numpy scalars
    and arrays are written as plain Python numbers and lists)."""
    if isinstance(value, np.generic | np.ndarray):
        value = value.tolist()
    return repr(value)


def _from_literal(text: str) -> Any:
    """A Python literal parsed safely, or the stripped text itself when it is not one
    (so files whose header holds bare words, as PyNN writes strings, still read)."""
    text = text.strip()
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


#: a header line ``# key = value`` (anywhere in the file)
_HEADER = re.compile(r"^[ \t]*#([^=\n]*)=(.*)$", re.MULTILINE)


class TextTable(NamedTuple):
    """A text table as read: the rows (2-D float array), the header's metadata and the
    line (1-based) each header key was found on."""

    data: np.ndarray
    metadata: dict
    header_lines: dict


def decode_text(raw: bytes | str, name: str) -> str:
    """The text of a file's bytes; a binary file (bytes that are not UTF-8, NUL bytes) is
    refused naming the file, the offset and the line."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            line = raw.count(b"\n", 0, err.start) + 1
            raise DataFileError(
                f"{name!r} is not a text file: byte {raw[err.start]:#04x} at offset "
                f"{err.start} (line {line}) is not UTF-8 text"
            ) from None
    nul = raw.find("\0")
    if nul >= 0:
        raise DataFileError(
            f"{name!r} is not a text file: a NUL byte at character {nul} "
            f"(line {raw.count(chr(10), 0, nul) + 1})"
        )
    return raw


def parse_text_table(text: str, name: str) -> TextTable:
    """Rows of whitespace-separated numbers and ``# key = python-literal`` header lines,
    parsed by numpy (fast); rows that do not parse are refused with
    :class:`~pynn_uni.errors.DataFileError` naming the file, the line and why."""
    metadata, header_lines = {}, {}
    for match in _HEADER.finditer(text):
        key = match.group(1).strip()
        metadata[key] = _from_literal(match.group(2))
        header_lines[key] = text.count("\n", 0, match.start()) + 1
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*[Ee]mpty input file.*")
            warnings.filterwarnings("ignore", message=".*input contained no data.*")
            data = np.loadtxt(io.StringIO(text), comments="#", ndmin=2)
    except (ValueError, OverflowError):
        raise DataFileError(f"{name!r}: {_text_problem(text)}") from None
    return TextTable(data, metadata, header_lines)


def line_of_row(text: str, row: int) -> int:
    """The line (1-based) of data row ``row`` of a text table (for messages only: a loop)."""
    seen = -1
    for number, line in enumerate(text.splitlines(), 1):
        if line.split("#", 1)[0].strip():
            seen += 1
            if seen == row:
                return number
    return number if text else 0


def _text_problem(text: str) -> str:
    """Where and why numpy refused a text table (run only then: a loop over lines)."""
    width = first = None
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        for field in fields:
            try:
                float(field)
            except ValueError:
                return (
                    f"line {number}: {reprlib.repr(field)} is not a number "
                    f"(in {reprlib.repr(line)})"
                )
        if width is None:
            width, first = len(fields), number
        elif len(fields) != width:
            return (
                f"line {number} has {len(fields)} columns but line {first} has {width} "
                "(every row needs the same number)"
            )
    return "cannot be read as rows of numbers"


class BaseFile:
    """A data file holding one array and a dict of metadata.

    ``write(data, metadata)`` stores both (and closes the file); ``read()`` returns the
    array and ``get_metadata()`` the dict, in either order, as often as wanted.  Usable as
    a context manager.
    """

    binary = True  # open in binary mode ('b') or text mode
    appendable = False  # whether a second write() adds to the file instead of replacing it

    def __init__(self, filename: str | os.PathLike, mode: str = "r") -> None:
        if not mode or mode[0] not in "rwa":
            raise ValueError(f"file mode must start with 'r', 'w' or 'a', not {mode!r}")
        self.name = os.fspath(filename)
        self.mode = mode
        self.fileobj: IO | None = None
        self._written = False

    # -- opening and closing ---------------------------------------------------------------
    @property
    def _writing(self) -> bool:
        return self.mode[0] in "wa"

    def _open(self) -> IO:
        """The open file object, opened (and its folder created, on write) on first use."""
        if self.fileobj is None or self.fileobj.closed:
            if self._writing:
                directory = os.path.dirname(self.name)
                if directory:
                    os.makedirs(directory, exist_ok=True)
            first = "a" if (self._written and self.appendable) else self.mode[0]
            mode = first + ("b" if self.binary else "")
            try:
                self.fileobj = open(
                    self.name, mode, **({} if self.binary else {"encoding": "utf-8"})
                )
            except (IsADirectoryError, PermissionError) as err:
                if self._writing:
                    raise
                raise DataFileError(f"cannot read {self.name!r}: {err.strerror}") from None
        return self.fileobj

    def _check_readable(self) -> None:
        if self._writing:
            raise OSError(f"{self.name!r} was opened for writing (mode {self.mode!r}), not reading")

    def rename(self, filename: str | os.PathLike) -> None:
        """Use ``filename`` from now on (e.g. to give each MPI rank its own file); a file
        already written under the old name is moved there."""
        self.close()
        new_name = os.fspath(filename)
        if self._written and os.path.exists(self.name):
            directory = os.path.dirname(new_name)
            if directory:
                os.makedirs(directory, exist_ok=True)
            os.replace(self.name, new_name)
        self.name = new_name
        self.fileobj = None

    def close(self) -> None:
        """Close the file if it is open."""
        if self.fileobj is not None and not self.fileobj.closed:
            self.fileobj.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    # -- the format ---------------------------------------------------------------------------
    def write(self, data: Any, metadata: dict) -> None:
        """Store the array ``data`` and the dict ``metadata``, then close the file."""
        raise NotImplementedError(f"{type(self).__name__} cannot write")

    def read(self) -> np.ndarray:
        """Return the stored array."""
        raise NotImplementedError(f"{type(self).__name__} cannot read")

    def get_metadata(self) -> dict:
        """Return the stored metadata dict."""
        raise NotImplementedError(f"{type(self).__name__} cannot read metadata")


class StandardTextFile(BaseFile):
    """Plain text: header lines ``# key = python-literal``, then one row of the array per
    line, tab-separated, floats written with 17 significant digits (exact round trip).
    Writing again through the same object appends (header and rows) instead of
    truncating, so one file can hold several arrays of equal width; rows are read back
    with any whitespace as separator, so hand-written files work too.

    :meth:`read` returns a 2-D array (one row per line) when the file has several columns
    and a 1-D array when it has one; an empty body gives shape ``(0, len(columns))`` when
    the metadata names ``columns``.
    """

    binary = False
    appendable = True

    def write(self, data: Any, metadata: dict) -> None:
        f = self._open()
        self._written = True
        for key, value in metadata.items():
            f.write(f"# {key} = {_to_literal(value)}\n")
        array = np.asarray(data)
        if array.size:
            fmt = "%d" if array.dtype.kind in "iub" else "%.17g"
            np.savetxt(f, array, fmt=fmt, delimiter="\t")
        self.close()

    def get_metadata(self) -> dict:
        self._check_readable()
        metadata = {}
        f = self._open()
        f.seek(0)
        try:
            for line in f:
                if not line.startswith("#"):
                    break
                key, sep, value = line[1:].partition("=")
                if sep:
                    metadata[key.strip()] = _from_literal(value)
        except UnicodeDecodeError:
            f.seek(0)
            decode_text(f.buffer.read(), self.name)  # raises, naming the offset and line
        f.seek(0)
        return metadata

    def read(self) -> np.ndarray:
        self._check_readable()
        f = self._open()
        f.seek(0)
        text = decode_text(f.buffer.read(), self.name)
        f.seek(0)
        data = parse_text_table(text, self.name).data
        if data.size == 0:
            columns = self.get_metadata().get("columns")
            return np.empty((0, len(columns)) if isinstance(columns, list | tuple) else (0,))
        return data[:, 0] if data.shape[1] == 1 else data


class PickleFile(BaseFile):
    """``(data, metadata)`` pickled; any Python objects.  Unpickling can run code: only
    read files you trust."""

    def write(self, data: Any, metadata: dict) -> None:
        pickle.dump((data, metadata), self._open(), protocol=pickle.HIGHEST_PROTOCOL)
        self._written = True
        self.close()

    def _load(self) -> tuple[Any, dict]:
        self._check_readable()
        f = self._open()
        f.seek(0)
        try:
            loaded = pickle.load(f)
        except Exception as err:  # garbage makes unpickling fail in any of a dozen ways
            raise DataFileError(
                f"{self.name!r} is not a pickle file written by pynn_uni "
                f"({type(err).__name__}: {reprlib.repr(str(err))})"
            ) from None
        finally:
            f.seek(0)
        if not (isinstance(loaded, tuple) and len(loaded) == 2 and isinstance(loaded[1], dict)):
            raise DataFileError(
                f"{self.name!r} holds a pickled {type(loaded).__name__}, not the "
                "(data, metadata) pair that PickleFile writes"
            )
        return loaded

    def read(self) -> Any:
        return self._load()[0]

    def get_metadata(self) -> dict:
        return self._load()[1]


class NumpyBinaryFile(BaseFile):
    """NumPy ``.npz`` archive: the array under ``data`` (exact dtype and shape) and the
    metadata as a ``(n, 2)`` array of (key, python-literal) strings under ``metadata``.
    Read without pickle."""

    def write(self, data: Any, metadata: dict) -> None:
        pairs = np.array(
            [(str(k), _to_literal(v)) for k, v in metadata.items()], dtype=str
        ).reshape(-1, 2)
        np.savez(self._open(), data=np.asarray(data), metadata=pairs)
        self._written = True
        self.close()

    def _archive(self, key: str):
        self._check_readable()
        f = self._open()
        f.seek(0)
        try:
            with np.load(f, allow_pickle=False) as archive:
                return archive[key]
        except Exception as err:  # not a zip, a damaged one, no such array, pickled objects
            raise DataFileError(
                f"{self.name!r} is not a .npz file written by NumpyBinaryFile "
                f"({type(err).__name__}: {reprlib.repr(str(err))})"
            ) from None

    def read(self) -> np.ndarray:
        return self._archive("data")

    def get_metadata(self) -> dict:
        pairs = self._archive("metadata")
        if pairs.ndim != 2 or pairs.shape[1] != 2:
            raise DataFileError(f"{self.name!r}: metadata of shape {pairs.shape}, not (n, 2)")
        return {str(k): _from_literal(str(v)) for k, v in pairs}


class HDF5ArrayFile(BaseFile):
    """HDF5 (needs ``h5py``): the array in dataset ``data``, metadata as its attributes
    (numbers and arrays natively, anything else as a python-literal string)."""

    def __init__(
        self, filename: str | os.PathLike, mode: str = "r", title: str = "pynn_uni data file"
    ) -> None:
        try:
            import h5py
        except ImportError as err:
            raise ImportError(
                "HDF5ArrayFile needs the h5py package (pip install h5py); "
                "StandardTextFile or NumpyBinaryFile need nothing extra"
            ) from err
        super().__init__(filename, mode)
        self._h5py = h5py
        self.title = title

    def _open(self):
        if self.fileobj is None or not self.fileobj:
            if self._writing:
                directory = os.path.dirname(self.name)
                if directory:
                    os.makedirs(directory, exist_ok=True)
            try:
                self.fileobj = self._h5py.File(self.name, self.mode[0])
            except FileNotFoundError:
                raise
            except OSError as err:
                if self._writing:
                    raise
                raise DataFileError(f"{self.name!r} is not an HDF5 file ({err})") from None
        return self.fileobj

    def _dataset(self):
        self._check_readable()
        f = self._open()
        if "data" not in f:
            raise DataFileError(f"{self.name!r} has no dataset 'data' (not an HDF5ArrayFile)")
        return f["data"]

    def close(self) -> None:
        if self.fileobj is not None and self.fileobj:
            self.fileobj.close()

    def write(self, data: Any, metadata: dict) -> None:
        f = self._open()
        f.attrs["title"] = self.title
        dataset = f.create_dataset("data", data=np.asarray(data))
        self._written = True
        for key, value in metadata.items():
            if isinstance(value, int | float | np.number | np.ndarray) and not isinstance(
                value, bool
            ):
                dataset.attrs[key] = value
            else:
                dataset.attrs[key] = _to_literal(value)
        self.close()

    def read(self) -> np.ndarray:
        return self._dataset()[()]

    def get_metadata(self) -> dict:
        metadata = {}
        for key, value in self._dataset().attrs.items():
            if isinstance(value, bytes):
                value = value.decode("utf-8")
            metadata[key] = _from_literal(value) if isinstance(value, str) else value
        return metadata
