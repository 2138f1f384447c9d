"""The reference backend: protocol v2 (:mod:`pynn_uni.common.backend`) realised in numpy.

It is the executable specification of what the common layer expects from a simulator, and
the backend of the common layer's own tests (``tests/unit``), so it favours clarity over
speed.  Everything happens on a fixed grid of ``dt`` (``setup(timestep=...)``):

* cells (:mod:`.neurons`): IF_curr_exp, IF_curr_alpha, IF_curr_delta exactly (exponential
  propagators); IF_cond_exp, IF_cond_alpha with exact conductances and an exact exponential
  membrane step under the step-mean conductances; spikes are stamped with the grid point
  that ends the step in which ``v`` reached threshold;
* spike sources and current sources (:mod:`.inputs`);
* static synapses, one weight and one delay per connection, delays rounded to whole steps
  (a RoundingWarning says so when a delay is off the grid) and delivered through a ring
  buffer (:mod:`.delivery`);
* recording (:mod:`.recording`), reset, split runs, runtime get/set of every parameter,
  connection weight and delay.

Ids are consecutive from 1 in creation order (as NEST's), so a cell's id minus 1 is its
column in the delivery buffer.  Anything not declared in ``capabilities.toml`` raises
:class:`~pynn_uni.errors.NotSupportedError` at the call that would create it, before any
state changes.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pynn_uni import errors
from pynn_uni.common.backend import (
    Backend,
    ConnectionArrays,
    PopulationSpec,
    ProjectionSpec,
    SourceSpec,
)
from pynn_uni.common.interrupt import deferred_sigint
from pynn_uni.testing.reference import inputs, neurons
from pynn_uni.testing.reference.delivery import RECEPTORS, Delivery, delay_steps
from pynn_uni.testing.reference.recording import Recorder

#: rng_seed when setup() gives none (NEST's default)
DEFAULT_SEED = 42
#: max_delay() before any connection exists (NEST's default max_delay)
DEFAULT_MAX_DELAY = 10.0


def _refuse(what: str, declared) -> errors.NotSupportedError:
    return errors.NotSupportedError(
        f"{what} is not available on the reference backend (it declares {', '.join(declared)};"
        " see pynn_uni/testing/reference/capabilities.toml)"
    )


@dataclass(eq=False)
class Cells:
    """A population's handle: its ids, parameters, dynamics and recorder."""

    model: str
    first: int  # id of cell 0
    n: int
    params: dict
    initial: dict
    dynamics: neurons.IntegrateAndFire | None  # cells; None for a spike source
    source: inputs.SpikeSource | None  # a spike source; None for cells
    recorder: Recorder
    currents: list = field(default_factory=list)  # the Injections into these cells
    events: tuple = ()  # this run's spikes of a spike source: (stamps, cells, bounds)
    fresh: bool = True  # not yet run since its creation or the last reset


@dataclass(eq=False)
class Connections:
    """A projection's handle: side ids, receptor and one entry per connection."""

    pre_ids: np.ndarray
    post_ids: np.ndarray
    receptor: int
    pre: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    post: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    weight: np.ndarray = field(default_factory=lambda: np.empty(0))
    steps: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))


@dataclass(eq=False)
class Injection:
    """An injected current source's handle."""

    model: str
    params: dict
    target: Cells
    idx: np.ndarray
    recording: bool = False
    values: np.ndarray = field(default_factory=lambda: np.empty(0))  # this run, per step
    recorded: list = field(default_factory=list)  # [(times, currents)]


