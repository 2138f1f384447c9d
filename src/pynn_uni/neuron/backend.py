"""The NEURON backend: realises the network description with NEURON's Python API.

Cells are our own mechanisms (``nmodl/``, compiled on first use by ``compile.py``) that
advance on NEST's time grid in NEST's update order, so spike times and membrane traces
match NEST's: ``PynnIF`` (every IF type) is a point process stepped by NEURON's fixed-step
loop, all instances on one segment of a current-free section (made as ``PynnIFStatic``,
the same cell with two weight slots per NetCon instead of 24, until a short-term,
stochastic or plastic projection onto the population needs PynnIF: ``make_full``);
``PynnAdEx``, ``PynnHH``, ``PynnIzh``, ``PynnGIF`` and ``PynnPoint`` (PointNeuron: a LIF
or AdExp membrane with up to 10 named receptors) are ARTIFICIAL_CELLs stepped by a
self-event per step.  Every mechanism
shares one synapse front end (``nmodl/pynn_synapse.inc``): a NetCon's weight vector carries
Tsodyks-Markram, stochastic or multi-quantal release, drawing from the target cell's own
Random123 stream seeded by (rng seed, cell id), onto every cell type (STDP: PynnIF).  Spike
sources are ``PynnRelay`` cells re-emitting events that the backend queues before each run
(SpikeSourceArray times, or random trains from :mod:`pynn_uni.common.spike_trains`, the
same on every backend for one rng seed).  One NetCon per connection.  ``reset()``
re-initialises NEURON (``finitialize``) with the same objects, so a reset network is
exactly a fresh one.

This module holds the kernel and the populations; connections.py, recording.py and
electrodes.py the rest of the protocol (mixed in), native.py the NEURON-native cell types,
handles.py what the common layer holds for the backend.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from typing import Any

import numpy as np

from pynn_uni import errors
from pynn_uni.common.backend import Backend, PopulationSpec
from pynn_uni.common.interrupt import Flag, Pacer, deferred_sigint, steps_of
from pynn_uni.common.spike_trains import Trains, array_spikes
from pynn_uni.neuron import native as native_types
from pynn_uni.neuron import parallel
from pynn_uni.neuron import translations as tr
from pynn_uni.neuron.connections import Connections
from pynn_uni.neuron.electrodes import CurrentSources
from pynn_uni.neuron.handles import PopulationHandle
from pynn_uni.neuron.hoc import neuron_h
from pynn_uni.neuron.native import NativeCellType, NeuronNativeCellType
from pynn_uni.neuron.recording import STEPPED, Kept, Recording, keep_data, ref_of

#: the setup() keywords beyond timestep and the delays, with their defaults (rtol, atol:
#: None is NEURON's own CVODE tolerances)
_DEFAULTS = {"rng_seed": 42, "use_cvode": False, "rtol": None, "atol": None}
_SETUP_OPTIONS = frozenset({"timestep", "min_delay", "max_delay", *_DEFAULTS})
_RK4 = ("PynnIF", "PynnAdEx", "PynnHH")  # mechanisms with Runge-Kutta substeps (nsub)
_SYN_STREAM = 1 << 30  # third Random123 id of a cell's stream for stochastic release
_QUEUE_BLOCK = 1 << 15  # input events queued between looks at Ctrl-C (~30 ms)


class NeuronBackend(Connections, Recording, CurrentSources, Backend):
    """NEURON 9 realisation of the backend protocol (see pynn_uni.common.backend)."""

    name = "NEURON"
    setup_options = _SETUP_OPTIONS

    def setup(self, config: dict[str, Any]) -> None:
        unknown = set(config) - _SETUP_OPTIONS
        if unknown:
            raise errors.NonExistentParameterError(
                sorted(unknown)[0], "setup() on NEURON", sorted(_SETUP_OPTIONS)
            )
        self.config = {**_DEFAULTS, **config}
        self.h = h = neuron_h()
        self.dt = float(config["timestep"])
        h.dt = self.dt
        self.cvode = h.CVode()
        self.cvode.active(bool(self.config["use_cvode"]))
        rtol, atol = self.config["rtol"], self.config["atol"]
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
        self.pops: list[PopulationHandle] = []
        self.projs: list = []
        self.sources: list = []
        self._n_waves = 0
        self.objects = np.empty(0, dtype=object)  # hoc cell object per global id - 1
        self.origins = np.empty(0, dtype=object)  # native.Origin per global id - 1, or None
        self.next_id = 1
        self.t = 0.0
        self.need_init = True
        self._retired: list = []  # NetCons whose queued events must deliver nothing
        self.seed = int(self.config["rng_seed"])
        # slice lengths for Ctrl-C; under MPI every rank cuts the same (the slowest sets them)
        reduce = (lambda x: self.pc.allreduce(x, 2)) if self.mpi.parallel else None
        self._pacer = Pacer(reduce)

    def settings(self) -> dict[str, Any]:
        """The effective configuration: the CVODE tolerances NEURON uses when not given."""
        c = self.config
        return {
            "timestep": self.dt, "min_delay": c["min_delay"], "max_delay": c["max_delay"],
            "rng_seed": self.seed, "use_cvode": bool(c["use_cvode"]),
            "rtol": float(self.cvode.rtol()), "atol": float(self.cvode.atol()),
        }  # fmt: skip

    def simulator_version(self) -> str:
        return str(self.h.nrnversion(0))

    def end(self) -> None:
        """Free every NEURON object now: the common layer's objects live on in reference
        cycles, and a cell freed later, mid-run of the next network, would leave its pending
        self-events in NEURON's queue (an assertion failure in SelfEvent::deliver)."""
        for pop in self.pops:  # recorded data stay readable (get_data after end())
            keep_data(pop)
            pop.cells, pop.feeds, pop.spike_nc = [], [], {}
            pop.exchange, pop.origins = [], []
        self.mpi.clear()
        for proj in self.projs:
            proj.netcons = []
        for src in self.sources:
            src.netcons = []
        self.pops, self.projs, self.sources, self._retired = [], [], [], []
        self.objects = self.origins = np.empty(0, dtype=object)
        self._tvec = Kept(self._tvec)
        self._clock = self.native_init = None
        # native cells with sections usually sit in reference cycles (a Section made with
        # cell=self points back at its cell): collect them now, not mid-run of the next
        # network, where a vanishing section corrupts NEURON's matrix (NaN voltages)
        gc.collect()

    def max_delay(self) -> float:
        delays = [p.values["delay"].max() for p in self.projs if p.pre.size]
        return float(max(delays)) if delays else 10.0

    # -- cells ---------------------------------------------------------------------------
    def create(self, spec: PopulationSpec, params: dict[str, Any]) -> PopulationHandle:
        name, n = _check_model(spec), spec.size
        self._check_not_running(f"Population {spec.label!r} ({name})")
        tr.check(name, params, n)  # malformed parameters: before any NEURON object
        native = native_types.realisation_of(spec.celltype)
        ids = np.arange(self.next_id, self.next_id + n, dtype=np.int64)
        pop = PopulationHandle(spec, params, ids, tr.CELLS.get(name), native, np.ones(n, bool))
        if native is not None:
            return self._add(pop, native_types.create(self, pop))
        h, t = self.h, pop.translation
        make = getattr(h, t.mechanism)
        if t.mechanism in STEPPED:
            if self.cvode.active():
                raise errors.NotSupportedError(
                    f"{name} on NEURON runs with the fixed-step method only (its cells are "
                    "stepped on NEST's grid): setup() without use_cvode"
                )
            if not self.mpi.parallel:  # static inputs only, until a projection needs more
                make, pop.lean = h.PynnIFStatic, True
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
            if name != "SpikeSourceArray":
                first = int(ids[0]) if n else 0
                pop.trains = Trains(name, params, n, self.seed, first, self.dt)
        else:
            native = self._native(pop, params)
            self._set_params(pop, np.arange(n), {**t.switches, "grid": self.dt, **native})
            if t.mechanism in _RK4:
                self._set_substeps(pop, np.arange(n))
            if t.mechanism in tr.SEEDED:  # its own random stream: (rng_seed, global id)
                self._set_params(pop, np.arange(n), {"seed": self.seed % 2**32, "gid": pop.ids})
        return self._add(pop, [None] * n)

    def _add(self, pop: PopulationHandle, origins: list) -> PopulationHandle:
        objs, where = np.empty(pop.n, dtype=object), np.empty(pop.n, dtype=object)
        objs[:], where[:] = pop.cells, origins
        pop.origins = origins
        self.objects = np.concatenate([self.objects, objs])
        self.origins = np.concatenate([self.origins, where])
        self.next_id += pop.n
        self.pops.append(pop)
        return pop

    def _native(self, pop: PopulationHandle, params: dict) -> dict:
        """Mechanism values from standard parameters."""
        if pop.name == "PointNeuron":
            return tr.point_neuron(pop.celltype, params, self.dt)
        return tr.to_native(pop.name, params)

    @staticmethod
    def _set_params(pop: PopulationHandle, idx, params: dict) -> None:
        idx = pop.local_of(idx)
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

    def _set_substeps(self, pop: PopulationHandle, idx) -> None:
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

    def make_full(self, pop: PopulationHandle) -> None:
        """Turn the population's PynnIFStatic cells into PynnIF, for a short-term, stochastic
        or plastic projection onto it (before a run only: the cells start in finitialize):
        the same parameters, and everything that refers to the cells made again (their
        connections, recorders, current sources).  Cell objects handed out before
        (``native_cell``) are the old ones."""
        h, old = self.h, pop.cells
        pop.cells = [h.PynnIF(self._clock(0.5)) for _ in old]
        pop.lean = False
        names = _parameter_names(h, "PynnIFStatic")
        for o, c in zip(old, pop.cells, strict=True):
            for k in names:
                setattr(c, k, getattr(o, k))
        self.objects[pop.ids - 1] = np.array(pop.cells + [None], dtype=object)[:-1]
        for proj in self.projs:
            sides = proj.spec.pre.members + proj.spec.post.members
            if proj.pre.size and any(m.handle is pop for m in sides):
                self.remake(proj)
        for i in list(pop.spike_nc):
            pop.spike_nc[i] = nc = h.NetCon(pop.cells[i], None)
            nc.record(pop.spike_t, pop.spike_i, i)
        for variable, vectors in pop.vectors.items():
            for i, vec in vectors.items():
                self._record(vec, ref_of(pop, i, variable))
        for src in self.sources:
            if src.target is pop:
                self.remake_source(src)

    def ids(self, handle: PopulationHandle) -> np.ndarray:
        return handle.ids

    def local_mask(self, handle: PopulationHandle) -> np.ndarray:
        return handle.local

    def native_handle(self, handle: PopulationHandle) -> list:
        """The population's NEURON objects (PynnIF or PynnRelay), in index order."""
        return handle.cells

    def native_cell(self, handle: PopulationHandle, index: int) -> Any:
        """Cell ``index``'s object: PynnIF, PynnRelay, ... or a native type's instance."""
        return handle.cells[int(index)]

    def set(
        self,
        handle: PopulationHandle,
        idx: np.ndarray,
        params: dict[str, Any],
        changed: Sequence[str],
    ) -> None:
        h = handle
        if h.native is not None:
            h.params = params
            native_types.set_params(self, h, idx, params, changed)
            return
        tr.check(h.name, params, h.n)
        h.params = params
        if h.is_source:
            if h.trains is not None:  # the blocks from now on are drawn again
                h.trains.forget_after(self.t, params)
            return
        native = self._native(h, params)
        if h.name not in tr.TRANSFORMS and h.name != "PointNeuron":
            native = {k: native[k] for k in changed}
        self._set_params(h, np.asarray(idx), native)
        if h.translation.mechanism in _RK4:
            self._set_substeps(h, np.asarray(idx))

    def initialize(self, handle: PopulationHandle, values: dict[str, Any]) -> None:
        h = handle
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
        self._retired = []  # finitialize emptied the event queue
        for pop in self.pops:
            if pop.spike_t is not None:
                pop.spike_t.resize(0)
                pop.spike_i.resize(0)
            pop.spike_read = 0
            pop.read = {}
        self.need_init = False

    def run_until(self, t: float) -> None:
        """Queue the run's inputs (source spikes, current steps), then solve to ``t`` in
        slices of well under a second of wall time, so that Ctrl-C stops the run within
        one (common/interrupt.py).  The event queue is the same as for one solve, so the
        results do not depend on slices (queueing later, per slice, would reorder
        simultaneous events)."""
        if self.need_init:
            if self.mpi.parallel:
                self.pc.set_maxstep(10)  # the exchange interval: the global minimum delay
            self._initialise()
        last = steps_of(t, self.dt)
        with deferred_sigint() as flag:
            # Ctrl-C while queueing stops before anything runs (under MPI the ranks agree
            # on it after the first slice only)
            early = flag if not self.mpi.parallel else Flag()
            spikes = [self._queue(pop, self.t, t, early) for pop in self.pops if pop.is_source]
            steps = not early
            if steps:
                for src in self.sources:
                    self._queue_steps(src, self.t, t)
                for end in self._pacer.slices(steps_of(self.t, self.dt), last, flag):
                    self._solve(t if end == last else end * self.dt)
            if self.t < t:
                self._retire(spikes, steps)

    def _solve(self, t: float) -> None:
        self.pc.psolve(t)
        self.t = t

    def _retire(self, spikes: list, steps: bool) -> None:
        """After a run that Ctrl-C stopped: the NetCons whose events for the rest of the
        run are still queued (NEURON cannot take them back) deliver nothing from now on
        and are replaced when next queued (a relay ignores a feed of weight 1, see
        pynn_relay.mod; a retired current step is a zero step), so a later run continues
        from here.  Events at the stop itself, which the next run does not queue (it
        starts after them), are queued again at once.  ``steps``: the current steps were
        queued (not when Ctrl-C came while queueing spikes)."""
        after, stop = float(self.h.t), self.t + 1e-6 * self.dt  # NEURON delivered to h.t
        for pop, idx, times in spikes:
            pending = times > after
            for i in np.unique(idx[pending]).tolist():
                nc = pop.feeds[i]
                nc.weight[0] = 1
                self._retired.append(nc)
                pop.stale.add(i)
            again = pending & (times <= stop)
            self._renew(pop, np.unique(idx[again]).tolist())
            for i, s in zip(idx[again].tolist(), times[again].tolist(), strict=True):
                pop.feeds[i].event(s)
        for src in self.sources if steps else ():
            self._retired.extend(self._retire_steps(src, after, stop))

    def _renew(self, pop: PopulationHandle, cells) -> None:
        """Fresh feeds for the source's cells ``cells`` (whose feeds Ctrl-C retired)."""
        for i in cells:
            pop.feeds[i] = self.h.NetCon(None, pop.cells[i])
            pop.stale.discard(i)

    def current_time(self) -> float:
        return self.t

    def _queue(self, pop: PopulationHandle, t0: float, t1: float, flag) -> tuple:
        """Queue the source's spikes in (t0, t1] as events into its relay cells (a
        SpikeSourceArray's at their exact times, as PyNN's NEURON emits and records them;
        the cells, stepped on the grid, take an input at the step nearest its arrival).
        Ctrl-C (``flag``) stops it within a block of events.  Returns (the population,
        cell index, time) of the events queued."""
        if pop.trains is None:
            idx, times = array_spikes(pop.params["spike_times"], pop.n)
        else:
            idx, times = pop.trains.covering(t0, t1)
        eps = 1e-6 * self.dt
        low = -eps if t0 == 0.0 else t0 + eps  # a run from 0 starts afresh: spikes at 0 too
        sel = (times > low) & (times <= t1 + eps)
        if self.mpi.parallel:  # other ranks' cells: dropped before sorting
            sel &= pop.local[idx]
        order = np.argsort(times[sel], kind="stable")
        idx, times = idx[sel][order], times[sel][order]
        if pop.stale:
            self._renew(pop, sorted(pop.stale))
        # bound methods, looked up once per cell: the lookup costs as much as the event
        send = [None if nc is None else nc.event for nc in pop.feeds] if idx.size else []
        for lo in range(0, idx.size, _QUEUE_BLOCK):
            if flag:
                return pop, idx[:lo], times[:lo]
            block = slice(lo, lo + _QUEUE_BLOCK)
            for i, s in zip(idx[block].tolist(), times[block].tolist(), strict=True):
                send[i](s)
        return pop, idx, times

    def reset(self) -> None:
        self.t = 0.0
        self.need_init = True
        self._reset_sources()


def _parameter_names(h, mechanism: str) -> list[str]:
    """The PARAMETERs of a point process (what a cell's values are)."""
    standard, name = h.MechanismStandard(mechanism, 1), h.ref("")
    names = []
    for i in range(int(standard.count())):
        standard.name(name, i)
        names.append(name[0])
    return names


def _check_model(spec: PopulationSpec) -> str:
    """The model's name, or NotSupportedError saying why NEURON cannot realise it."""
    celltype, name = spec.celltype, spec.model
    if spec.options:
        raise errors.NotSupportedError(
            f"Population {spec.label!r}: {', '.join(sorted(spec.options))} is not available "
            "on NEURON"
        )
    if isinstance(celltype, NeuronNativeCellType):
        return name  # made by pynn_uni.neuron.native_cell_type
    if isinstance(celltype, NativeCellType):
        raise errors.NotSupportedError(
            f"{name} is another simulator's native cell type; on NEURON use "
            "pynn_uni.neuron.native_cell_type"
        )
    if name not in tr.CELLS:
        raise errors.NotSupportedError(
            f"{name} is not available on NEURON: no pynn_uni mechanism for it on NEURON"
        )
    if name == "PointNeuron":
        tr.check_point_neuron(celltype)
    return name
