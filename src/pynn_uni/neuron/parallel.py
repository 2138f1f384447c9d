"""Distribution of a NEURON network over MPI ranks with ``ParallelContext``.

Cells go round-robin by global id (``id % nhost == rank``), every rank computes the full
connection arrays (the connectors are block-seeded, so they are the same on every rank)
and makes the NetCons of the targets it owns (from a source on the same rank straight from
its cell, from another rank's through its gid), and spikes cross ranks through NEURON's own
exchange (``set_gid2node`` / ``cell`` / ``gid_connect``).  Only cells with a target on another
rank take part in the exchange (``outputcell``, marked as connections are made): a spike
source whose targets are all local (a one-to-one background) costs no exchange.  Recorded
data is gathered with ``py_allgather``, so every rank sees every cell's data, as
``get_data(gather=True)`` promises.  With one process none of this machinery is used: cells
are connected directly.
"""

from __future__ import annotations

import atexit

import numpy as np

from pynn_uni.common import mpi


def join_mpi() -> None:
    """Initialise MPI before NEURON loads, when launched by ``mpirun``: the NEURON wheel
    joins MPI only if MPI is up (mpi4py imported) or ``nrnmpi_init`` is called; asking
    for the number of processes brings it up."""
    mpi.num_processes()


class Distribution(mpi.Gathering):
    """Which rank owns which cell, and the collective operations the backend needs."""

    def __init__(self, h, pc):
        wanted = mpi.num_processes()
        if wanted > 1 and int(pc.nhost()) == 1:
            h.nrnmpi_init()  # neuron was imported before MPI was initialised
            pc = h.ParallelContext()
        self.h, self.pc = h, pc
        self.rank, self.nhost = int(pc.id()), int(pc.nhost())
        self.exported: set[int] = set()  # local gids whose spikes go to the other ranks
        if self.nhost != wanted:
            raise RuntimeError(
                f"NEURON runs on {self.nhost} MPI process(es) but the launcher started "
                f"{wanted}: install mpi4py (pip install mpi4py) or a NEURON built with MPI"
            )
        if self.nhost > 1:
            _finish_at_exit(pc)

    @property
    def parallel(self) -> bool:
        return self.nhost > 1

    def owns(self, ids: np.ndarray) -> np.ndarray:
        """Mask of the global ids that live on this rank."""
        return (np.asarray(ids, np.int64) % self.nhost) == self.rank

    def register(self, ids: np.ndarray, cells: list, make_source=None) -> list:
        """Announce local cells as spike sources under their global ids, not yet sent to
        other ranks (``export``); returns the NetCons that detect their spikes (kept alive
        with the population).  By default a cell is its own source (artificial cells and
        pynn_uni's point processes)."""
        pc, rank, made = self.pc, self.rank, []
        make_source = make_source or (lambda cell: self.h.NetCon(cell, None))
        for gid, cell in zip(ids.tolist(), cells, strict=True):
            pc.set_gid2node(gid, rank)
            nc = make_source(cell)
            pc.cell(gid, nc, 0)
            made.append(nc)
        return made

    def export(self, pre_ids: np.ndarray, post_ids: np.ndarray) -> None:
        """Send the spikes of this rank's sources with a target on another rank to every
        rank (every rank holds the full connection arrays, so the source's rank knows)."""
        pre = np.asarray(pre_ids, np.int64)
        crossing = self.owns(pre) & ~self.owns(post_ids)
        for gid in np.unique(pre[crossing]).tolist():
            if gid not in self.exported:
                self.pc.outputcell(gid)
                self.exported.add(gid)

    def connect(self, gids: np.ndarray, targets: list, delays, weights) -> list:
        """NetCons from source gids (cells on other ranks) onto local targets, made by a hoc
        loop: ``pc.gid_connect`` takes no delay or weight, and setting them from Python
        costs more than the connection itself.  The loop gets each distinct target once
        and an index per connection (a List of every connection's target would cost more
        than the connections)."""
        if not hasattr(self.h, "pynn_uni_gid_connect"):
            self.h(_GID_CONNECT)
        keys = np.fromiter(map(id, targets), np.int64, len(targets))
        _, first, which = np.unique(keys, return_index=True, return_inverse=True)
        distinct, made = self.h.List(), self.h.List()
        add = distinct.append
        for i in first.tolist():
            add(targets[i])
        vec = self.h.Vector
        self.h.pynn_uni_gid_connect(
            vec(np.asarray(gids, float)), distinct, vec(which.astype(float)), vec(delays),
            vec(weights), self.pc, made,
        )  # fmt: skip
        return list(made)

    def allgather(self, obj) -> list:
        return self.pc.py_allgather(obj)

    def gather_positions(self, n: int, positions: np.ndarray, values: np.ndarray):
        """A full array of length n from the (position, value) pairs held on each rank."""
        out = np.full(n, np.nan)
        for pos, val in (
            self.allgather((positions, values)) if self.parallel else [(positions, values)]
        ):
            out[pos] = val
        return out

    def clear(self) -> None:
        if self.parallel:
            self.pc.gid_clear()
        self.exported = set()


#: $o1 source gids, $o2 the distinct targets (a List), $o3 each connection's target in
#: $o2, $o4 delays, $o5 weights (Vectors), $o6 the ParallelContext; NetCons go to List $o7
_GID_CONNECT = """
proc pynn_uni_gid_connect() { local i  localobj nc
    for i = 0, $o1.size() - 1 {
        nc = $o6.gid_connect($o1.x[i], $o2.o($o3.x[i]))
        nc.delay = $o4.x[i]
        nc.weight = $o5.x[i]
        $o7.append(nc)
    }
}
"""

_finishing: list = []


def _finish_at_exit(pc) -> None:
    """``pc.done()`` before the interpreter ends, once (a clean MPI exit for NEURON)."""
    if not _finishing:
        _finishing.append(pc)
        atexit.register(pc.done)
