"""The NEURON backend: realises the network description with NEURON's Python API.

Cells are our own ARTIFICIAL_CELL mechanisms (``nmodl/``, compiled on first use by
``compile.py``): ``PynnIF`` integrates on NEST's time grid, so spike times and membrane
traces match NEST's; spike sources are ``PynnRelay`` cells re-emitting events that the
backend queues before each run (SpikeSourceArray times, or Poisson times drawn with numpy
from streams seeded by the rng seed, the population's first id and a 1 s block index, so a
split run equals a single run).  One NetCon per connection.  ``reset()`` re-initialises
NEURON (``finitialize``) with the same objects, so a reset network is exactly a fresh one.
"""

from __future__ import annotations

import numpy as np

from pynn_uni import errors
from pynn_uni.common.backend import ConnectionArrays
from pynn_uni.neuron import translations as tr

_SETUP_OPTIONS = {"timestep", "min_delay", "max_delay", "rng_seed", "use_cvode", "rtol", "atol"}
_BLOCK_MS = 1000.0  # Poisson streams are drawn in blocks of this length (ms)
#: current sources computed inside PynnIF (at most one of each per cell)
_WAVES = {"ACSource": "ac", "NoisyCurrentSource": "noise"}
#: NetCon weight-vector slot of each synapse value (see NET_RECEIVE in nmodl/pynn_if.mod)
_SLOTS = {"weight": 0, "U": 3, "tau_rec": 4, "tau_facil": 5, "u": 7}


def _neuron_h():
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
        self.translation = tr.CELLS[name]
        self.is_source = bool(getattr(celltype, "is_spike_source", False))
        self.cells: list = []
        self.feeds: list = []  # sources: NetCon(None, relay) per cell, for queued spikes
        self.initial: dict[str, np.ndarray] = {}
        self.spike_t = self.spike_i = None
        self.spike_nc: dict[int, object] = {}
        self.spike_read = 0
        self.vectors: dict[str, dict[int, object]] = {}  # variable -> cell index -> Vector
        self.read: dict[str, int] = {}  # variable -> samples already handed over
        self.active: set[str] = set()
        self.interval = None
        self.blocks: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.waves: dict[str, set] = {}  # "ac"/"noise" -> cell indices that have one


class _Proj:
    def __init__(self, projection):
        self.projection = projection
        self.kind = type(projection.synapse_type).__name__
        self.receptor = 1 if projection.receptor_type == "inhibitory" else 0
        self.pre = np.empty(0, np.int64)
        self.post = np.empty(0, np.int64)
        self.values: dict[str, np.ndarray] = {}  # weight (uS/nA), delay (ms), ...
        self.netcons: list = []


class _Source:
    """A current source on some cells of one population: its steps (time ms, change nA)."""

    def __init__(self, source, target: _Pop, idx: np.ndarray):
        self.source, self.target, self.idx = source, target, idx
        self.times = self.deltas = np.empty(0)
        self.netcons: list[list] = []  # per step, one NetCon per target cell
        self.history: list = []  # (times, deltas, valid until) before each mid-run update
        self.recorded = False
        self.stream = 0  # NoisyCurrentSource: the third Random123 id of its cells' streams
        self.meter = None


