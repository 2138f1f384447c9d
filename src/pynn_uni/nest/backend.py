"""The NEST backend: realises the network description with PyNEST 3, in bulk.

Every object the backend makes is a handle in ``self._log`` (creation order).  ``reset()``
snapshots the connections, calls ``ResetKernel`` and replays the log, so a reset network
is exactly a fresh one (same node ids, same RNG stream, same weights), with no
``t_flush`` workaround.

Spike sources: NEST's Poisson-like generators send an independent train to each target,
while a PyNN cell is one train.  Such a population gets parrot neurons behind its
generators as soon as one cell must feed two targets or be recorded; while every cell
has at most one target and nothing is recorded, the generators connect directly (the
lean structure of the native NEST scripts, statistically identical).
"""

from __future__ import annotations

import os

import numpy as np

from pynn_uni import errors
from pynn_uni.common.backend import ConnectionArrays
from pynn_uni.common.units import scale
from pynn_uni.nest import electrodes, synapses
from pynn_uni.nest import translations as tr

#: generators that send one train to all their targets: no relay needed
_SHARED_TRAIN_GENERATORS = {"spike_generator"}
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
}


def _nest():
    os.environ.setdefault("PYNEST_QUIET", "1")  # no banner
    import nest  # lazily: importing pynn_uni.nest must stay cheap

    return nest


class _PopHandle:
    def __init__(self, celltype, model: str, n: int, params: dict, relayable: bool):
        self.celltype = celltype
        self.model = model
        self.n = n
        self.params = params
        self.initial: dict = {}
        self.relay = None if relayable else "none"  # None (undecided), 'direct', 'relay'
        self.nodes = self.parrots = self.relay_gens = self.shared = None
        self.pending: list = []  # direct connections waiting for the first run
        self.shared_pairs: dict = {}  # projection label -> (pre index, target id) of shared
        self.silenced = False  # True once its direct connections were replaced by a relay
        self.ids = self.senders = None
        self.recorders: dict = {}
        self.recorded_idx: dict[str, np.ndarray] = {}
        self.interval = None


class _ProjHandle:
    """One projection = one copy of its NEST synapse model, so its connections can be found
    without a per-synapse label (``*_lbl`` models cost 8 bytes more per synapse)."""

    def __init__(self, label: int, projection, synapse_model: str):
        self.label = label
        self.projection = projection
        self.synapse_model = synapse_model
        self.nest_model = f"{synapse_model}__pynn_uni_{label}"
        self.labelled = False  # NEST wants one synapse model for all of a device's targets
        self.direct_from: list[_PopHandle] = []
        self.snapshot = None


class _SourceHandle:
    def __init__(self, source, target: _PopHandle, idx: np.ndarray):
        self.source = source
        self.target = target
        self.idx = idx
        self.device = None
        self.meter = None


class _RelayHandle:
    def __init__(self, pop: _PopHandle):
        self.pop = pop


class _ShareHandle:
    """The one generator that feeds all targets of a homogeneous, directly connected source."""

    def __init__(self, pop: _PopHandle):
        self.pop = pop


class _RecordHandle:
    def __init__(self, pop: _PopHandle, variable: str):
        self.pop = pop
        self.variable = variable


