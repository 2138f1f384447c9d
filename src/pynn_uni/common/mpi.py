"""MPI rank and size, without requiring mpi4py (a single process when it is absent)."""

from __future__ import annotations

import functools


@functools.cache
def _comm():
    try:
        from mpi4py import MPI  # noqa: PLC0415
    except ImportError:
        return None
    return MPI.COMM_WORLD


def rank() -> int:
    comm = _comm()
    return 0 if comm is None else comm.Get_rank()


def num_processes() -> int:
    comm = _comm()
    return 1 if comm is None else comm.Get_size()