class NeuronBackend:
    """NEURON 9 realisation of the backend protocol (see pynn_uni.common.backend)."""

    name = "NEURON"
    frozen_delays = None

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
        if config.get("rtol") is not None:
            self.cvode.rtol(float(config["rtol"]))
        if config.get("atol") is not None:
            self.cvode.atol(float(config["atol"]))
        self.pc = h.ParallelContext()
        self.pc.set_maxstep(10)
        # Vector.record needs a section in the model; this one carries no mechanism
        self._clock = h.Section(name="pynn_uni_clock")
        self.pops: list[_Pop] = []
        self.projs: list[_Proj] = []
        self.sources: list[_Source] = []
        self._n_waves = 0
        self.objects = np.empty(0, dtype=object)  # hoc cell object per global id - 1
        self.next_id = 1
        self.t = 0.0
        self.need_init = True
        self.seed = int(config.get("rng_seed", 42))

    def end(self) -> None:
        """Free every NEURON object now: the common layer's objects live on in reference
        cycles, and a cell freed later, mid-run of the next network, would leave its pending
        self-events in NEURON's queue (an assertion failure in SelfEvent::deliver)."""
        for pop in self.pops:
            pop.cells, pop.feeds, pop.spike_nc, pop.vectors = [], [], {}, {}
        for proj in self.projs:
            proj.netcons = []
        for src in self.sources:
            src.netcons = []
        self.pops, self.projs, self.sources = [], [], []
        self.objects = np.empty(0, dtype=object)
        self._clock = None

    def max_delay(self) -> float:
        delays = [p.values["delay"].max() for p in self.projs if p.pre.size]
        return float(max(delays)) if delays else 10.0

    # -- cells ---------------------------------------------------------------------------
    def check_model(self, celltype) -> str:
        name = type(celltype).__name__
        if getattr(celltype, "is_native", False) or name not in tr.CELLS:
            reason = tr.UNSUPPORTED.get(name, "no pynn_uni mechanism for it on NEURON")
            raise errors.NotSupportedError(f"{name} is not available on NEURON: {reason}")
        return name

    def create(self, celltype, params: dict, n: int, label: str = "") -> _Pop:
        name = self.check_model(celltype)
        pop = _Pop(len(self.pops), name, celltype, params, n, self.next_id)
        h, t = self.h, pop.translation
        make = getattr(h, t.mechanism)
        pop.cells = [make() for _ in range(n)]
        if pop.is_source:
            pop.feeds = [h.NetCon(None, c) for c in pop.cells]
        else:
            self._set_params(pop, np.arange(n), {**t.switches, "grid": self.dt, **params})
            if t.mechanism == "PynnIF":
                self._set_substeps(pop, np.arange(n))
        objs = np.empty(n, dtype=object)
        objs[:] = pop.cells
        self.objects = np.concatenate([self.objects, objs])
        self.next_id += n
        self.pops.append(pop)
        return pop

    @staticmethod
    def _set_params(pop: _Pop, idx, params: dict) -> None:
        cells = [pop.cells[i] for i in idx]
        for k, v in params.items():
            values = np.broadcast_to(np.asarray(v, dtype=float), (pop.n,))[idx]
            for c, x in zip(cells, values.tolist(), strict=True):
                setattr(c, k, x)

    def _set_substeps(self, pop: _Pop, idx) -> None:
        """Runge-Kutta substeps per time step: each at most a tenth of the fastest time
        constant (RK4 error per substep ~ 1e-7 relative; traces stay ~1e-3 mV of exact)."""
        taus = [pop.params[k] for k in ("tau_m", "tau_syn_E", "tau_syn_I") if k in pop.params]
        fastest = np.min(np.broadcast_arrays(*[np.asarray(t, float) for t in taus]), axis=0)
        nsub = np.maximum(1, np.ceil(10.0 * self.dt / np.broadcast_to(fastest, (pop.n,))))
        self._set_params(pop, idx, {"nsub": nsub})

    def ids(self, h: _Pop) -> np.ndarray:
        return h.ids

    def native_handle(self, h: _Pop):
        """The population's NEURON objects (PynnIF or PynnRelay), in index order."""
        return h.cells

    def set(self, h: _Pop, celltype, idx, params: dict, changed) -> None:
        h.params = params
        if h.is_source:
            h.blocks = {b: v for b, v in h.blocks.items() if (b + 1) * _BLOCK_MS <= self.t}
            return
        self._set_params(h, np.asarray(idx), {k: params[k] for k in changed})
        if h.translation.mechanism == "PynnIF":
            self._set_substeps(h, np.asarray(idx))

    def initialize(self, h: _Pop, celltype, values: dict) -> None:
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
            for i in np.asarray(idx, np.int64).tolist():
                if i not in h.spike_nc:
                    nc = hoc.NetCon(h.cells[i], None)
                    nc.record(h.spike_t, h.spike_i, i)
                    h.spike_nc[i] = nc
        else:
            native = h.translation.recordables[variable]
            vectors = h.vectors.setdefault(variable, {})
            for i in np.asarray(idx, np.int64).tolist():
                if i not in vectors:
                    vec = hoc.Vector()
                    vec.record(getattr(h.cells[i], f"_ref_{native}"))  # every step
                    vectors[i] = vec
        if variable not in h.active:  # (re)start: what was recorded while stopped is dropped
            self._skip(h, variable)
        h.active.add(variable)

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
        times = h.spike_t.as_numpy()[start:].copy()
        return h.spike_i.as_numpy()[start:].astype(np.int64), times

    def signals(self, h: _Pop, celltype, variable: str):
        empty = (np.empty(0), np.empty((0, 0)), np.empty(0, np.int64))
        vectors = h.vectors.get(variable)
        if not vectors or self.need_init:
            return empty
        total = self._samples(h)
        start, h.read[variable] = h.read.get(variable, 0), total
        if variable not in h.active or total <= start:
            return empty
        columns = np.array(sorted(vectors), dtype=np.int64)
        k = int(round(h.interval / self.dt))
        steps = np.arange(start, total) * k
        n_steps = int(round(self.t / self.dt)) + 1
        values = np.full((steps.size, columns.size), np.nan)
        for j, i in enumerate(columns.tolist()):
            data = vectors[i].as_numpy()[:n_steps]
            first = n_steps - data.size  # a vector made mid-run holds the latest steps only
            ok = steps >= first
            values[ok, j] = data[steps[ok] - first]
        times = h.interval * np.arange(start, total)
        keep = times > 0.0  # t = 0 is the initial value, which the common layer supplies
        return times[keep], values[keep], columns

    # -- connections -----------------------------------------------------------------------
    def check_synapse(self, projection) -> None:
        st = projection.synapse_type
        name = type(st).__name__
        if getattr(st, "is_native", False) or name not in tr.SYNAPSES:
            raise errors.NotSupportedError(
                f"{name} is not available on NEURON (supported: {', '.join(tr.SYNAPSES)})"
            )
        post = getattr(projection.post, "populations", None) or [projection.post]
        names = {type(p.celltype).__name__ for p in post}
        if name != "StaticSynapse" and any(tr.CELLS[n].mechanism != "PynnIF" for n in names):
            raise errors.NotSupportedError(
                f"{name} onto {', '.join(sorted(names))} is not available on NEURON yet "
                "(only onto the IF_* cell types)"
            )

    def new_projection(self, projection) -> _Proj:
        h = _Proj(projection)
        self.projs.append(h)
        return h

    def connect(self, h: _Proj, projection, block: ConnectionArrays) -> None:
        n = len(block)
        if n == 0:
            return
        params = {"weight": 0.0, "delay": self.dt, **tr.SYNAPSES[h.kind]}
        values = {
            k: np.broadcast_to(np.asarray(block.params.get(k, v), float), (n,))
            for k, v in params.items()
        }
        sources = self.objects[projection.pre._ids[block.pre] - 1].tolist()
        targets = self.objects[projection.post._ids[block.post] - 1].tolist()
        NetCon, receptor = self.h.NetCon, h.receptor
        made = []
        for s, t, d, w in zip(
            sources, targets, values["delay"].tolist(), values["weight"].tolist(), strict=True
        ):
            nc = NetCon(s, t, 0.0, d, w)
            if receptor:
                nc.weight[1] = receptor
            made.append(nc)
        if h.kind == "TsodyksMarkramSynapse":
            tau = "tau_syn_I" if receptor else "tau_syn_E"
            extra = [values[k].tolist() for k in ("U", "tau_rec", "tau_facil", "u")]
            for nc, t, *p in zip(made, targets, *extra, strict=True):
                nc.weight[2] = 1.0
                nc.weight[3], nc.weight[4], nc.weight[5] = p[0], p[1], p[2]
                nc.weight[6], nc.weight[7] = getattr(t, tau), p[3]
        h.netcons.extend(made)
        h.pre = np.concatenate([h.pre, block.pre])
        h.post = np.concatenate([h.post, block.post])
        for k, v in values.items():
            h.values[k] = np.concatenate([h.values.get(k, np.empty(0)), v])

    def disconnect(self, h: _Proj) -> None:
        h.netcons = []
        h.pre, h.post = np.empty(0, np.int64), np.empty(0, np.int64)
        h.values = {}

    def native_connections(self, h: _Proj):
        return h.netcons

    def native_synapse_model(self, h: _Proj) -> str:
        return "NetCon"

    def connection_values(self, h: _Proj, projection, names):
        values = {}
        known = ["weight", "delay", *tr.SYNAPSES[h.kind]]
        for name in names:
            if name not in known:
                raise errors.NonExistentParameterError(name, h.kind, sorted(known))
            values[name] = h.values.get(name, np.empty(0)).copy()
        return h.pre.copy(), h.post.copy(), values

    def set_connection_values(self, h: _Proj, projection, values: dict) -> None:
        n = h.pre.size
        for name, v in values.items():
            h.values[name] = np.broadcast_to(np.asarray(v, float), (n,)).copy()
            new = h.values[name].tolist()
            if name == "delay":
                for nc, d in zip(h.netcons, new, strict=True):
                    nc.delay = d
            else:  # weight vector slot: the value takes effect at the next spike
                slot = _SLOTS[name]
                for nc, x in zip(h.netcons, new, strict=True):
                    nc.weight[slot] = x

    # -- current sources -----------------------------------------------------------------
    def inject(self, source, target: _Pop, idx) -> _Source:
        name = type(source).__name__
        if name not in tr.CURRENT_SOURCES or getattr(source, "is_native", False):
            raise errors.NotSupportedError(
                f"{name} is not available on NEURON (supported: {', '.join(tr.CURRENT_SOURCES)})"
            )
        h = _Source(source, target, np.asarray(idx, np.int64))
        if name in _WAVES and target.translation.mechanism != "PynnIF":
            raise errors.NotSupportedError(
                f"{name} into {target.name} is not available on NEURON yet (only DCSource "
                "and StepCurrentSource)"
            )
        if name in _WAVES:
            prefix = _WAVES[name]
            taken = target.waves.setdefault(prefix, set())
            clash = taken.intersection(h.idx.tolist())
            if clash:
                raise errors.NotSupportedError(
                    f"{name}: cell {min(clash)} of this population already has one; NEURON's "
                    f"PynnIF takes at most one {name} per cell"
                )
            taken.update(h.idx.tolist())
            self._n_waves += 1
            h.stream = self._n_waves
            self._set_wave(h)
        else:
            h.times, h.deltas = _steps(source, self.dt)
            h.netcons = self._source_netcons(h, h.deltas)
        self.sources.append(h)
        return h

    def _set_wave(self, h: _Source) -> None:
        """ACSource / NoisyCurrentSource: parameters of the cell's own waveform."""
        p = {k: getattr(v, "value", v) for k, v in h.source.get_parameters().items()}
        prefix = _WAVES[type(h.source).__name__]
        values = {f"{prefix}_on": 1.0, f"{prefix}_start": p["start"], f"{prefix}_stop": p["stop"]}
        if prefix == "ac":
            values.update(ac_amp=p["amplitude"], ac_offset=p["offset"],
                          ac_freq=p["frequency"], ac_phase=p["phase"])  # fmt: skip
        else:
            hold = max(self.dt, round(float(p["dt"]) / self.dt) * self.dt)
            values.update(noise_mean=p["mean"], noise_std=p["stdev"], noise_dt=hold)
        cells = [h.target.cells[i] for i in h.idx.tolist()]
        for c in cells:
            for k, v in values.items():
                setattr(c, k, float(v))
        if prefix == "noise":
            self._seed_noise(h)

    def _seed_noise(self, h: _Source) -> None:
        """Each target cell draws from its own stream: (rng_seed, cell id, source number)."""
        for i in h.idx.tolist():
            rng = h.target.cells[i].noise_rng
            rng.set_ids(self.seed, int(h.target.ids[i]), h.stream)
            rng.set_seq(0)

    def _source_netcons(self, h: _Source, deltas: np.ndarray) -> list:
        """One NetCon per (target cell, distinct step), carrying the step (nA) as weight."""
        NetCon, cells = self.h.NetCon, [h.target.cells[i] for i in h.idx.tolist()]
        made = []
        for d in deltas.tolist():
            row = []
            for c in cells:
                nc = NetCon(None, c)
                nc.weight[0], nc.weight[1] = d, 2
                row.append(nc)
            made.append(row)
        return made

    def update_source(self, h: _Source, source) -> None:
        if type(source).__name__ in _WAVES:
            h.source = source
            self._set_wave(h)
            return
        times, deltas = _steps(source, self.dt)
        mid_run = not self.need_init and self.t > 0
        if mid_run:  # the new level from now on; earlier steps stay as they were
            now = _level(times, deltas, self.t) - _level(h.times, h.deltas, self.t)
            later = times > self.t + 1e-6 * self.dt
            times = np.concatenate([[self.t], times[later]])
            deltas = np.concatenate([[now], deltas[later]])
            h.history.append((h.times, h.deltas, self.t))
        h.times, h.deltas = times, deltas
        h.netcons = self._source_netcons(h, deltas)
        if mid_run:  # the next run queues (t, t1] only: queue the jump at t here
            for nc in h.netcons[0]:
                nc.event(self.t)

    def record_source(self, h: _Source) -> None:
        h.recorded = True
        if type(h.source).__name__ in _WAVES and h.idx.size:
            h.meter = self.h.Vector()
            h.meter.record(h.target.cells[int(h.idx[0])]._ref_i_wave)

    def source_signal(self, h: _Source):
        t = self.dt * np.arange(int(round(self.t / self.dt)) + 1)
        if h.meter is not None:  # sample k holds the current of the step ending at k*dt
            data = h.meter.as_numpy()[: t.size]
            values = np.zeros(t.size)
            values[: max(data.size - 1, 0)] = data[1:]
            return t[:-1], values[:-1]
        values = _level(h.times, h.deltas, t)
        for times, deltas, until in h.history:  # levels before mid-run updates
            early = t < until - 1e-9 * self.dt
            values[early] = _level(times, deltas, t[early])
        return t, values

    # -- running -------------------------------------------------------------------------
    def _initialise(self) -> None:
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
            self._initialise()
        for pop in self.pops:
            if pop.is_source:
                self._queue(pop, self.t, t)
        for src in self.sources:
            self._queue_steps(src, self.t, t)
        self.pc.psolve(t)
        self.t = t

    def _queue(self, pop: _Pop, t0: float, t1: float) -> None:
        """Queue the source's spikes in (t0, t1] as events into its relay cells."""
        idx, times = self._source_spikes(pop, t0, t1)
        feeds = pop.feeds
        for i, s in zip(idx.tolist(), times.tolist(), strict=True):
            feeds[i].event(s)

    def _queue_steps(self, src: _Source, t0: float, t1: float) -> None:
        """Queue the source's current steps in (t0, t1] ([0, t1] on the first run)."""
        eps = 1e-6 * self.dt
        low = -eps if t0 == 0.0 else t0 + eps
        for k in np.flatnonzero((src.times > low) & (src.times <= t1 + eps)).tolist():
            for nc in src.netcons[k]:
                nc.event(float(src.times[k]))

    def _source_spikes(self, pop: _Pop, t0: float, t1: float):
        if pop.name == "SpikeSourceArray":
            idx, times = _array_spikes(pop.params["spike_times"], pop.n, self.dt)
        else:
            first = int(np.floor(t0 / _BLOCK_MS))
            last = int(np.floor(t1 / _BLOCK_MS))
            parts = [self._poisson_block(pop, b) for b in range(first, last + 1)]
            idx = np.concatenate([p[0] for p in parts])
            times = np.concatenate([p[1] for p in parts])
        eps = 1e-6 * self.dt
        sel = (times > t0 + eps) & (times <= t1 + eps)
        order = np.argsort(times[sel], kind="stable")
        return idx[sel][order], times[sel][order]

    def _poisson_block(self, pop: _Pop, b: int):
        """Poisson spikes of block [b, b+1) seconds, rounded up to the time grid (like NEST's
        poisson_generator, several spikes may share one step)."""
        if b not in pop.blocks:
            rng = np.random.default_rng([self.seed, int(pop.ids[0]) if pop.n else 0, b])
            p = pop.params
            rate, start, duration = (
                np.broadcast_to(np.asarray(p[k], float), (pop.n,))
                for k in ("rate", "start", "duration")
            )
            lo = np.maximum(start, b * _BLOCK_MS)
            hi = np.minimum(start + duration, (b + 1) * _BLOCK_MS)
            span = np.clip(hi - lo, 0.0, None)
            counts = rng.poisson(rate * span / 1000.0)
            idx = np.repeat(np.arange(pop.n), counts)
            times = lo[idx] + rng.random(idx.size) * span[idx]
            times = np.ceil(times / self.dt - 1e-9) * self.dt
            pop.blocks[b] = (idx, times)
        return pop.blocks[b]

    def reset(self) -> None:
        self.t = 0.0
        self.need_init = True
        for src in self.sources:  # a fresh run uses the source's latest parameters
            if type(src.source).__name__ in _WAVES:
                if src.stream and _WAVES[type(src.source).__name__] == "noise":
                    self._seed_noise(src)  # the same noise again
                continue
            src.history = []
            src.times, src.deltas = _steps(src.source, self.dt)
            src.netcons = self._source_netcons(src, src.deltas)


