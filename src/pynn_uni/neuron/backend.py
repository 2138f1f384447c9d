"""The NEURON backend: realises the network description with NEURON's Python API.

Cells are our own mechanisms (``nmodl/``, compiled on first use by ``compile.py``) that
advance on NEST's time grid in NEST's update order, so spike times and membrane traces
match NEST's: ``PynnIF`` (every IF type) is a point process stepped by NEURON's fixed-step
loop, all instances on one segment of a current-free section; ``PynnAdEx``, ``PynnHH``,
``PynnIzh``, ``PynnGIF`` and ``PynnPoint`` (PointNeuron: a LIF or AdExp membrane with up to
10 named receptors) are ARTIFICIAL_CELLs stepped by a self-event per step.  Every mechanism
shares one synapse front end (``nmodl/pynn_synapse.inc``): a NetCon's weight vector carries
Tsodyks-Markram, stochastic or multi-quantal release, drawing from the target cell's own
Random123 stream seeded by (rng seed, cell id), onto every cell type (STDP: PynnIF).  Spike
sources are ``PynnRelay`` cells re-emitting events that the backend queues before each run
(SpikeSourceArray times, or Poisson times drawn with numpy from streams seeded by the rng
seed, the population's first id and a 1 s block index, so a split run equals a single run).
One NetCon per connection.  ``reset()`` re-initialises NEURON (``finitialize``) with the
same objects, so a reset network is exactly a fresh one.
"""

from __future__ import annotations

import gc

import numpy as np

from pynn_uni import errors
from pynn_uni.common.backend import ConnectionArrays
from pynn_uni.neuron import native as native_types
from pynn_uni.neuron import parallel, plasticity, spike_sources
from pynn_uni.neuron import translations as tr
from pynn_uni.neuron.electrodes import CurrentSources, _Source

_SETUP_OPTIONS = {"timestep", "min_delay", "max_delay", "rng_seed", "use_cvode", "rtol", "atol"}
_BLOCK_MS = spike_sources.BLOCK_MS  # random sources are drawn in blocks of this length
_RK4 = ("PynnIF", "PynnAdEx", "PynnHH")  # mechanisms with Runge-Kutta substeps (nsub)
#: point processes advanced by NEURON's fixed-step loop (BREAKPOINT), placed on the clock
#: section; their spikes of a run's last step are flushed by an event (see pynn_if.mod)
_STEPPED = frozenset({"PynnIF"})
_FLUSH = 3  # the receptor of the flush event
_CHUNK = 1 << 16  # connections made per batch of Python NetCon wrappers
_TAU_PSC = 3.0  # ms: Tsodyks-Markram's PSC time constant onto cells without tau_syn
_SYN_STREAM = 1 << 30  # third Random123 id of a cell's stream for stochastic release


def _neuron_h():
    parallel.join_mpi()  # before NEURON loads (a no-op outside mpirun)
    from neuron import h  # lazily: importing pynn_uni.neuron must stay cheap
    from pynn_uni.neuron.compile import load

    load(h)
    h.load_file("stdrun.hoc")
    return h


class _Pop:
    def __init__(self, index, name, celltype, params, n, first_id):
        self.index, self.name, self.celltype, self.params, self.n = (
            index, name, celltype, params, n)  # fmt: skip
        self.ids = np.arange(first_id, first_id + n, dtype=np.int64)
        self.translation = tr.CELLS.get(name)
        self.native = getattr(celltype, "realisation", None)  # native.py: a NEURON-native type
        self.origins: list = []  # native section-based cells: where spikes are detected
        self.is_source = bool(getattr(celltype, "is_spike_source", False))
        self.local = np.ones(n, bool)  # the cells this MPI rank owns
        self.cells: list = []  # hoc objects in index order (None: on another rank)
        self.exchange: list = []  # MPI: the NetCons announcing local cells' spikes
        self.feeds: list = []  # sources: NetCon(None, relay) per cell, for queued spikes
        self.initial: dict[str, np.ndarray] = {}
        self.spike_t = self.spike_i = None
        self.spike_nc: dict[int, object] = {}
        self.flush: dict[int, object] = {}  # stepped cells: NetCon(None, cell) for the flush
        self.spike_read = 0
        self.vectors: dict[str, dict[int, object]] = {}  # variable -> cell index -> Vector
        self.read: dict[str, int] = {}  # variable -> samples already handed over
        self.active: set[str] = set()
        self.recorded_variables: set[str] = set()  # signals ever recorded (on any rank)
        self.interval = None
        self.blocks: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.waves: dict[str, set] = {}  # "ac"/"noise" -> cell indices that have one
        self.upcoming: dict[int, np.ndarray] = {}  # renewal sources: next spikes at block b
        self.stochastic = False  # target of stochastic synapses: its cells' streams are seeded