class ReferenceBackend(Backend):
    """Protocol v2 in numpy; see the module docstring for the numerical contract."""

    name = "reference"
    setup_options = frozenset({"timestep", "min_delay", "max_delay", "rng_seed"})

    # -- kernel --------------------------------------------------------------------------
    def setup(self, config: dict[str, Any]) -> None:
        self.config = dict(config)
        self.dt = float(config["timestep"])
        self.seed = int(config.get("rng_seed", DEFAULT_SEED))
        self.step = 0  # grid points passed: the time is step * dt
        self.populations: list[Cells] = []
        self.projections: list[Connections] = []
        self.delivery = Delivery(0)
        self.stale = True  # the delivery table must be rebuilt before the next step

    def end(self) -> None:
        self.populations, self.projections = [], []
        self.delivery = Delivery(0)

    def max_delay(self) -> float:
        """No limit of its own (the buffer grows): the setup() value, else the longest delay
        connected so far, else NEST's default."""
        if self.config.get("max_delay", "auto") != "auto":
            return float(self.config["max_delay"])
        longest = [int(p.steps.max()) for p in self.projections if p.steps.size]
        return float(self._time(max(longest))) if longest else DEFAULT_MAX_DELAY

    def reset(self) -> None:
        """Back to step 0 with the same network: state from the initial values, nothing in
        flight, the same spike-source trains (Poisson blocks are kept and replayed)."""
        self.step = 0
        self.delivery.clear()
        for cells in self.populations:
            if cells.dynamics is not None:
                cells.dynamics.initialize(cells.initial)
            cells.recorder.discard()
            cells.fresh = True
            for injection in cells.currents:
                injection.recorded = []

    def run_until(self, t: float) -> None:
        """Steps ``self.step`` to ``t / dt - 1``; a run from t = 0 first samples the initial
        state, and a recorded current source keeps the value of each step.  Ctrl-C stops
        it after the step in progress, as if the run had asked for that step's end."""
        last = int(round(t / self.dt))
        if last <= self.step:
            return
        self._prepare(last)
        if self.step == 0:
            for cells in self.populations:
                self._sample(cells, 0)
        with deferred_sigint() as flag:
            done = self.step
            for k in range(self.step, last):
                self._advance(k, k - self.step)
                done = k + 1
                if flag:
                    break
            for cells in self.populations:
                cells.fresh = False
                for injection in cells.currents:
                    if injection.recording:
                        steps = np.arange(self.step, done)
                        injection.recorded.append(
                            (self._time(steps), injection.values[: done - self.step])
                        )
            self.step = done

    def current_time(self) -> float:
        return float(self._time(self.step))

    def _prepare(self, last: int) -> None:
        """Everything a run from ``self.step`` to ``last`` needs that does not change
        during it: the delivery table, the source spikes, the injected currents."""
        if self.stale:
            self.delivery.build(*self._table(), self._next_id() - 1, self.step)
            self.stale = False
        grid = np.arange(self.step, last)
        for cells in self.populations:
            if cells.source is not None:
                stamps, idx = cells.source.events(self.step, last)
                bounds = np.searchsorted(stamps, np.arange(self.step + 1, last + 2))
                cells.events = (stamps, idx, bounds)
            for injection in cells.currents:
                injection.values = inputs.current(injection.model, injection.params, grid, self.dt)

    def _advance(self, k: int, i: int) -> None:
        """Step ``k`` (the ``i``-th of this run): from ``k dt`` to ``(k + 1) dt``."""
        stamp = k + 1
        arriving = self.delivery.take(stamp)
        spiking = []
        for cells in self.populations:
            if cells.dynamics is not None:
                current = cells.dynamics.p["i_offset"].copy()
                for injection in cells.currents:
                    current[injection.idx] += injection.values[i]
                columns = slice(cells.first - 1, cells.first - 1 + cells.n)
                fired = np.flatnonzero(cells.dynamics.step(current, arriving[:, columns]))
            else:
                _, idx, bounds = cells.events
                fired = idx[bounds[i] : bounds[i + 1]]
            if fired.size:
                spiking.append(cells.first + fired)
                cells.recorder.spiked(fired, float(self._time(stamp)))
            self._sample(cells, stamp)
        if spiking:
            self.delivery.send(np.concatenate(spiking), stamp)

    def _sample(self, cells: Cells, stamp: int) -> None:
        if cells.dynamics is not None:
            cells.recorder.sample(stamp, float(self._time(stamp)), cells.dynamics.read)

    def _time(self, steps):
        """Grid time (ms) of a step count, rounded to 1e-10 ms so that 30 steps of 0.1 ms
        read 3.0, as a simulator counting integer tics reports them."""
        return np.round(np.asarray(steps) * self.dt, 10)

    def _table(self) -> tuple[np.ndarray, ...]:
        """Every connection: (pre id, post id, receptor, weight, delay steps)."""

        def column(parts, dtype):
            return np.concatenate([np.asarray(x, dtype) for x in parts] + [np.empty(0, dtype)])

        ps = self.projections
        return (
            column([p.pre_ids[p.pre] for p in ps], np.int64),
            column([p.post_ids[p.post] for p in ps], np.int64),
            column([np.full(p.pre.size, p.receptor) for p in ps], np.int64),
            column([p.weight for p in ps], float),
            column([p.steps for p in ps], np.int64),
        )

    def _next_id(self) -> int:
        last = self.populations[-1] if self.populations else None
        return last.first + last.n if last is not None else 1

    # -- populations -----------------------------------------------------------------------
    def create(self, spec: PopulationSpec, params: dict[str, Any]) -> Cells:
        model = spec.model
        if model not in neurons.MODELS and model not in inputs.SPIKE_SOURCES:
            raise _refuse(model, [*neurons.MODELS, *inputs.SPIKE_SOURCES])
        if spec.options:
            raise errors.NotSupportedError(
                f"Population {spec.label!r}: the reference backend takes no options "
                f"({', '.join(spec.options)})"
            )
        first, params = self._next_id(), dict(params)
        initial = dict(spec.celltype.default_initial_values)
        cells = Cells(model, first, spec.size, params, initial, None, None, Recorder(spec.size))
        if model in neurons.MODELS:
            cells.dynamics = neurons.IntegrateAndFire(model, spec.size, params, self.dt)
            cells.dynamics.initialize(initial)
        else:
            cells.source = inputs.SpikeSource(model, spec.size, params, self.dt, self.seed, first)
        self.populations.append(cells)
        self.stale = True  # more ids: a wider delivery buffer
        return cells

    def ids(self, handle: Cells) -> np.ndarray:
        return np.arange(handle.first, handle.first + handle.n, dtype=np.int64)

    def set(
        self, handle: Cells, idx: np.ndarray, params: dict[str, Any], changed: Sequence[str]
    ) -> None:
        """The whole population's values: recompute its propagators (cells) or its future
        spikes (sources) from now on."""
        handle.params = dict(params)
        if handle.dynamics is not None:
            handle.dynamics.configure(handle.params)
        else:
            handle.source.configure(handle.params, float(self._time(self.step)))

    def initialize(self, handle: Cells, values: dict[str, Any]) -> None:
        """Kept for every later reset; applied now only to cells that have not run yet (the
        protocol's "next start": a running state is not overwritten)."""
        handle.initial.update(values)
        if handle.dynamics is not None and handle.fresh:
            handle.dynamics.initialize(values)

    # -- recording -----------------------------------------------------------------------
    def record(self, handle: Cells, variable: str, idx: np.ndarray, interval: float) -> None:
        handle.recorder.record(variable, idx, max(int(round(interval / self.dt)), 1))

    def stop_recording(self, handle: Cells, variable: str) -> None:
        handle.recorder.stop(variable)

    def spikes(self, handle: Cells) -> tuple[np.ndarray, np.ndarray]:
        return handle.recorder.take_spikes()

    def signals(self, handle: Cells, variable: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return handle.recorder.take_signal(variable)

    # -- projections -----------------------------------------------------------------------
    def check_synapse(self, spec: ProjectionSpec) -> None:
        if spec.synapse_model != "StaticSynapse":
            raise _refuse(spec.synapse_model, ["StaticSynapse"])
        if spec.receptor_type not in RECEPTORS:
            raise _refuse(f"receptor type {spec.receptor_type!r}", RECEPTORS)
        for celltype in spec.post.celltypes:
            if type(celltype).__name__ not in neurons.MODELS:
                raise _refuse(f"a projection onto {type(celltype).__name__}", neurons.MODELS)

    def new_projection(self, spec: ProjectionSpec) -> Connections:
        handle = Connections(spec.pre.ids, spec.post.ids, RECEPTORS[spec.receptor_type])
        self.projections.append(handle)
        return handle

    def connect(self, handle: Connections, block: ConnectionArrays) -> None:
        steps = self._delay_steps(block.params["delay"])
        handle.pre = np.concatenate([handle.pre, block.pre])
        handle.post = np.concatenate([handle.post, block.post])
        handle.weight = np.concatenate([handle.weight, np.asarray(block.params["weight"], float)])
        handle.steps = np.concatenate([handle.steps, steps])
        self.stale = True

    def disconnect(self, handle: Connections) -> None:
        handle.pre, handle.post = np.empty(0, np.int64), np.empty(0, np.int64)
        handle.weight, handle.steps = np.empty(0), np.empty(0, np.int64)
        self.stale = True

    def connection_values(
        self, handle: Connections, names: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Delays as realised: whole steps."""
        table = {"weight": lambda: handle.weight.copy(), "delay": lambda: self._time(handle.steps)}
        return handle.pre.copy(), handle.post.copy(), {name: table[name]() for name in names}

    def set_connection_values(self, handle: Connections, values: dict[str, np.ndarray]) -> None:
        steps = self._delay_steps(values["delay"]) if "delay" in values else handle.steps
        if "weight" in values:
            handle.weight = np.asarray(values["weight"], float).copy()
        handle.steps = steps
        self.stale = True

    def _delay_steps(self, delays) -> np.ndarray:
        """Whole steps; a RoundingWarning names the delays that were off the grid."""
        delays = np.asarray(delays, float)
        steps = delay_steps(delays, self.dt)
        off = np.abs(steps * self.dt - delays) > 1e-9 * np.maximum(delays, 1.0)
        if off.any():
            warnings.warn(
                f"delays {np.unique(delays[off])[:5].tolist()} ms are not multiples of the "
                f"timestep {self.dt} ms; the reference backend realises them as "
                f"{np.unique(self._time(steps[off]))[:5].tolist()} ms",
                errors.RoundingWarning,
                stacklevel=4,
            )
        return steps

    # -- current sources -------------------------------------------------------------------
    def inject(self, spec: SourceSpec, target: Cells, idx: np.ndarray) -> Injection:
        if spec.model not in inputs.CURRENT_SOURCES:
            raise _refuse(spec.model, inputs.CURRENT_SOURCES)
        injection = Injection(spec.model, dict(spec.parameters), target, np.asarray(idx, np.int64))
        target.currents.append(injection)
        return injection

    def update_source(self, handle: Injection, parameters: Mapping[str, Any]) -> None:
        handle.params = dict(parameters)

    def record_source(self, handle: Injection) -> None:
        handle.recording = True

    def source_signal(self, handle: Injection) -> tuple[np.ndarray, np.ndarray]:
        """The current held over each step since t = 0 (or the last reset), stamped with
        the step's start."""
        if not handle.recorded:
            return np.empty(0), np.empty(0)
        times, values = zip(*handle.recorded, strict=True)
        return np.concatenate(times), np.concatenate(values)

    # -- provenance ------------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        keys = ("timestep", "min_delay", "max_delay")
        return {**{k: self.config.get(k, "auto") for k in keys}, "rng_seed": self.seed}

    def seeds(self) -> dict[str, int]:
        return {"rng_seed": self.seed}
