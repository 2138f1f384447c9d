"""Simulation control: setup / run / run_until / reset / end and the one current Simulation.

The :class:`Simulation` object holds everything about a run (backend, timestep, delays,
the objects created, recorded data); there is exactly one current simulation (kept in
:mod:`pynn_uni.common.simulation`), which ``setup()`` replaces.  Backend modules expose the
functions below through :mod:`pynn_uni.common.namespace`, bound to their backend class.
"""

from __future__ import annotations

import atexit
import os
import time as _time
from typing import Any

import numpy as np

from pynn_uni import errors, list_backends
from pynn_uni.common import budget, electrodes, mpi, provenance, simulation, validation
from pynn_uni.common.capabilities import capabilities_of
from pynn_uni.common.models import (
    STANDARD_CELL_COMPONENTS,
    STANDARD_CELL_TYPES,
    STANDARD_POST_SYNAPTIC_RESPONSES,
    SpikeSourceGamma,
    SpikeSourcePoisson,
    SpikeSourcePoissonRefractory,
)
from pynn_uni.common.simulation import current_simulation

_counter = 0

#: setup() arguments of old PyNN versions, refused with a hint.
_REFUSED_SETUP_ARGS = ("mindelay", "maxdelay", "dt", "time_step")

#: Every setup() keyword that some PyNN 0.13 backend (or its examples) passes.  A PyNN script
#: runs unchanged on every backend: a keyword its backend declares in ``setup_options`` acts
#: there, any other keyword of this set is accepted and ignored (docs/differences.md).
PYNN_SETUP_KEYWORDS = frozenset(
    {
        # NEST
        "threads", "verbosity", "spike_precision", "recording_precision", "rng_seed",
        "rng_type", "t_flush", "grng_seed", "rng_seeds", "rng_seeds_seed",
        # NEURON
        "use_cvode", "rtol", "atol", "native_rng_baseseed", "default_maxstep",
        # NineML / NeuroML export, mock
        "filename", "reference", "rank", "num_processes", "file",
        # PyNN's BrainScaleS hardware backend (its examples pass them to every simulator)
        "loglevel", "useSystemSim", "maxNeuronLoss", "maxSynapseLoss", "hardwareNeuronSize",
        "hardware",
        # older PyNN versions, still in scripts
        "debug", "quit_on_end", "label",
    }
)  # fmt: skip


