"""The hardware backend: maps the network description onto an emulated chip (protocol v2).

Type, range, sharing and placement checks run when a Population is created; routing,
weight quantisation and delay substitution when a Projection is (so an error leaves the
accepted part usable); building the chip configuration and emulating are deferred to
``run()`` (``prepare()`` maps without running).  Results come back in bio units.  The
mapping itself lives in :mod:`pynn_uni.hardware.mapping`; this module is the protocol
surface and the state between calls.
"""

from __future__ import annotations

import warnings
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
)
from pynn_uni.common.interrupt import deferred_sigint, steps_of
from pynn_uni.common.spike_trains import Trains
from pynn_uni.hardware.errors import (
    InputLossWarning,
    SynapseLossError,
    UnsupportedOnHardwareError,
)
from pynn_uni.hardware.handles import PopulationHandle, ProjectionHandle
from pynn_uni.hardware.mapping import configuration, parameters, readout, routing, stp, weights
from pynn_uni.hardware.mapping.inputs import InputLink
from pynn_uni.hardware.mapping.placement import place
from pynn_uni.hardware.profiles import load_profile
from pynn_uni.hardware.report import MappingReport

_OPTIONS = {
    "timestep": 0.1,
    "min_delay": "auto",
    "max_delay": "auto",
    "profile": "spikey",
    "chip_id": 0,
    "strict": False,
    "calibration": "nominal",
    "reference_grid": False,
    "noise": False,
    "trial_seed": 0,
    "rounding_seed": None,  # None: round half to even; an int: seeded stochastic rounding
    "rng_seed": 42,  # host-side Poisson sources (common.spike_trains' seeding rule)
    "synapse_loss": "error",
    "range_policy": "error",
    "shared_parameter_policy": "error",
    "readout_policy": "strict",
    "weight_clip": "error",
    "input_loss": None,  # "count" or "error"; None: "error" when strict, else "count"
    "placement": None,  # {population label: {"block": b}}
}
_CHOICES = {
    "synapse_loss": ("error", "allow"),
    "range_policy": ("error", "clip"),
    "shared_parameter_policy": ("error", "first"),
    "readout_policy": ("strict", "relaxed"),
    "weight_clip": ("error", "clip"),
    "input_loss": (None, "count", "error"),
}
#: the keywords of Population(...) the chip acts on (PopulationSpec.options)
_POPULATION_OPTIONS = ("placement",)
_SYNAPSES = ("StaticSynapse", "TsodyksMarkramSynapse")