def _array_spikes(spike_times, n: int, dt: float):
    """(cell index, time ms) of a SpikeSourceArray, times moved to the nearest grid point."""
    values = spike_times if isinstance(spike_times, np.ndarray) else [spike_times] * n
    trains = [np.asarray(getattr(s, "value", s), float).ravel() for s in values]
    idx = np.repeat(np.arange(n), [t.size for t in trains])
    times = np.concatenate(trains) if trains else np.empty(0)
    return idx, np.round(times / dt) * dt


def _steps(source, dt: float):
    """(times, changes) of a DC or step current source, times on the grid: the change
    applies to the membrane from the step that starts at its time (NEST's semantics)."""
    p = {k: getattr(v, "value", v) for k, v in source.get_parameters().items()}
    if type(source).__name__ == "DCSource":
        times = np.array([p["start"], p["stop"]], float)
        levels = np.array([p["amplitude"], 0.0])
    else:
        times = np.asarray(p["times"], float).ravel()
        levels = np.asarray(p["amplitudes"], float).ravel()
    times = np.round(times / dt) * dt
    order = np.argsort(times, kind="stable")
    times, levels = times[order], levels[order]
    deltas = np.diff(np.concatenate([[0.0], levels]))
    return times, deltas


def _level(times: np.ndarray, deltas: np.ndarray, t):
    """Current (nA) of a step source at time(s) t: the sum of the steps up to t."""
    cum = np.concatenate([[0.0], np.cumsum(deltas)])
    return cum[np.searchsorted(times, np.asarray(t, float) + 1e-9, side="right")]