class Simulation:
    """One simulation: a backend plus the network description it realises."""

    #: what some standard model records: ``get_data()`` of one of these that a population
    #: does not record gives no data (as in PyNN); any other name is refused as a typo
    known_variables = frozenset(
        name
        for registry in (STANDARD_CELL_TYPES, STANDARD_CELL_COMPONENTS,
                         STANDARD_POST_SYNAPTIC_RESPONSES)
        for model in registry.values()
        for name in model.recordable
    )  # fmt: skip

    def __init__(self, backend, timestep: float, min_delay, max_delay, extra: dict[str, Any]):
        self.backend = backend
        self.dt = float(timestep)
        self.min_delay = min_delay
        self.max_delay = max_delay
        self.extra = dict(extra)
        self.t = 0.0
        self.segment_counter = 0
        self.populations: list = []
        self.projections: list = []
        self.current_sources: list = []
        self.recorders: list = []
        self.write_on_end: list = []
        self.timings = {"setup": 0.0, "build": 0.0, "run": 0.0}
        self._created = _time.perf_counter()
        self.running = False
        self.progress = False  # setup(progress=True): a tqdm bar during run
        global _counter
        _counter += 1
        self.number = _counter
        self.namespace: str | None = None  # the backend module that set it up
        self.ended = False  # end() or a new setup() finished it; its data are frozen
        self.replaced = False  # a new setup() came after it: its ids mean other cells now

    def describe(self) -> str:
        via = f", set up through {self.namespace}" if self.namespace else ""
        return f"simulation #{self.number} ({self.backend.name}{via})"

    def finish(self) -> None:
        """Freeze what was recorded (so get_data keeps working) before the backend ends."""
        if self.ended:
            return
        for rec in self.recorders:
            rec.freeze()
        for source in self.current_sources:
            if source.__dict__.get("_recorded"):
                try:
                    source.__dict__["_frozen_data"] = self.source_data(source)
                except Exception:  # noqa: BLE001 - a source that never ran has nothing to keep
                    pass
        self.ended = True

    # -- delays -------------------------------------------------------------
    @property
    def default_delay(self) -> float:
        """Delay used when a synapse says ``delay=None``: min_delay, or dt when 'auto'."""
        return self.dt if self.min_delay == "auto" else float(self.min_delay)

    def check_delays(self, delays: np.ndarray, where: str, cells: int = 0) -> None:
        """Refuse negative delays, delays below the timestep, and delays whose input ring
        buffers for ``cells`` target cells would exceed the memory; names the culprit."""
        delays = np.asarray(delays, dtype=float)
        if delays.size == 0:
            return
        lo = float(delays.min())
        if not np.isfinite(delays).all():
            raise errors.ConnectionError(f"{where}: delays must be finite")
        if lo < 0:
            raise errors.ConnectionError(f"{where}: negative delay {lo} ms")
        floor = self.dt if self.min_delay == "auto" else float(self.min_delay)
        if lo < floor - 1e-9 * floor:
            raise errors.ConnectionError(
                f"{where}: delay {lo} ms is below the minimum delay {floor} ms "
                f"(timestep {self.dt} ms, min_delay {self.min_delay!r})"
            )
        if self.max_delay != "auto" and float(delays.max()) > float(self.max_delay) * (1 + 1e-9):
            raise errors.ConnectionError(
                f"{where}: delay {float(delays.max())} ms exceeds max_delay {self.max_delay} ms"
            )
        hi = float(delays.max())
        budget.check_memory(
            budget.delay_buffer_bytes(hi, self.dt, cells),
            f"{where}: delay {hi:g} ms ({hi / self.dt:.3g} time steps of {self.dt} ms, "
            f"buffered for each of {cells} target cells)",
            "use shorter delays or a longer timestep",
        )
        frozen = self.backend.fixed_delays()
        if frozen is not None and (lo < frozen[0] - 1e-9 or delays.max() > frozen[1] + 1e-9):
            raise errors.ConnectionError(
                f"{where}: delays in [{lo}, {float(delays.max())}] ms are outside the range "
                f"[{frozen[0]}, {frozen[1]}] ms that {self.backend.name} fixed at the first run; "
                "give min_delay and max_delay to setup() to widen it"
            )

    # -- running ------------------------------------------------------------
    def check_run(self, tstop: float, call: str) -> None:
        """Refuse a run to ``tstop`` whose step count, or the data it would record and the
        spikes its Poisson-like sources would draw, exceed the machine: before it starts,
        so the simulator never sees it and the simulation stays usable."""
        budget.check_steps(
            tstop / self.dt,
            f"{call}: t = {tstop:g} ms at timestep {self.dt} ms",
            "run for a shorter time",
        )
        span = tstop - self.t
        if span <= 0:
            return
        samples = 0.0
        for rec in self.recorders:
            interval = rec.sampling_interval or self.dt
            for variable, mask in rec.recorded.items():
                if variable != "spikes":
                    samples += np.count_nonzero(mask) * (span / interval + 1.0)
        spikes = sum(_source_spikes(pop, self.t, tstop) for pop in self.populations)
        if samples or spikes:
            budget.check_memory(
                samples * budget.VALUE_BYTES + spikes * budget.SPIKE_BYTES,
                f"{call} from t = {self.t:g} to {tstop:g} ms ({samples:.3g} recorded samples, "
                f"{spikes:.3g} Poisson source spikes)",
                "run for a shorter time, record fewer cells or sample less often",
            )

    def check_not_past(self, tstop: float, call: str) -> None:
        """A run cannot go back in time (``reset()`` does); within half a step is a no-op."""
        if tstop < self.t - self.dt / 2:
            raise errors.InvalidParameterValueError(
                f"{call}: the simulation is already at t = {round(self.t, 9)} ms; "
                f"tstop must be >= {round(self.t, 9)} ms (reset() goes back to 0)"
            )

    def run_until(self, tstop: float, callbacks=None) -> float:
        """Advance to ``tstop`` (checked: not in the past) calling ``callbacks`` (a checked
        list of functions) on PyNN's schedule."""
        self.check_not_past(tstop, f"run_until({tstop})")
        if self.timings["build"] == 0.0:
            self.timings["build"] = _time.perf_counter() - self._created
        callbacks = list(callbacks or [])
        bar = _progress_bar(self, tstop) if self.progress else None
        if bar is not None:
            callbacks.append(bar)
        start = _time.perf_counter()
        self.running = True
        try:
            if not callbacks:
                self._advance(tstop)
            else:
                # PyNN's schedule: every callback is called now; then the earliest ones (those
                # due within one dt of each other) after each advance, the last advance ending
                # at tstop, so a progress bar is called at the end too.
                next_t = [_next_time(cb, self.t) for cb in callbacks]
                while self.t < tstop - self.dt / 2:
                    first = min(next_t)
                    due = [k for k, t in enumerate(next_t) if t - first < self.dt]
                    self._advance(min(max(first, self.t + self.dt), tstop))
                    for k in due:
                        next_t[k] = _next_time(callbacks[k], self.t)
        finally:  # an interrupted run too: its time counts, its progress bar closes
            self.timings["run"] += _time.perf_counter() - start
            if bar is not None:
                bar.close()
        return self.t

    def _advance(self, t: float) -> None:
        steps = round(t / self.dt)
        t = steps * self.dt
        if t > self.t:
            try:
                self.backend.run_until(t)
            except KeyboardInterrupt:  # Ctrl-C: time and data stay where the simulator stopped
                self.t = self.backend.current_time()
                raise
            self.t = t

    def reset(self, annotations=None) -> None:
        """Finish the current segment, rebuild the network at t=0 from its description."""
        for rec in self.recorders:
            rec.end_segment(annotations or {})
        if self.running:  # nothing ran since the last reset: the simulator is still at t=0
            self.backend.reset()
        self.running = False
        self.t = 0.0
        self.segment_counter += 1
        for pop in self.populations:
            pop._apply_initial_values()
        for rec in self.recorders:
            rec.start_segment()

    # -- current sources (called by the source objects) --------------------
    def inject(self, source, cells) -> None:
        electrodes.inject(self, source, cells)

    def update_source(self, source) -> None:
        electrodes.update(self, source)

    def record_source(self, source) -> None:
        electrodes.record(self, source)

    def source_data(self, source):
        return electrodes.get_data(self, source)