class HardwareBackend(Backend):
    """Emulated neuromorphic chip realising the backend protocol."""

    name = "hardware"
    setup_options = frozenset(_OPTIONS)

    def setup(self, config: dict[str, Any]) -> None:
        unknown = set(config) - set(_OPTIONS)
        if unknown:
            raise errors.NonExistentParameterError(
                sorted(unknown)[0], "setup() on hardware", sorted(_OPTIONS)
            )
        cfg = {**_OPTIONS, **config}
        for k, allowed in _CHOICES.items():
            if cfg[k] not in allowed:
                raise errors.InvalidParameterValueError(f"setup(): {k} must be one of {allowed}")
        self.cfg = cfg
        self.profile = load_profile(cfg["profile"])
        self.dt = float(cfg["timestep"])
        self.d_fix = self.dt  # the chip's one delay: the PyNN timestep (PROPOSAL in the spec)
        # host events' grid: the chip's, or the time step (comparisons with software)
        self.grid, self.rounding = (self.dt, "nearest") if cfg["reference_grid"] else (
            self.profile.event_grid, self.profile.event_rounding)  # fmt: skip
        if cfg["calibration"] is None:
            warnings.warn("calibration=None: the chip runs uncalibrated", stacklevel=4)
        self.pops: list[PopulationHandle] = []
        self.projs: list[ProjectionHandle] = []
        self.stp_classes: list[tuple[float, float, float]] = []  # (U, tau_rec, tau_facil)
        self.used = np.zeros(self.profile.neurons, bool)
        self.shared: dict = {}
        self.clips: dict = {}
        self.ignored: list = []
        self.next_id = 1
        self.t = 0.0
        self.emulator = None
        self.sources = np.empty(0, np.int64)  # cell id of each of the emulator's source rows
        self.dirty = True
        self.routing = None
        policy = cfg["input_loss"] or ("error" if cfg["strict"] else "count")
        self.link = InputLink(self.profile, policy)

    def end(self) -> None:
        self.pops, self.projs, self.emulator = [], [], None

    def max_delay(self) -> float:
        return self.d_fix

    def settings(self) -> dict[str, Any]:
        return dict(self.cfg)

    # -- cells ------------------------------------------------------------------------
    def create(self, spec: PopulationSpec, params: dict[str, Any]) -> PopulationHandle:
        """``spec.options["placement"]`` (``Population(..., placement={"block": b})``)
        overrides ``setup(placement={label: ...})``."""
        unknown = set(spec.options) - set(_POPULATION_OPTIONS)
        if unknown:
            raise errors.NonExistentParameterError(
                sorted(unknown)[0], f"Population() on {self.name}", _POPULATION_OPTIONS
            )
        parameters.check_model(spec.celltype, self.profile)
        placement = spec.options.get("placement")
        if placement is None:
            placement = (self.cfg["placement"] or {}).get(spec.label, {})
        if set(placement) - {"block"}:
            raise errors.NonExistentParameterError(
                sorted(set(placement) - {"block"})[0], "placement", ["block"]
            )
        h = PopulationHandle(len(self.pops), spec, params, self.next_id)
        if spec.model == "SpikeSourcePoisson":
            h.trains = Trains(spec.model, params, spec.size, int(self.cfg["rng_seed"]),
                              h.first_id, self.grid)  # fmt: skip
        elif not spec.celltype.is_spike_source:
            lif, clips = self._lif(h, params)
            circuits = place(h.n, self.used, self.profile, h.label, placement.get("block"))
            taken = dict(self.shared)
            groups = parameters.shared_groups(circuits, self.profile)
            self.ignored += parameters.check_shared(
                groups, lif, h.label, taken, self.profile, self.cfg["shared_parameter_policy"]
            )
            self.shared = taken
            self.used[circuits] = True
            h.circuits, h.lif = circuits, lif
            self.clips.update({f"{h.label}.{k}": v for k, v in clips.items()})
        self.next_id += h.n
        self.pops.append(h)
        self.dirty = True
        return h

    def _lif(self, h: PopulationHandle, params: dict):
        lif = parameters.to_lif(h.celltype, params, h.n)
        parameters.check_fixed(h.celltype, lif, self.profile, h.label)
        clips = parameters.check_ranges(lif, self.profile, h.label, self.cfg["range_policy"])
        return lif, clips

    def ids(self, handle: PopulationHandle) -> np.ndarray:
        return handle.ids

    def native_handle(self, handle: PopulationHandle) -> PopulationHandle:
        return handle

    def set(self, handle: PopulationHandle, idx: np.ndarray, params: dict[str, Any],
            changed: Sequence[str]) -> None:  # fmt: skip
        h = handle
        if h.lif is not None:
            lif, clips = self._lif(h, params)
            taken = {}
            for p in self.pops:  # re-check sharing with the new values, in creation order
                if p.lif is not None:
                    groups = parameters.shared_groups(p.circuits, self.profile)
                    values = lif if p is h else {k: v.copy() for k, v in p.lif.items()}
                    parameters.check_shared(groups, values, p.label, taken, self.profile,
                                            self.cfg["shared_parameter_policy"])  # fmt: skip
            h.lif = lif
            self.shared = taken
        if h.trains is not None:  # the trains from now on follow the new parameters
            h.trains.forget_after(self.t, params)
        h.params = params
        self.dirty = True

    def initialize(self, handle: PopulationHandle, values: dict[str, Any]) -> None:
        handle.initial.update({k: np.broadcast_to(np.asarray(v, float), (handle.n,)).copy()
                               for k, v in values.items()})  # fmt: skip
        if self.emulator is not None and self.t == 0.0:
            self.emulator = None  # rebuilt with the new initial state

    # -- recording --------------------------------------------------------------------------
    def record(self, handle: PopulationHandle, variable: str, idx: np.ndarray,
               interval: float) -> None:  # fmt: skip
        h = handle
        new = np.union1d(h.recorded.get(variable, np.empty(0, np.int64)),
                         np.asarray(idx, np.int64))  # fmt: skip
        if variable != "spikes" and self.cfg["readout_policy"] == "strict":
            circuits = [h.circuits[new]]
            for p in self.pops:
                for var, rec in p.recorded.items():
                    if var != "spikes" and p.circuits is not None:
                        circuits.append(p.circuits[rec])
            readout.check_readout(np.concatenate(circuits), self.profile, variable, h.celltype)
        h.recorded[variable] = new
        h.active.add(variable)
        h.interval = interval

    def stop_recording(self, handle: PopulationHandle, variable: str) -> None:
        handle.active.discard(variable)

    def spikes(self, handle: PopulationHandle) -> tuple[np.ndarray, np.ndarray]:
        data, handle.spikes = handle.spikes, []
        if not data:
            return np.empty(0, np.int64), np.empty(0)
        return np.concatenate([d[0] for d in data]), np.concatenate([d[1] for d in data])

    def signals(self, handle: PopulationHandle, variable: str):
        data = handle.signals.pop(variable, [])
        if not data:
            return np.empty(0), np.empty((0, 0)), np.empty(0, np.int64)
        times = np.concatenate([d[0] for d in data])
        return times, np.vstack([d[1] for d in data]), data[-1][2]

    # -- connections ---------------------------------------------------------------------------
    def check_synapse(self, spec: ProjectionSpec) -> None:
        if spec.synapse_model not in _SYNAPSES:
            raise UnsupportedOnHardwareError(
                f"{spec.synapse_model} is not supported on the {self.profile.name!r} chip "
                f"profile (supported: {', '.join(_SYNAPSES)})"
            )

    def new_projection(self, spec: ProjectionSpec) -> ProjectionHandle:
        index = len(self.projs)
        lsb = self.profile.lsb(spec.receptor_type, current=not spec.conductance_based)
        seed = self.cfg["rounding_seed"]
        rng = None if seed is None else np.random.default_rng([int(seed), index])
        return ProjectionHandle(index, spec, lsb, rng)

    def connect(self, handle: ProjectionHandle, block: ConnectionArrays) -> None:
        h, n = handle, len(block)
        if n == 0:
            return
        where, strict = f"Projection {h.label!r}", self.cfg["strict"]
        q = self._quantise(h, block.params["weight"], where)
        n_delay = weights.substitute_delays(block.params["delay"], self.d_fix, strict, where)
        pre_id, post_id = h.spec.pre.ids[block.pre], h.spec.post.ids[block.post]
        stp_class, u_rounded = stp.classify(h.spec.synapse_model, block.params, n,
                                            self.stp_classes, where, self.profile.name,
                                            strict)  # fmt: skip
        trial = routing.route_network(self.profile, self.pops, self.projs,
                                      (h, pre_id, post_id, stp_class))  # fmt: skip
        lost = trial.row[-n:] < 0
        if lost.any() and self.cfg["synapse_loss"] == "error":
            posts = np.unique(block.post[lost])
            raise SynapseLossError(
                f"{where}: {int(lost.sum())} of {n} synapses cannot be routed on the "
                f"{self.profile.name!r} chip (synapse rows or source slots exhausted; post "
                f"cells {posts[:10].tolist()}); earlier projections keep their rows. "
                "setup(synapse_loss='allow') drops them and reports the loss"
            )
        weights.warn_rounding(q, self.profile.k_max, strict, where)
        if h not in self.projs:
            self.projs.append(h)
        h.add(block, pre_id, post_id, stp_class, q, n_delay, u_rounded)
        self._routed(trial)

    def _quantise(self, h: ProjectionHandle, w, where: str) -> weights.Quantised:
        clip = self.cfg["weight_clip"] == "clip"
        return weights.quantise(w, h.lsb, self.profile.k_max, h.rng, clip, where)

    def _routed(self, result: routing.Routing) -> None:
        self.routing = result
        routing.split_rows(self.projs, result)
        self.dirty = True

    def disconnect(self, handle: ProjectionHandle) -> None:
        if handle in self.projs:
            self.projs.remove(handle)
            self._routed(routing.route_network(self.profile, self.pops, self.projs))

    def native_connections(self, handle: ProjectionHandle) -> ProjectionHandle:
        return handle

    def native_synapse_model(self, handle: ProjectionHandle) -> str:
        return "hardware_static_row"

    def _realised_weights(self, handle: ProjectionHandle) -> np.ndarray:
        """k * LSB (uS, or nA: negative for inhibitory current weights), NaN where the
        synapse was lost."""
        h = handle
        w = h.code * h.lsb
        if not h.spec.conductance_based and h.receptor:
            w = -w
        return np.where(h.row < 0, np.nan, w)

    def connection_values(self, handle: ProjectionHandle, names: Sequence[str]):
        h, values = handle, {}
        for n in names:
            if n == "weight":
                values[n] = self._realised_weights(h)
            elif n == "delay":
                values[n] = np.full(h.pre.size, self.d_fix)
            elif n in stp.NAMES and h.stp.size and h.stp.min() > 0:
                table = np.asarray(self.stp_classes)[:, stp.NAMES.index(n)]
                values[n] = table[h.stp - 1]  # realised: U on the driver's levels
            else:
                valid = ["weight", "delay", *(stp.NAMES if h.stp.any() else ())]
                raise errors.NonExistentParameterError(n, h.spec.synapse_model, valid)
        return h.pre.copy(), h.post.copy(), values

    def set_connection_values(
        self, handle: ProjectionHandle, values: dict[str, np.ndarray]
    ) -> None:
        h = handle
        where, strict = f"Projection {h.label!r}", self.cfg["strict"]
        if "weight" in values:
            q = self._quantise(h, values["weight"], where)
            weights.warn_rounding(q, self.profile.k_max, strict, where)
            h.reweigh(q, values["weight"])
        if "delay" in values:
            weights.substitute_delays(values["delay"], self.d_fix, strict, where)
        if any(k in values for k in stp.NAMES) and h.stp.size:
            current = self.connection_values(h, stp.NAMES)[2]
            new, h.stats["u_rounded"] = stp.classify(
                h.spec.synapse_model, {**current, **values}, h.pre.size, self.stp_classes,
                where, self.profile.name, strict,
            )  # fmt: skip
            old, h.stp = h.stp, new
            try:  # a row has one STP setting: re-check
                result = routing.route_network(self.profile, self.pops, self.projs)
            except Exception:
                h.stp = old
                raise
            self._routed(result)
        self.dirty = True

    # -- current sources -------------------------------------------------------------------------
    def inject(self, spec: SourceSpec, target: PopulationHandle, idx: np.ndarray):
        raise UnsupportedOnHardwareError(
            f"{spec.model} is not supported on the {self.profile.name!r} chip profile "
            "(no current sources)"
        )

    def update_source(self, handle: Any, parameters: Mapping[str, Any]) -> None:
        raise UnsupportedOnHardwareError(
            f"the {self.profile.name!r} chip profile has no current sources"
        )

    # -- running -----------------------------------------------------------------------------------
    def prepare(self) -> None:
        """Map and build the chip configuration without emulating (spec 3b, steps 1-10)."""
        self._routed(routing.route_network(self.profile, self.pops, self.projs))
        previous = None if self.emulator is None else (self.emulator, self.sources)
        self.emulator, self.sources = configuration.build(
            self.profile, self.cfg, self.dt, self.pops, self.projs, self.stp_classes, previous
        )
        self.dirty = False

    def run_until(self, t: float) -> None:
        if t > self.profile.max_runtime:
            raise errors.CapacityError(
                f"run to {t} ms exceeds the {self.profile.name!r} chip's event counter "
                f"({self.profile.max_runtime} ms bio)"
            )
        if self.dirty or self.emulator is None:
            self.prepare()
        n_steps = int(round((t - self.t) / self.dt))
        if n_steps <= 0:
            return
        t0, t1 = self.t, self.t + n_steps * self.dt
        sources = [p for p in self.pops if p.spec.celltype.is_spike_source]
        before = self.link.state(), [len(p.spikes) for p in sources]
        lost_before = self.link.lost
        events = self.link.events_of(sources, self.sources, t0, t1, self.d_fix, self.dt,
                                     self.grid, self.rounding)  # fmt: skip
        neurons = [p for p in self.pops if p.circuits is not None]
        offsets, rec_v, rec_g = readout.probes(neurons)
        first = self.emulator.step
        with deferred_sigint() as flag:
            result = self.emulator.run(n_steps, events, rec_v, rec_g, stop=flag)
            if self.emulator.step - first < n_steps:  # Ctrl-C: as a run to where it stopped
                n_steps = self.emulator.step - first
                t1 = t0 + n_steps * self.dt
                self.link.restore(before[0])
                for p, n in zip(sources, before[1], strict=True):
                    del p.spikes[n:]
                self.link.events_of(sources, self.sources, t0, t1, self.d_fix, self.dt,
                                    self.grid, self.rounding)  # fmt: skip
            self._collect(neurons, offsets, result, rec_v, rec_g, t0, n_steps)
            self.t = t1
        self._warn_input_loss(self.link.lost - lost_before, t0, t1)

    def _warn_input_loss(self, lost: int, t0: float, t1: float) -> None:
        """Say so when the link dropped input events in this run (policy 'count')."""
        if lost:
            warnings.warn(
                f"the {self.profile.name!r} chip's input link dropped {lost} input events in "
                f"({t0:g}, {t1:g}] ms ({self.link.lost} of {self.link.events} so far; "
                f"{self.profile.input_rate:g} events/ms bio, bursts of "
                f"{self.profile.input_burst:g}): spread the sources over time or use fewer; "
                "setup(input_loss='error') refuses such runs",
                InputLossWarning,
                stacklevel=4,
            )

    def _collect(self, neurons, offsets, result, rec_v, rec_g, t0, n_steps) -> None:
        """Hand the populations what they record of ``n_steps`` emulated from ``t0``."""
        times = t0 + self.dt * np.arange(1, n_steps + 1)
        sigma = self.profile.noise["readout_sigma"] if self.cfg["noise"] else None
        readout.collect(neurons, offsets, result, rec_v, rec_g, times, self.dt, sigma,
                        self.emulator.rng)  # fmt: skip

    def current_time(self) -> float:
        return steps_of(self.t, self.dt) * self.dt  # on the grid, as the common layer's

    def reset(self) -> None:
        self.t = 0.0
        self.link.restart()
        self.emulator = None
        self.dirty = True
        for p in self.pops:
            p.spikes, p.signals = [], {}
            if p.trains is not None:  # the current parameters from t = 0, same seeds
                p.trains.forget_after(0.0, p.params)

    # -- report ---------------------------------------------------------------------------------
    def provenance_details(self, bio_runtime: float) -> dict[str, Any] | None:
        """The mapping report, for the provenance of recorded data (None before mapping)."""
        if self.routing is None:
            return None
        return {"mapping_report": self.mapping_report(bio_runtime).as_dict()}

    def mapping_report(self, bio_runtime: float) -> MappingReport:
        if self.routing is None or self.dirty:
            self._routed(routing.route_network(self.profile, self.pops, self.projs))
        per, cfg = self.profile.neurons_per_block, self.cfg
        return MappingReport(
            profile=self.profile.name,
            chip_id=int(cfg["chip_id"]),
            seeds={k: cfg[k] for k in ("trial_seed", "rounding_seed", "rng_seed")},
            calibration=str(cfg["calibration"]),
            speedup=self.profile.speedup,
            bio_runtime=bio_runtime,
            hw_runtime=bio_runtime / self.profile.speedup,
            neurons_used=np.bincount(
                np.flatnonzero(self.used) // per, minlength=self.profile.blocks
            ).tolist(),  # fmt: skip
            neurons_total=self.profile.neurons,
            rows_used=[int(r) for r in self.routing.rows_used],
            rows_per_block=self.profile.rows_per_block,
            external_sources=self.routing.external_sources,
            placement={p.label: p.circuits for p in self.pops if p.circuits is not None},
            projections=[h.report() for h in self.projs],
            parameter_clips=dict(self.clips),
            shared_ignored=list(self.ignored),
            input_events=self.link.events,
            input_lost=self.link.lost,
            input_max_shift=self.link.max_shift,
        )
