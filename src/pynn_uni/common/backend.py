"""The backend protocol: a backend turns the common layer's network description into
native objects, runs them, and hands back arrays, always in bulk and in native names
and units (the common layer has already validated and translated everything).

Version 1.  A backend is a module registered in the entry-point group
``pynn_uni.backends`` that exposes ``Backend`` (a class satisfying :class:`Backend`) and
``capabilities`` (a :class:`~pynn_uni.common.capabilities.Capabilities`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

PROTOCOL_VERSION = 1


@dataclass
class ConnectionArrays:
    """One block of connections: parallel arrays, one entry per synapse.

    ``pre`` and ``post`` are *indices* into the projection's presynaptic and
    postsynaptic sides (not simulator IDs); ``params`` maps synapse parameter names
    (standard names, standard units, e.g. ``weight`` in uS or nA, ``delay`` in ms) to
    float arrays of the same length.
    """

    pre: np.ndarray
    post: np.ndarray
    params: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self):
        self.pre = np.asarray(self.pre, dtype=np.int64)
        self.post = np.asarray(self.post, dtype=np.int64)
        if self.pre.shape != self.post.shape:
            raise ValueError("pre and post index arrays differ in length")

    def __len__(self) -> int:
        return int(self.pre.size)

    @classmethod
    def concatenate(cls, blocks: list[ConnectionArrays]) -> ConnectionArrays:
        blocks = [b for b in blocks if len(b)]
        if not blocks:
            return cls(np.empty(0, np.int64), np.empty(0, np.int64), {})
        names = blocks[0].params.keys()
        return cls(
            np.concatenate([b.pre for b in blocks]),
            np.concatenate([b.post for b in blocks]),
            {k: np.concatenate([b.params[k] for b in blocks]) for k in names},
        )


@runtime_checkable
class Backend(Protocol):
    """What a simulator must provide.  Handles are opaque to the common layer."""

    name: str

    def setup(self, config: dict[str, Any]) -> None:
        """(Re)initialise the simulator: timestep, min/max delay, threads, seeds."""

    def create(self, model: str, params: dict[str, np.ndarray], n: int) -> Any:
        """Create ``n`` cells of native ``model`` with native parameter arrays; return a handle."""

    def connect(self, pre: Any, post: Any, synapse: str, arrays: ConnectionArrays) -> Any:
        """Create all connections of one block; ``arrays`` hold native names and units."""

    def inject(self, source: str, params: dict[str, Any], target: Any, idx: np.ndarray) -> Any:
        """Create a current source and attach it to cells ``idx`` of ``target``."""

    def record(self, handle: Any, variable: str, idx: np.ndarray, interval: float) -> None:
        """Start recording ``variable`` (native name) from cells ``idx``."""

    def run_until(self, t: float) -> None:
        """Advance the simulation to time ``t`` (ms)."""

    def spikes(self, handle: Any, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (cell index, spike time in ms) of the recorded spikes."""

    def signals(self, handle: Any, variable: str, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (sample times, values[n_samples, n_cells]) in native units."""