def _next_time(callback, t: float) -> float:
    """What a run callback returned: the next time (ms) it wants to be called."""
    name = getattr(callback, "__name__", type(callback).__name__)
    return validation.time_argument("run() callback", f"{name}(t={t:g}) result", callback(t))


class _ProgressBar:
    """A tqdm bar in simulated ms, driven as a run callback (about 100 updates per run)."""

    def __init__(self, t0: float, tstop: float, dt: float):
        from tqdm.auto import tqdm

        self.last = t0
        self.step = max((tstop - t0) / 100.0, dt)
        self.bar = tqdm(total=round(tstop - t0, 6), unit="ms", desc="run")

    def __call__(self, t: float) -> float:
        self.bar.update(round(t - self.last, 6))
        self.last = t
        return t + self.step

    def close(self) -> None:
        self.bar.close()


#: candidate pairs from which a Projection shows its construction (with setup(progress=True))
PROGRESS_PAIRS = 1_000_000


def construction_bar(sim: Simulation, label: str, pairs: int):
    """A tqdm counter of the connections made, for a projection over many candidate pairs
    when progress was asked for (connectors yield blocks, so it moves during the build)."""
    if not getattr(sim, "progress", False) or pairs < PROGRESS_PAIRS:
        return None
    from tqdm.auto import tqdm

    return tqdm(desc=f"connect {label}", unit=" connections")


