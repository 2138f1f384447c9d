"""The NEST backend: realises the network description with PyNEST 3, in bulk.

Every object the backend makes is a handle in ``self._log`` (creation order).  ``reset()``
snapshots the connections, calls ``ResetKernel`` and replays the log, so a reset network
is exactly a fresh one (same node ids, same RNG stream, same weights), with no
``t_flush`` workaround.  Spike sources whose NEST generator would send a different train
to each target (Poisson, gamma, ...) are relayed through parrot neurons so that one cell
is one spike train, as PyNN promises.
"""

from __future__ import annotations

import numpy as np

from pynn_uni import errors
from pynn_uni.common.backend import ConnectionArrays
from pynn_uni.common.units import scale
from pynn_uni.nest import translations as tr

#: generators that already send one train to all targets and need no parrot relay
_SHARED_TRAIN_GENERATORS = {"spike_generator"}


def _nest():
    import nest  # imported lazily: importing pynn_uni.nest must stay cheap

    return nest


class _PopHandle:
    def __init__(self, population, celltype, model, n):
        self.population_params = None
        self.celltype = celltype
        self.model = model
        self.n = n
        self.nodes = None        # what the user's cells are (parrots for relayed sources)
        self.generators = None   # the generators behind parrots, if any
        self.recorders: dict[str, object] = {}
        self.recorded_idx: dict[str, np.ndarray] = {}
        self.interval = None
        self.ids = None


class _ProjHandle:
    def __init__(self, label):
        self.label = label
        self.synapse_model = None
        self.snapshot = None


class _SourceHandle:
    def __init__(self, source, target, idx):
        self.source = source
        self.target = target
        self.idx = idx
        self.device = None
        self.meter = None


