"""Writing recorded data to files: :func:`get_io` picks the Neo IO for a file name, and
:mod:`pynn_uni.recording.files` holds the array formats used for connections and
positions.  (The in-memory recording store lives in :mod:`pynn_uni.common.recording`.)
"""

from __future__ import annotations

import os

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


def write_block(io, block, gather: bool = True) -> None:
    """Write ``block`` to a Neo IO or file name; under MPI with gathered data every rank
    holds the same block, so only rank 0 writes (as PyNN does)."""
    from pynn_uni.common.mpi import rank

    if gather and rank() != 0:
        return
    (get_io(io) if isinstance(io, (str, os.PathLike)) else io).write(block)