def _progress_bar(sim: Simulation, tstop: float) -> _ProgressBar | None:
    return _ProgressBar(sim.t, tstop, sim.dt) if tstop > sim.t + sim.dt / 2 else None


#: Poisson-like sources: their mean rate (Hz) from their parameters; their spikes are drawn
#: for the whole run whether recorded or not
_SOURCE_RATES = (
    (SpikeSourcePoisson, lambda p: p["rate"]),
    (SpikeSourcePoissonRefractory, lambda p: p["rate"]),
    (SpikeSourceGamma, lambda p: np.asarray(p["beta"], float) / np.asarray(p["alpha"], float)),
)


def _source_spikes(pop, t0: float, t1: float) -> float:
    """Expected spikes of a Poisson-like population between t0 and t1 ms (0 for others):
    one numpy pass over its (scalar or per-cell) rate, start and duration."""
    for cls, rate in _SOURCE_RATES:
        if type(pop.celltype) is cls:
            p = pop._parameters
            start = np.asarray(p["start"], float)
            stop = start + np.asarray(p["duration"], float)
            window = np.clip(np.minimum(stop, t1) - np.maximum(start, t0), 0.0, None)
            per_cell = np.broadcast_to(np.asarray(rate(p), float) * window / 1000.0, (pop.size,))
            return float(per_cell.sum())
    return 0.0


def setup(backend_factory, timestep=0.1, min_delay="auto", *, _namespace=None, **extra) -> int:
    """Start a fresh simulation (destroying any previous network); returns the MPI rank.

    ``timestep`` and delays are in ms.  ``max_delay`` is given through ``extra``.
    Backend-specific options (``threads``, ``rng_seed``, ...) go through ``extra`` too.
    ``progress=True`` shows a tqdm progress bar (in simulated ms) during each run.
    Checked alike on every backend, before any is touched (a refusal keeps the previous
    simulation): ``timestep <= min_delay <= max_delay``, ``threads >= 1``, seeds in
    ``[0, 2**32 - 1]``; a keyword that no PyNN backend knows raises ``TypeError``.
    """
    for name in _REFUSED_SETUP_ARGS:
        if name in extra:
            raise ValueError(
                f"setup(): {name!r} is not a valid argument; use timestep, min_delay, max_delay"
            )
    max_delay = extra.pop("max_delay", "auto")
    timestep = validation.time_argument("setup()", "timestep", timestep, strict=True)
    min_delay, max_delay = _check_delays(timestep, min_delay, max_delay)
    env_seed = os.environ.get(provenance.SEED_ENV)  # set by `pynn-uni run`
    if "rng_seed" not in extra and env_seed:
        extra["rng_seed"] = validation.seed_argument(
            f"setup() (from ${provenance.SEED_ENV})", "rng_seed", _env_integer(env_seed)
        )
    _check_integer_options(extra)
    progress = bool(extra.pop("progress", False))
    backend = backend_factory()  # no simulator state yet: refusals keep the previous one
    extra = _backend_options(backend, extra)
    _check_timestep(backend, timestep)
    _check_processes(backend)
    previous = simulation.current_or_none()
    if previous is not None:
        previous.finish()
        previous.backend.end()
    simulation.replace_latest()
    start = _time.perf_counter()
    config = dict(extra, timestep=timestep, min_delay=min_delay, max_delay=max_delay)
    backend.setup(config)
    sim = Simulation(backend, timestep, min_delay, max_delay, extra)
    simulation.make_current(sim)
    sim.namespace = _namespace
    sim.progress = progress
    sim.timings["setup"] = _time.perf_counter() - start
    if os.environ.get(provenance.OUTPUT_DIR_ENV):
        atexit.register(_dump_at_exit, sim)  # scripts that never call end()
    return mpi.rank()