class NestBackend:
    """PyNEST 3 realisation of the backend protocol (see pynn_uni.common.backend)."""

    name = "NEST"

    def __init__(self):
        self.nest = _nest()
        self._log: list = []
        self._pops: list[_PopHandle] = []
        self._next_label = 1
        self.config: dict = {}

    # -- kernel ------------------------------------------------------------------------
    def setup(self, config: dict) -> None:
        unknown = set(config) - _SETUP_OPTIONS
        if unknown:
            raise errors.NonExistentParameterError(
                sorted(unknown)[0], "setup() on NEST", sorted(_SETUP_OPTIONS)
            )
        self.config = dict(config)
        self._log, self._pops, self._pending = [], [], []
        self.frozen_delays = None
        self._reset_kernel()

    frozen_delays: tuple[float, float] | None = None

    def _reset_kernel(self) -> None:
        nest = self.nest
        nest.ResetKernel()
        nest.verbosity = nest.VerbosityLevel.ERROR
        status = {
            "resolution": self.config["timestep"],
            "rng_seed": int(self.config.get("rng_seed", 42)),
        }
        if self.config.get("threads"):
            status["local_num_threads"] = int(self.config["threads"])
        if self.config.get("rng_type"):
            status["rng_type"] = self.config["rng_type"]
        nest.SetKernelStatus(status)
        lo, hi = self.config.get("min_delay", "auto"), self.config.get("max_delay", "auto")
        if lo != "auto" or hi != "auto":  # NEST wants both, before any connection
            lo = self.config["timestep"] if lo == "auto" else float(lo)
            hi = max(lo, 10.0) if hi == "auto" else float(hi)
            nest.SetKernelStatus({"min_delay": lo, "max_delay": hi})

    def end(self) -> None:
        self._log, self._pops = [], []

    def max_delay(self) -> float:
        return float(self.nest.GetKernelStatus("max_delay"))

    def run_until(self, t: float) -> None:
        nest = self.nest
        if self.frozen_delays is None:
            self._connect_devices()
            self._freeze_delays()
        dt = nest.resolution
        # NEST hands recorded data over one min_delay late: the kernel runs that far ahead
        # of the user's time, and the common layer crops data at the user's time.
        steps = int(round((t + self.frozen_delays[0] - nest.biological_time) / dt))
        if steps > 0:
            nest.Simulate(steps * dt)

    def _device_connect(self, pre, post, conn_spec="all_to_all", before=None) -> None:
        """Connect relays and recorders with the network's own minimum delay.

        A one-step device delay would make it NEST's ``min_delay`` and halve the length of
        its update slices; so these connections wait for the first run, when the network's
        minimum delay is known (``before(delay)`` runs first, e.g. to shift spike times).
        """

        def connect(delay):
            if before is not None:
                before(delay)
            self.nest.Connect(pre, post, conn_spec, syn_spec={"delay": delay})

        if self.frozen_delays is None:
            self._pending.append(connect)
        else:
            connect(self.frozen_delays[0])

    def _connect_devices(self) -> None:
        self._connect_direct_sources()
        lo = self.nest.GetKernelStatus("min_delay")
        delay = max(float(lo), self.nest.resolution)
        for connect in self._pending:
            connect(delay)
        self._pending = []

    def _freeze_delays(self) -> None:
        """NEST fixes its delay range at the first Simulate; remember it for clear errors."""
        lo, hi = self.nest.GetKernelStatus(["min_delay", "max_delay"])
        self.frozen_delays = (float(lo), float(hi))

    def reset(self) -> None:
        for h in self._log:
            if isinstance(h, _ProjHandle):
                conns = self.native_connections(h)
                h.snapshot = _snapshot_of(conns) if len(conns) else None
        self._reset_kernel()
        self._pending = []  # device connections of the old kernel; the replay makes them anew
        # nodes first, in their original order (so ids repeat), then the projections
        for h in self._log:
            if not isinstance(h, _ProjHandle):
                self._realise(h)
        for h in self._log:
            if isinstance(h, _ProjHandle):
                self._realise(h)

    def _realise(self, h) -> None:
        if isinstance(h, _PopHandle):
            self._realise_population(h)
        elif isinstance(h, _ProjHandle):
            self._realise_model(h)
            if h.snapshot is not None:
                self._connect_native(h, *h.snapshot)
                h.snapshot = None
        elif isinstance(h, _SourceHandle):
            self._realise_source(h)
        elif isinstance(h, _RecordHandle):
            self._realise_recorder(h)
        elif isinstance(h, _ShareHandle):
            self._realise_share(h)
        elif isinstance(h, _RelayHandle):
            self._make_relay(h.pop)

    # -- cells -------------------------------------------------------------------------------
    def check_model(self, celltype) -> str:
        if getattr(celltype, "is_native", False):
            return celltype.nest_model
        return self._translation(celltype).native

    @staticmethod
    def _translation(celltype):
        """The cell type's translation table entry; NotSupportedError naming what is missing."""
        if getattr(celltype, "is_native", False):
            return None
        t = tr.translation_for(celltype)
        if t.native is None:
            raise errors.NotSupportedError(
                f"{type(celltype).__name__} is not available on NEST: {t.unsupported}"
            )
        return t

    def create(self, celltype, params: dict, n: int, label: str = "") -> _PopHandle:
        model = self.check_model(celltype)
        relayable = getattr(celltype, "is_spike_source", False)
        h = _PopHandle(celltype, model, n, params, relayable)
        self._realise_population(h)
        self._log.append(h)
        self._pops.append(h)
        return h

    def _native_params(self, celltype, params: dict) -> dict:
        if getattr(celltype, "is_native", False):
            return dict(params)
        return tr.to_native(self._translation(celltype), params)

    def _set_nodes(self, nodes, native: dict, n: int, model: str) -> None:
        """Set native values: scalars for all, per-node arrays as lists, array-valued
        parameters (GIF kernels, multisynapse receptors) as one value per node."""
        per_node = {}
        array_valued = _array_valued(self.nest, model)
        for k, v in native.items():
            if k in array_valued:
                v = np.asarray(v, float)
                if v.ndim == 2:
                    per_node[k] = list(v)
                else:
                    per_node[k] = [v] * n
            elif np.ndim(v):
                per_node[k] = np.asarray(v).tolist()
            else:
                nodes.set({k: v})
        if per_node:
            nodes.set([{k: per_node[k][i] for k in per_node} for i in range(n)])

    def _realise_population(self, h: _PopHandle) -> None:
        nest = self.nest
        h.recorders = {}
        if h.model == "spike_generator":
            h.nodes = nest.Create(h.model, h.n)
            self._set_spike_times(h.nodes, h.params.get("spike_times"), h.n)
        else:
            native = self._native_params(h.celltype, h.params)
            array_valued = _array_valued(nest, h.model)
            scalars = {k: v for k, v in native.items() if np.ndim(v) == 0 and k not in array_valued}
            h.nodes = nest.Create(h.model, h.n, params=scalars)
            rest = {k: v for k, v in native.items() if k not in scalars}
            if rest:
                self._set_nodes(h.nodes, rest, h.n, h.model)
            if h.initial:
                h.nodes.set(_listify(h.initial))
        if h.silenced:  # replaced by a relay fed from fresh generators
            h.nodes.set(rate=0.0)
        h.ids = np.asarray(h.nodes.tolist(), dtype=np.int64)
        h.senders = h.ids
        h.parrots = h.relay_gens = None

    def _make_relay(self, h: _PopHandle) -> None:
        """Create the parrots; logged at this point so a replay makes the same node ids."""
        nest = self.nest
        if not any(isinstance(x, _RelayHandle) and x.pop is h for x in self._log):
            self._log.append(_RelayHandle(h))
        feed, shift_times = h.nodes, None
        if h.silenced:  # the cells' own generators were silenced: fresh ones feed the parrots
            h.relay_gens = feed = nest.Create(h.model, h.n)
            self._set_nodes(feed, self._native_params(h.celltype, h.params), h.n, h.model)
        elif h.model in _SHARED_TRAIN_GENERATORS:
            # a copy of the generators, one relay delay early: parrots fire at the given times
            h.relay_gens = feed = nest.Create(h.model, h.n)

            def shift_times(delay, h=h):
                h.relay_delay = delay
                self._set_spike_times(h.relay_gens, h.params.get("spike_times"), h.n, delay)

        h.parrots = nest.Create("parrot_neuron", h.n)
        self._device_connect(feed, h.parrots, "one_to_one", before=shift_times)
        h.senders = np.asarray(h.parrots.tolist(), np.int64)

    def _ensure_relay(self, h: _PopHandle) -> None:
        """Put parrots behind a source population and move its direct connections onto them.

        Before the first run the direct connections are still pending: they simply start
        from the parrots.  After it, NEST cannot delete a device's connections, so the old
        generators are silenced (rate 0) and fresh ones feed the parrots.
        """
        if h.relay in ("relay", "none"):
            return
        made = self.frozen_delays is not None and h.model not in _SHARED_TRAIN_GENERATORS
        if made:
            h.silenced = True
            for old in (h.nodes, h.shared):
                if old is not None:
                    old.set(rate=0.0)
        self._make_relay(h)
        h.relay = "relay"
        for p in self._direct_projections(h):
            if made:
                source, target, params = self._live_snapshot(p, h)
                if target.size:
                    self._connect_native(p, h.senders[source], target, params)
            p.direct_from.remove(h)
        for p, pre, target, native in h.pending:
            self._connect_native(p, h.senders[pre], target, native)
        h.pending = []

    def _live_snapshot(self, p: _ProjHandle, h: _PopHandle):
        """(pre index, target, params) of the connections ``p`` has from direct source ``h``."""
        source_nodes = h.shared if h.shared is not None else h.nodes
        conns = self.nest.GetConnections(source=source_nodes, synapse_label=p.label)
        if not len(conns):
            return np.empty(0, np.int64), np.empty(0, np.int64), {}
        source, target, params = _snapshot_of(conns)
        if h.shared is not None:
            return (*self._shared_pre(h, p.label, target), params)
        return _index_of(h.ids, source), target, params

    def _shared_pre(self, h: _PopHandle, label: int, target: np.ndarray):
        """Pre indices of a shared generator's connections, which NEST returns in the order
        they were made (by target); checked against the targets recorded then."""
        pre, expected = h.shared_pairs[label]
        order = np.argsort(target, kind="stable")
        if not np.array_equal(target[order], expected):
            raise RuntimeError(f"lost track of the shared-generator connections of {label}")
        out = np.empty_like(pre)
        out[order] = pre
        return out, target

    def _direct_projections(self, h: _PopHandle) -> list:
        return [p for p in self._log if isinstance(p, _ProjHandle) and h in p.direct_from]

    def _connect_direct_sources(self) -> None:
        """At the first run, make the pending direct connections of Poisson-like sources.

        A homogeneous population feeds all its targets from ONE NEST generator: NEST draws
        an independent train per target, so this is the same process as one generator per
        cell (each cell has one target and is not recorded) and much cheaper to simulate.
        """
        for pop in self._pops:
            if pop.relay != "direct" or not pop.pending:
                continue
            homogeneous = not any(
                np.ndim(v) for v in self._native_params(pop.celltype, pop.params).values()
            )
            if homogeneous:
                share = _ShareHandle(pop)
                pop.relay = "shared"
                self._realise_share(share)
                self._log.append(share)
            for p, pre, target, native in pop.pending:
                if homogeneous:
                    order = np.argsort(target, kind="stable")
                    pairs = pop.shared_pairs.get(p.label, (np.empty(0, np.int64),) * 2)
                    pop.shared_pairs[p.label] = tuple(
                        np.concatenate([a, b])
                        for a, b in zip(pairs, (pre[order], target[order]), strict=True)
                    )
                    sources = np.full(target.size, pop.shared.tolist()[0], dtype=np.int64)
                    self._connect_native(
                        p, sources, target[order], {k: v[order] for k, v in native.items()}
                    )
                else:
                    self._connect_native(p, pop.ids[pre], target, native)
            pop.pending = []

    def _realise_share(self, h: _ShareHandle) -> None:
        pop = h.pop
        pop.shared = self.nest.Create(
            pop.model, params=self._native_params(pop.celltype, pop.params)
        )
        if pop.relay == "shared":
            pop.nodes.set(rate=0.0)
        else:  # replaced by a relay later on
            pop.shared.set(rate=0.0)

    def _set_spike_times(self, nodes, spike_times, n: int, shift: float = 0.0) -> None:
        dt = self.nest.resolution
        now = self.nest.biological_time
        values = spike_times if isinstance(spike_times, np.ndarray) else [spike_times] * n
        dicts = []
        for seq in values:
            t = np.asarray(getattr(seq, "value", seq), dtype=float).ravel()
            t = np.round(t / dt) * dt - shift
            if t.size and t.min() < dt / 2:
                raise errors.InvalidParameterValueError(
                    f"SpikeSourceArray: spike times must be > {shift} ms on NEST"
                    + (" for plastic synapses" if shift else "")
                    + f", got {t.min() + shift} ms"
                )
            dicts.append({"spike_times": t[t > now + dt / 2]})
        nodes.set(dicts)

    def ids(self, h: _PopHandle) -> np.ndarray:
        return h.ids

    def native_handle(self, h: _PopHandle):
        return h.nodes if h.parrots is None else h.parrots

    def set(self, h: _PopHandle, celltype, idx, params: dict, changed) -> None:
        h.params = params
        nodes = h.nodes if len(idx) == h.n else h.nodes[np.asarray(idx).tolist()]
        if h.model == "spike_generator":
            st = params["spike_times"]
            st = st[idx] if isinstance(st, np.ndarray) else st
            self._set_spike_times(nodes, st, len(idx))
            if h.relay_gens is not None and self.frozen_delays is not None:
                relay = h.relay_gens if len(idx) == h.n else h.relay_gens[np.asarray(idx).tolist()]
                self._set_spike_times(relay, st, len(idx), shift=h.relay_delay)
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
        if h.relay_gens is not None:
            nodes = h.relay_gens if len(idx) == h.n else h.relay_gens[np.asarray(idx).tolist()]
        self._set_nodes(nodes, native, len(idx), h.model)

    def initialize(self, h: _PopHandle, celltype, values: dict) -> None:
        if getattr(celltype, "is_spike_source", False):
            return
        native = {}
        for name, v in values.items():
            if getattr(celltype, "is_native", False):
                nname, factor = name, 1.0
            else:
                nname, factor = tr.state_to_native(self._translation(celltype), name)
            if nname is not None:
                native[nname] = np.asarray(v, dtype=float) * factor
        h.initial.update(native)
        if native:
            h.nodes.set(_listify(native))

    # -- recording ---------------------------------------------------------------------------
    def record(self, h: _PopHandle, celltype, variable: str, idx, interval: float) -> None:
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
            r = _RecordHandle(h, variable)
            self._realise_recorder(r)
            self._log.append(r)

    def _realise_recorder(self, r: _RecordHandle) -> None:
        nest, h = self.nest, r.pop
        if r.variable == "spikes":
            h.recorders["spikes"] = nest.Create("spike_recorder")
        else:
            native = self._recordable(h.celltype, r.variable)[0]
            h.recorders[r.variable] = nest.Create(
                "multimeter", params={"record_from": [native], "interval": h.interval}
            )
        self._connect_recorder(h, r.variable, h.recorded_idx[r.variable])

    def _connect_recorder(self, h: _PopHandle, variable: str, idx) -> None:
        nest = self.nest
        rec = h.recorders[variable]
        idx = np.asarray(idx, dtype=np.int64)
        if variable == "spikes":
            senders = nest.NodeCollection(np.unique(h.senders[idx]).tolist())
            self._device_connect(senders, rec)
        else:
            self._device_connect(rec, h.nodes[idx.tolist()])

    def _recordable(self, celltype, variable: str):
        """(NEST recordable, NEST -> standard factor, NEST parameter to add or None)."""
        if getattr(celltype, "is_native", False):
            return variable, 1.0, None
        t = self._translation(celltype)
        return (*tr.recordable_native(t, variable), tr.recorded_offset(t, variable))

    def stop_recording(self, h: _PopHandle, variable: str) -> None:
        rec = h.recorders.get(variable)
        if rec is not None:
            rec.set(stop=self.nest.biological_time)

    def spikes(self, h: _PopHandle):
        rec = h.recorders.get("spikes")
        if rec is None:
            return np.empty(0, np.int64), np.empty(0)
        ev = rec.get("events")
        rec.set(n_events=0)
        senders = np.asarray(ev["senders"], dtype=np.int64)
        return _index_of(h.senders, senders), np.asarray(ev["times"], dtype=float)

    def signals(self, h: _PopHandle, celltype, variable: str):
        rec = h.recorders.get(variable)
        empty = (np.empty(0), np.empty((0, 0)), np.empty(0, np.int64))
        if rec is None:
            return empty
        native, factor, offset = self._recordable(celltype, variable)
        ev = rec.get("events")
        rec.set(n_events=0)
        senders = np.asarray(ev["senders"], dtype=np.int64)
        if senders.size == 0:
            return empty
        times = np.asarray(ev["times"], dtype=float)
        values = np.asarray(ev[native], dtype=float) * factor
        if offset is not None:
            values = values + np.asarray(h.nodes.get(offset), float)[_index_of(h.ids, senders)]
        columns, col = np.unique(senders, return_inverse=True)
        utimes, row = np.unique(times, return_inverse=True)
        matrix = np.full((utimes.size, columns.size), np.nan)
        matrix[row, col] = values
        return utimes, matrix, _index_of(h.ids, columns)

    # -- connections -----------------------------------------------------------------------------
    def check_synapse(self, projection) -> None:
        synapses.synapse_model(projection)

    def new_projection(self, projection) -> _ProjHandle:
        h = _ProjHandle(self._next_label, projection, synapses.synapse_model(projection))
        self._next_label += 1
        if any(pop.relay != "none" for pop in self._source_pops(projection.pre)):
            h.labelled, h.nest_model = True, h.synapse_model + "_lbl"
        self._realise_model(h)
        self._log.append(h)
        return h

    def _realise_model(self, h: _ProjHandle) -> None:
        if not h.labelled:
            self.nest.CopyModel(h.synapse_model, h.nest_model)

    def _source_pops(self, group):
        """Population handles behind a Population, view or Assembly."""
        members = getattr(group, "populations", None) or [group]
        return [m._population_and_indices()[0]._handle for m in members]

    def connect(self, h: _ProjHandle, projection, block: ConnectionArrays) -> None:
        if len(block) == 0:
            return
        pre_ids = projection.pre._ids[block.pre]
        pops = self._source_pops(projection.pre)
        for pop in pops:
            if pop.relay != "none":
                self._choose_relay(pop, h, block, single=len(pops) == 1)
            if pop.relay == "relay":
                pre_ids = self._to_senders(pop, pre_ids)
        native = synapses.to_native(projection, block)
        synapses.prepare_targets(projection, block, self.nest)
        targets = projection.post._ids[block.post]
        if len(pops) == 1 and pops[0] in h.direct_from and self.frozen_delays is None:
            pops[0].pending.append((h, block.pre, targets, native))
            return
        self._connect_native(h, pre_ids, targets, native)

    def _choose_relay(self, pop: _PopHandle, h: _ProjHandle, block, single: bool) -> None:
        """Direct generator connections where they keep PyNN's semantics, else parrots.

        NEST accepts devices only as sources of static synapses; a Poisson-like generator
        may feed each of its cells' targets directly only while every cell has one target.
        """
        static = h.synapse_model == "static_synapse"
        if pop.model in _SHARED_TRAIN_GENERATORS:
            if not static:
                self._ensure_relay(pop)
            return
        if pop.relay == "relay":
            return
        counts = np.bincount(block.pre, minlength=projection_size(block))
        if pop.relay is None and static and single and not h.direct_from:
            pop.relay = "direct"
            h.direct_from.append(pop)
            h.direct_counts = np.zeros(0, np.int64)
        if pop in h.direct_from:
            total = _add_counts(h.direct_counts, counts)
            h.direct_counts = total
            if total.max() <= 1:
                return
        self._ensure_relay(pop)

    def _to_senders(self, pop: _PopHandle, ids: np.ndarray) -> np.ndarray:
        inside = (ids >= pop.ids[0]) & (ids <= pop.ids[-1])
        out = ids.copy()
        out[inside] = pop.senders[_index_of(pop.ids, ids[inside])]
        return out

    def _connect_native(self, h: _ProjHandle, source, target, params: dict) -> None:
        syn = dict(params, synapse_model=h.nest_model)
        if h.labelled:
            syn["synapse_label"] = h.label
        self.nest.Connect(
            np.asarray(source, np.int64), np.asarray(target, np.int64), "one_to_one", syn_spec=syn
        )

    def disconnect(self, h: _ProjHandle) -> None:
        conns = self.native_connections(h)
        if len(conns):
            self.nest.Disconnect(conns)

    def _live_sources(self, projection):
        """Node ids that currently send this projection's spikes (None: no filter needed)."""
        pops = self._source_pops(projection.pre)
        if not any(p.silenced for p in pops):
            return None
        ids = [
            p.senders
            if p.relay in ("relay", "none")
            else (p.shared.tolist() if p.relay == "shared" else p.ids)
            for p in pops
        ]
        return self.nest.NodeCollection(np.unique(np.concatenate(ids)).tolist())

    def native_connections(self, h: _ProjHandle):
        if h.labelled:
            return self.nest.GetConnections(synapse_label=h.label)
        return self.nest.GetConnections(synapse_model=h.nest_model)

    def native_synapse_model(self, h: _ProjHandle) -> str:
        return h.nest_model

    def connection_values(self, h: _ProjHandle, projection, names):
        conns = self._live_connections(h, projection)
        if len(conns) == 0:
            return (np.empty(0, np.int64), np.empty(0, np.int64), {n: np.empty(0) for n in names})
        native_names = synapses.native_names(projection, names)
        keys = ["source", "target", *native_names]
        data = conns.get(keys)
        data = {k: np.atleast_1d(np.asarray(v)) for k, v in data.items()}
        source = data["source"].astype(np.int64)
        target = data["target"].astype(np.int64)
        pre = _index_of(projection.pre._ids, self._from_senders(projection.pre, source))
        for pop in self._source_pops(projection.pre):
            if pop.relay == "shared" and h.label in pop.shared_pairs:
                mine = source == pop.shared.tolist()[0]
                local, _ = self._shared_pre(pop, h.label, target[mine])
                pre[mine] = _index_of(projection.pre._ids, pop.ids[local])
        post = _index_of(projection.post._ids, target)
        values = synapses.from_native(
            projection, {k: data[k].astype(float) for k in native_names}, names, post
        )
        return pre, post, values

    def _from_senders(self, group, senders: np.ndarray) -> np.ndarray:
        for pop in self._source_pops(group):
            if pop.parrots is not None:
                inside = (senders >= pop.senders[0]) & (senders <= pop.senders[-1])
                senders = senders.copy()
                senders[inside] = pop.ids[_index_of(pop.senders, senders[inside])]
        return senders

    def _live_connections(self, h: _ProjHandle, projection):
        sources = self._live_sources(projection)
        if sources is None:
            return self.native_connections(h)
        return self.nest.GetConnections(source=sources, synapse_label=h.label)

    def set_connection_values(self, h: _ProjHandle, projection, values: dict) -> None:
        conns = self._live_connections(h, projection)
        post = _index_of(
            projection.post._ids, np.asarray(conns.get("target"), dtype=np.int64).ravel()
        )
        block = ConnectionArrays(np.zeros_like(post), post, values)
        native = synapses.to_native(projection, block)
        conns.set({k: np.asarray(v).tolist() for k, v in native.items()})

    # -- current sources ---------------------------------------------------------------------------
    def inject(self, source, target: _PopHandle, idx) -> _SourceHandle:
        h = _SourceHandle(source, target, np.asarray(idx, dtype=np.int64))
        self._realise_source(h)
        self._log.append(h)
        return h

    def _realise_source(self, h: _SourceHandle) -> None:
        nest = self.nest
        model, params = electrodes.source_to_native(h.source, nest.resolution)
        h.device = nest.Create(model, params=params)
        nest.Connect(h.device, h.target.nodes[h.idx.tolist()], syn_spec={"delay": nest.resolution})
        if h.meter is not None:
            self.record_source(h)

    def update_source(self, h: _SourceHandle, source) -> None:
        h.device.set(electrodes.source_to_native(source, self.nest.resolution)[1])

    def record_source(self, h: _SourceHandle) -> None:
        nest = self.nest
        h.meter = nest.Create(
            "multimeter", params={"record_from": ["I"], "interval": nest.resolution}
        )
        nest.Connect(h.meter, h.device)

    def source_signal(self, h: _SourceHandle):
        ev = h.meter.get("events")
        # the device runs one step early (see electrodes.py): report membrane-side times
        dt = self.nest.resolution
        times = np.asarray(ev["times"], dtype=float) + dt
        values = np.asarray(ev["I"], dtype=float) * scale("pA", "nA")
        return np.concatenate([[0.0, dt], times]), np.concatenate([[0.0, 0.0], values])