class _Proj:
    def __init__(self, projection):
        self.projection = projection
        self.kind = type(projection.synapse_type).__name__
        self.receptor = 1 if projection.receptor_type == "inhibitory" else 0
        self.pre = np.empty(0, np.int64)
        self.post = np.empty(0, np.int64)
        self.values: dict[str, np.ndarray] = {}  # weight (uS/nA), delay (ms), ...
        self.shift = 0.0  # NetCon delay = delay - shift (ms)
        self.netcons = []  # a hoc List (new_projection): no Python wrapper per NetCon (96 B)
        self.local_pos = None  # MPI: positions (in pre/post) of the connections in netcons


class NeuronBackend(CurrentSources):
    """NEURON 9 realisation of the backend protocol (see pynn_uni.common.backend)."""

    #: setup() keywords this backend acts on (the common layer drops or warns on others)
    setup_options = frozenset(_SETUP_OPTIONS)

    name = "NEURON"
    frozen_delays = None
    distributed = True  # cells spread over MPI ranks (parallel.py)

    def setup(self, config: dict) -> None:
        unknown = set(config) - _SETUP_OPTIONS
        if unknown:
            raise errors.NonExistentParameterError(
                sorted(unknown)[0], "setup() on NEURON", sorted(_SETUP_OPTIONS)
            )
        self.config = dict(config)
        self.h = h = _neuron_h()
        self.dt = float(config["timestep"])
        h.dt = self.dt
        self.cvode = h.CVode()
        self.cvode.active(bool(config.get("use_cvode", False)))
        rtol, atol = config.get("rtol"), config.get("atol")  # None: NEURON's defaults
        self.cvode.rtol(0.0 if rtol is None else float(rtol))
        self.cvode.atol(1e-3 if atol is None else float(atol))
        self.mpi = parallel.Distribution(h, h.ParallelContext())
        self.pc = self.mpi.pc
        self.pc.set_maxstep(10)
        # Vector.record needs a section in the model; this one carries no current, only
        # the stepped point processes (they inject nothing, so they share its one segment)
        self._clock = h.Section(name="pynn_uni_clock")
        self._tvec = h.Vector()  # the times at which vectors record (since the last init)
        self.native_init = None  # FInitializeHandler for native cells' initial v (native.py)
        self._record(self._tvec, h._ref_t)
        self.pops: list[_Pop] = []
        self.projs: list[_Proj] = []
        self.sources: list[_Source] = []
        self._n_waves = 0
        self.objects = np.empty(0, dtype=object)  # hoc cell object per global id - 1
        self.origins = np.empty(0, dtype=object)  # native.Origin per global id - 1, or None
        self.next_id = 1
        self.t = 0.0
        self.need_init = True
        self.seed = int(config.get("rng_seed", 42))
        # PyNN's NEURON default: a SpikeSourceArray emits (and records) its exact times;
        # the cells, stepped on the grid, take an input at the step nearest its arrival
        self.off_grid = config.get("spike_precision", "off_grid") == "off_grid"

    def end(self) -> None:
        """Free every NEURON object now: the common layer's objects live on in reference
        cycles, and a cell freed later, mid-run of the next network, would leave its pending
        self-events in NEURON's queue (an assertion failure in SelfEvent::deliver)."""
        for pop in self.pops:  # recorded data stay readable (get_data after end())
            pop.vectors = {k: {i: _Kept(v) for i, v in d.items()} for k, d in pop.vectors.items()}
            if pop.spike_t is not None:
                pop.spike_t, pop.spike_i = _Kept(pop.spike_t), _Kept(pop.spike_i)
            pop.cells, pop.feeds, pop.spike_nc, pop.flush = [], [], {}, {}
            pop.exchange, pop.origins = [], []
        self.mpi.clear()
        for proj in self.projs:
            proj.netcons = []
        for src in self.sources:
            src.netcons = []
        self.pops, self.projs, self.sources = [], [], []
        self.objects = self.origins = np.empty(0, dtype=object)
        self._tvec = _Kept(self._tvec)
        self._clock = self.native_init = None
        # native cells with sections usually sit in reference cycles (a Section made with
        # cell=self points back at its cell): collect them now, not mid-run of the next
        # network, where a vanishing section corrupts NEURON's matrix (NaN voltages)
        gc.collect()

    def max_delay(self) -> float:
        delays = [p.values["delay"].max() for p in self.projs if p.pre.size]
        return float(max(delays)) if delays else 10.0

    # -- cells ---------------------------------------------------------------------------
    def check_model(self, celltype) -> str:
        name = type(celltype).__name__
        if getattr(celltype, "realisation", None) is not None:
            return name  # made by pynn_uni.neuron.native_cell_type
        if getattr(celltype, "is_native", False):
            raise errors.NotSupportedError(
                f"{name} is another simulator's native cell type; on NEURON use "
                "pynn_uni.neuron.native_cell_type"
            )
        if name not in tr.CELLS:
            reason = tr.UNSUPPORTED.get(name, "no pynn_uni mechanism for it on NEURON")
            raise errors.NotSupportedError(f"{name} is not available on NEURON: {reason}")
        if name == "PointNeuron":
            tr.check_point_neuron(celltype)
        return name

    def create(self, celltype, params: dict, n: int, label: str = "") -> _Pop:
        name = self.check_model(celltype)
        self._check_not_running(f"Population {label!r} ({name})")
        tr.check(name, params, n)  # malformed parameters: before any NEURON object
        pop = _Pop(len(self.pops), name, celltype, params, n, self.next_id)
        if pop.native is not None:
            return self._add(pop, native_types.create(self, pop))
        h, t = self.h, pop.translation
        make = getattr(h, t.mechanism)
        if t.mechanism in _STEPPED:
            if self.cvode.active():
                raise errors.NotSupportedError(
                    f"{name} on NEURON runs with the fixed-step method only (its cells are "
                    "stepped on NEST's grid): setup() without use_cvode"
                )
            mechanism, host = make, self._clock(0.5)
            make = lambda: mechanism(host)  # noqa: E731
        if self.mpi.parallel:
            pop.local = self.mpi.owns(pop.ids)
            pop.cells = [make() if mine else None for mine in pop.local.tolist()]
            mine = [c for c in pop.cells if c is not None]
            pop.exchange = self.mpi.register(pop.ids[pop.local], mine)
        else:
            pop.cells = [make() for _ in range(n)]
        if pop.is_source:
            pop.feeds = [None if c is None else h.NetCon(None, c) for c in pop.cells]
        else:
            native = self._native(pop, params)
            self._set_params(pop, np.arange(n), {**t.switches, "grid": self.dt, **native})
            if t.mechanism in _RK4:
                self._set_substeps(pop, np.arange(n))
            if t.mechanism in tr.SEEDED:  # its own random stream: (rng_seed, global id)
                self._set_params(pop, np.arange(n), {"seed": self.seed % 2**32, "gid": pop.ids})
        return self._add(pop, [None] * n)

    def _add(self, pop: _Pop, origins: list) -> _Pop:
        objs, where = np.empty(pop.n, dtype=object), np.empty(pop.n, dtype=object)
        objs[:], where[:] = pop.cells, origins
        pop.origins = origins
        self.objects = np.concatenate([self.objects, objs])
        self.origins = np.concatenate([self.origins, where])
        self.next_id += pop.n
        self.pops.append(pop)
        return pop

    def _native(self, pop: _Pop, params: dict) -> dict:
        """Mechanism values from standard parameters."""
        if pop.name == "PointNeuron":
            return tr.point_neuron(pop.celltype, params, self.dt)
        return tr.to_native(pop.name, params)

    @staticmethod
    def _set_params(pop: _Pop, idx, params: dict) -> None:
        idx = _local(pop, idx)
        cells = [pop.cells[i] for i in idx]
        for k, v in params.items():
            values = np.broadcast_to(np.asarray(v, dtype=float), (pop.n,))[idx]
            if k.endswith("]"):  # an array element, "name[i]"
                k, j = k[:-1].split("[")
                for c, x in zip(cells, values.tolist(), strict=True):
                    getattr(c, k)[int(j)] = x
                continue
            for c, x in zip(cells, values.tolist(), strict=True):
                setattr(c, k, x)

    def _set_substeps(self, pop: _Pop, idx) -> None:
        """Runge-Kutta substeps per time step: each at most a tenth of the fastest time
        constant (RK4 error per substep ~ 1e-7 relative; traces stay ~1e-3 mV of exact)."""
        names = ("tau_m", "tau_syn_E", "tau_syn_I", "tau_w")
        native = tr.to_native(pop.name, pop.params)
        taus = [native[k] for k in names if k in native]
        fastest = np.min(np.broadcast_arrays(*[np.asarray(t, float) for t in taus]), axis=0)
        nsub = np.maximum(1, np.ceil(10.0 * self.dt / np.broadcast_to(fastest, (pop.n,))))
        if pop.translation.mechanism in ("PynnAdEx", "PynnHH"):  # spikes: <= 0.01 ms substeps
            nsub = np.maximum(nsub, np.ceil(self.dt / 0.01 - 1e-9))
        self._set_params(pop, idx, {"nsub": nsub})

    def ids(self, h: _Pop) -> np.ndarray:
        return h.ids

    def local_mask(self, h: _Pop) -> np.ndarray:
        return h.local

    def native_handle(self, h: _Pop):
        """The population's NEURON objects (PynnIF or PynnRelay), in index order."""
        return h.cells

    def native_cell(self, h: _Pop, index: int):
        """Cell ``index``'s object: PynnIF, PynnRelay, ... or a native type's instance."""
        return h.cells[int(index)]

    def set(self, h: _Pop, celltype, idx, params: dict, changed) -> None:
        if h.native is not None:
            h.params = params
            native_types.set_params(self, h, idx, params, changed)
            return
        tr.check(h.name, params, h.n)
        h.params = params
        if h.is_source:
            h.blocks = {b: v for b, v in h.blocks.items() if (b + 1) * _BLOCK_MS <= self.t}
            return
        native = self._native(h, params)
        if h.name not in tr.TRANSFORMS and h.name != "PointNeuron":
            native = {k: native[k] for k in changed}
        self._set_params(h, np.asarray(idx), native)
        if h.translation.mechanism in _RK4:
            self._set_substeps(h, np.asarray(idx))

    def initialize(self, h: _Pop, celltype, values: dict) -> None:
        if h.native is not None:
            native_types.initialize(self, h, values)
            return
        if h.is_source:
            return
        for name, v in values.items():
            native = h.translation.initial.get(name)
            if native is None:
                continue
            v = np.broadcast_to(np.asarray(v, dtype=float), (h.n,))
            h.initial[name] = v.copy()
            self._set_params(h, np.arange(h.n), {native: v})
            if not self.need_init:  # mid-run: set the state now as well
                self._set_params(h, np.arange(h.n), {h.translation.recordables[name]: v})

    # -- recording -----------------------------------------------------------------------
    def record(self, h: _Pop, celltype, variable: str, idx, interval: float) -> None:
        hoc = self.h
        h.interval = interval
        if variable == "spikes":
            if h.spike_t is None:
                h.spike_t, h.spike_i = hoc.Vector(), hoc.Vector()
            for i in _local(h, idx).tolist():
                if i not in h.spike_nc:
                    nc = native_types.spike_detector(hoc, h, i)
                    nc.record(h.spike_t, h.spike_i, i)
                    h.spike_nc[i] = nc
                if h.native is None and h.translation.mechanism in _STEPPED:
                    if i not in h.flush:
                        h.flush[i] = nc = hoc.NetCon(None, h.cells[i])
                        nc.weight[1] = _FLUSH
        else:
            h.recorded_variables.add(variable)
            vectors = h.vectors.setdefault(variable, {})
            for i in _local(h, idx).tolist():
                if i not in vectors:
                    vec = hoc.Vector()
                    self._record(vec, self._ref(h, i, variable))
                    vectors[i] = vec
        if variable not in h.active:  # (re)start: what was recorded while stopped is dropped
            self._skip(h, variable)
        h.active.add(variable)

    @staticmethod
    def _ref(h: _Pop, i: int, variable: str):
        if h.native is not None:
            return native_types.ref(h, i, variable)
        if h.name == "PointNeuron" and "." in variable:  # '<receptor>.gsyn': g[r]
            return h.cells[i]._ref_g[h.celltype.receptor_types.index(variable.split(".")[0])]
        return getattr(h.cells[i], f"_ref_{h.translation.recordables[variable]}")

    def _record(self, vec, ref) -> None:
        """Every step with the fixed-step solver; on the dt grid with CVODE."""
        if self.cvode.active():
            vec.record(ref, self.dt)
        else:
            vec.record(ref)

    def _skip(self, h: _Pop, variable: str) -> None:
        if variable == "spikes":
            h.spike_read = int(h.spike_t.size()) if h.spike_t is not None else 0
        else:
            h.read[variable] = self._samples(h)

    def _samples(self, h: _Pop) -> int:
        """Samples on the interval grid since the last initialisation (t=0 included)."""
        if self.need_init:
            return 0
        return int(round(self.t / h.interval)) + 1

    def stop_recording(self, h: _Pop, variable: str) -> None:
        h.active.discard(variable)

    def spikes(self, h: _Pop):
        empty = (np.empty(0, np.int64), np.empty(0))
        if h.spike_t is None or self.need_init:
            return empty
        start, h.spike_read = h.spike_read, int(h.spike_t.size())
        if "spikes" not in h.active:
            return empty
        times = h.spike_t.as_numpy()[start:]
        if h.native is None and not (h.name == "SpikeSourceArray" and self.off_grid):
            # on the grid: NEURON's t accumulates rounding (~1e-13 ms/step)
            times = np.round(times / self.dt) * self.dt
        return self.mpi.gather_spikes(h.spike_i.as_numpy()[start:].astype(np.int64), times)

    def signals(self, h: _Pop, celltype, variable: str):
        empty = (np.empty(0), np.empty((0, 0)), np.empty(0, np.int64))
        if variable not in h.recorded_variables or self.need_init:
            return empty
        vectors = h.vectors.get(variable, {})  # this rank's cells only
        total = self._samples(h)
        start, h.read[variable] = h.read.get(variable, 0), total
        if variable not in h.active or total <= start:
            return empty
        columns = np.array(sorted(vectors), dtype=np.int64)
        wanted = np.arange(start, total) * int(round(h.interval / self.dt))  # step numbers
        sampled = np.rint(self._tvec.as_numpy() / self.dt).astype(np.int64)  # since init
        values = np.full((wanted.size, columns.size), np.nan)
        for j, i in enumerate(columns.tolist()):
            data = vectors[i].as_numpy()
            n = min(data.size, sampled.size)  # a vector made mid-run: the latest samples
            steps, data = sampled[sampled.size - n :], data[data.size - n :]
            pos = np.clip(np.searchsorted(steps, wanted), 0, max(n - 1, 0))
            hit = (steps[pos] == wanted) if n else np.zeros(wanted.size, bool)
            values[hit, j] = data[pos[hit]]
        times = h.interval * np.arange(start, total)
        # t = 0 is the initial value, which the common layer supplies (natives: as recorded)
        keep = times > 0.0 if h.native is None else np.ones(times.size, bool)
        return self.mpi.gather_signals(times[keep], values[keep], columns)

    # -- connections -----------------------------------------------------------------------
    def check_synapse(self, projection) -> None:
        st = projection.synapse_type
        name = type(st).__name__
        if getattr(st, "is_native", False) or name not in tr.SYNAPSES:
            raise errors.NotSupportedError(
                f"{name} is not available on NEURON (supported: {', '.join(tr.SYNAPSES)})"
            )
        if name == "STDPMechanism":
            reason = plasticity.unsupported_reason(st)
            if reason:
                raise errors.NotSupportedError(reason)
        post = _post_populations(projection)
        if any(getattr(p.celltype, "realisation", None) is not None for p in post):
            native_types.check_projection(projection, [p.celltype for p in post], name)
            return
        names = {type(p.celltype).__name__ for p in post}
        if name == "STDPMechanism" and any(
            tr.CELLS[n].mechanism != "PynnIF" or n in tr.JUMP_INPUT for n in names
        ):
            raise errors.NotSupportedError(
                f"Projection {projection.label!r}: STDPMechanism onto "
                f"{', '.join(sorted(names))} is not available on NEURON yet (only onto "
                "IF_curr_exp/alpha, IF_cond_exp/alpha and the other IF_cond_exp types)"
            )

    def new_projection(self, projection) -> _Proj:
        h = _Proj(projection)
        h.netcons = self.h.List()
        celltype = _post_populations(projection)[0].celltype
        if type(celltype).__name__ == "PointNeuron":  # a named receptor: PynnPoint's g[r]
            r = celltype.receptor_types.index(projection.receptor_type)
            h.receptor = tr.POINT_RECEPTOR0 + r
        if h.kind != "StaticSynapse":  # a static NetCon has no state to initialise
            self._check_not_running(f"Projection {projection.label!r} ({h.kind})")
        if h.kind in plasticity.STOCHASTIC:  # release draws: the targets' own streams
            post = np.asarray(projection.post._ids)
            for pop in self.pops:
                if pop.n and not pop.stochastic:
                    pop.stochastic = bool(np.any((post >= pop.ids[0]) & (post <= pop.ids[-1])))
        self.projs.append(h)
        return h

    def connect(self, h: _Proj, projection, block: ConnectionArrays) -> None:
        n = len(block)
        if n == 0:
            return
        values = {
            k: np.broadcast_to(np.asarray(block.params.get(k, v), float), (n,))
            for k, v in self._value_defaults(h, projection).items()
        }
        values = tr.resolve_initial(h.kind, values)
        h.shift = self._delay_shift(projection)
        post_ids = projection.post._ids[block.post]
        target_type = _post_populations(projection)[0].celltype
        realisation = getattr(target_type, "realisation", None)  # a native type (native.py)
        if realisation is not None:
            realisation.check_weights(projection, values["weight"])
        mine, pre_ids = values, projection.pre._ids[block.pre]
        if self.mpi.parallel:  # only the connections onto this rank's cells
            local = self.mpi.owns(post_ids)
            mine = {k: v[local] for k, v in values.items()}
            pre_ids, post_ids = pre_ids[local], post_ids[local]
            offset = h.pre.size
            h.local_pos = np.concatenate(
                [h.local_pos if h.local_pos is not None else np.empty(0, np.int64),
                 offset + np.flatnonzero(local)]
            )  # fmt: skip
        targets = self._targets(realisation, post_ids, projection.receptor_type)
        delays, weights = mine["delay"] - h.shift, mine["weight"]
        if self.mpi.parallel:

            def make(sl):
                return self._gid_connect(pre_ids[sl], targets[sl], delays[sl], weights[sl])
        else:
            sources = self.objects[pre_ids - 1].tolist()
            origins = self.origins[pre_ids - 1]
            from_sections = origins.astype(bool).any()  # native section cells: v crossings

            def make(sl):
                args = (sources[sl], targets[sl], delays[sl], weights[sl])
                if from_sections:
                    return native_types.netcons(self.h, args[0], origins[sl], *args[1:])
                return self._netcons(*args)

        keep = h.netcons.append
        for lo in range(0, len(targets), _CHUNK):  # Python wrappers of one chunk at a time
            sl = slice(lo, lo + _CHUNK)
            made = make(sl)
            chunk = {k: v[sl] for k, v in mine.items()}
            self._configure(h, projection, realisation, made, targets[sl], chunk)
            for nc in made:
                keep(nc)
        h.pre = np.concatenate([h.pre, block.pre])
        h.post = np.concatenate([h.post, block.post])
        for k, v in values.items():
            h.values[k] = np.concatenate([h.values.get(k, np.empty(0)), v])

    def _configure(
        self, h: _Proj, projection, realisation, made: list, targets: list, mine: dict
    ) -> None:
        """The synapse values beyond weight and delay, in the new NetCons' weight vectors."""
        receptor = h.receptor if realisation is None else 0  # native targets: weight[0] only
        if receptor:
            for nc in made:
                nc.weight[1] = receptor
        if h.kind == "STDPMechanism":
            self._check_dendritic(projection, mine)
            plasticity.fill(made, plasticity.stdp_columns(projection.synapse_type, mine))
        if h.kind in plasticity.SHORT_TERM:
            if h.kind == "MultiQuantalSynapse":
                _check_sites(projection, mine["n"])
            tau = "tau_syn_I" if receptor == 1 else "tau_syn_E"
            # Tsodyks-Markram's PSC time constant: the receptor's (3 ms, NEST's default
            # tau_psc, onto voltage-jump cells, which have none)
            if receptor >= tr.POINT_RECEPTOR0:
                r = receptor - tr.POINT_RECEPTOR0
                tau_psc = np.array([t.tau_decay[r] for t in targets], float)
            else:
                tau_psc = np.array([getattr(t, tau, _TAU_PSC) for t in targets], float)
            plasticity.fill(made, plasticity.short_term_columns(h.kind, mine, tau_psc))

    def _targets(self, realisation, post_ids, receptor: str) -> list:
        """NetCon targets: the cells, or (native types) the receptor's synapse on each."""
        cells = self.objects[post_ids - 1].tolist()
        return cells if realisation is None else native_types.targets(realisation, cells, receptor)

    def _netcons(self, sources: list, targets: list, delays, weights) -> list:
        """One process: NetCons straight from source to target cell."""
        NetCon = self.h.NetCon
        # a comprehension with NetCon bound locally: ~1.5 us per connection, most of it NEURON's
        return [
            NetCon(s, t, 0.0, d, w)
            for s, t, d, w in zip(sources, targets, delays.tolist(), weights.tolist(), strict=True)
        ]

    def _gid_connect(self, pre_ids, targets: list, delays, weights) -> list:
        """MPI: NetCons from a source gid (on any rank) to a local target cell."""
        connect = self.pc.gid_connect
        made = [connect(g, t) for g, t in zip(pre_ids.tolist(), targets, strict=True)]
        for nc, d, w in zip(made, delays.tolist(), weights.tolist(), strict=True):
            nc.delay = d
            nc.weight[0] = w
        return made

    def _value_defaults(self, h: _Proj, projection) -> dict:
        """Every value a connection of this projection carries, with its default."""
        defaults = {"weight": 0.0, "delay": self.dt, **tr.SYNAPSES[h.kind]}
        if h.kind == "STDPMechanism":  # the components' parameters (rule-specific)
            st = projection.synapse_type
            numeric = {k: v for k, v in st.default_parameters.items() if _is_number(v)}
            defaults.update(numeric)
        return defaults

    @staticmethod
    def _check_dendritic(projection, values: dict) -> None:
        if np.any(values["dendritic_delay_fraction"] != 1.0):
            raise errors.NotSupportedError(
                f"Projection {projection.label!r}: dendritic_delay_fraction must be 1 on "
                "NEURON (the whole delay is dendritic, as on NEST)"
            )

    def _delay_shift(self, projection) -> float:
        """How much earlier than the delay the NetCon delivers (ms).  A voltage jump must
        land within the step it arrives in, after the cell's update (see
        nmodl/pynn_izh.mod); the other self-stepped cells (ARTIFICIAL_CELLs) integrate the
        same either way, but an input landing after the step's update shows in that step's
        sample, as NEST records it.  PynnIF takes its input unshifted."""
        names = {type(p.celltype).__name__ for p in _post_populations(projection)}
        if any(getattr(p.celltype, "realisation", None) is not None
               for p in _post_populations(projection)):  # fmt: skip
            return 0.0
        jumps = {n in tr.JUMP_INPUT for n in names}
        stepped = {n in tr.JUMP_INPUT or tr.CELLS[n].mechanism != "PynnIF" for n in names}
        if stepped == {True}:
            return 0.6 * self.dt
        if True in jumps:
            raise errors.NotSupportedError(
                "a projection onto voltage-jump cells (IF_curr_delta, Izhikevich) and other "
                "cell types at once is not available on NEURON; make one per cell type"
            )
        return 0.0

    def disconnect(self, h: _Proj) -> None:
        h.netcons, h.local_pos = self.h.List(), None
        h.pre, h.post = np.empty(0, np.int64), np.empty(0, np.int64)
        h.values = {}

    def native_connections(self, h: _Proj):
        return list(h.netcons)

    def native_synapse_model(self, h: _Proj) -> str:
        return "NetCon"

    def connection_values(self, h: _Proj, projection, names):
        values = {}
        known = list(self._value_defaults(h, projection))
        for name in names:
            if name not in known:
                raise errors.NonExistentParameterError(name, h.kind, sorted(known))
            if name == "weight" and h.kind == "STDPMechanism":  # plastic: ask the NetCons
                local = np.array([nc.weight[0] for nc in h.netcons], dtype=float)
                if h.local_pos is None:
                    values[name] = local
                else:
                    values[name] = self.mpi.gather_positions(h.pre.size, h.local_pos, local)
            else:
                values[name] = h.values.get(name, np.empty(0)).copy()
        return h.pre.copy(), h.post.copy(), values

    def set_connection_values(self, h: _Proj, projection, values: dict) -> None:
        n = h.pre.size
        mine = np.arange(n) if h.local_pos is None else h.local_pos  # connections made here
        for name, v in values.items():
            h.values[name] = np.broadcast_to(np.asarray(v, float), (n,)).copy()
        if "delay" in values:
            delays = (h.values["delay"][mine] - h.shift).tolist()
            for nc, d in zip(h.netcons, delays, strict=True):
                nc.delay = d
        if h.kind == "STDPMechanism":  # the rule's slots follow from all its values
            local = {k: v[mine] for k, v in h.values.items()}
            plasticity.fill(h.netcons, plasticity.stdp_columns(projection.synapse_type, local))
        columns = {plasticity.SLOT[k]: h.values[k][mine] for k in values
                   if k != "delay" and (k == "weight" or h.kind != "STDPMechanism")}  # fmt: skip
        plasticity.fill(h.netcons, columns)  # takes effect at the connection's next spike

    # -- running -------------------------------------------------------------------------
    def _check_not_running(self, what: str) -> None:
        """NEURON starts cells and synapse state only in finitialize, which restarts every
        cell at t = 0: between runs the network can grow only after reset()."""
        if not self.need_init:
            raise errors.NotSupportedError(
                f"{what} cannot be added on NEURON after run(): NEURON initialises cells and "
                "synapse state only at t = 0; create it before the first run(), or call "
                "reset() first (the whole network then restarts at t = 0)"
            )

    def _initialise(self) -> None:
        for pop in self.pops:  # stochastic release: (rng seed, cell id), from the start
            if pop.stochastic:
                for cell, gid in zip(pop.cells, pop.ids.tolist(), strict=True):
                    if cell is not None:
                        cell.syn_rng.set_ids(self.seed % 2**32, gid, _SYN_STREAM)
                        cell.syn_rng.set_seq(0)
        self.h.finitialize()
        for pop in self.pops:
            if pop.spike_t is not None:
                pop.spike_t.resize(0)
                pop.spike_i.resize(0)
            pop.spike_read = 0
            pop.read = {}
        self.need_init = False

    def run_until(self, t: float) -> None:
        if self.need_init:
            if self.mpi.parallel:
                self.pc.set_maxstep(10)  # the exchange interval: the global minimum delay
            self._initialise()
        for pop in self.pops:
            if pop.is_source:
                self._queue(pop, self.t, t)
        for src in self.sources:
            self._queue_steps(src, self.t, t)
        for pop in self.pops:  # recorded stepped cells: a spike of the last step now
            for nc in pop.flush.values():
                nc.event(t - 0.25 * self.dt)
        self.pc.psolve(t)
        self.t = t

    def _queue(self, pop: _Pop, t0: float, t1: float) -> None:
        """Queue the source's spikes in (t0, t1] as events into its relay cells."""
        idx, times = self._source_spikes(pop, t0, t1)
        if self.mpi.parallel:
            mine = pop.local[idx]
            idx, times = idx[mine], times[mine]
        feeds = pop.feeds
        for i, s in zip(idx.tolist(), times.tolist(), strict=True):
            feeds[i].event(s)

    def _source_spikes(self, pop: _Pop, t0: float, t1: float):
        if pop.name == "SpikeSourceArray":
            idx, times = _array_spikes(pop.params["spike_times"], pop.n, self.dt, self.off_grid)
        else:
            first = int(np.floor(t0 / _BLOCK_MS))
            last = int(np.floor(t1 / _BLOCK_MS))
            parts = [self._block(pop, b) for b in range(first, last + 1)]
            idx = np.concatenate([p[0] for p in parts])
            times = np.concatenate([p[1] for p in parts])
        eps = 1e-6 * self.dt
        low = -eps if t0 == 0.0 else t0 + eps  # a run from 0 starts afresh: spikes at 0 too
        sel = (times > low) & (times <= t1 + eps)
        order = np.argsort(times[sel], kind="stable")
        return idx[sel][order], times[sel][order]

    def _block(self, pop: _Pop, b: int):
        """Spikes of block [b, b+1) s (cached: reset and split runs replay them)."""
        if b not in pop.blocks:
            rng = np.random.default_rng([self.seed, int(pop.ids[0]) if pop.n else 0, b])
            if pop.name in spike_sources.RENEWAL:
                if b > 0 and b - 1 not in pop.blocks:
                    self._block(pop, b - 1)  # renewal: the blocks in order
                upcoming = pop.upcoming.get(b)
                idx, times, pop.upcoming[b + 1] = spike_sources.renewal_block(
                    pop.name, pop.params, pop.n, b, rng, self.dt, upcoming
                )
            else:
                idx, times = spike_sources.poisson_block(pop.params, pop.n, b, rng, self.dt)
            pop.blocks[b] = (idx, times)
        return pop.blocks[b]

    def reset(self) -> None:
        self.t = 0.0
        self.need_init = True
        self._reset_sources()


