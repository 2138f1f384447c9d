"""The NEST backend: realises the network description with PyNEST 3, in bulk.

Every object the backend makes is a handle in ``self._log`` (creation order).  ``reset()``
snapshots the connections, calls ``ResetKernel`` and replays the log, so a reset network
is exactly a fresh one (same node ids, same RNG stream, same weights), with no
``t_flush`` workaround.  Static projections keep what they gave ``nest.Connect``
(``connection_store.py``): they are read, written and replayed from there, since PyNEST
reads connections only one status dictionary at a time.

How spike sources reach their targets (directly, through one shared generator, or
through parrot neurons) is in ``source_routing.py``; the handles in ``handles.py``.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from pynn_uni import errors
from pynn_uni.common.backend import (
    Backend,
    ConnectionArrays,
    PopulationSpec,
    ProjectionSpec,
    SourceSpec,
    index_of,
)
from pynn_uni.common.interrupt import Pacer, deferred_sigint, steps_of
from pynn_uni.common.units import scale
from pynn_uni.nest import electrodes, node_status, parallel, synapses
from pynn_uni.nest import translations as tr
from pynn_uni.nest.connection_store import STATIC_MODELS, Made, Redrawn, concatenate
from pynn_uni.nest.handles import (
    GapHandle,
    OwnHandle,
    PopHandle,
    ProjHandle,
    RecordHandle,
    RelayHandle,
    SharedModels,
    ShareHandle,
    SourceHandle,
    array_valued,
    read_connections,
    snapshot_of,
    write_connections,
)
from pynn_uni.nest.native import NativeCellType
from pynn_uni.nest.source_routing import IDLE, VIRTUAL_IDS, SourceRouting, defers

_SETUP_OPTIONS = {
    "timestep",
    "min_delay",
    "max_delay",
    "threads",
    "rng_seed",
    "rng_type",
    "verbosity",
    "spike_precision",
    "t_flush",
    "recording_precision",
    "grng_seed",
    "rng_seeds",
    "rng_seeds_seed",
    "progress",
    "virtual_processes",
}
#: NEST's seed when setup() gives none (PyNN's NEST backend uses NEST's own default, 42 too)
DEFAULT_RNG_SEED = 42


def _nest():
    parallel.refuse_without_mpi()  # (a NEST without MPI exits at import under mpirun)
    os.environ.setdefault("PYNEST_QUIET", "1")  # no banner
    import nest  # lazily: importing pynn_uni.nest must stay cheap

    return nest


class NestBackend(SourceRouting, Backend):
    """PyNEST 3 realisation of the backend protocol (see pynn_uni.common.backend)."""

    name = "NEST"
    #: setup() keywords this backend acts on (the common layer drops or warns on others)
    setup_options = frozenset(_SETUP_OPTIONS)

    def __init__(self):
        self.nest = _nest()
        self._log: list = []
        self._pops: list[PopHandle] = []
        self._next_label = 1
        self._config: dict = {}
        #: NEST's (min, max) delay once its first Simulate fixed them; None before
        self._fixed: tuple[float, float] | None = None
        self._quantum = 1  # min_delay in steps, once fixed
        self._pacer = Pacer()
        #: changes whenever NEST may order connections anew (GetConnections' order holds
        #: within one version); ``_unsorted``: connections made since NEST last sorted them
        self._version, self._unsorted = 0, False
        #: connections made (not replayed), runs started, and whether NEST sorted the
        #: connections since the kernel was (re)built: see ``_order_key``
        self._epoch, self._runs, self._sorted = 0, 0, False
        self._kernels = 0  # resets so far (each replays the network into a fresh kernel)
        self._ms_per_step = 0.1
        self._models = SharedModels()

    # -- kernel ------------------------------------------------------------------------
    def setup(self, config: dict[str, Any]) -> None:
        unknown = set(config) - _SETUP_OPTIONS
        if unknown:
            raise errors.NonExistentParameterError(
                sorted(unknown)[0], "setup() on NEST", sorted(_SETUP_OPTIONS)
            )
        self._config = dict(config)
        self.mpi = parallel.Distribution(self.nest)  # refuses mpirun without an MPI NEST
        self.spike_precision = self._config.get("spike_precision", "off_grid")
        tr.precise_model("", self.spike_precision)  # refuses an unknown value
        self._log, self._pops, self._pending = [], [], []
        self._next_virtual = VIRTUAL_IDS
        self._models = SharedModels()
        self._fixed = None
        self._pacer = Pacer()  # slice lengths for Ctrl-C (measured speed of this network)
        self._reset_kernel()

    spike_precision = "off_grid"  # PyNN 0.13's NEST default: precise-timing models

    def fixed_delays(self) -> tuple[float, float] | None:
        return self._fixed

    def settings(self) -> dict[str, Any]:
        """setup()'s keywords with NEST's defaults filled in (seed, threads, precision)."""
        out = {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in self._config.items()
            if isinstance(v, (str, int, float, bool, list, tuple))
        }
        out["rng_seed"] = int(self._config.get("rng_seed", DEFAULT_RNG_SEED))
        out["threads"] = int(self.nest.GetKernelStatus("local_num_threads"))
        out["spike_precision"] = self.spike_precision
        return out

    def seeds(self) -> dict[str, int]:
        if not self._config:  # no setup() yet: NEST's kernel holds no seed of ours
            return {}
        return {"rng_seed": int(self.nest.GetKernelStatus("rng_seed"))}

    def simulator_version(self) -> str:
        return f"NEST {self.nest.__version__}"

    def _native_model(self, model: str) -> str:
        """The NEST model that realises ``model`` under the chosen spike precision."""
        return tr.precise_model(model, self.spike_precision)

    def _create(self, model: str, n: int, params: dict | None = None):
        """``nest.Create`` of the precise twin of ``model`` where setup() asked for one."""
        if n == 0:  # NEST refuses to create none; an empty population is PyNN's
            return self.nest.NodeCollection([])
        native = self._native_model(model)
        nodes = node_status.create(self.nest, native, n, params)
        fixed = tr.PRECISE_FIXED.get(native) if self.spike_precision == "off_grid" else None
        if fixed:
            node_status.set_status(nodes, fixed)
        return nodes

    def _reset_kernel(self) -> None:
        nest = self.nest
        nest.ResetKernel()
        nest.verbosity = nest.VerbosityLevel.ERROR
        status = {
            "resolution": self._config["timestep"],
            "rng_seed": _nest_seed(int(self._config.get("rng_seed", DEFAULT_RNG_SEED))),
        }
        if self._config.get("threads"):
            status["local_num_threads"] = int(self._config["threads"])
        if self._config.get("virtual_processes"):  # threads per process follow from it
            status["total_num_virtual_procs"] = self.mpi.virtual_processes(
                int(self._config["virtual_processes"]), self._config.get("threads")
            )
            status.pop("local_num_threads", None)
        if self._config.get("rng_type"):
            status["rng_type"] = self._config["rng_type"]
        nest.SetKernelStatus(status)
        tics_per_ms, tics_per_step = nest.GetKernelStatus(["tics_per_ms", "tics_per_step"])
        self._ms_per_step = tics_per_step / tics_per_ms  # NEST's Range::MS_PER_STEP
        self._version, self._sorted = self._version + 1, False
        lo, hi = self._config.get("min_delay", "auto"), self._config.get("max_delay", "auto")
        if lo != "auto" or hi != "auto":  # NEST wants both, before any connection
            lo = self._config["timestep"] if lo == "auto" else float(lo)
            hi = max(lo, 10.0) if hi == "auto" else float(hi)
            nest.SetKernelStatus({"min_delay": lo, "max_delay": hi})

    def end(self) -> None:
        self._log, self._pops = [], []

    def max_delay(self) -> float:
        return float(self.nest.GetKernelStatus("max_delay"))

    def run_until(self, t: float) -> None:
        """Advance to ``t`` in slices of whole min_delays (``nest.Run`` between one
        ``Prepare`` and ``Cleanup``, as one ``Simulate``), each well under a second of wall
        time, so that Ctrl-C stops the run within one (common/interrupt.py)."""
        nest = self.nest
        if self._fixed is None:
            self._connect_devices()
            self._freeze_delays()
        dt = nest.resolution
        # NEST hands recorded data over one min_delay late: the kernel runs that far ahead
        # of the user's time, and the common layer crops data at the user's time.
        now, last = steps_of(nest.biological_time, dt), steps_of(t + self._fixed[0], dt)
        if last <= now:
            return
        if self._unsorted:  # Prepare sorts the connections made since the last run
            self._version, self._unsorted = self._version + 1, False
        self._runs, self._sorted = self._runs + 1, True
        with deferred_sigint() as flag:
            nest.Prepare()
            try:
                for end in self._pacer.slices(now, last, flag, self._quantum):
                    nest.Run((end - now) * dt)
                    now = end
            finally:
                nest.Cleanup()  # also after an error: NEST stays usable

    def current_time(self) -> float:
        """The user's time: NEST's own, less the min_delay it runs ahead (see run_until)."""
        nest = self.nest
        lead = 0.0 if self._fixed is None else self._fixed[0]
        return max(0, steps_of(nest.biological_time - lead, nest.resolution)) * nest.resolution

    def _device_connect(self, pre, post, conn_spec="all_to_all", before=None) -> None:
        """Connect relays and recorders with the network's own minimum delay.

        A one-step device delay would make it NEST's ``min_delay`` and halve the length of
        its update slices; so these connections wait for the first run, when the network's
        minimum delay is known (``before(delay)`` runs first, e.g. to shift spike times).
        """

        if not (len(pre) and len(post)):  # an empty population: NEST refuses to connect
            return

        def connect(delay):
            if before is not None:
                before(delay)
            self.nest.Connect(pre, post, conn_spec, syn_spec={"delay": delay})

        if self._fixed is None:
            self._pending.append(connect)
        else:
            connect(self._fixed[0])

    def _connect_devices(self) -> None:
        self._connect_direct_sources()
        lo = self.nest.GetKernelStatus("min_delay")
        delay = max(float(lo), self.nest.resolution)
        for connect in self._pending:
            connect(delay)
        self._pending = []

    def _freeze_delays(self) -> None:
        """NEST fixes its delay range at the first Simulate; remember it for clear errors,
        and slice runs on its min_delay grid (its update cycle)."""
        lo, hi = self.nest.GetKernelStatus(["min_delay", "max_delay"])
        self._fixed = (float(lo), float(hi))
        self._quantum = max(1, steps_of(self._fixed[0], self.nest.resolution))
        # MPI ranks would cut different slices (and pynn_uni.nest has no channel to agree)
        self._pacer.whole = self.nest.NumProcesses() > 1

    def reset(self) -> None:
        for h in self._log:
            if isinstance(h, ProjHandle) and h.made is None:  # plastic: as NEST has them now
                conns = self._connections(h)
                h.snapshot = snapshot_of(conns) if len(conns) else None
        self._reset_kernel()
        self._kernels += 1
        self._pending = []  # device connections of the old kernel; the replay makes them anew
        # nodes first, in their original order (so ids repeat), then the projections
        for h in self._log:
            if not isinstance(h, ProjHandle):
                self._realise(h)
        for h in self._log:
            if isinstance(h, ProjHandle):
                self._realise(h)

    def _realise(self, h) -> None:
        if isinstance(h, PopHandle):
            self._realise_population(h)
        elif isinstance(h, ProjHandle):
            self._realise_model(h)
            for m in h.made or ():
                self._connect_native(
                    h,
                    m.sources.array(),
                    m.targets.array(),
                    m.native(self._ms_per_step, full=True),
                    log=False,
                )
            if h.snapshot is not None:
                self._connect_native(h, *h.snapshot, log=False)
                h.snapshot = None
        elif isinstance(h, SourceHandle):
            self._realise_source(h)
        elif isinstance(h, RecordHandle):
            self._realise_recorder(h)
        elif isinstance(h, ShareHandle):
            self._realise_share(h)
        elif isinstance(h, OwnHandle):
            self._realise_own(h.pop)
        elif isinstance(h, RelayHandle):
            self._make_relay(h.pop)
        elif isinstance(h, GapHandle):
            self._create("parrot_neuron", h.n)  # unconnected: they never fire

    # -- cells -------------------------------------------------------------------------------
    def _check_model(self, celltype) -> str:
        """The NEST model of a cell type (NotSupportedError naming what is missing)."""
        if isinstance(celltype, NativeCellType):
            return celltype.nest_model
        return self._native_model(self._translation(celltype).native)

    @staticmethod
    def _translation(celltype):
        """The cell type's translation table entry; NotSupportedError naming what is missing."""
        if isinstance(celltype, NativeCellType):
            return None
        t = tr.translation_for(celltype)
        if t.native is None:
            raise errors.NotSupportedError(
                f"{type(celltype).__name__} is not available on NEST: {t.unsupported}"
            )
        return t

    def create(self, spec: PopulationSpec, params: dict[str, Any]) -> PopHandle:
        if spec.options:
            raise errors.NotSupportedError(
                f"Population {spec.label!r}: option {sorted(spec.options)[0]!r} is not "
                "available on NEST"
            )
        h = PopHandle(spec, self._check_model(spec.celltype), params)
        if defers(h):
            h.deferred = True
            h.ids = np.arange(self._next_virtual, self._next_virtual + h.n, dtype=np.int64)
            self._next_virtual += h.n
        before = self.nest.network_size
        try:
            with self._refused(f"Population {spec.label!r} ({spec.model})"):
                self._realise_population(h)
        except errors.InvalidParameterValueError:
            made = self.nest.network_size - before
            if made:  # ids NEST used up: keep them used up after a reset too
                self._log.append(GapHandle(made))
            raise
        self._log.append(h)
        self._pops.append(h)
        return h

    def _native_params(self, celltype, params: dict) -> dict:
        if isinstance(celltype, NativeCellType):
            return dict(params)
        return tr.to_native(self._translation(celltype), params)

    def _set_nodes(self, nodes, native: dict, n: int, model: str) -> None:
        """Set native values: scalars for all, per-node arrays as lists, array-valued
        parameters (GIF kernels, multisynapse receptors) as one value per node."""
        per_node = {}
        arrays = array_valued(self.nest, model)
        for k, v in native.items():
            if k in arrays:
                v = np.asarray(v, float)
                if v.ndim == 2:
                    per_node[k] = list(v)
                else:
                    per_node[k] = [v] * n
            elif np.ndim(v):
                per_node[k] = np.asarray(v).tolist()
            else:
                node_status.set_status(nodes, {k: v})
        if per_node:
            node_status.set_status(nodes, [{k: per_node[k][i] for k in per_node} for i in range(n)])

    def _realise_population(self, h: PopHandle) -> None:
        h.recorders = {}
        h.parrots = h.relay_gens = None
        if h.deferred:  # its ids are kept; its nodes come when needed (source_routing.py)
            h.nodes = h.own = h.senders = None
            return
        if h.n == 0:  # NEST refuses Create(model, 0): nothing to create, set or translate
            h.nodes = self.nest.NodeCollection([])
        elif h.model == "spike_generator":
            h.nodes = self._create(h.model, h.n)
            self._set_spike_times(h, h.nodes, h.params.get("spike_times"), h.n)
        else:
            h.nodes = self._create_cells(h)
        if h.silenced:  # replaced by a relay fed from fresh generators
            node_status.set_status(h.nodes, IDLE)
        h.ids = h.own = h.senders = node_status.node_ids(h.nodes)

    def _create_cells(self, h: PopHandle):
        """The population's nodes with its values: the common ones at creation."""
        native = self._native_params(h.celltype, h.params)
        arrays = array_valued(self.nest, h.model)
        scalars = {k: v for k, v in native.items() if np.ndim(v) == 0 and k not in arrays}
        nodes = node_status.create(self.nest, h.model, h.n, scalars)
        rest = {k: v for k, v in native.items() if k not in scalars}
        if rest:
            self._set_nodes(nodes, rest, h.n, h.model)
        if h.initial:
            node_status.set_status(nodes, h.initial)
        return nodes

    def ids(self, handle: PopHandle) -> np.ndarray:
        return handle.ids

    def local_mask(self, handle: PopHandle) -> np.ndarray:
        if handle.deferred:  # generators, like every device, are on every rank
            return np.ones(handle.n, bool)
        return self.mpi.owns(handle.ids)

    def native_handle(self, handle: PopHandle):
        if handle.parrots is not None:
            return handle.parrots
        self._own_generators(handle)
        return handle.nodes

    def native_cell(self, handle: PopHandle, index: int):
        """Cell ``index`` as a one-node NodeCollection (``ID._cell``)."""
        return self.native_handle(handle)[int(index)]

    def set(
        self, handle: PopHandle, idx: np.ndarray, params: dict[str, Any], changed: Sequence[str]
    ) -> None:
        h, celltype = handle, handle.celltype
        h.params = params
        if h.model == "spike_generator":
            nodes = h.nodes if len(idx) == h.n else h.nodes[np.asarray(idx).tolist()]
            st = params["spike_times"]
            st = st[idx] if isinstance(st, np.ndarray) else st
            self._set_spike_times(h, nodes, st, len(idx))
            if h.relay_gens is not None and self._fixed is not None:
                relay = h.relay_gens if len(idx) == h.n else h.relay_gens[np.asarray(idx).tolist()]
                self._set_spike_times(h, relay, st, len(idx), shift=h.relay_delay)
            return
        selected = {
            k: v[idx] if isinstance(v, np.ndarray) and v.shape == (h.n,) else v
            for k, v in params.items()
        }
        native = self._native_params(celltype, selected)
        if h.relay == "shared":
            if len(idx) == h.n and not any(np.ndim(v) for v in native.values()):
                h.shared.set(native)
                return
            self._ensure_relay(h)  # cells now differ: one generator each again
        nodes = h.nodes if h.relay_gens is None else h.relay_gens
        if nodes is None:  # deferred: its generators will be made from h.params
            return
        if len(idx) != h.n:
            nodes = nodes[np.asarray(idx).tolist()]
        with self._refused(f"{type(celltype).__name__}.set({', '.join(sorted(changed))})"):
            self._set_nodes(nodes, native, len(idx), h.model)

    @contextlib.contextmanager
    def _refused(self, what: str):
        """NEST's own consistency checks (e.g. V_reset < V_th) as a pynn_uni error that
        names what was being built or set, raised before anything runs."""
        try:
            yield
        except self.nest.NESTError as e:
            raise errors.InvalidParameterValueError(
                f"{what}: NEST refused the values: {getattr(e, 'errormessage', e)}"
            ) from e

    def initialize(self, handle: PopHandle, values: dict[str, Any]) -> None:
        h, celltype = handle, handle.celltype
        if celltype.is_spike_source:
            return
        native = {}
        for name, v in values.items():
            if isinstance(celltype, NativeCellType):
                nname, factor = name, 1.0
            else:
                nname, factor = tr.state_to_native(self._translation(celltype), name)
            if nname is not None:
                native[nname] = np.asarray(v, dtype=float) * factor
        h.initial.update(native)
        if native:
            node_status.set_status(h.nodes, native)

    # -- recording ---------------------------------------------------------------------------
    def record(self, handle: PopHandle, variable: str, idx: np.ndarray, interval: float) -> None:
        h = handle
        if variable == "spikes":
            self._ensure_relay(h)
        new = np.asarray(idx, dtype=np.int64)
        already = h.recorded_idx.get(variable, np.empty(0, np.int64))
        fresh = np.setdiff1d(new, already)
        h.recorded_idx[variable] = np.union1d(already, new)
        h.interval = interval
        if variable in h.recorders:
            h.recorders[variable].set(stop=np.finfo(float).max)  # undo record(None)
            if fresh.size:
                self._connect_recorder(h, variable, fresh)
        else:
            r = RecordHandle(h, variable)
            self._realise_recorder(r)
            self._log.append(r)

    def _realise_recorder(self, r: RecordHandle) -> None:
        nest, h = self.nest, r.pop
        if r.variable == "spikes":
            h.recorders["spikes"] = nest.Create("spike_recorder")
        else:
            native = self._recordable(h.celltype, r.variable)[0]
            h.recorders[r.variable] = nest.Create(
                "multimeter", params={"record_from": [native], "interval": h.interval}
            )
        self._connect_recorder(h, r.variable, h.recorded_idx[r.variable])

    def _connect_recorder(self, h: PopHandle, variable: str, idx) -> None:
        nest = self.nest
        rec = h.recorders[variable]
        idx = np.asarray(idx, dtype=np.int64)
        if variable == "spikes":
            senders = nest.NodeCollection(np.unique(h.senders[idx]).tolist())
            self._device_connect(senders, rec)
        else:
            self._device_connect(rec, h.nodes[idx.tolist()])

    def _recordable(self, celltype, variable: str):
        """(NEST recordable, NEST -> standard factor)."""
        if isinstance(celltype, NativeCellType):
            return variable, 1.0
        return tr.recordable_native(self._translation(celltype), variable)

    def stop_recording(self, handle: PopHandle, variable: str) -> None:
        rec = handle.recorders.get(variable)
        if rec is not None:
            rec.set(stop=self.nest.biological_time)

    def spikes(self, handle: PopHandle) -> tuple[np.ndarray, np.ndarray]:
        h = handle
        rec = h.recorders.get("spikes")
        if rec is None:
            return np.empty(0, np.int64), np.empty(0)
        ev = rec.get("events")
        rec.set(n_events=0)
        senders = np.asarray(ev["senders"], dtype=np.int64)
        idx, times = index_of(h.senders, senders), np.asarray(ev["times"], dtype=float)
        return self.mpi.gather_spikes(idx, times) if self.mpi.parallel else (idx, times)

    def signals(
        self, handle: PopHandle, variable: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        h = handle
        rec = h.recorders.get(variable)
        empty = (np.empty(0), np.empty((0, 0)), np.empty(0, np.int64))
        if rec is None:
            return empty
        native, factor = self._recordable(h.celltype, variable)
        ev = rec.get("events")
        rec.set(n_events=0)
        senders = np.asarray(ev["senders"], dtype=np.int64)
        if senders.size == 0:  # (under MPI other ranks may hold columns)
            return self.mpi.gather_signals(*empty)
        times = np.asarray(ev["times"], dtype=float)
        values = np.asarray(ev[native], dtype=float) * factor
        columns, col = np.unique(senders, return_inverse=True)
        utimes, row = np.unique(times, return_inverse=True)
        matrix = np.full((utimes.size, columns.size), np.nan)
        matrix[row, col] = values
        return self.mpi.gather_signals(utimes, matrix, index_of(h.ids, columns))

    # -- connections -----------------------------------------------------------------------------
    def check_synapse(self, spec: ProjectionSpec) -> None:
        synapses.synapse_model(spec)

    def new_projection(self, spec: ProjectionSpec) -> ProjHandle:
        h = ProjHandle(self._next_label, spec, synapses.synapse_model(spec))
        self._next_label += 1
        if h.synapse_model in STATIC_MODELS:
            h.made = []
        if any(pop.relay != "none" for pop in spec.pre.handles):
            h.labelled, h.nest_model = True, h.synapse_model + "_lbl"
        elif h.made is not None:
            model = f"{h.synapse_model}__pynn_uni"
            if self._models.claim(model, spec.pre.ids, spec.post.ids):
                h.shared, h.nest_model = True, model
        self._realise_model(h)
        self._log.append(h)
        return h

    def _realise_model(self, h: ProjHandle) -> None:
        if h.labelled or (h.shared and h.nest_model in self.nest.synapse_models):
            return
        self.nest.CopyModel(h.synapse_model, h.nest_model)

    def local_blocks(self, spec: ProjectionSpec) -> bool:
        """Connections from neurons: yes (NEST keeps each on its target's rank).  From
        generators: no, since whether one needs a relay depends on all its targets."""
        return all(pop.relay == "none" for pop in spec.pre.handles)

    def connect(self, handle: ProjHandle, block: ConnectionArrays) -> None:
        if len(block) == 0:
            return
        h, spec = handle, handle.spec
        pre_ids = spec.pre.ids[block.pre]
        pops = spec.pre.handles
        for pop in pops:
            if pop.relay != "none":
                self._choose_relay(pop, h, block, single=len(pops) == 1)
            if pop.relay == "direct" and self._fixed is not None:  # connected right now
                self._own_generators(pop)
            if pop.senders is not None and pop.senders is not pop.ids:  # parrots, own gens
                pre_ids = self._to_senders(pop, pre_ids)
        native = synapses.to_native(spec, block)
        targets = spec.post.ids[block.post]
        synapses.prepare_targets(spec, block.params, targets, self.nest)
        h.described.update(synapses.unstored(spec, block.params))
        direct = pops[0] if len(pops) == 1 and pops[0] in h.direct_from else None
        if direct is not None and self._fixed is None:
            direct.pending.append((h, block.pre, targets, native))
            return
        origin = None
        if block.origin is not None and direct is None and h.made is not None:
            replay, index = block.origin
            if h.redrawn is None or h.redrawn.replay is not replay:
                h.redrawn = Redrawn(replay, functools.partial(synapses.to_native, spec))
            h.redrawn.expect(index, block)
            origin = (h.redrawn, index)
        self._connect_native(h, pre_ids, targets, native, direct=direct, origin=origin)

    def _connect_native(
        self, h: ProjHandle, source, target, params: dict, direct=None, pre=None, log=True,
        origin=None,
    ) -> None:  # fmt: skip
        """One ``nest.Connect``; a static projection keeps what it gave (``log=False``: a
        replay of what it kept).  Under MPI it keeps only the connections NEST keeps here."""
        source, target = np.asarray(source, np.int64), np.asarray(target, np.int64)
        if self.mpi.parallel and len(target):  # NEST makes a connection on its target's rank
            keep, n = self.mpi.owns(target), len(target)
            source, target = source[keep], target[keep]
            params = {k: np.broadcast_to(np.asarray(v), (n,))[keep] if np.ndim(v) else v
                      for k, v in params.items()}  # fmt: skip
            pre = None if pre is None else np.asarray(pre)[keep]
        if log and h.made is not None and len(target):
            if self.mpi.parallel:
                origin = None  # (the block was filtered to this rank's connections)
            spm = 1.0 / self._ms_per_step
            h.made.append(Made(source, target, params, spm, direct, pre, origin))
        if log:  # a replay repeats the connections in the order they were first made
            self._epoch += 1
            if h.shared:
                self._models.connected(h.nest_model, h.label, self._runs, h.first_run is None)
            if h.first_run is None:
                h.first_run = self._runs
            h.mixed |= h.first_run != self._runs
        syn = dict(params, synapse_model=h.nest_model)
        if h.labelled:
            syn["synapse_label"] = h.label
        if len(target):  # (under MPI, none of a block's targets may be on this rank)
            self.nest.Connect(source, target, "one_to_one", syn_spec=syn)
        self._version, self._unsorted, self._sorted = self._version + 1, True, False

    def disconnect(self, handle: ProjHandle) -> None:
        conns = self._connections(handle)
        if len(conns):
            self.nest.Disconnect(conns)
        if handle.made is not None:
            handle.made = []
        self._version, self._epoch = self._version + 1, self._epoch + 1

    def _connections(self, handle: ProjHandle):
        if handle.labelled:
            return self.nest.GetConnections(synapse_label=handle.label)
        if handle.shared:  # (pre and post are not empty: see SharedModels.claim)
            pre, post = (self.nest.NodeCollection(np.unique(s.ids).tolist())
                         for s in (handle.spec.pre, handle.spec.post))  # fmt: skip
            return self.nest.GetConnections(pre, post, synapse_model=handle.nest_model)
        return self.nest.GetConnections(synapse_model=handle.nest_model)

    def native_connections(self, handle: ProjHandle):
        """The projection's SynapseCollection.  Values may be changed through it, so from
        now on the projection is read from NEST, not from what it gave nest.Connect."""
        handle.made = None
        return self._connections(handle)

    def native_synapse_model(self, handle: ProjHandle) -> str:
        return handle.nest_model

    def connection_values(
        self, handle: ProjHandle, names: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Static projections: from what they gave nest.Connect (kept ones' order, pending
        direct connections last); plastic ones: from NEST, in one call."""
        h, spec = handle, handle.spec
        keys = synapses.native_names(spec, names)
        if h.made is not None:
            pre, post, native = self._kept(h, keys)
        else:
            pre, post, native = self._read(h, self._live_connections(h), keys)
        if self.mpi.parallel:  # each rank holds the connections onto its own cells
            pre, post, native = self.mpi.gather_connections(pre, post, native)
        return pre, post, synapses.from_native(spec, native, names, post, h.described)

    def _read(self, h: ProjHandle, conns, keys) -> tuple[np.ndarray, np.ndarray, dict]:
        """(pre, post, native values) of ``conns`` as NEST reports them, in its order."""
        spec = h.spec
        if len(conns) == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64), {k: np.empty(0) for k in keys}
        data = read_connections(conns, ["source", "target", *keys])
        source = data["source"].astype(np.int64)
        target = data["target"].astype(np.int64)
        pops = spec.pre.handles
        pre = index_of(spec.pre.ids, self._from_senders(pops, source))
        for pop in pops:
            if pop.relay == "shared" and h.label in pop.shared_pairs:
                mine = source == pop.shared.tolist()[0]
                local, _ = self._shared_pre(pop, h.label, target[mine])
                pre[mine] = index_of(spec.pre.ids, pop.ids[local])
        post = index_of(spec.post.ids, target)
        return pre, post, {k: data[k].astype(float) for k in keys}

    def _kept(self, h: ProjHandle, keys=None) -> tuple[np.ndarray, np.ndarray, dict]:
        """(pre, post, native values) of a static projection from what it gave nest.Connect:
        the live kept connections in the order made, then those waiting for the first run."""
        spec, spm = h.spec, 1.0 / self._ms_per_step
        made = [m for m in h.made if not m.dead]
        waiting = [Made(np.zeros(len(t), np.int64), t, native, spm, pre=pre)
                   for pop in spec.pre.handles for p, pre, t, native in pop.pending
                   if p is h]  # fmt: skip
        entries = made + waiting
        n = sum(len(m) for m in entries)
        pre = np.empty(n, np.int64)
        if n:
            shared = np.concatenate([np.full(len(m), m.pre is not None) for m in entries])
            if not shared.all():
                senders = np.concatenate([m.sources.array() for m in entries if m.pre is None])
                senders = self._from_senders(spec.pre.handles, senders)
                pre[~shared] = index_of(spec.pre.ids, senders)
            if shared.any():
                pre[shared] = np.concatenate([m.pre.array() for m in entries if m.pre is not None])
        targets = np.concatenate([m.targets.array() for m in entries]) if n else pre
        post = index_of(spec.post.ids, targets)
        parts = [m.native(self._ms_per_step, keys) for m in entries]
        native = concatenate(parts, [len(m) for m in entries])
        if not entries and keys is not None:
            native = {k: np.empty(0) for k in keys}
        return pre, post, native

    def _live_connections(self, h: ProjHandle):
        sources = self._live_sources(h.spec.pre.handles)
        if sources is None:
            return self._connections(h)
        return self.nest.GetConnections(source=sources, synapse_label=h.label)

    def set_connection_values(self, handle: ProjHandle, values: dict[str, np.ndarray]) -> None:
        h, spec = handle, handle.spec
        if self.mpi.parallel:  # values in connection_values' gathered order: this rank's
            if h.made is not None:
                pre, post, _ = self._kept(h, [])
            else:
                pre, post, _ = self._read(h, self._live_connections(h), [])
            mine = self.mpi.gather_connections(pre, post, {}, positions=True)[3]
            values = {k: np.asarray(v)[mine] if np.ndim(v) else v for k, v in values.items()}
        conns = self._live_connections(h)
        kept = None if h.made is None else self._keep_set(h, conns, values)
        if kept is None:  # read from NEST
            targets = read_connections(conns, ["target"])["target"].astype(np.int64)
            post, order = index_of(spec.post.ids, targets), slice(None)
        else:
            post, order = kept
        native = synapses.to_native(spec, ConnectionArrays(np.zeros_like(post), post, values))
        if len(conns):
            write_connections(conns, {k: np.asarray(v)[order] for k, v in native.items()})
        synapses.prepare_targets(spec, values, spec.post.ids[post], self.nest)
        h.described.update(synapses.unstored(spec, values))

    def _keep_set(self, h: ProjHandle, conns, values: dict):
        """Keep new values of a static projection (``values`` in ``_kept`` order); return
        (post indices, the positions of NEST's connections in that order), or None when
        NEST's connections are no longer those kept (then the projection is read from NEST
        from now on)."""
        spec, spm = h.spec, 1.0 / self._ms_per_step
        pre, post, kept = self._kept(h, ["weight", "delay"])
        made = [m for m in h.made if not m.dead]
        waiting = [native for pop in spec.pre.handles for p, _, _, native in pop.pending
                   if p is h]  # fmt: skip
        n = sum(len(m) for m in made)
        kept = {k: np.broadcast_to(np.asarray(v, float), post.shape)[:n] for k, v in kept.items()}
        order = self._nest_order(h, conns, pre[:n], post[:n], kept)
        if order is None:
            h.made = None
            return None
        native = synapses.to_native(spec, ConnectionArrays(np.zeros_like(post), post, values))
        native = {k: np.broadcast_to(np.asarray(v), post.shape) for k, v in native.items()}
        start = 0
        for m in made:
            m.update({k: v[start : start + len(m)] for k, v in native.items()}, spm)
            start += len(m)
        for w in waiting:  # values of connections the first run makes
            size = len(next(iter(w.values())))
            w.update({k: np.array(v[start : start + size]) for k, v in native.items()})
            start += size
        return post, order

    def _nest_order(self, h: ProjHandle, conns, pre, post, kept: dict) -> np.ndarray | None:
        """Positions, among the kept connections, of NEST's connections in GetConnections'
        order: read from NEST once (matched by pre, post, delay and weight) and kept until
        NEST may order them anew (a connection made, the first run after it, a reset)."""
        if h.nest_order is not None and h.nest_order[0] == self._order_key(h):
            return h.nest_order[1]
        nest_pre, nest_post, native = self._read(h, conns, ["weight", "delay"])
        theirs = np.lexsort((native["weight"], native["delay"], nest_post, nest_pre))
        ours = np.lexsort((kept["weight"], kept["delay"], post, pre))
        pairs = ((nest_pre, pre), (nest_post, post), (native["weight"], kept["weight"]),
                 (native["delay"], kept["delay"]))  # fmt: skip
        if len(theirs) != len(ours) or not all(
            np.array_equal(a[theirs], b[ours]) for a, b in pairs
        ):
            return None  # changed through nest.GetConnections(...).set behind our back
        order = np.empty(len(ours), np.int64)
        order[theirs] = ours
        h.nest_order = (self._order_key(h), order)
        return order

    def _order_key(self, h: ProjHandle) -> tuple:
        """What fixes the order of NEST's connections of ``h``: the sequence they were
        made in, whether NEST has sorted them (by source, at a run), and the kernel they
        live in: a reset replays the same sequence, but with threads NEST's sort at the
        next run need not order connections of one source as before (seen with 2
        threads), so the order is read anew after a reset.  Connections that share a
        labelled model with other projections', or a shared model whose projections'
        connections were interleaved with runs (``SharedModels``), follow every change."""
        if h.labelled or h.mixed or (h.shared and h.nest_model in self._models.mixed):
            return ("version", self._version)
        return ("made", self._epoch, self._sorted, self._kernels)

    # -- current sources ---------------------------------------------------------------------------
    def inject(self, spec: SourceSpec, target: PopHandle, idx: np.ndarray) -> SourceHandle:
        h = SourceHandle(spec, target, np.asarray(idx, dtype=np.int64))
        self._realise_source(h)
        self._log.append(h)
        return h

    def _source_delay(self) -> float:
        """Delay of a new current source's connection: setup()'s min_delay; with 'auto' one
        step, or the minimum NEST fixed at the first run (it refuses shorter ones then)."""
        lo = self._config.get("min_delay", "auto")
        if lo != "auto":
            return float(lo)
        return self.nest.resolution if self._fixed is None else self._fixed[0]

    def _source_params(self, h: SourceHandle) -> tuple[str, dict]:
        nest = self.nest
        return electrodes.source_to_native(h.spec, nest.resolution, h.delay, nest.biological_time)

    def _realise_source(self, h: SourceHandle) -> None:
        nest = self.nest
        if h.delay is None:  # kept across reset(): the replay repeats the same timing
            h.delay = self._source_delay()
        model, params = self._source_params(h)
        h.device = nest.Create(model, params=params)
        if h.idx.size:  # no cells (an empty population or view): NEST refuses to connect
            nest.Connect(h.device, h.target.nodes[h.idx.tolist()], syn_spec={"delay": h.delay})
        if h.meter is not None:
            self.record_source(h)

    def update_source(self, handle: SourceHandle, parameters: Mapping[str, Any]) -> None:
        handle.spec = SourceSpec(handle.spec.source_type, dict(parameters))
        handle.device.set(self._source_params(handle)[1])

    def record_source(self, handle: SourceHandle) -> None:
        nest = self.nest
        handle.meter = nest.Create(
            "multimeter", params={"record_from": ["I"], "interval": nest.resolution}
        )
        nest.Connect(handle.meter, handle.device)

    def source_signal(self, handle: SourceHandle) -> tuple[np.ndarray, np.ndarray]:
        ev = handle.meter.get("events")
        # the device runs one delay early (see electrodes.py): report membrane-side times,
        # with the current zero until the first sample has arrived
        dt, delay = self.nest.resolution, handle.delay
        times = np.asarray(ev["times"], dtype=float) + delay
        values = np.asarray(ev["I"], dtype=float) * scale("pA", "nA")
        lead = np.arange(int(round(delay / dt)) + 1) * dt
        return np.concatenate([lead, times]), np.concatenate([np.zeros(lead.size), values])


def _nest_seed(seed: int) -> int:
    """NEST's kernel seed for ``setup(rng_seed=seed)``: the same number, except 0, which the
    common layer accepts on every backend and NEST refuses; it becomes 2**32 - 1 (so those
    two seeds give NEST the same stream)."""
    return seed if seed else 2**32 - 1
