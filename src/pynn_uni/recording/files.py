"""Array files with a metadata header, for connection lists (``Projection.save``,
``FromFileConnector``) and cell positions (``save_positions``).

Recorded spikes and signals are written through Neo instead (see :func:`get_io`).  Every
class takes ``(filename, mode='r')``; the mode only says whether the file is read (``'r'``)
or written (``'w'``, ``'a'``), so PyNN's ``'wb'``/``'rb'`` spellings work too.  The file is
opened on first use, parent folders are created on write, and nothing read back is ever
passed to ``eval``: metadata values are parsed with :func:`ast.literal_eval` (and kept as
text when they are not Python literals).  :class:`PickleFile` is the exception by nature:
unpickling runs code, so only read pickle files you trust.
"""

from __future__ import annotations

import ast
import os
import pickle
import warnings
from typing import IO, Any

import numpy as np

__all__ = ["BaseFile", "HDF5ArrayFile", "NumpyBinaryFile", "PickleFile", "StandardTextFile"]


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
            self.fileobj = open(self.name, mode, **({} if self.binary else {"encoding": "utf-8"}))
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
        for line in f:
            if not line.startswith("#"):
                break
            key, sep, value = line[1:].partition("=")
            if sep:
                metadata[key.strip()] = _from_literal(value)
        f.seek(0)
        return metadata

    def read(self) -> np.ndarray:
        self._check_readable()
        f = self._open()
        f.seek(0)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*[Ee]mpty input file.*")
            warnings.filterwarnings("ignore", message=".*input contained no data.*")
            data = np.loadtxt(f, comments="#", ndmin=2)
        f.seek(0)
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
        data, metadata = pickle.load(f)
        f.seek(0)
        return data, metadata

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

    def _archive(self):
        self._check_readable()
        f = self._open()
        f.seek(0)
        return np.load(f, allow_pickle=False)

    def read(self) -> np.ndarray:
        with self._archive() as archive:
            return archive["data"]

    def get_metadata(self) -> dict:
        with self._archive() as archive:
            return {str(k): _from_literal(str(v)) for k, v in archive["metadata"]}


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
            self.fileobj = self._h5py.File(self.name, self.mode[0])
        return self.fileobj

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
        self._check_readable()
        return self._open()["data"][()]

    def get_metadata(self) -> dict:
        self._check_readable()
        metadata = {}
        for key, value in self._open()["data"].attrs.items():
            if isinstance(value, bytes):
                value = value.decode("utf-8")
            metadata[key] = _from_literal(value) if isinstance(value, str) else value
        return metadata