def _check_delays(timestep: float, min_delay, max_delay) -> tuple:
    """One rule on every backend: ``timestep <= min_delay <= max_delay`` ('auto' stands for
    the timestep as the lower end; a delay shorter than a time step cannot be delivered)."""
    if min_delay != "auto":
        min_delay = validation.time_argument("setup()", "min_delay", min_delay)
        if min_delay < timestep * (1 - 1e-9):
            raise errors.InvalidParameterValueError(
                f"setup(): min_delay {min_delay} ms must be >= the timestep {timestep} ms"
            )
    if max_delay != "auto":
        max_delay = validation.time_argument("setup()", "max_delay", max_delay)
        floor, what = (
            (timestep, "the timestep") if min_delay == "auto" else (min_delay, "min_delay")
        )
        if max_delay < floor * (1 - 1e-9):
            raise errors.InvalidParameterValueError(
                f"setup(): max_delay {max_delay} ms must be >= {what} {floor} ms"
            )
    return min_delay, max_delay


#: setup()'s integer options, checked alike on every backend (whether it acts on them or not)
_THREAD_OPTIONS = ("threads",)
_SEED_OPTIONS = ("rng_seed", "grng_seed", "rng_seeds_seed", "native_rng_baseseed")


def _check_integer_options(extra: dict) -> None:
    """Thread counts (>= 1) and seeds (:data:`validation.SEED_RANGE`), in place; None is
    refused like any other non-integer (leave the keyword out for the default)."""
    for name in _THREAD_OPTIONS:
        if name in extra:
            extra[name] = validation.integer_argument("setup()", name, extra[name], minimum=1)
    for name in _SEED_OPTIONS:
        if name in extra:
            extra[name] = validation.seed_argument("setup()", name, extra[name])
    if "rng_seeds" in extra:
        extra["rng_seeds"] = validation.seed_list_argument(
            "setup()", "rng_seeds", extra["rng_seeds"]
        )


def _env_integer(text: str):
    """An integer from an environment variable's text, or the text itself (then refused)."""
    try:
        return int(text)
    except ValueError:
        return text


def _backend_options(backend, extra: dict) -> dict:
    """The setup() keywords the backend acts on; PyNN's others are dropped, any other is
    refused with ``TypeError``, as Python refuses an unknown keyword argument.

    A keyword of some PyNN backend is accepted on every backend, so scripts written for
    another simulator run unchanged; a keyword no PyNN backend knows is most likely a typo.
    """
    own = set(backend.setup_options)
    unknown = sorted(k for k in extra if k not in own and k not in PYNN_SETUP_KEYWORDS)
    if unknown:
        raise TypeError(
            f"setup() got unexpected keyword argument{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))}: no PyNN backend knows "
            f"{'it' if len(unknown) == 1 else 'them'}; {backend.name} acts on "
            f"{', '.join(sorted(own | {'timestep', 'min_delay', 'max_delay', 'progress'}))} "
            "and ignores the other keywords of PyNN's backends"
        )
    return {k: v for k, v in extra.items() if k in own}


def _check_timestep(backend, timestep: float) -> None:
    """The backend's declared ``[limits]``: ``min_timestep`` (finer steps run for ever, or
    NEST refuses them) and, where the simulator counts time in tics, ``time_resolution``
    (NEST: 0.001 ms), of which the timestep must be a multiple."""
    caps = capabilities_of(backend)
    minimum = caps.limits.get("min_timestep")
    if minimum is not None and timestep < float(minimum) * (1 - 1e-9):
        raise errors.InvalidParameterValueError(
            f"setup(): timestep {timestep} ms is below the smallest that {backend.name} "
            f"supports, {minimum} ms (min_timestep in {caps.path})"
        )
    tic = caps.limits.get("time_resolution")
    if tic is not None:
        tics = timestep / float(tic)
        if abs(tics - round(tics)) > 1e-9 * max(tics, 1.0):
            below, above = (np.floor(tics) or 1.0) * tic, np.ceil(tics) * tic
            raise errors.InvalidParameterValueError(
                f"setup(): timestep {timestep} ms is not a multiple of {backend.name}'s time "
                f"resolution {tic} ms (its tic); use e.g. {below:.6g} or {above:.6g} ms"
            )


