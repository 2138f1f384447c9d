"""The backend's handles: what the chip keeps about one population and one projection.

The common layer stores them and passes them back; the mapping (``hardware.mapping``)
reads and fills them.  ``eq=False``: a handle is one object, compared by identity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pynn_uni.common.backend import ConnectionArrays, PopulationSpec, ProjectionSpec
from pynn_uni.common.spike_trains import Trains
from pynn_uni.hardware.mapping.weights import Quantised
from pynn_uni.hardware.report import ProjectionReport


def _ints() -> np.ndarray:
    return np.empty(0, np.int64)


@dataclass(eq=False)
class PopulationHandle:
    """One population: its cells' ids and, for chip neurons, their circuits and circuit
    parameters (``lif``, see ``mapping.parameters``); for sources, their parameters (and a
    Poisson source's trains); recording state and the data recorded since the last read."""

    index: int
    spec: PopulationSpec
    params: dict[str, Any]
    first_id: int  # the cells' ids are first_id, first_id + 1, ...
    circuits: np.ndarray | None = None  # chip neurons only
    lif: dict[str, np.ndarray] | None = None
    trains: Trains | None = None  # SpikeSourcePoisson only
    initial: dict[str, np.ndarray] = field(default_factory=dict)
    recorded: dict[str, np.ndarray] = field(default_factory=dict)
    active: set[str] = field(default_factory=set)
    interval: float | None = None
    spikes: list = field(default_factory=list)
    signals: dict[str, list] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.spec.size

    @property
    def ids(self) -> np.ndarray:
        return np.arange(self.first_id, self.first_id + self.n, dtype=np.int64)

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def celltype(self) -> Any:
        return self.spec.celltype

    @property
    def kind(self) -> str:
        return self.spec.model


@dataclass(eq=False)
class ProjectionHandle:
    """One projection: its connections (side indices and cell ids), weight codes, short-term
    plasticity class (1-based into the backend's classes, 0 static), routed row (-1 lost)
    and the statistics of the mapping report."""

    index: int
    spec: ProjectionSpec
    lsb: float  # uS, or nA for current-based cells
    rng: np.random.Generator | None  # stochastic weight rounding, else None
    pre: np.ndarray = field(default_factory=_ints)  # indices into spec.pre / spec.post
    post: np.ndarray = field(default_factory=_ints)
    pre_id: np.ndarray = field(default_factory=_ints)
    post_id: np.ndarray = field(default_factory=_ints)
    requested: np.ndarray = field(default_factory=lambda: np.empty(0))  # |weight| asked for
    code: np.ndarray = field(default_factory=_ints)
    row: np.ndarray = field(default_factory=_ints)
    stp: np.ndarray = field(default_factory=_ints)
    stats: dict = field(default_factory=lambda: dict(
        n_rounded=0, n_clipped=0, n_vanished=0, max_abs_error=0.0, sq_rel=0.0, n_nonzero=0,
        delays=0, u_rounded=0,
    ))  # fmt: skip

    @property
    def receptor(self) -> int:
        """0 excitatory, 1 inhibitory."""
        return 1 if self.spec.receptor_type == "inhibitory" else 0

    @property
    def label(self) -> str:
        return self.spec.label

    def add(self, block: ConnectionArrays, pre_id, post_id, stp, q: Quantised, delays: int,
            u_rounded: int) -> None:  # fmt: skip
        """Take one block of connections: their cell ids, STP classes, weight codes (``q``)
        and what quantisation, delay substitution (``delays``) and U levels changed."""
        self.pre = np.concatenate([self.pre, block.pre])
        self.post = np.concatenate([self.post, block.post])
        self.pre_id = np.concatenate([self.pre_id, pre_id])
        self.post_id = np.concatenate([self.post_id, post_id])
        self.stp = np.concatenate([self.stp, stp])
        self.requested = np.concatenate([self.requested, np.abs(block.params["weight"])])
        self.code = np.concatenate([self.code, q.code])
        s = self.stats
        for k in ("n_rounded", "n_clipped", "n_vanished"):
            s[k] += getattr(q, k)
        s["max_abs_error"] = max(s["max_abs_error"], q.max_abs_error)
        nz = int(np.count_nonzero(block.params["weight"]))
        s["sq_rel"] += q.rms_rel_error**2 * nz
        s["n_nonzero"] += nz
        s["delays"] += delays
        s["u_rounded"] += u_rounded

    def reweigh(self, q: Quantised, requested: np.ndarray) -> None:
        """New weight codes for every connection (``requested``: the weights asked for)."""
        self.code, self.requested = q.code, np.abs(np.asarray(requested, float))
        nz = int(np.count_nonzero(self.requested))
        self.stats.update(n_rounded=q.n_rounded, n_clipped=q.n_clipped, n_vanished=q.n_vanished,
                          max_abs_error=q.max_abs_error, sq_rel=q.rms_rel_error**2 * nz,
                          n_nonzero=nz)  # fmt: skip

    def report(self) -> ProjectionReport:
        s, lost = self.stats, int(np.count_nonzero(self.row < 0))
        rms = float(np.sqrt(s["sq_rel"] / s["n_nonzero"])) if s["n_nonzero"] else 0.0
        return ProjectionReport(
            self.label, int(self.pre.size), int(self.pre.size) - lost, lost, self.lsb,
            s["n_rounded"], s["n_clipped"], s["n_vanished"], s["max_abs_error"], rms,
            s["delays"], s["u_rounded"],
        )  # fmt: skip