class _Kept:
    """A recorded Vector's data, kept as numpy after end() frees NEURON's objects."""

    def __init__(self, vec):
        self.data = vec.as_numpy().copy()

    def as_numpy(self) -> np.ndarray:
        return self.data

    def size(self) -> int:
        return self.data.size


def _array_spikes(spike_times, n: int, dt: float, exact: bool):
    """(cell index, time ms) of a SpikeSourceArray, times as given (``exact``) or moved to
    the nearest grid point."""
    values = spike_times if isinstance(spike_times, np.ndarray) else [spike_times] * n
    trains = [np.asarray(getattr(s, "value", s), float).ravel() for s in values]
    idx = np.repeat(np.arange(n), [t.size for t in trains])
    times = np.concatenate(trains) if trains else np.empty(0)
    return idx, (times if exact else np.round(times / dt) * dt)


def _check_sites(projection, n: np.ndarray) -> None:
    if n.size and (np.any(n < 1) or np.any(n != np.round(n))):
        raise errors.InvalidParameterValueError(
            f"Projection {projection.label!r} (MultiQuantalSynapse): n, the number of release "
            f"sites, must be a whole number >= 1, got values in [{n.min()}, {n.max()}]"
        )


def _local(pop: _Pop, idx) -> np.ndarray:
    """The indices among idx of cells this MPI rank owns (all of them with one process)."""
    idx = np.asarray(idx, np.int64)
    return idx[pop.local[idx]]


def _post_populations(projection) -> list:
    return getattr(projection.post, "populations", None) or [projection.post]


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