def _check_processes(backend) -> None:
    """A backend that cannot distribute would run the whole network once per MPI rank."""
    n = mpi.num_processes()
    caps = capabilities_of(backend)
    if n > 1 and not caps.has_feature("mpi"):
        threads = " (setup(threads=...) uses several cores)" if caps.has_feature("threads") else ""
        others = [
            name for name in list_backends()
            if provenance.read_capabilities(name).get("features", {}).get("mpi")
        ]  # fmt: skip
        raise errors.NotSupportedError(
            f"{backend.name} runs in one process, but this script was started on {n} MPI "
            f"processes; run it without mpirun{threads}, or on a backend that declares "
            f"feature mpi ({', '.join(others) or 'none installed'})"
        )


def _dump_at_exit(sim: Simulation) -> None:
    if sim is simulation.current_or_none():  # still running at exit: end() was never called
        provenance.dump_on_end(sim)


def run_until(tstop: float, callbacks=None) -> float:
    """Run until ``tstop`` ms; ``callbacks`` are ``f(t) -> next_t`` functions.

    The run ends at the time-step grid point nearest ``tstop`` (``get_current_time()`` and
    the recorded data end there, on every backend)."""
    tstop = validation.time_argument("run_until()", "tstop", tstop)
    callbacks = validation.callbacks_argument("run_until()", callbacks)
    sim = current_simulation()
    sim.check_not_past(tstop, f"run_until({tstop})")
    sim.check_run(tstop, f"run_until({tstop:g})")
    return sim.run_until(tstop, callbacks)


def run(simtime: float, callbacks=None) -> float:
    """Advance by ``simtime`` ms; ``run(x); run(y)`` equals ``run(x + y)``.

    The run ends at the time-step grid point nearest ``get_current_time() + simtime``."""
    simtime = validation.time_argument("run()", "simtime", simtime)
    callbacks = validation.callbacks_argument("run()", callbacks)
    sim = current_simulation()
    sim.check_run(sim.t + simtime, f"run({simtime:g})")
    return sim.run_until(sim.t + simtime, callbacks)


run_for = run


def reset(annotations=None) -> None:
    """Go back to t = 0 with the same network; recorded data start a new segment."""
    annotations = validation.annotations_argument("reset()", annotations)
    current_simulation().reset(annotations)


def end(compatible_output: bool = True) -> None:
    """Write data registered with ``record(..., to_file=...)`` and release the simulator."""
    sim = simulation.current_or_none()
    if sim is None:
        return
    for target, variables, filename in sim.write_on_end:
        target.write_data(filename, variables)
    provenance.dump_on_end(sim)
    sim.finish()
    sim.backend.end()
    simulation.end_current()


def get_current_time() -> float:
    return current_simulation().t


def get_time_step() -> float:
    return current_simulation().dt


def get_min_delay():
    """The minimum delay in ms.  With setup(min_delay='auto'): the timestep until the first
    run, then the minimum the simulator found in the network, where it reports one."""
    sim = current_simulation()
    frozen = sim.backend.fixed_delays()
    if sim.min_delay == "auto" and frozen is not None:
        return frozen[0]
    return sim.default_delay


def get_max_delay():
    sim = current_simulation()
    return sim.max_delay if sim.max_delay != "auto" else sim.backend.max_delay()


def num_processes() -> int:
    return mpi.num_processes()


def rank() -> int:
    return mpi.rank()
