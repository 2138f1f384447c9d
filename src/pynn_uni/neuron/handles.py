"""The NEURON backend's handles: what it keeps per population, projection and current
source.  The common layer stores them and passes them back without looking inside."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pynn_uni.common.backend import PopulationSpec, ProjectionSpec
from pynn_uni.common.spike_trains import Trains
from pynn_uni.neuron.translations import CellTranslation


def _ints() -> np.ndarray:
    return np.empty(0, np.int64)


@dataclass(eq=False)
class PopulationHandle:
    """One population: its cells' NEURON objects (this rank's) and its recordings."""

    spec: PopulationSpec
    params: dict  # the standard parameter values now (scalars or arrays over the cells)
    ids: np.ndarray
    translation: CellTranslation | None  # a standard type's mechanism; None: native
    native: Any  # a native type's realisation (native.py); None: a standard type
    local: np.ndarray  # the cells this MPI rank owns
    cells: list = field(default_factory=list)  # hoc objects in index order (None: elsewhere)
    origins: list = field(default_factory=list)  # native section cells: where spikes start
    trees: list | None = None  # native section cells: each cell's sections
    exchange: list = field(default_factory=list)  # MPI: NetCons announcing local spikes
    feeds: list = field(default_factory=list)  # sources: NetCon(None, relay) per cell
    stale: set = field(default_factory=set)  # sources: cells whose feed Ctrl-C retired
    trains: Trains | None = None  # random sources: their spike trains, block by block
    initial: dict[str, np.ndarray] = field(default_factory=dict)
    spike_t: Any = None  # Vectors of recorded spike times and cell indices
    spike_i: Any = None
    spike_nc: dict[int, Any] = field(default_factory=dict)
    spike_read: int = 0
    vectors: dict[str, dict[int, Any]] = field(default_factory=dict)  # variable -> i -> Vector
    read: dict[str, int] = field(default_factory=dict)  # variable -> samples handed over
    active: set[str] = field(default_factory=set)
    recorded_variables: set[str] = field(default_factory=set)  # ever recorded (any rank)
    interval: float | None = None
    waves: dict[str, set] = field(default_factory=dict)  # "ac"/"noise" -> cells having one
    stochastic: bool = False  # target of stochastic synapses: its cells' streams are seeded
    lean: bool = False  # IF cells as PynnIFStatic (static inputs only, see backend.py)

    @property
    def name(self) -> str:
        return self.spec.model

    @property
    def celltype(self) -> Any:
        return self.spec.celltype

    @property
    def n(self) -> int:
        return self.spec.size

    @property
    def is_source(self) -> bool:
        return bool(self.spec.celltype.is_spike_source)

    def local_of(self, idx) -> np.ndarray:
        """The indices among ``idx`` of cells this rank owns (all of them with one process)."""
        idx = np.asarray(idx, np.int64)
        return idx[self.local[idx]]


@dataclass(eq=False)
class ProjectionHandle:
    """One projection: its NetCons (this rank's) and every connection's values."""

    spec: ProjectionSpec
    netcons: Any  # a hoc List: no Python wrapper per NetCon (96 B each)
    receptor: int = 0  # NetCon weight[1]: 0 excitatory, 1 inhibitory, PynnPoint's named ones
    pre: np.ndarray = field(default_factory=_ints)  # side indices of every connection
    post: np.ndarray = field(default_factory=_ints)
    values: dict[str, np.ndarray] = field(default_factory=dict)  # weight, delay, ... (std)
    shift: float = 0.0  # NetCon delay = delay - shift (ms)
    local_pos: np.ndarray | None = None  # MPI: positions in pre/post of the local NetCons

    @property
    def kind(self) -> str:
        return self.spec.synapse_model


@dataclass(eq=False)
class SourceHandle:
    """A current source on some cells of one population: its steps (time ms, change nA)."""

    kind: str  # the source model's name
    parameters: dict  # its standard parameter values now
    target: PopulationHandle
    idx: np.ndarray  # the target cells this rank owns
    first: int  # the cell whose current is recorded (-1: none)
    times: np.ndarray = field(default_factory=lambda: np.empty(0))
    deltas: np.ndarray = field(default_factory=lambda: np.empty(0))
    netcons: list = field(default_factory=list)  # per step, one NetCon per target cell
    stale: set = field(default_factory=set)  # steps whose NetCons Ctrl-C retired
    history: list = field(default_factory=list)  # (times, deltas, valid until) per update
    recorded: bool = False
    stream: int = 0  # NoisyCurrentSource: the third Random123 id of its cells' streams
    meter: Any = None
