"""NEURON translations as data: which of our mechanisms realises each standard model.

Our mechanisms (``nmodl/``) use PyNN's own parameter names and units (mV, ms, nF, nA, uS),
so a cell translation is the mechanism, its fixed switches, and the recordable names: the
common engine (:mod:`pynn_uni.common.translation`) would have nothing to rename or scale.
Two models need a transform (TRANSFORMS), PointNeuron its own (:func:`point_neuron`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pynn_uni import errors
from pynn_uni.common.models.cells import IF_facets_hardware1
from pynn_uni.common.spike_trains import histograms, rows


@dataclass(frozen=True)
class CellTranslation:
    mechanism: str  # NEURON ARTIFICIAL_CELL name, "" for spike sources (PynnRelay)
    switches: dict = field(default_factory=dict)  # fixed mechanism parameters
    recordables: dict = field(default_factory=dict)  # standard name -> mechanism variable
    initial: dict = field(default_factory=dict)  # initial value -> parameter read by INITIAL


_V = {"v": "vm"}
_COND = {"v": "vm", "gsyn_exc": "ge", "gsyn_inh": "gi"}
_V0 = {"v": "v_init"}
_ADEX = {"v": "vm", "w": "wa", "gsyn_exc": "ge", "gsyn_inh": "gi"}
_ADEX0 = {"v": "v_init", "w": "w_init"}
_GIF = {"v": "vm", "gsyn_exc": "ge", "gsyn_inh": "gi", "i_eta": "i_eta", "v_t": "v_t"}

CELLS: dict[str, CellTranslation] = {
    "IF_curr_exp": CellTranslation("PynnIF", {"cond": 0, "alpha": 0}, _V, _V0),
    "IF_curr_alpha": CellTranslation("PynnIF", {"cond": 0, "alpha": 1}, _V, _V0),
    "IF_cond_exp": CellTranslation("PynnIF", {"cond": 1, "alpha": 0}, _COND, _V0),
    "IF_cond_exp_gsfa_grr": CellTranslation(
        "PynnIF", {"cond": 1, "alpha": 0}, {**_COND, "g_r": "gr", "g_s": "gs"}, _V0
    ),
    "IF_facets_hardware1": CellTranslation("PynnIF", {"cond": 1, "alpha": 0}, _COND, _V0),
    "IF_curr_delta": CellTranslation("PynnIF", {"cond": 0, "alpha": 0, "delta": 1}, _V, _V0),
    "IF_cond_alpha": CellTranslation("PynnIF", {"cond": 1, "alpha": 1}, _COND, _V0),
    "EIF_cond_exp_isfa_ista": CellTranslation("PynnAdEx", {"alpha": 0}, _ADEX, _ADEX0),
    "EIF_cond_alpha_isfa_ista": CellTranslation("PynnAdEx", {"alpha": 1}, _ADEX, _ADEX0),
    "HH_cond_exp": CellTranslation(
        "PynnHH",
        {},
        # the gating variables also under PyNN's NEURON names (its hh_traub mechanism),
        # which PyNN's HH_cond_exp2.py example records
        {
            "v": "vm",
            "gsyn_exc": "ge",
            "gsyn_inh": "gi",
            "m": "m",
            "h": "h",
            "n": "n",
            "seg.m_hh_traub": "m",
            "seg.h_hh_traub": "h",
            "seg.n_hh_traub": "n",
        },  # fmt: skip
        {"v": "v_init", "m": "m_init", "h": "h_init", "n": "n_init"},
    ),
    "Izhikevich": CellTranslation(
        "PynnIzh", {}, {"v": "vm", "u": "u"}, {"v": "v_init", "u": "u_init"}
    ),
    "GIF_cond_exp": CellTranslation("PynnGIF", {}, _GIF, _V0),
    # receptors' recordables ('<receptor>.gsyn' / '.isyn') are g[r] of PynnPoint (point_ref)
    "PointNeuron": CellTranslation("PynnPoint", {}, {"v": "vm", "w": "wa"}, _ADEX0),
    "SpikeSourceArray": CellTranslation("PynnRelay"),
    "SpikeSourcePoisson": CellTranslation("PynnRelay"),
    "SpikeSourcePoissonRefractory": CellTranslation("PynnRelay"),
    "SpikeSourceGamma": CellTranslation("PynnRelay"),
    "SpikeSourceInhGamma": CellTranslation("PynnRelay"),
}

#: mechanisms with their own random stream: the backend sets ``seed`` (the rng seed) and
#: ``gid`` (the cell's global id), so draws do not depend on which MPI rank owns the cell
SEEDED = frozenset({"PynnGIF"})

#: synapse type -> its values beyond weight and delay, with defaults (the connection's
#: initial ``u`` rides along as a value)
SYNAPSES: dict[str, dict] = {
    "StaticSynapse": {},
    "TsodyksMarkramSynapse": {"U": 0.5, "tau_rec": 100.0, "tau_facil": 0.0, "u": 0.0},
    "SimpleStochasticSynapse": {"p": 0.5},
    "StochasticTsodyksMarkramSynapse": {"U": 0.5, "tau_rec": 100.0, "tau_facil": 0.0},
    # initial u and a (available sites): NaN stands for U and n (resolve_initial)
    "MultiQuantalSynapse": {
        "U": 0.5,
        "n": 1.0,
        "tau_rec": 800.0,
        "tau_facil": 0.0,
        "u": np.nan,
        "a": np.nan,
    },
    "STDPMechanism": {
        "tau_plus": 20.0,
        "tau_minus": 20.0,
        "A_plus": 0.01,
        "A_minus": 0.01,
        "w_min": 0.0,
        "w_max": 1.0,
        "dendritic_delay_fraction": 1.0,
    },
}


def resolve_initial(kind: str, values: dict) -> dict:
    """A MultiQuantalSynapse starts with u = U and every site available (a = n) unless
    initialised otherwise."""
    if kind == "MultiQuantalSynapse":
        values = dict(values)
        for state, default in (("u", "U"), ("a", "n")):
            values[state] = np.where(np.isnan(values[state]), values[default], values[state])
    return values


#: cell types whose input is a jump of v (mV), added at the end of the arrival step
JUMP_INPUT = frozenset({"IF_curr_delta", "Izhikevich"})

CURRENT_SOURCES = ("DCSource", "StepCurrentSource", "ACSource", "NoisyCurrentSource")

#: kernels of each kind that PynnGIF holds (nmodl/pynn_gif.mod: tau_eta1..6, a_eta1..6, ...)
GIF_KERNELS = 6


def gif_kernels(params: dict) -> dict:
    """GIF_cond_exp on PynnGIF: each kernel list (one for all cells, or one per cell) becomes
    the scalars ``tau_eta1..6`` and ``a_eta1..6`` (likewise gamma); unused kernels get a = 0."""
    kernels = ("tau_eta", "a_eta", "tau_gamma", "a_gamma")
    native = {k: v for k, v in params.items() if k not in kernels}
    for kind in ("eta", "gamma"):
        taus, amps = rows(params[f"tau_{kind}"]), rows(params[f"a_{kind}"])
        m = max(len(taus), len(amps))  # one may be shared, the other per cell
        taus, amps = taus * (m // len(taus)), amps * (m // len(amps))
        for cell, (tau, amp) in enumerate(zip(taus, amps, strict=True)):
            where = f"GIF_cond_exp{'' if len(taus) == 1 else f' (cell {cell})'}"
            if tau.size != amp.size:
                raise errors.InvalidParameterValueError(
                    f"{where}: tau_{kind} has {tau.size} values but a_{kind} {amp.size}"
                )
            if tau.size > GIF_KERNELS:
                raise errors.InvalidParameterValueError(
                    f"{where}: {tau.size} {kind} kernels; NEURON's PynnGIF takes at most "
                    f"{GIF_KERNELS}"
                )
            if np.any(~(tau > 0)):
                raise errors.InvalidParameterValueError(
                    f"{where}: tau_{kind} must be > 0 ms, got {tau.tolist()}"
                )
        for j in range(GIF_KERNELS):
            native[f"tau_{kind}{j + 1}"] = np.array([t[j] if j < t.size else 1.0 for t in taus])
            native[f"a_{kind}{j + 1}"] = np.array([a[j] if j < a.size else 0.0 for a in amps])
    return native


#: receptors a PynnPoint holds (nmodl/pynn_point.mod: NR)
POINT_RECEPTORS = 10
#: NetCon receptor number of PynnPoint's receptor r: POINT_RECEPTOR0 + r
POINT_RECEPTOR0 = 10
#: membrane component -> fixed PynnPoint values (LIF: an AdEx without exponential or
#: adaptation, firing at v_thresh, as NEST's aeif models with Delta_T = 0)
POINT_MEMBRANES = {"LIF": {"delta_T": 0.0, "a": 0.0, "b": 0.0}, "AdExp": {}}
#: post-synaptic response -> (conductance-based, shape): shape 0 exponential, 1 alpha, 2 beta
POINT_RESPONSES = {
    "CurrExpPostSynapticResponse": (False, 0),
    "CondExpPostSynapticResponse": (True, 0),
    "CondAlphaPostSynapticResponse": (True, 1),
    "CondBetaPostSynapticResponse": (True, 2),
}


def check_point_neuron(celltype) -> None:
    """Raise NotSupportedError if PynnPoint cannot realise this PointNeuron."""
    membrane = type(celltype.neuron).__name__
    if membrane not in POINT_MEMBRANES:
        raise errors.NotSupportedError(
            f"PointNeuron with membrane {membrane} is not available on NEURON "
            f"(membranes: {', '.join(POINT_MEMBRANES)})"
        )
    for name, psr in celltype.post_synaptic_receptors.items():
        if type(psr).__name__ not in POINT_RESPONSES:
            raise errors.NotSupportedError(
                f"PointNeuron receptor {name!r}: {type(psr).__name__} is not available on "
                f"NEURON (responses: {', '.join(POINT_RESPONSES)})"
            )
    if len(celltype.receptor_types) > POINT_RECEPTORS:
        raise errors.NotSupportedError(
            f"PointNeuron with {len(celltype.receptor_types)} receptors: NEURON's PynnPoint "
            f"holds at most {POINT_RECEPTORS}"
        )


def point_neuron(celltype, params: dict, dt: float) -> dict:
    """PynnPoint values from a PointNeuron's parameters: the membrane's under their own
    names, receptor r (sorted names) as ``tau_decay[r]``, ``tau_rise[r]``, ``e_syn[r]`` and
    ``norm[r]`` (the factor making g's peak the weight), and ``nsub`` (RK4 substeps)."""
    membrane = type(celltype.neuron).__name__
    native = {k: v for k, v in params.items() if "." not in k}
    native.update(POINT_MEMBRANES[membrane])
    if membrane == "LIF":
        native["v_spike"] = params["v_thresh"]
    native["nrec"] = len(celltype.receptor_types)
    native["cond"] = 1.0 if celltype.conductance_based else 0.0
    taus = [np.asarray(params["tau_m"], float)]
    if membrane == "AdExp":
        taus.append(np.asarray(params["tau_w"], float))
    for r, name in enumerate(celltype.receptor_types):
        kind = type(celltype.post_synaptic_receptors[name]).__name__
        _, shape = POINT_RESPONSES[kind]
        if shape == 2:
            rise = np.asarray(params[f"{name}.tau_rise"], float)
            decay = np.asarray(params[f"{name}.tau_decay"], float)
            if np.any(~(rise > 0)) or np.any(~(decay > 0)) or np.any(rise == decay):
                raise errors.InvalidParameterValueError(
                    f"PointNeuron receptor {name!r}: tau_rise and tau_decay must be > 0 ms "
                    "and differ"
                )
            peak = np.log(decay / rise) * rise * decay / (decay - rise)
            norm = (1 / rise - 1 / decay) / (np.exp(-peak / decay) - np.exp(-peak / rise))
        else:
            decay = np.asarray(params[f"{name}.tau_syn"], float)
            rise = decay if shape == 1 else np.zeros_like(decay)
            norm = np.e / decay if shape == 1 else np.ones_like(decay)
        e_syn = params.get(f"{name}.e_syn", 0.0)
        native.update({f"tau_decay[{r}]": decay, f"tau_rise[{r}]": rise,
                       f"e_syn[{r}]": e_syn, f"norm[{r}]": norm})  # fmt: skip
        taus += [decay] + ([rise] if shape == 2 else [])
    fastest = np.min(np.broadcast_arrays(*taus), axis=0)
    nsub = np.maximum(1, np.ceil(10.0 * dt / fastest))
    if membrane == "AdExp":  # spikes: <= 0.01 ms substeps, as PynnAdEx
        nsub = np.maximum(nsub, np.ceil(dt / 0.01 - 1e-9))
    native["nsub"] = nsub
    return native


#: cell types whose standard parameters need a multi-parameter transform
TRANSFORMS = {"IF_facets_hardware1": IF_facets_hardware1.as_cond_exp, "GIF_cond_exp": gif_kernels}


def spike_trains(params: dict, n: int) -> None:
    """SpikeSourceArray: each cell's spike times must not decrease (as PyNN's NEURON)."""
    for cell, train in enumerate(rows(params["spike_times"])):
        if np.any(np.diff(train) < 0):
            where = "" if len(rows(params["spike_times"])) == 1 else f" (cell {cell})"
            raise errors.InvalidParameterValueError(
                f"SpikeSourceArray{where}: spike_times must be in increasing order, got "
                f"{train.tolist()}"
            )


#: models whose parameters can be malformed beyond what the common layer checks
CHECKS = {
    "GIF_cond_exp": lambda params, n: gif_kernels(params),
    "SpikeSourceInhGamma": histograms,
    "SpikeSourceArray": spike_trains,
}


def check(name: str, params: dict, n: int) -> None:
    """Raise InvalidParameterValueError on parameters that NEURON cannot realise (called
    before any NEURON object is made, and before a ``set`` takes effect)."""
    if name in CHECKS:
        CHECKS[name](params, n)


def to_native(name: str, params: dict) -> dict:
    """Mechanism parameters from standard ones (the same names, except for TRANSFORMS)."""
    transform = TRANSFORMS.get(name)
    return transform(params) if transform else dict(params)