class NestBackend:
    """PyNEST 3 realisation of the backend protocol (see pynn_uni.common.backend)."""

    name = "NEST"

    def __init__(self):
        self.nest = _nest()
        self._log: list = []
        self._next_label = 1
        self.config: dict = {}

    # -- kernel ------------------------------------------------------------------
    def setup(self, config: dict) -> None:
        self.config = dict(config)
        extra = {k: v for k, v in config.items()
                 if k not in ("timestep", "min_delay", "max_delay", "threads", "rng_seed",
                              "rng_type", "verbosity", "spike_precision", "t_flush",
                              "recording_precision", "grng_seed", "rng_seeds",
                              "rng_seeds_seed", "progress")}
        if extra:
            raise errors.NonExistentParameterError(
                sorted(extra)[0], "setup() on NEST",
                ["timestep", "min_delay", "max_delay", "threads", "rng_seed", "rng_type",
                 "verbosity", "spike_precision"])
        self._log = []
        self._reset_kernel()

    def _reset_kernel(self) -> None:
        nest = self.nest
        nest.set_verbosity(self.config.get("verbosity", "M_ERROR")) if False else None
        nest.ResetKernel()
        nest.verbosity = getattr(nest.VerbosityLevel, "ERROR")
        status = {"resolution": self.config["timestep"],
                  "rng_seed": int(self.config.get("rng_seed", 42))}
        if self.config.get("threads"):
            status["local_num_threads"] = int(self.config["threads"])
        if self.config.get("rng_type"):
            status["rng_type"] = self.config["rng_type"]
        nest.SetKernelStatus(status)

    def end(self) -> None:
        self._log = []

    def max_delay(self):
        return float(self.nest.GetKernelStatus("max_delay"))

    def run_until(self, t: float) -> None:
        nest = self.nest
        dt = nest.resolution
        steps = int(round((t - nest.biological_time) / dt))
        if steps > 0:
            nest.Simulate(steps * dt)

    def reset(self) -> None:
        for h in self._log:
            if isinstance(h, _ProjHandle):
                h.snapshot = self._snapshot(h)
        self._reset_kernel()
        for h in self._log:
            self._realise(h)

    # -- cells -------------------------------------------------------------------------
    def check_model(self, celltype) -> str:
        name = type(celltype).__name__
        if getattr(celltype, "nest_model", None):
            return celltype.nest_model
        if name not in tr.CELL_TYPES or tr.CELL_TYPES[name].native is None:
            reason = getattr(tr.CELL_TYPES.get(name), "unsupported", None) or "no NEST model"
            raise errors.NotSupportedError(f"{name} is not available on NEST: {reason}")
        return tr.CELL_TYPES[name].native

    def create(self, celltype, params: dict, n: int, label: str = "") -> _PopHandle:
        model = self.check_model(celltype)
        h = _PopHandle(None, celltype, model, n)
        h.params = params
        self._realise(h)
        self._log.append(h)
        return h

    def _native_cell_params(self, celltype, params: dict) -> dict:
        if getattr(celltype, "is_native", False):
            return dict(params)
        native = tr.to_native(type(celltype).__name__, params)
        return native

    def _realise_population(self, h: _PopHandle) -> None:
        nest = self.nest
        native = self._native_cell_params(h.celltype, h.params)
        scalars = {k: v for k, v in native.items() if np.ndim(v) == 0}
        arrays = {k: v for k, v in native.items() if np.ndim(v) != 0}
        if h.model == "spike_generator":
            nodes = nest.Create(h.model, h.n)
            self._set_spike_times(nodes, h.params.get("spike_times"), h.n)
            h.nodes, h.generators = nodes, None
        else:
            gens = nest.Create(h.model, h.n, params=scalars)
            if arrays:
                gens.set(_listify(arrays, h.n))
            if getattr(h.celltype, "is_spike_source", False) and (
                h.model not in _SHARED_TRAIN_GENERATORS
            ):
                parrots = nest.Create("parrot_neuron", h.n)
                nest.Connect(gens, parrots, "one_to_one",
                             syn_spec={"delay": nest.resolution})
                h.nodes, h.generators = parrots, gens
            else:
                h.nodes, h.generators = gens, None
        h.ids = np.asarray(h.nodes.tolist(), dtype=np.int64)

    def _set_spike_times(self, nodes, spike_times, n) -> None:
        dt = self.nest.resolution
        values = spike_times if isinstance(spike_times, np.ndarray) else [spike_times] * n
        dicts = []
        for seq in values:
            t = np.asarray(getattr(seq, "value", seq), dtype=float)
            t = np.round(t / dt) * dt
            if t.size and t.min() < dt / 2:
                raise errors.InvalidParameterValueError(
                    f"SpikeSourceArray spike times must be > 0 ms on NEST (got {t.min()})")
            dicts.append({"spike_times": t})
        nodes.set(dicts)

    def ids(self, h: _PopHandle) -> np.ndarray:
        return h.ids

    def native_handle(self, h: _PopHandle):
        return h.nodes

    def set(self, h: _PopHandle, celltype, idx, params: dict, changed) -> None:
        h.params = params
        if h.model == "spike_generator":
            sub = params["spike_times"]
            values = sub[idx] if isinstance(sub, np.ndarray) else sub
            self._set_spike_times(h.nodes[idx.tolist()] if len(idx) != h.n else h.nodes,
                                  values if isinstance(values, np.ndarray) else values, len(idx))
            return
        selected = {k: (v[idx] if isinstance(v, np.ndarray) and v.ndim == 1 and v.size == h.n
                        else v) for k, v in params.items()}
        native = self._native_cell_params(celltype, selected)
        target = h.generators if h.generators is not None else h.nodes
        nodes = target if len(idx) == h.n else target[np.asarray(idx).tolist()]
        nodes.set(_listify(native, len(idx)))

    def initialize(self, h: _PopHandle, celltype, values: dict) -> None:
        if getattr(celltype, "is_spike_source", False) or not values:
            return
        native = {}
        for name, v in values.items():
            nname, factor = tr.state_to_native(type(celltype).__name__, name) if not getattr(
                celltype, "is_native", False) else (name, 1.0)
            if nname is None:
                continue
            native[nname] = np.asarray(v, dtype=float) * factor if np.ndim(v) else float(v) * factor
        h.initial = native
        if native:
            h.nodes.set(_listify(native, h.n))

    # -- recording ----------------------------------------------------------------------
    def record(self, h: _PopHandle, celltype, variable: str, idx, interval: float) -> None:
        nest = self.nest
        new = np.asarray(idx)
        h.recorded_idx[variable] = np.union1d(h.recorded_idx.get(variable, []), new).astype(int)
        h.interval = interval
        rec = h.recorders.get(variable)
        if rec is None:
            if variable == "spikes":
                rec = nest.Create("spike_recorder")
            else:
                native, _ = self._recordable(celltype, variable)
                rec = nest.Create("multimeter", params={"record_from": [native],
                                                        "interval": interval})
            h.recorders[variable] = rec
        self._connect_recorder(h, variable, new)
        if not any(isinstance(x, tuple) and x[0] is h and x[1] == variable for x in self._log):
            self._log.append((h, variable))

    def _connect_recorder(self, h, variable, idx) -> None:
        nest = self.nest
        rec = h.recorders[variable]
        nodes = h.nodes[np.asarray(idx).tolist()]
        if variable == "spikes":
            nest.Connect(nodes, rec, syn_spec={"delay": nest.resolution})
        else:
            nest.Connect(rec, nodes, syn_spec={"delay": nest.resolution})

    def _recordable(self, celltype, variable):
        if getattr(celltype, "is_native", False):
            return variable, 1.0
        return tr.recordable_native(type(celltype).__name__, variable)

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
        return senders - h.ids[0] if _contiguous(h.ids) else np.searchsorted(h.ids, senders), \
            np.asarray(ev["times"], dtype=float)

    def signals(self, h: _PopHandle, celltype, variable: str):
        rec = h.recorders.get(variable)
        if rec is None:
            return np.empty(0), np.empty((0, 0)), np.empty(0, np.int64)
        native, factor = self._recordable(celltype, variable)
        ev = rec.get("events")
        rec.set(n_events=0)
        senders = np.asarray(ev["senders"], dtype=np.int64)
        if senders.size == 0:
            return np.empty(0), np.empty((0, 0)), np.empty(0, np.int64)
        times = np.asarray(ev["times"], dtype=float)
        values = np.asarray(ev[native], dtype=float) * factor
        columns = np.unique(senders)
        col = np.searchsorted(columns, senders)
        utimes, row = np.unique(times, return_inverse=True)
        matrix = np.full((utimes.size, columns.size), np.nan)
        matrix[row, col] = values
        cells = columns - h.ids[0] if _contiguous(h.ids) else np.searchsorted(h.ids, columns)
        return utimes, matrix, cells

    # -- connections ------------------------------------------------------------------------
    def check_synapse(self, projection) -> None:
        tr.synapse_model(projection)  # raises NotSupportedError naming the synapse type

    def new_projection(self, projection) -> _ProjHandle:
        h = _ProjHandle(self._next_label)
        self._next_label += 1
        h.synapse_model = tr.synapse_model(projection)
        h.projection = projection
        self._log.append(h)
        return h

    def connect(self, h: _ProjHandle, projection, block: ConnectionArrays) -> None:
        if len(block) == 0:
            return
        nest = self.nest
        pre_ids = projection.pre._ids
        post_ids = projection.post._ids
        syn = tr.synapse_params_to_native(projection, block)
        syn.update(synapse_model=h.synapse_model + "_lbl", synapse_label=h.label)
        tr.prepare_post(projection, self)
        nest.Connect(pre_ids[block.pre], post_ids[block.post], "one_to_one", syn_spec=syn)

    def disconnect(self, h: _ProjHandle) -> None:
        conns = self.native_connections(h)
        if len(conns):
            self.nest.Disconnect(conns)

    def native_connections(self, h: _ProjHandle):
        return self.nest.GetConnections(synapse_label=h.label)

    def native_synapse_model(self, h: _ProjHandle) -> str:
        return h.synapse_model + "_lbl"

    def connection_values(self, h: _ProjHandle, projection, names):
        conns = self.native_connections(h)
        if len(conns) == 0:
            empty = np.empty(0)
            return np.empty(0, np.int64), np.empty(0, np.int64), {n: empty for n in names}
        native_names = tr.synapse_native_names(projection, names)
        keys = ["source", "target"] + sorted(set(native_names.values()))
        data = conns.get(keys)
        source = np.asarray(data["source"], dtype=np.int64)
        target = np.asarray(data["target"], dtype=np.int64)
        pre = _index_of(projection.pre._ids, source)
        post = _index_of(projection.post._ids, target)
        values = tr.synapse_values_from_native(
            projection, {k: np.atleast_1d(np.asarray(data[k], dtype=float))
                         for k in keys[2:]}, names)
        return pre, post, values

    def set_connection_values(self, h: _ProjHandle, projection, values: dict) -> None:
        conns = self.native_connections(h)
        pre = np.zeros(len(conns), np.int64)
        block = ConnectionArrays(pre, pre, values)
        native = tr.synapse_params_to_native(projection, block, include_model=False)
        conns.set({k: np.asarray(v).tolist() for k, v in native.items()})

    def _snapshot(self, h: _ProjHandle):
        conns = self.native_connections(h)
        if len(conns) == 0:
            return None
        data = conns.get()
        skip = {"synapse_model", "synapse_id", "port", "target_thread", "sizeof", "source",
                "target", "synapse_label", "receptor"}
        keep = {k: np.asarray(v) for k, v in data.items()
                if k not in skip and np.asarray(v).dtype.kind in "fi"}
        return (np.asarray(data["source"]), np.asarray(data["target"]),
                np.asarray(data.get("receptor", np.zeros(len(conns), int))), keep)

    # -- current sources -----------------------------------------------------------------------
    def inject(self, source, target: _PopHandle, idx) -> _SourceHandle:
        h = _SourceHandle(source, target, np.asarray(idx))
        self._realise(h)
        self._log.append(h)
        return h

    def _realise_source(self, h: _SourceHandle) -> None:
        nest = self.nest
        model, params = tr.source_to_native(h.source, nest.resolution)
        h.device = nest.Create(model, params=params)
        nodes = h.target.nodes[h.idx.tolist()]
        nest.Connect(h.device, nodes, syn_spec={"delay": nest.resolution})
        if h.meter is not None:
            h.meter = None
            self.record_source(h)

    def update_source(self, h: _SourceHandle, source) -> None:
        _, params = tr.source_to_native(source, self.nest.resolution)
        h.device.set(params)

    def record_source(self, h: _SourceHandle) -> None:
        nest = self.nest
        h.meter = nest.Create("multimeter", params={"record_from": ["I"],
                                                    "interval": nest.resolution})
        nest.Connect(h.meter, h.device)
        h._recorded = True

    def source_signal(self, h: _SourceHandle):
        ev = h.meter.get("events")
        times = np.asarray(ev["times"], dtype=float)
        return np.concatenate([[0.0], times]), np.concatenate(
            [[0.0], np.asarray(ev["I"], dtype=float) * scale("pA", "nA")])

    # -- replay -------------------------------------------------------------------------------
    def _realise(self, h) -> None:
        if isinstance(h, _PopHandle):
            self._realise_population(h)
            if getattr(h, "initial", None):
                h.nodes.set(_listify(h.initial, h.n))
            h.recorders = {}
        elif isinstance(h, _ProjHandle):
            if h.snapshot is not None:
                source, target, receptor, params = h.snapshot
                syn = {k: v for k, v in params.items()}
                syn.update(synapse_model=h.synapse_model + "_lbl", synapse_label=h.label)
                if receptor.any():
                    syn["receptor_type"] = receptor
                tr.prepare_post(h.projection, self)
                self.nest.Connect(source, target, "one_to_one", syn_spec=syn)
                h.snapshot = None
        elif isinstance(h, _SourceHandle):
            self._realise_source(h)
        elif isinstance(h, tuple):
            pop_h, variable = h
            self.record(pop_h, pop_h.celltype, variable, pop_h.recorded_idx[variable],
                        pop_h.interval)


def _listify(params: dict, n: int) -> dict:
    """NEST's NodeCollection.set takes lists for per-node values."""
    return {k: (np.asarray(v).tolist() if np.ndim(v) else v) for k, v in params.items()}


def _contiguous(ids: np.ndarray) -> bool:
    return ids.size == 0 or int(ids[-1]) - int(ids[0]) + 1 == ids.size


def _index_of(ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    if _contiguous(ids) and np.all(np.diff(ids) > 0):
        return values - ids[0]
    order = np.argsort(ids)
    return order[np.searchsorted(ids, values, sorter=order)]
