"""The hardware backend: maps the network description onto an emulated chip.

Type, range, sharing and placement checks run when a Population is created; routing,
weight quantisation and delay substitution when a Projection is (so an error leaves the
accepted part usable); building the chip configuration and emulating are deferred to
``run()`` (``prepare()`` maps without running).  Results come back in bio units.
"""

from __future__ import annotations

import warnings

import numpy as np

from pynn_uni import errors
from pynn_uni.common.backend import ConnectionArrays
from pynn_uni.hardware.emulator.chip import effective_deviations
from pynn_uni.hardware.emulator.loop import Emulator
from pynn_uni.hardware.errors import (
    HardwareParameterRangeError,
    InputLossError,
    ParameterRoundingWarning,
    SynapseLossError,
    UnsupportedOnHardwareError,
    WeightRoundingWarning,
)
from pynn_uni.hardware.mapping import inputs, parameters, readout, routing, stp, weights
from pynn_uni.hardware.mapping.placement import place
from pynn_uni.hardware.profiles import load_profile
from pynn_uni.hardware.report import MappingReport, ProjectionReport

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
    "rng_seed": 42,  # host-side Poisson sources
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
_SOURCES = ("SpikeSourceArray", "SpikeSourcePoisson")
_SYNAPSES = ("StaticSynapse", "TsodyksMarkramSynapse")


class _Pop:
    def __init__(self, index, celltype, params, n, label, first_id):
        self.index, self.celltype, self.params, self.n, self.label = (
            index, celltype, params, n, label)  # fmt: skip
        self.kind = type(celltype).__name__
        self.ids = np.arange(first_id, first_id + n, dtype=np.int64)
        self.circuits = None  # chip neurons only
        self.lif = None
        self.initial: dict = {}
        self.recorded: dict[str, np.ndarray] = {}
        self.active: set[str] = set()
        self.interval = None
        self.spikes: list = []
        self.signals: dict[str, list] = {}


class _Proj:
    def __init__(self, index, projection):
        self.index, self.projection = index, projection
        self.receptor = 1 if projection.receptor_type == "inhibitory" else 0
        self.pre = np.empty(0, np.int64)  # indices into projection.pre / .post
        self.post = np.empty(0, np.int64)
        self.pre_id = np.empty(0, np.int64)
        self.post_id = np.empty(0, np.int64)
        self.requested = np.empty(0)
        self.code = np.empty(0, np.int64)
        self.row = np.empty(0, np.int64)
        self.stp = np.empty(0, np.int64)  # short-term plasticity class, 0: static
        self.stats = dict(n_rounded=0, n_clipped=0, n_vanished=0, max_abs_error=0.0,
                          sq_rel=0.0, n_nonzero=0, delays=0, u_rounded=0)  # fmt: skip
        self.rng = None