def projection_size(block) -> int:
    return int(block.pre.max()) + 1 if len(block) else 0


def _add_counts(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    n = max(a.size, b.size)
    return np.pad(a, (0, n - a.size)) + np.pad(b, (0, n - b.size))


def _listify(params: dict) -> dict:
    """NodeCollection.set takes lists for per-node values."""
    return {k: (np.asarray(v).tolist() if np.ndim(v) else v) for k, v in params.items()}


_ARRAY_VALUED: dict[str, frozenset] = {}


def _array_valued(nest, model: str) -> frozenset:
    """Parameters of a NEST model whose single value is an array."""
    if model not in _ARRAY_VALUED:
        defaults = nest.GetDefaults(model)
        _ARRAY_VALUED[model] = frozenset(
            k
            for k, v in defaults.items()
            if isinstance(v, (list, tuple, np.ndarray))
            and k not in ("recordables",)
            and np.asarray(v).dtype.kind == "f"
        )
    return _ARRAY_VALUED[model]


def _snapshot_of(conns):
    """(source, target, params) of NEST connections, everything numeric kept."""
    data = conns.get()
    data = {k: np.atleast_1d(np.asarray(v)) for k, v in data.items()}
    skip = {
        "synapse_model",
        "synapse_id",
        "port",
        "target_thread",
        "sizeof",
        "source",
        "target",
        "synapse_label",
        "synapse_modelid",
    }
    params = {k: v for k, v in data.items() if k not in skip and v.dtype.kind in "fi"}
    if "receptor" in params:
        receptor = params.pop("receptor")
        if receptor.any():
            params["receptor_type"] = receptor
    return data["source"].astype(np.int64), data["target"].astype(np.int64), params


def _index_of(ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Positions of ``values`` in the id array ``ids``."""
    values = np.asarray(values, dtype=np.int64)
    if ids.size and int(ids[-1]) - int(ids[0]) + 1 == ids.size:
        return values - ids[0]
    order = np.argsort(ids, kind="stable")
    pos = np.searchsorted(ids, values, sorter=order)
    return order[np.minimum(pos, max(ids.size - 1, 0))]
