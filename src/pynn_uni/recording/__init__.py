"""Writing recorded data to files: :func:`get_io` picks the Neo IO for a file name, and
:mod:`pynn_uni.recording.files` holds the array formats used for connections and
positions.  (The in-memory recording store lives in :mod:`pynn_uni.common.recording`.)
"""

from __future__ import annotations

import os
import uuid

from pynn_uni.errors import DataFileError, DataFileFormatError

from . import files

__all__ = ["files", "get_io", "SUPPORTED_EXTENSIONS"]

# extension -> (name of the class in neo.io, extra constructor arguments, package it needs)
_NEO_IOS = {
    ".h5": ("NixIO", {}, "nixio"),
    ".nix": ("NixIO", {}, "nixio"),
    ".nwb": ("NWBIO", {"mode": "w"}, "pynwb"),
    ".pkl": ("PickleIO", {}, None),
    ".pickle": ("PickleIO", {}, None),
    ".mat": ("NeoMatlabIO", {}, "scipy"),
}
_TEXT_EXTENSIONS = (".txt", ".ras", ".v", ".gsyn")

#: file extensions :func:`get_io` accepts
SUPPORTED_EXTENSIONS = tuple(_NEO_IOS)


def get_io(filename: str | os.PathLike):
    """Return a Neo IO object for writing ``filename``, chosen by its extension.

    ``.h5``/``.nix`` -> ``NixIO``, ``.nwb`` -> ``NWBIO`` (write mode), ``.pkl``/``.pickle``
    -> ``PickleIO``, ``.mat`` -> ``NeoMatlabIO``.  The parent folder is created.  PyNN's
    old text formats (``.txt``, ``.ras``, ``.v``, ``.gsyn``) and any other extension raise
    :class:`~pynn_uni.errors.DataFileFormatError` (an ``OSError`` and a ``ValueError``); an
    IO whose package is missing raises ``ImportError`` naming the package.
    """
    path = os.fspath(filename)
    extension = _check_extension(path)
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    class_name, kwargs, package = _NEO_IOS[extension]
    import neo.io

    try:
        return getattr(neo.io, class_name)(filename=path, **kwargs)
    except ImportError as err:
        raise ImportError(
            f"writing {extension!r} files needs the {package} package (pip install {package}); "
            "'.pkl' files need nothing extra"
        ) from err


def _check_extension(path: str, what: str = "") -> str:
    """The lower-case extension of ``path``, if a recorded-data format; else raise
    :class:`~pynn_uni.errors.DataFileFormatError` (``what``: the call, put in front)."""
    where = f"{what}: " if what else ""
    extension = os.path.splitext(path)[1].lower()
    if extension in _TEXT_EXTENSIONS:
        raise DataFileFormatError(
            f"{where}cannot write {path!r}: text formats ({', '.join(_TEXT_EXTENSIONS)}) are "
            f"not supported for recorded data; use one of {', '.join(SUPPORTED_EXTENSIONS)}"
        )
    if extension not in _NEO_IOS:
        raise DataFileFormatError(
            f"{where}file extension {extension or '(none)'!r} of {path!r} is not supported; "
            f"expected one of {', '.join(SUPPORTED_EXTENSIONS)}"
        )
    return extension


def _is_path(target) -> bool:
    return isinstance(target, (str, bytes, os.PathLike))


def check_target(target, what: str) -> None:
    """Raise ``TypeError`` naming ``what`` unless ``target`` is a file name or a Neo IO
    (an object with a ``write`` method)."""
    if _is_path(target) or callable(getattr(target, "write", None)):
        return
    raise TypeError(
        f"{what}: expected a file name (str or path) or a neo IO object, got {target!r} "
        f"({type(target).__name__})"
    )


def check_writable(filename, what: str) -> None:
    """Raise :class:`~pynn_uni.errors.DataFileError` now if ``filename`` (a path; an IO
    object passes) could not be written later: not a folder, a supported extension, an
    existing file that is writable, or a folder that exists and is writable or can be
    created.  Anything else than a path or IO raises ``TypeError``."""
    check_target(filename, what)
    if not _is_path(filename):
        return
    given = os.fsdecode(filename)
    path = os.path.abspath(given)
    if os.path.isdir(path):
        raise DataFileError(f"{what}: {given!r} is a folder, not a file")
    _check_extension(given, what)
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise DataFileError(f"{what}: {given!r} exists and is not writable")
    folder = os.path.dirname(path)
    while not os.path.exists(folder):  # write_data creates missing folders
        folder = os.path.dirname(folder)
    if not os.path.isdir(folder):
        raise DataFileError(f"{what}: cannot write {given!r}: {folder!r} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DataFileError(f"{what}: cannot write {given!r}: folder {folder!r} is not writable")


def _write_file(filename, block) -> None:
    """Write ``block`` to a temporary file beside ``filename``, then rename it into place:
    a failed write leaves neither a partial file nor a changed old one."""
    path = os.fsdecode(filename)
    if os.path.isdir(path):
        raise DataFileError(f"write_data: {path!r} is a folder, not a file; the data are kept")
    _check_extension(path, "write_data")
    folder = os.path.dirname(path) or "."
    base, ext = os.path.splitext(os.path.basename(path))
    tmp = os.path.join(folder, f".{base}.{uuid.uuid4().hex[:12]}.tmp{ext}")
    try:
        io = get_io(tmp)
        io.write(block)
        close = getattr(io, "close", None)
        if close is not None:
            close()
        os.replace(tmp, path)
    except OSError as err:
        raise DataFileError(
            f"write_data: cannot write {path!r} ({err}); the recorded data are kept"
        ) from err
    finally:
        if os.path.lexists(tmp):
            os.remove(tmp)


def write_block(io, block, gather: bool = True) -> None:
    """Write ``block`` to a Neo IO or file name; under MPI with gathered data every rank
    holds the same block, so only rank 0 writes (as PyNN does)."""
    from pynn_uni.common.mpi import rank

    check_target(io, "write_data()")
    if gather and rank() != 0:
        return
    if _is_path(io):
        _write_file(io, block)
    else:
        io.write(block)
