"""Writing recorded data to files: :func:`get_io` picks the Neo IO for a file name, and
:mod:`pynn_uni.recording.files` holds the array formats used for connections and
positions.  (The in-memory recording store lives in :mod:`pynn_uni.common.recording`.)
"""

from __future__ import annotations

import os
import uuid

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
    old text formats (``.txt``, ``.ras``, ``.v``, ``.gsyn``) raise ``OSError``; any other
    extension raises ``ValueError``; an IO whose package is missing raises ``ImportError``
    naming the package.
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


def _check_extension(path: str) -> str:
    """The lower-case extension of ``path``, if a recorded-data format; else raise."""
    extension = os.path.splitext(path)[1].lower()
    if extension in _TEXT_EXTENSIONS:
        raise OSError(
            f"cannot write {path!r}: text formats ({', '.join(_TEXT_EXTENSIONS)}) are not "
            f"supported for recorded data; use one of {', '.join(SUPPORTED_EXTENSIONS)}"
        )
    if extension not in _NEO_IOS:
        raise ValueError(
            f"file extension {extension or '(none)'!r} of {path!r} is not supported; "
            f"expected one of {', '.join(SUPPORTED_EXTENSIONS)}"
        )
    return extension


def check_writable(filename, what: str) -> None:
    """Raise :class:`~pynn_uni.errors.DataFileError` now if ``filename`` (a path; an IO
    object passes) could not be written later: a supported extension, an existing file
    that is writable, or a folder that exists and is writable or can be created."""
    if not isinstance(filename, (str, os.PathLike)):
        return
    from pynn_uni.errors import DataFileError

    path = os.path.abspath(os.fspath(filename))
    _check_extension(path)
    if os.path.isdir(path):
        raise DataFileError(f"{what}: {path!r} is a folder, not a file")
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise DataFileError(f"{what}: {path!r} exists and is not writable")
    folder = os.path.dirname(path)
    while not os.path.exists(folder):  # write_data creates missing folders
        folder = os.path.dirname(folder)
    if not os.path.isdir(folder):
        raise DataFileError(f"{what}: cannot write {path!r}: {folder!r} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DataFileError(f"{what}: cannot write {path!r}: folder {folder!r} is not writable")


def _write_file(filename, block) -> None:
    """Write ``block`` to a temporary file beside ``filename``, then rename it into place:
    a failed write leaves neither a partial file nor a changed old one."""
    from pynn_uni.errors import DataFileError

    path = os.fspath(filename)
    _check_extension(path)
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
            f"write_data: cannot write {path!r} ({err}); the recorded data "
            "are kept"
        ) from err
    finally:
        if os.path.lexists(tmp):
            os.remove(tmp)


def write_block(io, block, gather: bool = True) -> None:
    """Write ``block`` to a Neo IO or file name; under MPI with gathered data every rank
    holds the same block, so only rank 0 writes (as PyNN does)."""
    from pynn_uni.common.mpi import rank

    if gather and rank() != 0:
        return
    if isinstance(io, (str, os.PathLike)):
        _write_file(io, block)
    else:
        io.write(block)
