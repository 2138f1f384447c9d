"""The backend protocol: the one contract between the common layer and a simulator.

A backend turns the network description into native objects, runs it, and hands back
arrays, in bulk.  The common layer has already validated every value and evaluated every
random or spatial expression; a backend translates names and units (with
:mod:`pynn_uni.common.translation`) and builds.

Version 2.  Only data crosses the seam: frozen specs (:class:`PopulationSpec`,
:class:`ProjectionSpec`, :class:`SourceSpec`), parameter dicts of numbers and numpy arrays,
index arrays and :class:`ConnectionArrays`, and the opaque *handles* a backend returns
(the common layer stores them and passes them back, never looks inside).  Model objects
(cell, synapse and current-source types) travel inside the specs as declarations: a backend
reads their class attributes and composition, never their parameter values (those come in
the dicts).  A backend never sees a Population, Projection or current-source object.

A backend is a package registered in the entry-point group ``pynn_uni.backends`` whose
module builds its ``sim`` namespace with :func:`pynn_uni.common.namespace.populate`, and
ships ``capabilities.toml`` beside it (features, models, limits; see
:mod:`pynn_uni.common.capabilities`).  Its class subclasses :class:`Backend`: the abstract
methods are required, the others have defaults that say "not available" in a way the
common layer understands.  ``tests/unit/test_protocol.py`` checks every installed backend
against this class; ``pynn_uni.testing.reference`` is the smallest complete backend.

Units at the seam are PyNN's standard ones (ms, mV, nA, nF, uS, Hz); times are ms.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from pynn_uni import errors

PROTOCOL_VERSION = 2

#: a backend's object for one population / projection / injected source: opaque to common
Handle = Any


@dataclass
class ConnectionArrays:
    """One block of connections: parallel arrays, one entry per synapse.

    ``pre`` and ``post`` are *indices* into the projection's presynaptic and postsynaptic
    sides (not simulator IDs); ``params`` maps synapse parameter names (standard names,
    standard units, e.g. ``weight`` in uS or nA, ``delay`` in ms) to float arrays of the
    same length.
    """

    pre: np.ndarray
    post: np.ndarray
    params: dict[str, np.ndarray] = field(default_factory=dict)
    #: (ConnectionReplay, block number) when the block can be drawn again instead of kept
    origin: Any = field(default=None, compare=False, repr=False)

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


@dataclass(frozen=True)
class PopulationSpec:
    """What a backend needs to create a population.

    ``celltype``: the cell type (a model declaration: its class, ``receptor_types``,
    ``conductance_based``, a PointNeuron's composition); its parameter values come
    separately, evaluated, to :meth:`Backend.create`.  ``options``: backend-specific
    keywords given to ``Population(...)`` (e.g. the chip's ``placement``), passed on as
    given; a backend refuses those it does not know.
    """

    label: str
    celltype: Any
    size: int
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def model(self) -> str:
        """The standard (or native) model name, e.g. ``"IF_cond_exp"``."""
        return type(self.celltype).__name__


@dataclass(frozen=True)
class Member:
    """The cells one population contributes to one side of a projection.

    ``handle``: the backend's handle of that population; ``indices``: which of its cells,
    in the side's order; ``celltype``: its cell type; ``parameters``: the population's
    standard parameter values when the projection was made (scalars, or arrays over all
    ``size`` cells of the population).
    """

    handle: Handle
    indices: np.ndarray
    celltype: Any
    size: int
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Side:
    """One side (pre or post) of a projection: a Population, a view or an Assembly.

    ``ids``: the global cell ids in the side's index order (``ConnectionArrays.pre/post``
    index into them); ``members``: the populations behind the side, in order, each
    contributing ``len(member.indices)`` consecutive positions.
    """

    ids: np.ndarray
    members: tuple[Member, ...]

    @property
    def size(self) -> int:
        return int(self.ids.size)

    @property
    def handles(self) -> tuple[Handle, ...]:
        return tuple(m.handle for m in self.members)

    @property
    def celltypes(self) -> tuple[Any, ...]:
        return tuple(m.celltype for m in self.members)

    def member_of(self, index: np.ndarray) -> np.ndarray:
        """Which member each side index belongs to."""
        bounds = np.cumsum([len(m.indices) for m in self.members])
        return np.searchsorted(bounds, np.asarray(index), side="right")

    def parameter(self, name: str) -> np.ndarray:
        """The standard parameter ``name`` of every cell of the side, as floats."""
        parts = [
            np.broadcast_to(np.asarray(m.parameters[name], float), (m.size,))[m.indices]
            for m in self.members
        ]
        return np.concatenate(parts) if parts else np.empty(0)


@dataclass(frozen=True)
class ProjectionSpec:
    """What a backend needs to realise a projection (its connections come in blocks).

    ``conductance_based``: whether the post cells take conductance weights (uS) rather
    than current (nA) or voltage (mV) ones; ``receptor_type``: ``"excitatory"``,
    ``"inhibitory"`` or a named receptor of the post cell type.
    """

    label: str
    pre: Side
    post: Side
    synapse_type: Any
    receptor_type: str
    conductance_based: bool

    @property
    def synapse_model(self) -> str:
        return type(self.synapse_type).__name__

    @property
    def post_celltype(self) -> Any:
        """The cell type of the first post member (an Assembly may mix several)."""
        return self.post.members[0].celltype


@dataclass(frozen=True)
class SourceSpec:
    """A current source to inject: its model declaration and evaluated parameter values.

    ``source_type``: the source's class (``DCSource``, a native electrode type ...);
    ``parameters``: standard names and units (amplitudes nA, times ms, frequencies Hz).
    """

    source_type: type
    parameters: Mapping[str, Any]

    @property
    def model(self) -> str:
        return self.source_type.__name__


def index_of(ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Positions of ``values`` (every one present) in the id array ``ids`` (any order;
    a run of consecutive ids, the usual case, costs one subtraction)."""
    values = np.asarray(values, dtype=np.int64)
    if ids.size and int(ids[-1]) - int(ids[0]) + 1 == ids.size:
        return values - ids[0]
    order = np.argsort(ids, kind="stable")
    pos = np.searchsorted(ids, values, sorter=order)
    return order[np.minimum(pos, max(ids.size - 1, 0))]


def lookup(ids: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position, found) of ``values`` in the id array ``ids``, some possibly absent."""
    values = np.asarray(values, dtype=np.int64)
    if ids.size == 0:
        return np.zeros(values.shape, np.int64), np.zeros(values.shape, bool)
    order = np.argsort(ids, kind="stable")
    pos = order[np.minimum(np.searchsorted(ids, values, sorter=order), ids.size - 1)]
    return pos, ids[pos] == values


def not_available(backend: Backend, what: str) -> errors.NotSupportedError:
    return errors.NotSupportedError(f"{what} is not available on {backend.name}")


class Backend(abc.ABC):
    """What a simulator provides to the common layer (protocol version 2).

    Lifecycle: one instance per ``setup()``: ``setup(config)``, then ``create`` /
    ``new_projection`` + ``connect`` / ``inject`` / ``record`` in any order, ``run_until``
    any number of times, ``reset`` (optional), and ``end``.  Every error about a value
    raises before anything is changed, so the simulation stays usable.
    """

    #: the simulator's name, for messages ("NEST", "NEURON", "hardware")
    name: ClassVar[str]
    #: the ``setup()`` keywords this backend acts on (others are dropped with a warning)
    setup_options: ClassVar[frozenset[str]]

    # -- kernel -------------------------------------------------------------------------
    @abc.abstractmethod
    def setup(self, config: dict[str, Any]) -> None:
        """Start a fresh simulation: ``timestep``, ``min_delay``, ``max_delay`` (ms or
        "auto") and the keywords in ``setup_options`` that the user gave."""

    @abc.abstractmethod
    def end(self) -> None:
        """Free the simulator's objects; recorded data already handed over stay valid."""

    @abc.abstractmethod
    def run_until(self, t: float) -> None:
        """Advance the simulation to ``t`` ms (a multiple of the timestep)."""

    @abc.abstractmethod
    def current_time(self) -> float:
        """The simulator's time (ms).  After ``run_until(t)`` returns it is ``t``; when Ctrl-C
        interrupts a run (the backend must notice within a second, e.g. by advancing in
        short slices, and re-raise ``KeyboardInterrupt``), it is the step boundary where the
        simulator stopped, with everything recorded up to there kept, so a later
        ``run_until`` continues from it."""

    @abc.abstractmethod
    def max_delay(self) -> float:
        """The largest delay (ms) the simulation can realise, for ``get_max_delay()``."""

    def reset(self) -> None:
        """Return to t = 0 with the same network (feature ``reset``)."""
        raise not_available(self, "reset()")

    def fixed_delays(self) -> tuple[float, float] | None:
        """The (min, max) delay range once the simulator has fixed it (NEST does at the
        first run), so the common layer can refuse other delays by name; None: open."""
        return None

    # -- populations --------------------------------------------------------------------
    @abc.abstractmethod
    def create(self, spec: PopulationSpec, params: dict[str, Any]) -> Handle:
        """Create ``spec.size`` cells; ``params``: standard name -> scalar or array over
        the cells (spike times: an array of arrays)."""

    @abc.abstractmethod
    def ids(self, handle: Handle) -> np.ndarray:
        """The cells' global ids (int64, increasing within a population)."""

    @abc.abstractmethod
    def set(
        self, handle: Handle, idx: np.ndarray, params: dict[str, Any], changed: Sequence[str]
    ) -> None:
        """New parameter values for cells ``idx``: ``params`` holds the whole population's
        values after the change (scalars or arrays over all cells); ``changed`` names the
        parameters the user set."""

    @abc.abstractmethod
    def initialize(self, handle: Handle, values: dict[str, Any]) -> None:
        """Initial values of state variables (standard names), scalars or arrays over all
        cells; applied at the next start (t = 0, or after reset)."""

    def local_mask(self, handle: Handle) -> np.ndarray:
        """Which of the population's cells this MPI rank simulates (feature ``mpi``)."""
        return np.ones(self.ids(handle).size, bool)

    def native_handle(self, handle: Handle) -> Any:
        """The simulator's own object for the population (e.g. a NEST NodeCollection)."""
        raise not_available(self, "a native population handle")

    def native_cell(self, handle: Handle, index: int) -> Any:
        """The simulator's own object for cell ``index`` (PyNN's ``ID._cell``)."""
        raise not_available(self, "a simulator object per cell")

    # -- recording ----------------------------------------------------------------------
    @abc.abstractmethod
    def record(self, handle: Handle, variable: str, idx: np.ndarray, interval: float) -> None:
        """Start recording ``variable`` ("spikes" or a recordable's standard name) from
        cells ``idx``, sampling signals every ``interval`` ms; may be called again to add
        cells."""

    @abc.abstractmethod
    def stop_recording(self, handle: Handle, variable: str) -> None:
        """Stop recording ``variable`` (from now on; data so far stay available)."""

    @abc.abstractmethod
    def spikes(self, handle: Handle) -> tuple[np.ndarray, np.ndarray]:
        """(cell index, time ms) of the spikes recorded since the last call."""

    @abc.abstractmethod
    def signals(self, handle: Handle, variable: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(sample times [n_samples], values [n_samples, n_columns] in standard units,
        the cell index of each column) of the samples since the last call."""

    # -- projections --------------------------------------------------------------------
    @abc.abstractmethod
    def check_synapse(self, spec: ProjectionSpec) -> None:
        """Refuse (NotSupportedError naming it) a synapse type or target this backend
        cannot realise, before any connection is made."""

    @abc.abstractmethod
    def new_projection(self, spec: ProjectionSpec) -> Handle:
        """Prepare a projection that will receive its connections through ``connect``."""

    def local_blocks(self, spec: ProjectionSpec) -> bool:
        """Under MPI: whether ``connect`` may get only the connections onto this rank's cells
        (``local_mask``), so that connectors evaluate synapse values for those alone.  False
        (the default): every rank sees every connection, for a backend that decides from
        them what other ranks need (NEURON's spike exchange, NEST's generator relays)."""
        return False

    @abc.abstractmethod
    def connect(self, handle: Handle, block: ConnectionArrays) -> None:
        """Create one block of connections (standard names and units in ``block.params``;
        ``weight`` and ``delay`` are always present)."""

    @abc.abstractmethod
    def disconnect(self, handle: Handle) -> None:
        """Remove every connection of the projection (a failed construction is undone)."""

    @abc.abstractmethod
    def connection_values(
        self, handle: Handle, names: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """(pre index, post index, {name: values in standard units}) of every connection,
        in any order (plastic weights as they are now)."""

    @abc.abstractmethod
    def set_connection_values(self, handle: Handle, values: dict[str, np.ndarray]) -> None:
        """New values, one per connection in the order ``connection_values`` gives."""

    def native_connections(self, handle: Handle) -> Any:
        """The simulator's own connection objects (e.g. a NEST SynapseCollection)."""
        raise not_available(self, "a native connection handle")

    def native_synapse_model(self, handle: Handle) -> str:
        """The simulator's name of the synapse model realising the projection."""
        raise not_available(self, "a native synapse model name")

    # -- current sources ----------------------------------------------------------------
    @abc.abstractmethod
    def inject(self, spec: SourceSpec, target: Handle, idx: np.ndarray) -> Handle:
        """Inject a current source into cells ``idx`` of population ``target``."""

    @abc.abstractmethod
    def update_source(self, handle: Handle, parameters: Mapping[str, Any]) -> None:
        """New parameter values (all of them, standard units) for an injected source."""

    def record_source(self, handle: Handle) -> None:
        """Record the current the source injects."""
        raise not_available(self, "recording a current source")

    def source_signal(self, handle: Handle) -> tuple[np.ndarray, np.ndarray]:
        """(times ms, current nA) the source injected, as recorded."""
        raise not_available(self, "recording a current source")

    # -- provenance ---------------------------------------------------------------------
    def simulator_version(self) -> str:
        """The simulator's own version string ("" when it has none)."""
        return ""

    def settings(self) -> dict[str, Any]:
        """The effective configuration of this simulation (defaults filled in), for the
        provenance record: JSON-able values only."""
        return {}

    def seeds(self) -> dict[str, int]:
        """The seeds the simulator actually used (e.g. NEST's ``rng_seed``)."""
        return {}

    def provenance_details(self, bio_runtime: float) -> dict[str, Any] | None:
        """Backend-specific facts for the provenance record (the chip's mapping report)."""
        return None
