"""MPI rank and size.

A script started by ``mpirun``/``mpiexec`` (OpenMPI or an MPICH-family launcher) runs as
one process per rank; anything else is a single process, and then mpi4py is never imported
(importing it initialises MPI, which costs time and may print warnings in containers).
Without mpi4py, rank and size come from the launcher's environment, which is enough for a
backend (NEURON) that joins MPI by itself.
"""

from __future__ import annotations

import functools
import os

import numpy as np

#: (size, rank) environment variables set by MPI launchers
_LAUNCHER_ENV = (
    ("OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"),  # OpenMPI
    ("PMI_SIZE", "PMI_RANK"),  # MPICH, Intel MPI (Hydra)
)


def _launcher() -> tuple[int, int] | None:
    """(size, rank) announced by the launcher, or None outside ``mpirun``."""
    for size, rank_ in _LAUNCHER_ENV:
        if size in os.environ:
            return int(os.environ[size]), int(os.environ.get(rank_, 0))
    return None


@functools.cache
def _comm():
    """mpi4py's COMM_WORLD under an MPI launcher when mpi4py is installed, else None."""
    if _launcher() is None:
        return None
    try:
        from mpi4py import MPI  # noqa: PLC0415
    except ImportError:
        return None
    return MPI.COMM_WORLD


def rank() -> int:
    comm = _comm()
    if comm is not None:
        return comm.Get_rank()
    launched = _launcher()
    return 0 if launched is None else launched[1]


def num_processes() -> int:
    comm = _comm()
    if comm is not None:
        return comm.Get_size()
    launched = _launcher()
    return 1 if launched is None else launched[0]


def allreduce_sum(values):
    """The element-wise sums of ``values`` (integers) over every rank, as a tuple; collective:
    every rank must call it.  With one process, the values themselves."""
    values = tuple(int(v) for v in values)
    comm = _comm()
    if comm is None:
        if num_processes() > 1:
            raise RuntimeError("summing over MPI ranks needs mpi4py (pip install mpi4py)")
        return values
    return tuple(int(v) for v in comm.allreduce(np.array(values, dtype=np.int64)))


class Gathering:
    """Collecting recorded data from every rank, for a backend's distribution object: it
    provides ``parallel`` (more than one rank) and ``allgather(obj)`` (one object per rank,
    in rank order), in its simulator's own way."""

    parallel: bool

    def allgather(self, obj) -> list:
        raise NotImplementedError

    def gather_spikes(self, idx: np.ndarray, times: np.ndarray):
        """Every rank's (cell index, time) pairs, in time order (ties by index): the same
        arrays on any number of ranks."""
        if self.parallel:
            parts = self.allgather((idx, times))
            idx = np.concatenate([p[0] for p in parts]).astype(np.int64)
            times = np.concatenate([p[1] for p in parts])
        order = np.lexsort((idx, times))
        return idx[order], times[order]

    def gather_signals(self, times, values, columns):
        """Join the columns recorded on every rank (the same sampling times on each)."""
        if not self.parallel:
            return times, values, columns
        parts = [p for p in self.allgather((times, values, columns)) if p[2].size]
        if not parts:
            return times, values, columns
        columns = np.concatenate([p[2] for p in parts])
        values = np.hstack([p[1] for p in parts])
        order = np.argsort(columns, kind="stable")
        return parts[0][0], values[:, order], columns[order]
