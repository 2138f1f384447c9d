"""Exports under MPI: every rank takes part (reading a distributed network gathers from
every rank), and rank 0 alone writes where the user asked.

The other ranks write the same files into a scratch folder that is then removed, so the
export code needs no rank test of its own; a barrier at the end means that no rank goes on
(to read the files, say) before rank 0 has finished writing them.
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

from pynn_uni.common import mpi


def written_by_rank0(check=None):
    """Decorator for ``export(network, path, ...)``.  ``check(path, *args, **kwargs)`` runs
    first on every rank (it must not change anything), so that a refusal is the same on
    every rank rather than on rank 0 alone, which would leave the others waiting."""

    def decorate(export):
        @functools.wraps(export)
        def wrapper(network, path, *args, **kwargs):
            if mpi.num_processes() == 1:
                return export(network, path, *args, **kwargs)
            if check is not None:
                check(path, *args, **kwargs)
            try:
                if mpi.rank() == 0:
                    return export(network, path, *args, **kwargs)
                with tempfile.TemporaryDirectory(prefix="pynn_uni_export_") as scratch:
                    name = os.path.basename(os.path.normpath(os.fspath(path)))
                    result = export(network, os.path.join(scratch, name), *args, **kwargs)
                    return _relocate(result, scratch, os.path.dirname(os.path.abspath(path)))
            finally:
                mpi.allreduce_sum((0,))  # a barrier: rank 0's files are complete

        return wrapper

    return decorate


def _relocate(result, scratch: str, real: str):
    """What rank 0 returns: the paths of the result with the scratch folder replaced."""
    if isinstance(result, (str, Path)):
        rel = os.path.relpath(os.fspath(result), scratch)
        return type(result)(os.path.join(real, rel))
    if isinstance(result, tuple) and hasattr(result, "_fields"):  # a NamedTuple of paths
        return type(result)(*(None if r is None else _relocate(r, scratch, real) for r in result))
    return result
