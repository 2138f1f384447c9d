"""NEST's own distribution over MPI ranks, as the NEST backend uses it.

NEST places neurons round-robin on its virtual processes and makes a connection only on
the rank of its target, so every rank hands ``nest.Connect`` just the connections onto its
own cells (the connectors draw the same global network on every rank count).  Devices
exist on every rank; recorders record the local cells, so recorded data and connection
values are gathered with mpi4py's ``allgather``: every rank sees every cell's data, as
``get_data(gather=True)`` promises.  With one process none of this is used.

The PyPI wheel of NEST has no MPI: ``setup()`` under ``mpirun -np N`` (N > 1) then refuses
with the way to an MPI build (``tools/install-nest-mpi.sh``).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from pynn_uni import errors
from pynn_uni.common import mpi

#: how to get a NEST that runs on several processes (docs/nest.md, "MPI")
INSTALL_HINT = (
    "build NEST with MPI into this environment with tools/install-nest-mpi.sh (apt-get "
    "install openmpi-bin libopenmpi-dev ...; pip wheel nest-simulator -C "
    "cmake.define.with-mpi=ON: see docs/nest.md, 'MPI')"
)


def built_with(feature: str) -> bool | None:
    """Whether the installed NEST was built with ``feature`` ("MPI", "HDF5"), read from its
    config.h without importing it (a NEST without MPI ends the process when imported under
    ``mpirun``); None when NEST or its header is not there."""
    spec = importlib.util.find_spec("nest")
    for base in (spec and spec.submodule_search_locations) or ():
        header = Path(base, "include", "nest", "config.h")
        if header.is_file():
            return f"#define HAVE_{feature} 1" in header.read_text(errors="replace")
    return None


def refuse_without_mpi() -> None:
    """Before NEST is imported: NotSupportedError under ``mpirun -np N`` (N > 1) when the
    installed NEST has no MPI."""
    wanted = mpi.num_processes()
    if wanted > 1 and built_with("MPI") is False:
        raise errors.NotSupportedError(
            f"this script was started on {wanted} MPI processes, but the installed NEST was "
            f"built without MPI (the PyPI wheel has none): {INSTALL_HINT}; or run without "
            "mpirun (setup(threads=...) uses several cores)"
        )


def check(nest) -> int:
    """The number of MPI processes NEST runs on; NotSupportedError when ``mpirun`` started
    more than NEST joined (a NEST without MPI runs the whole network once per rank)."""
    wanted = mpi.num_processes()
    if wanted > 1 and not nest.build_info.get("have_mpi"):
        raise errors.NotSupportedError(
            f"this script was started on {wanted} MPI processes, but the installed NEST "
            f"{nest.__version__} was built without MPI (the PyPI wheel has none): "
            f"{INSTALL_HINT}; or run without mpirun (setup(threads=...) uses several cores)"
        )
    got = int(nest.NumProcesses())
    if got != wanted:
        raise errors.NotSupportedError(
            f"NEST runs on {got} MPI process(es) but the launcher started {wanted}: NEST and "
            "mpi4py must use the MPI library mpirun belongs to"
        )
    return got


class Distribution(mpi.Gathering):
    """Which cells are local, and the collective operations the NEST backend needs."""

    def __init__(self, nest):
        self.nest = nest
        self.size = check(nest)
        self._local_ids: tuple[int, np.ndarray] | None = None  # (network size, local ids)

    @property
    def parallel(self) -> bool:
        return self.size > 1

    def virtual_processes(self, total: int, threads) -> int:
        """``setup(virtual_processes=K)``: K virtual processes on any number of ranks (K / N
        threads each), so Poisson-like generators draw the same trains on every rank count."""
        if total < 1 or total % self.size or (threads and int(threads) * self.size != total):
            raise errors.InvalidParameterValueError(
                f"setup(virtual_processes={total}) on {self.size} MPI process(es): it must be "
                "a multiple of the number of processes (and equal processes x threads when "
                "threads is given)"
            )
        return total

    def local_ids(self) -> np.ndarray:
        """Sorted ids of the nodes on this rank (neurons here, and every device), asked
        of NEST once per network size."""
        n = int(self.nest.network_size)
        if self._local_ids is None or self._local_ids[0] != n:
            ids = np.arange(1, n + 1, dtype=np.int64)
            if n:
                ids = ids[np.atleast_1d(np.asarray(self.nest.NodeCollection(ids.tolist()).local))]
            self._local_ids = (n, ids)
        return self._local_ids[1]

    def owns(self, ids) -> np.ndarray:
        """Mask of the node ids that live on this rank."""
        ids = np.asarray(ids, np.int64)
        if not self.parallel:
            return np.ones(ids.shape, bool)
        local = self.local_ids()
        pos = np.clip(np.searchsorted(local, ids), 0, max(local.size - 1, 0))
        return local[pos] == ids if local.size else np.zeros(ids.shape, bool)

    def allgather(self, obj) -> list:
        from mpi4py import MPI  # noqa: PLC0415  (MPI is up: NEST initialised it)

        return MPI.COMM_WORLD.allgather(obj)

    def gather_connections(self, pre, post, values: dict, positions=False):
        """Every rank's connections, ordered by (post, pre) as the connectors make them
        (ties keep rank order); values that all ranks hold as one number stay one.
        ``positions``: also where this rank's connections are in that order."""
        parts = self.allgather((pre, post, values))
        before = sum(len(p[1]) for p in parts[: self.nest.Rank()])
        pre = np.concatenate([p[0] for p in parts]).astype(np.int64)
        post = np.concatenate([p[1] for p in parts]).astype(np.int64)
        order = np.lexsort((pre, post))
        out = {}
        for k in values:
            vs = [np.asarray(p[2][k]) for p in parts]
            if all(v.ndim == 0 for v in vs) and all(v == vs[0] for v in vs):
                out[k] = vs[0]
            else:
                sizes = [len(p[1]) for p in parts]
                full = [np.broadcast_to(v, (n,)) for v, n in zip(vs, sizes, strict=True)]
                full = np.concatenate(full)
                out[k] = full[order]
        if positions:
            where = np.empty_like(order)
            where[order] = np.arange(order.size)
            return (
                pre[order],
                post[order],
                out,
                where[before : before + len(parts[self.nest.Rank()][1])],
            )
        return pre[order], post[order], out