class HardwareBackend:
    """Emulated neuromorphic chip realising the backend protocol."""

    #: setup() keywords this backend acts on (the common layer drops or warns on others)
    setup_options = frozenset(_OPTIONS)

    name = "hardware"

    def setup(self, config: dict) -> None:
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
        if cfg["calibration"] is None:
            warnings.warn("calibration=None: the chip runs uncalibrated", stacklevel=4)
        self.pops: list[_Pop] = []
        self.projs: list[_Proj] = []
        self.stp_classes: list[tuple[float, float, float]] = []  # (U, tau_rec, tau_facil)
        self.used = np.zeros(self.profile.neurons, bool)
        self.shared: dict = {}
        self.clips: dict = {}
        self.ignored: list = []
        self.next_id = 1
        self.t = 0.0
        self.emulator = None
        self.dirty = True
        self.routing = None
        self.input_stats = [0, 0.0, 0]  # events, max time shift (ms), lost
        self.bucket = (self.profile.input_burst, 0.0)  # tokens, time of the last event

    def end(self) -> None:
        self.pops, self.projs, self.emulator = [], [], None

    def max_delay(self) -> float:
        return self.d_fix

    # -- cells ------------------------------------------------------------------------
    def create(self, celltype, params: dict, n: int, label: str = "", placement=None) -> _Pop:
        """``placement`` (``Population(..., placement={"block": b})``) overrides
        ``setup(placement={label: ...})``."""
        parameters.check_model(celltype, self.profile)
        if placement is None:
            placement = (self.cfg["placement"] or {}).get(label, {})
        unknown = set(placement) - {"block"}
        if unknown:
            raise errors.NonExistentParameterError(sorted(unknown)[0], "placement", ["block"])
        pop = _Pop(len(self.pops), celltype, params, n, label, self.next_id)
        if not getattr(celltype, "is_spike_source", False):
            lif, clips = self._lif(pop, params)
            pop.circuits = place(n, self.used, self.profile, label, placement.get("block"))
            taken = dict(self.shared)
            groups = parameters.shared_groups(pop.circuits, self.profile)
            self.ignored += parameters.check_shared(
                groups, lif, label, taken, self.profile, self.cfg["shared_parameter_policy"]
            )
            self.shared = taken
            self.used[pop.circuits] = True
            pop.lif = lif
            self.clips.update({f"{label}.{k}": v for k, v in clips.items()})
        self.next_id += n
        self.pops.append(pop)
        self.dirty = True
        return pop

    def _lif(self, pop: _Pop, params: dict):
        lif = parameters.to_lif(pop.celltype, params, pop.n)
        parameters.check_fixed(pop.celltype, lif, self.profile, pop.label)
        clips = parameters.check_ranges(lif, self.profile, pop.label, self.cfg["range_policy"])
        return lif, clips

    def ids(self, h: _Pop) -> np.ndarray:
        return h.ids

    def native_handle(self, h: _Pop):
        return h

    def set(self, h: _Pop, celltype, idx, params: dict, changed) -> None:
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
        h.params = params
        self.dirty = True

    def initialize(self, h: _Pop, celltype, values: dict) -> None:
        h.initial.update({k: np.broadcast_to(np.asarray(v, float), (h.n,)).copy()
                          for k, v in values.items()})  # fmt: skip
        if self.emulator is not None and self.t == 0.0:
            self.emulator = None  # rebuilt with the new initial state

    # -- recording --------------------------------------------------------------------------
    def record(self, h: _Pop, celltype, variable: str, idx, interval: float) -> None:
        idx = np.asarray(idx, np.int64)
        new = np.union1d(h.recorded.get(variable, np.empty(0, np.int64)), idx)
        if variable != "spikes" and self.cfg["readout_policy"] == "strict":
            circuits = [h.circuits[new]]
            for p in self.pops:
                for var, rec in p.recorded.items():
                    if var != "spikes" and p.circuits is not None:
                        circuits.append(p.circuits[rec])
            readout.check_readout(np.concatenate(circuits), self.profile, variable, celltype)
        h.recorded[variable] = new
        h.active.add(variable)
        h.interval = interval

    def stop_recording(self, h: _Pop, variable: str) -> None:
        h.active.discard(variable)

    def spikes(self, h: _Pop):
        data, h.spikes = h.spikes, []
        if not data:
            return np.empty(0, np.int64), np.empty(0)
        return np.concatenate([d[0] for d in data]), np.concatenate([d[1] for d in data])

    def signals(self, h: _Pop, celltype, variable: str):
        data = h.signals.pop(variable, [])
        if not data:
            return np.empty(0), np.empty((0, 0)), np.empty(0, np.int64)
        times = np.concatenate([d[0] for d in data])
        return times, np.vstack([d[1] for d in data]), data[-1][2]

    # -- connections ---------------------------------------------------------------------------
    def check_synapse(self, projection) -> None:
        name = type(projection.synapse_type).__name__
        if name not in _SYNAPSES:
            raise UnsupportedOnHardwareError(
                f"{name} is not supported on the {self.profile.name!r} chip profile "
                f"(supported: {', '.join(_SYNAPSES)})"
            )

    def _check_merged(self, codes: np.ndarray, w: np.ndarray, pre_ids: np.ndarray) -> None:
        """Several connections between one source and one cell share the chip's single
        synapse there: their weight codes add, and the sum must fit the synapse (k_max).
        Over the limit: an error naming the pair, or (weight_clip='clip') clipped and
        counted."""
        over = codes > self.profile.k_max
        if not over.any():
            return
        _, _, row, col = (int(i[0]) for i in np.nonzero(over))
        cell = int(self.circuit_order[col])
        involved = [
            h
            for h in self.projs
            if np.any((h.pre_id == pre_ids[row]) & (self._cells(h.post_id)[0] == cell))
        ]
        names = ", ".join(repr(h.projection.label) for h in involved)
        if self.cfg["weight_clip"] != "clip":
            raise HardwareParameterRangeError(
                f"{names}: {int(codes[over][0])} weight steps between source "
                f"{int(pre_ids[row])} and one cell: repeated connections share the chip's one "
                f"synapse, which holds at most {self.profile.k_max} steps (fewer repeats, "
                "smaller weights, or setup(weight_clip='clip'))"
            )
        w[over] *= self.profile.k_max / codes[over]
        involved[0].stats["n_clipped"] += int(np.count_nonzero(over))
        warnings.warn(
            f"{names}: {int(np.count_nonzero(over))} synapse(s) holding repeated connections "
            f"clipped to {self.profile.k_max} weight steps",
            WeightRoundingWarning,
            stacklevel=4,
        )

    def _rounded(self, msg: str, category=ParameterRoundingWarning, stacklevel: int = 6) -> None:
        """A value the chip realises approximately: a warning, an error when strict."""
        if self.cfg["strict"]:
            raise category(msg)
        warnings.warn(msg, category, stacklevel=stacklevel)

    def _stp(self, h: _Proj, params: dict, n: int, where: str):
        """(STP class per connection: 1-based index into ``stp_classes``, 0 static; number
        of U values moved to a driver level)."""
        if type(h.projection.synapse_type).__name__ == "StaticSynapse":
            return np.zeros(n, np.int64), 0
        u, tau_rec, tau_facil = (np.broadcast_to(np.asarray(params[k], float), (n,))
                                 for k in stp.NAMES)  # fmt: skip
        tau_rec, instant = stp.instant_recovery(tau_rec, tau_facil)
        if instant:
            self._rounded(f"{where}: {instant} facilitating synapse(s) with tau_rec <= "
                          f"{stp.INSTANT_RECOVERY_MS} ms realised as a purely facilitating "
                          "driver (tau_rec = 0)")  # fmt: skip
        stp.check_mode(tau_rec, tau_facil, where, self.profile.name)
        level, changed = stp.quantise_u(u)
        if changed:
            example = u[np.abs(level - u) > 1e-12][0]
            self._rounded(f"{where}: {changed} U value(s) (e.g. {example}) realised as the "
                          "driver's level 1/9, 3/11, 5/13 or 7/15 (the next one up)")  # fmt: skip
        settings = np.stack([level, tau_rec, tau_facil], axis=1)
        uniq, inv = np.unique(settings, axis=0, return_inverse=True)
        ids = []
        for setting in map(tuple, uniq.tolist()):
            if setting not in self.stp_classes:
                self.stp_classes.append(setting)
            ids.append(self.stp_classes.index(setting) + 1)
        return np.asarray(ids, np.int64)[inv.ravel()], changed

    def new_projection(self, projection) -> _Proj:
        h = _Proj(len(self.projs), projection)
        h.lsb = self.profile.lsb("inhibitory" if h.receptor else "excitatory",
                                 current=not projection._conductance_based)  # fmt: skip
        if self.cfg["rounding_seed"] is not None:
            h.rng = np.random.default_rng([int(self.cfg["rounding_seed"]), h.index])
        return h

    def connect(self, h: _Proj, projection, block: ConnectionArrays) -> None:
        if len(block) == 0:
            return
        where = f"Projection {projection.label!r}"
        q = weights.quantise(block.params["weight"], h.lsb,
                             self.profile.k_max, h.rng, self.cfg["weight_clip"] == "clip",
                             where)  # fmt: skip
        n_delay = weights.substitute_delays(
            block.params.get("delay", self.d_fix), self.d_fix, self.cfg["strict"], where
        )
        pre_id = projection.pre._ids[block.pre]
        post_id = projection.post._ids[block.post]
        stp_class, u_rounded = self._stp(h, block.params, len(block), where)
        trial = self._route(extra=(h, pre_id, post_id, stp_class))
        new_row = trial.row[-len(block) :]
        lost = new_row < 0
        if lost.any() and self.cfg["synapse_loss"] == "error":
            posts = np.unique(block.post[lost])
            raise SynapseLossError(
                f"{where}: {int(lost.sum())} of {len(block)} synapses cannot be routed on the "
                f"{self.profile.name!r} chip (synapse rows or source slots exhausted; post "
                f"cells {posts[:10].tolist()}); earlier projections keep their rows. "
                "setup(synapse_loss='allow') drops them and reports the loss"
            )
        self._warn_rounding(q, where)
        if h not in self.projs:
            self.projs.append(h)
        h.pre = np.concatenate([h.pre, block.pre])
        h.post = np.concatenate([h.post, block.post])
        h.pre_id = np.concatenate([h.pre_id, pre_id])
        h.post_id = np.concatenate([h.post_id, post_id])
        h.stp = np.concatenate([h.stp, stp_class])
        h.requested = np.concatenate([h.requested, np.abs(block.params["weight"])])
        h.code = np.concatenate([h.code, q.code])
        s = h.stats
        for k in ("n_rounded", "n_clipped", "n_vanished"):
            s[k] += getattr(q, k)
        s["max_abs_error"] = max(s["max_abs_error"], q.max_abs_error)
        nz = int(np.count_nonzero(block.params["weight"]))
        s["sq_rel"] += q.rms_rel_error**2 * nz
        s["n_nonzero"] += nz
        s["delays"] += n_delay
        s["u_rounded"] += u_rounded
        self.routing = trial
        self._split_rows()
        self.dirty = True

    def _warn_rounding(self, q, where: str) -> None:
        msgs = []
        if q.n_vanished:
            msgs.append(f"{q.n_vanished} weight(s) below LSB/2 = {q.lsb / 2} vanished (code 0)")
        if q.n_clipped:
            msgs.append(f"{q.n_clipped} weight(s) clipped to code {self.profile.k_max}")
        if q.n_rounded:
            msgs.append(f"{q.n_rounded} weight(s) rounded to multiples of {q.lsb} "
                        f"(max error {q.max_abs_error:.3g})")  # fmt: skip
        if msgs:
            self._rounded(f"{where}: " + "; ".join(msgs), WeightRoundingWarning, stacklevel=5)

    def _cells(self, ids: np.ndarray):
        """(circuit or -1, tau_syn_E, tau_syn_I) per cell id."""
        starts = np.array([p.ids[0] if p.n else p.ids.size for p in self.pops])
        which = np.searchsorted(starts, ids, side="right") - 1
        circuit = np.full(ids.size, -1, np.int64)
        tau = np.zeros((2, ids.size))
        for k in np.unique(which):
            p, sel = self.pops[k], which == k
            local = ids[sel] - p.ids[0]
            if p.circuits is not None:
                circuit[sel] = p.circuits[local]
                tau[0, sel], tau[1, sel] = p.lif["tau_syn_E"][local], p.lif["tau_syn_I"][local]
        return circuit, tau

    def _route(self, extra=None) -> routing.Routing:
        parts = [(h, h.pre_id, h.post_id, h.stp) for h in self.projs]
        if extra is not None:
            parts.append(extra)
        if not parts:
            return routing.Routing(np.empty(0, np.int64), np.zeros(self.profile.blocks, int), 0)
        pre = np.concatenate([p[1] for p in parts])
        post = np.concatenate([p[2] for p in parts])
        receptor = np.concatenate([np.full(p[1].size, p[0].receptor) for p in parts])
        source_circuit, _ = self._cells(pre)
        post_circuit, tau = self._cells(post)
        return routing.route(self.profile, pre, source_circuit, post_circuit, receptor,
                             tau[receptor, np.arange(post.size)],
                             np.concatenate([p[3] for p in parts]))  # fmt: skip

    def _split_rows(self) -> None:
        offset = 0
        for h in self.projs:
            h.row = self.routing.row[offset : offset + h.pre.size]
            offset += h.pre.size

    def disconnect(self, h: _Proj) -> None:
        if h in self.projs:
            self.projs.remove(h)
            self.routing = self._route()
            self._split_rows()
            self.dirty = True

    def native_connections(self, h: _Proj):
        return h

    def native_synapse_model(self, h: _Proj) -> str:
        return "hardware_static_row"

    def realised_weights(self, h: _Proj) -> np.ndarray:
        """k * LSB (uS), NaN where the synapse was lost."""
        w = h.code * h.lsb
        if h.projection._conductance_based is False and h.receptor:
            w = -w
        return np.where(h.row < 0, np.nan, w)

    def connection_values(self, h: _Proj, projection, names):
        values = {}
        for n in names:
            if n == "weight":
                values[n] = self.realised_weights(h)
            elif n == "delay":
                values[n] = np.full(h.pre.size, self.d_fix)
            elif n in stp.NAMES and h.stp.size and h.stp.min() > 0:
                table = np.asarray(self.stp_classes)[:, stp.NAMES.index(n)]
                values[n] = table[h.stp - 1]  # realised: U on the driver's levels
            else:
                names = ["weight", "delay", *(stp.NAMES if h.stp.any() else ())]
                raise errors.NonExistentParameterError(
                    n, type(projection.synapse_type).__name__, names
                )
        return h.pre.copy(), h.post.copy(), values

    def set_connection_values(self, h: _Proj, projection, values: dict) -> None:
        where = f"Projection {projection.label!r}"
        if "weight" in values:
            q = weights.quantise(values["weight"], h.lsb,
                                 self.profile.k_max, h.rng, self.cfg["weight_clip"] == "clip",
                                 where)  # fmt: skip
            self._warn_rounding(q, where)
            h.code, h.requested = q.code, np.abs(np.asarray(values["weight"], float))
            nz = int(np.count_nonzero(h.requested))
            h.stats.update(n_rounded=q.n_rounded, n_clipped=q.n_clipped, n_vanished=q.n_vanished,
                           max_abs_error=q.max_abs_error, sq_rel=q.rms_rel_error**2 * nz,
                           n_nonzero=nz)  # fmt: skip
        if "delay" in values:
            weights.substitute_delays(values["delay"], self.d_fix, self.cfg["strict"], where)
        if any(k in values for k in stp.NAMES) and h.stp.size:
            current = self.connection_values(h, projection, stp.NAMES)[2]
            new, h.stats["u_rounded"] = self._stp(h, {**current, **values}, h.pre.size, where)
            old, h.stp = h.stp, new
            try:
                self.routing = self._route()  # a row has one STP setting: re-check
            except Exception:
                h.stp = old
                raise
            self._split_rows()
        self.dirty = True

    # -- current sources -------------------------------------------------------------------------
    def inject(self, source, target, idx):
        raise UnsupportedOnHardwareError(
            f"{type(source).__name__} is not supported on the {self.profile.name!r} chip "
            "profile (no current sources)"
        )

    # -- running -----------------------------------------------------------------------------------
    def prepare(self) -> None:
        """Map and build the chip configuration without emulating (spec 3b, steps 1-10)."""
        self.routing = self._route()
        self._split_rows()
        neurons = [p for p in self.pops if p.circuits is not None]
        circuits = np.concatenate([p.circuits for p in neurons]) if neurons else np.empty(0, int)
        self.circuit_order = circuits
        n = circuits.size
        dev = effective_deviations(self.profile, self.cfg["chip_id"], self.cfg["calibration"])
        lif = {k: np.concatenate([p.lif[k] for p in neurons]) if neurons else np.empty(0)
               for k in (*parameters.LIF_NAMES, *parameters.ADEX_NAMES, "mode")}  # fmt: skip
        lif["tau_m"] = lif["tau_m"] * dev.tau_m[circuits]
        for j, k in enumerate(("v_rest", "v_reset", "v_thresh")):
            lif[k] = lif[k] + dev.voltage[circuits, j]
        # source rows of the emulator: every cell id that is presynaptic somewhere
        pre_ids = np.unique(np.concatenate([h.pre_id for h in self.projs] or [np.empty(0, int)]))
        old_sources, self.source_ids = getattr(self, "source_ids", pre_ids), pre_ids
        w = np.zeros((1 + len(self.stp_classes), 2, pre_ids.size, n))  # class, receptor
        slot = np.full(self.profile.neurons, -1)
        slot[circuits] = np.arange(n)
        per = self.profile.neurons_per_block
        codes = np.zeros(w.shape, np.int64)  # summed weight codes: one synapse per position
        for h in self.projs:
            ok = h.row >= 0
            post_circuit, _ = self._cells(h.post_id[ok])
            lsb = h.lsb
            strength = dev.driver[h.row[ok]] * dev.synapse[h.row[ok], post_circuit % per]
            where = (h.stp[ok], h.receptor, np.searchsorted(pre_ids, h.pre_id[ok]),
                     slot[post_circuit])  # fmt: skip
            np.add.at(w, where, h.code[ok] * lsb * strength)
            np.add.at(codes, where, h.code[ok])
        self._check_merged(codes, w, pre_ids)
        own = np.full(n, -1)
        if neurons:
            all_ids = np.concatenate([p.ids for p in neurons])
            pos, hit = _lookup(pre_ids, all_ids)
            own[hit] = pos[hit]
        noise = self.profile.noise["sigma_v"] if self.cfg["noise"] else 0.0
        plastic = [
            stp.driver_state(setting, w[k + 1, 0], w[k + 1, 1])
            for k, setting in enumerate(self.stp_classes) if w[k + 1].any()
        ]  # fmt: skip
        old, self.emulator = self.emulator, Emulator(
            lif, w[0, 0], w[0, 1], self.dt, self.profile.event_grid, self.profile.event_rounding, 1,
            own, self.cfg["reference_grid"], noise, int(self.cfg["trial_seed"]), plastic,
        )  # fmt: skip
        if old is not None:  # parameters or weights changed between runs: keep the state
            for k in ("v", "w", "g_e", "g_i", "refractory_until", "step", "pending", "rng"):
                setattr(self.emulator, k, getattr(old, k))
            stp.carry_state(old.plastic, self.emulator.plastic, old_sources, pre_ids)
        else:
            offset = 0
            for p in neurons:
                for k in ("v", "w"):
                    if k in p.initial:
                        getattr(self.emulator, k)[offset : offset + p.n] = p.initial[k]
                offset += p.n
        self.dirty = False

    def run_until(self, t: float) -> None:
        if t > self.profile.max_runtime:
            raise errors.CapacityError(
                f"run to {t} ms exceeds the {self.profile.name!r} chip's event counter "
                f"({self.profile.max_runtime} ms bio)"
            )
        if self.dirty or self.emulator is None:
            self.prepare()
        emu = self.emulator
        n_steps = int(round((t - self.t) / self.dt))
        if n_steps <= 0:
            return
        t0, t1 = self.t, self.t + n_steps * self.dt
        events = self._host_events(t0, t1)
        neurons = [p for p in self.pops if p.circuits is not None]
        offsets = np.cumsum([0] + [p.n for p in neurons])
        rec_v = [o + p.recorded["v"] for p, o in zip(neurons, offsets, strict=False)
                 if "v" in p.recorded]  # fmt: skip
        rec_v = np.concatenate(rec_v) if rec_v else None
        rec_g = [o + np.union1d(p.recorded.get("gsyn_exc", []), p.recorded.get("gsyn_inh", []))
                 .astype(np.int64) for p, o in zip(neurons, offsets, strict=False)]  # fmt: skip
        rec_g = np.concatenate(rec_g) if rec_g else None
        k, ts, vs, ges, gis = emu.run(n_steps, events, rec_v, rec_g)
        times = t0 + self.dt * np.arange(1, n_steps + 1)
        for p, o in zip(neurons, offsets, strict=False):
            if "spikes" in p.active:
                mine = (k >= o) & (k < o + p.n)
                local = k[mine] - o
                keep = np.isin(local, p.recorded["spikes"])
                p.spikes.append((local[keep], ts[mine][keep]))
            for var, data, index in (("v", vs, rec_v), ("gsyn_exc", ges, rec_g),
                                     ("gsyn_inh", gis, rec_g)):  # fmt: skip
                if var in p.active and data is not None:
                    cols = p.recorded[var]
                    pick = np.searchsorted(index, o + cols)
                    m = int(round(p.interval / self.dt))
                    rows = np.flatnonzero(np.rint(times / self.dt).astype(np.int64) % m == 0)
                    values = data[np.ix_(rows, pick)]
                    if var == "v" and self.cfg["noise"]:
                        sigma = self.profile.noise["readout_sigma"]
                        values = values + sigma * emu.rng.standard_normal(values.shape)
                    p.signals.setdefault(var, []).append((times[rows], values, cols))
        self.t = t1

    def _host_events(self, t0: float, t1: float) -> dict:
        """Arrival step -> source rows of host spikes arriving in (t0, t1]; records them.

        Events go through the input link's token bucket in send-time order; lost events
        are counted (or raise, ``input_loss='error'``) before anything changes."""
        send, rows = [], []
        shift = self.input_stats[1]
        grid, rnd = (self.dt, "nearest") if self.cfg["reference_grid"] else (
            self.profile.event_grid, self.profile.event_rounding)  # fmt: skip
        lo, hi = t0 - self.d_fix, t1 - self.d_fix
        recorded = []
        for p in self.pops:
            if p.kind not in _SOURCES:
                continue
            if p.kind == "SpikeSourceArray":
                idx, t = inputs.array_spikes(p.params["spike_times"], p.n)
            else:
                idx, t = inputs.poisson(p.params["rate"], p.params["start"],
                                        p.params["duration"], lo, t1, int(self.cfg["rng_seed"]),
                                        p.index, p.n)  # fmt: skip
            tq = inputs.to_grid(t, grid, rnd)
            if "spikes" in p.active:  # what the source emitted, whether or not it arrived
                mine = (tq > t0 + 1e-9) & (tq <= t1 + 1e-9) & np.isin(idx, p.recorded["spikes"])
                recorded.append((p, idx[mine], tq[mine]))
            sel = (tq > lo + 1e-9) & (tq <= hi + 1e-9)
            pos, ok = _lookup(self.source_ids, p.ids[idx[sel]])
            send.append(tq[sel][ok])
            rows.append(pos[ok])
            if t.size:
                shift = max(shift, float(np.abs(tq - t).max()))
        send = np.concatenate(send) if send else np.empty(0)
        rows = np.concatenate(rows) if rows else np.empty(0, np.int64)
        order = np.argsort(send, kind="stable")
        send, rows = send[order], rows[order]
        link = self.profile.input_rate, self.profile.input_burst
        keep, tokens, t_last = inputs.token_bucket(send, *link, *self.bucket)
        lost = int(send.size - keep.sum())
        policy = self.cfg["input_loss"] or ("error" if self.cfg["strict"] else "count")
        if lost and policy == "error":
            raise InputLossError(
                f"{lost} of {send.size} input events in ({t0}, {t1}] ms exceed the "
                f"{self.profile.name!r} chip's input link ({self.profile.input_rate:g} "
                f"events/ms bio, bursts of {self.profile.input_burst:g}); "
                "setup(input_loss='count') drops and counts them"
            )
        for p, idx, tq in recorded:
            p.spikes.append((idx, tq))
        self.bucket = (tokens, t_last)
        self.input_stats = [self.input_stats[0] + send.size, shift, self.input_stats[2] + lost]
        arrival = np.ceil((send[keep] + self.d_fix) / self.dt - 1e-6).astype(np.int64) - 1
        rows = rows[keep]
        bounds = np.flatnonzero(np.diff(arrival)) + 1
        return {int(s[0]): r for s, r in zip(np.split(arrival, bounds), np.split(rows, bounds),
                                               strict=True) if s.size}  # fmt: skip

    def reset(self) -> None:
        self.t = 0.0
        self.bucket = (self.profile.input_burst, 0.0)
        self.emulator = None
        self.dirty = True
        for p in self.pops:
            p.spikes, p.signals = [], {}

    # -- report ---------------------------------------------------------------------------------
    def provenance_details(self, bio_runtime: float) -> dict | None:
        """The mapping report, for the provenance of recorded data (None before mapping)."""
        if self.routing is None:
            return None
        return {"mapping_report": self.mapping_report(bio_runtime).as_dict()}

    def mapping_report(self, bio_runtime: float) -> MappingReport:
        if self.routing is None or self.dirty:
            self.routing = self._route()
            self._split_rows()
        per = self.profile.neurons_per_block
        projections = []
        for h in self.projs:
            s = h.stats
            lost = int(np.count_nonzero(h.row < 0))
            projections.append(ProjectionReport(
                h.projection.label, int(h.pre.size), int(h.pre.size) - lost, lost,
                h.lsb,
                s["n_rounded"], s["n_clipped"], s["n_vanished"], s["max_abs_error"],
                float(np.sqrt(s["sq_rel"] / s["n_nonzero"])) if s["n_nonzero"] else 0.0,
                s["delays"], s["u_rounded"],
            ))  # fmt: skip
        cfg = self.cfg
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
            projections=projections,
            parameter_clips=dict(self.clips),
            shared_ignored=list(self.ignored),
            input_events=self.input_stats[0],
            input_lost=self.input_stats[2],
            input_max_shift=self.input_stats[1],
        )


def _lookup(sorted_ids: np.ndarray, values: np.ndarray):
    """(position, found) of ``values`` in the sorted array ``sorted_ids``."""
    pos = np.searchsorted(sorted_ids, values)
    found = pos < sorted_ids.size
    found[found] = sorted_ids[pos[found]] == values[found]
    return pos, found
