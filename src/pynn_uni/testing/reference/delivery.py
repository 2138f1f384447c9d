"""Spike delivery: every connection of the simulation in one table, and a ring buffer of the
input each cell will receive.

A connection is (presynaptic id, postsynaptic id, receptor, weight, delay in steps).  A
spike stamped ``s`` reaches its target at stamp ``s + D``: its weight is added to the
buffer row of that stamp, and the target's update of the step ending there takes it
(:mod:`.neurons`, step 2).  ``D = round(delay / dt)`` (halves up, as NEST's
``delay_ms_to_steps``), at least one step since the common layer refuses shorter delays.
The buffer holds ``max D + 1`` rows, reused modulo its length; it grows (keeping what is
in flight) when longer delays or more cells appear between runs.
"""

from __future__ import annotations

import numpy as np

#: receptor name -> row of the buffer
RECEPTORS = {"excitatory": 0, "inhibitory": 1}


def delay_steps(delays: np.ndarray, dt: float) -> np.ndarray:
    return np.floor(np.asarray(delays, float) / dt + 0.5).astype(np.int64)


class Delivery:
    """The connection table, sorted by presynaptic id (CSR), and the input ring buffer."""

    def __init__(self, n_ids: int):
        self.n_ids = n_ids  # ids run from 1 to n_ids
        self.buffer = np.zeros((2, 2, n_ids))  # [row, receptor, id - 1]

    def build(self, pre, post, receptor, weight, steps, n_ids: int, now: int) -> None:
        """Take the whole table (one entry per connection, ids 1-based) before a run
        starting at step ``now``."""
        order = np.argsort(pre, kind="stable")
        self.post, self.receptor = post[order] - 1, receptor[order]
        self.weight, self.steps = weight[order], steps[order]
        self.start = np.searchsorted(pre[order], np.arange(1, n_ids + 2))
        rows = max(int(steps.max()) + 1 if steps.size else 2, self.buffer.shape[0])
        if rows != self.buffer.shape[0] or n_ids != self.n_ids:
            old, grown = self.buffer, np.zeros((rows, 2, n_ids))
            for stamp in range(now + 1, now + old.shape[0]):  # what is in flight
                grown[stamp % rows, :, : self.n_ids] = old[stamp % old.shape[0]]
            self.buffer, self.n_ids = grown, n_ids

    def take(self, stamp: int) -> np.ndarray:
        """The input arriving at ``stamp`` ([receptor, id - 1]); its row is then free."""
        row = self.buffer[stamp % self.buffer.shape[0]]
        arriving = row.copy()
        row[:] = 0.0
        return arriving

    def send(self, ids: np.ndarray, stamp: int) -> None:
        """Spikes of ``ids`` stamped ``stamp``: add their weights where they will arrive."""
        if not ids.size:
            return
        first, last = self.start[ids - 1], self.start[ids]
        counts = last - first
        if not counts.sum():
            return
        # the table positions of every outgoing connection of the spiking cells
        offsets = np.repeat(first - np.cumsum(counts) + counts, counts)
        k = offsets + np.arange(int(counts.sum()))
        rows = (stamp + self.steps[k]) % self.buffer.shape[0]
        np.add.at(self.buffer, (rows, self.receptor[k], self.post[k]), self.weight[k])

    def clear(self) -> None:
        self.buffer[:] = 0.0
