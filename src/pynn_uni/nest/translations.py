"""NEST 3.10 translation tables: standard (PyNN) names and units <-> NEST's, as data.

Every standard model maps to a :class:`~pynn_uni.common.translation.ModelTranslation` (the
engine, simulator-neutral, is :mod:`pynn_uni.common.translation`): the NEST model, the
one-to-one parameters, the few many-to-one ones (named transforms below, each with its
inverse), NEST parameters fixed regardless of the standard values, and what NEST cannot
express (``unsupported`` reasons, ``constraints``).  This module adds what only NEST has:
precise-timing twins, multisynapse PointNeuron models, STDP combinations.

Weights and STDP weight bounds carry the pseudo-unit ``'weight'`` (the post cell type's
weight unit: uS, nA or mV); their NEST unit is nS, pA or mV (:data:`NATIVE_WEIGHT_UNIT`).
NEST routes a spike onto its single-port models by the weight's sign, so inhibitory
conductance weights, and their STDP bound ``Wmax``, are negated
(:func:`native_weight_sign`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import numpy as np

from pynn_uni import errors
from pynn_uni.common.models.cells import IF_facets_hardware1, PointNeuron
from pynn_uni.common.models.synapses import (
    AdditivePotentiationMultiplicativeDepression,
    AdditiveWeightDependence,
    MultiplicativeWeightDependence,
)
from pynn_uni.common.translation import (
    Computed,
    ModelTranslation,
    Param,
    Translator,
    Values,
    as_array,
    split_receptors,
    stack_receptors,
    unsupported,
)
from pynn_uni.common.translation import param as _p
from pynn_uni.common.units import WEIGHT, scale

#: what IF_facets_hardware1 fixes (standard names and units), declared on the model
_FACETS = IF_facets_hardware1.fixed_values

#: standard weight unit -> NEST's
NATIVE_WEIGHT_UNIT: dict[str, str] = {"uS": "nS", "nA": "pA", "mV": "mV"}

DEGREES_PER_CYCLE = 360.0

# ---------------------------------------------------------------------------------------------
#   Named transforms (each with its inverse)
# ---------------------------------------------------------------------------------------------


def membrane_conductance(std: Values) -> Values:
    """(cm nF, tau_m ms) -> (C_m pF, g_L nS): NEST's conductance models take g_L = C_m / tau_m."""
    cm, tau_m = as_array(std["cm"]), as_array(std["tau_m"])
    return {"C_m": cm * scale("nF", "pF"), "g_L": cm / tau_m * scale("uS", "nS")}


def membrane_time_constant(native: Values) -> Values:
    """Inverse of :func:`membrane_conductance`."""
    c_m, g_l = as_array(native["C_m"]), as_array(native["g_L"])
    return {
        "cm": c_m * scale("pF", "nF"),
        "tau_m": c_m / g_l * scale("pF", "nF") / scale("nS", "uS"),
    }


def source_stop(std: Values) -> Values:
    """(start, duration) -> (start, stop = start + duration), all ms."""
    start = as_array(std["start"])
    return {"start": start, "stop": start + as_array(std["duration"])}


def source_duration(native: Values) -> Values:
    """Inverse of :func:`source_stop`."""
    start = as_array(native["start"])
    return {"start": start, "duration": as_array(native["stop"]) - start}


def gamma_rate(std: Values) -> Values:
    """(alpha, beta Hz) -> (gamma_shape, rate Hz): a gamma(alpha, beta) renewal process has
    mean interval alpha / beta, so NEST's mean ``rate`` is beta / alpha."""
    alpha, beta = as_array(std["alpha"]), as_array(std["beta"])
    shape = np.rint(alpha)
    if np.any(shape != alpha) or np.any(shape < 1):
        raise errors.InvalidParameterValueError(
            f"SpikeSourceGamma: alpha must be a positive integer on NEST, got {alpha}"
        )
    return {"gamma_shape": shape.astype(np.int64), "rate": beta / alpha}


def gamma_beta(native: Values) -> Values:
    """Inverse of :func:`gamma_rate`."""
    shape = as_array(native["gamma_shape"])
    return {"alpha": shape.astype(np.int64), "beta": as_array(native["rate"]) * shape}


def dead_time(std: Values) -> Values:
    """(rate Hz, tau_refrac ms) -> (rate, dead_time): NEST's ``rate`` is already the mean rate
    of the process with dead time, which needs 1 / rate > dead_time."""
    rate, tau = as_array(std["rate"]), as_array(std["tau_refrac"])
    if np.any(rate * tau * scale("ms", "s") >= 1.0):
        raise errors.InvalidParameterValueError(
            "SpikeSourcePoissonRefractory: the mean interval 1/rate must exceed tau_refrac "
            f"(rate={rate} Hz, tau_refrac={tau} ms)"
        )
    return {"rate": rate, "dead_time": tau}


def refractory_rate(native: Values) -> Values:
    """Inverse of :func:`dead_time`."""
    return {"rate": as_array(native["rate"]), "tau_refrac": as_array(native["dead_time"])}


def _phase_at_start(values: Values) -> np.ndarray:
    """Degrees an AC source of ``frequency`` Hz turns between t = 0 and ``start`` ms."""
    cycles = as_array(values["frequency"]) * as_array(values["start"]) * scale("ms", "s")
    return cycles * DEGREES_PER_CYCLE


def ac_phase(std: Values) -> Values:
    """Standard ACSource phase (deg) counts from ``start``; NEST's from t = 0:
    phase_NEST = phase - 360 deg * frequency * start."""
    return {"phase": as_array(std["phase"]) - _phase_at_start(std)}


def ac_phase_inverse(native: Values) -> Values:
    """Inverse of :func:`ac_phase`."""
    return {"phase": as_array(native["phase"]) + _phase_at_start(native)}


#: lambda standing in for A_plus = 0: a power of two, so lambda * (A_minus / lambda) is
#: exactly A_minus, and far below the resolution of any weight, so potentiation adds nothing
ZERO_LAMBDA = 2.0**-600


def stdp_amplitudes(std: Values) -> Values:
    """(A_plus, A_minus) -> (lambda = A_plus, alpha = A_minus / A_plus) of ``stdp_synapse``.

    NEST scales depression by lambda * alpha; with A_plus = 0 lambda becomes
    :data:`ZERO_LAMBDA` so depression keeps its amplitude A_minus (PyNN 0.13 stores
    alpha = A_minus there, which silently disables depression on NEST)."""
    a_plus, a_minus = np.broadcast_arrays(as_array(std["A_plus"]), as_array(std["A_minus"]))
    lam = np.where(a_plus == 0, ZERO_LAMBDA, a_plus)
    return {"lambda": lam, "alpha": a_minus / lam}


def stdp_amplitudes_inverse(native: Values) -> Values:
    """Inverse of :func:`stdp_amplitudes`."""
    lam = as_array(native["lambda"])
    a_plus = np.where(lam <= ZERO_LAMBDA, 0.0, lam)
    return {"A_plus": a_plus, "A_minus": as_array(native["alpha"]) * lam}


def vogels_depression(std: Values) -> Values:
    """(tau ms, rho Hz) -> alpha = 2 rho tau, the constant depression of
    ``vogels_sprekeler_synapse`` (Vogels et al. 2011: alpha = 2 rho_0 tau_STDP)."""
    return {"alpha": 2.0 * as_array(std["rho"]) * as_array(std["tau"]) * scale("Hz", "1/ms")}


def vogels_target_rate(native: Values) -> Values:
    """Inverse of :func:`vogels_depression`."""
    per_ms = 2.0 * as_array(native["tau"]) * scale("Hz", "1/ms")
    return {"rho": as_array(native["alpha"]) / per_ms}


def quantal_sites(std: Values) -> Values:
    """(U, n) -> (U, n, u = U, a = n): NEST does not reset the initial release probability
    ``u`` or the available sites ``a`` when U or n change, so start them fresh here."""
    u_max, n = as_array(std["U"]), as_array(std["n"])
    sites = np.rint(n).astype(np.int64)
    return {"U": u_max, "n": sites, "u": u_max, "a": sites}


def quantal_sites_inverse(native: Values) -> Values:
    """Inverse of :func:`quantal_sites`."""
    return {"U": as_array(native["U"]), "n": as_array(native["n"]).astype(np.int64)}


def lif_threshold(std: Values) -> Values:
    """v_thresh -> (V_th, V_peak): an aeif model with Delta_T = 0 is a LIF neuron firing at
    V_th, but NEST still demands V_peak >= V_th."""
    v = as_array(std["v_thresh"])
    return {"V_th": v, "V_peak": v}


def lif_threshold_inverse(native: Values) -> Values:
    """Inverse of :func:`lif_threshold`."""
    return {"v_thresh": as_array(native["V_th"])}


MEMBRANE = Computed(("cm", "tau_m"), ("C_m", "g_L"), membrane_conductance, membrane_time_constant)
SOURCE_PERIOD = Computed(("start", "duration"), ("start", "stop"), source_stop, source_duration)
GAMMA = Computed(("alpha", "beta"), ("gamma_shape", "rate"), gamma_rate, gamma_beta)
DEAD_TIME = Computed(("rate", "tau_refrac"), ("rate", "dead_time"), dead_time, refractory_rate)
AC_PHASE = Computed(
    ("phase", "frequency", "start"),
    ("phase",),
    ac_phase,
    ac_phase_inverse,
    native_inputs=("phase", "frequency", "start"),
)
STDP_AMPLITUDES = Computed(
    ("A_plus", "A_minus"), ("lambda", "alpha"), stdp_amplitudes, stdp_amplitudes_inverse
)
VOGELS_DEPRESSION = Computed(
    ("tau", "rho"),
    ("alpha",),
    vogels_depression,
    vogels_target_rate,
    native_inputs=("alpha", "tau"),
)
QUANTAL_SITES = Computed(
    ("U", "n"), ("U", "n", "u", "a"), quantal_sites, quantal_sites_inverse, native_inputs=("U", "n")
)
LIF_THRESHOLD = Computed(
    ("v_thresh",), ("V_th", "V_peak"), lif_threshold, lif_threshold_inverse, native_inputs=("V_th",)
)

# ---------------------------------------------------------------------------------------------
#   Cell types
# ---------------------------------------------------------------------------------------------

_MV, _MS = "mV", "ms"
_V = {"v": _p("V_m", _MV)}
_LEAKY = {
    "v_rest": _p("E_L", _MV),
    "v_reset": _p("V_reset", _MV),
    "v_thresh": _p("V_th", _MV),
    "tau_refrac": _p("t_ref", _MS),
    "i_offset": _p("I_e", "nA", "pA"),
}
_SYN_TAU = {"tau_syn_E": _p("tau_syn_ex", _MS), "tau_syn_I": _p("tau_syn_in", _MS)}
_SYN_REV = {"e_rev_E": _p("E_ex", _MV), "e_rev_I": _p("E_in", _MV)}
_CURR_PARAMS = {**_LEAKY, "cm": _p("C_m", "nF", "pF"), "tau_m": _p("tau_m", _MS)}
_COND_PARAMS = {**_LEAKY, **_SYN_TAU, **_SYN_REV}
_ISYN = {
    "isyn_exc": _p("I_syn_ex", "nA", "pA", settable=False),
    "isyn_inh": _p("I_syn_in", "nA", "pA", settable=False),
}
_GSYN = {"gsyn_exc": _p("g_ex", "uS", "nS"), "gsyn_inh": _p("g_in", "uS", "nS")}
_ADEX_PARAMS = {
    "v_rest": _p("E_L", _MV),
    "v_reset": _p("V_reset", _MV),
    "tau_refrac": _p("t_ref", _MS),
    "i_offset": _p("I_e", "nA", "pA"),
    "v_spike": _p("V_peak", _MV),
    "v_thresh": _p("V_th", _MV),
    "a": _p("a", "nS"),
    "b": _p("b", "nA", "pA"),
    "delta_T": _p("Delta_T", _MV),
    "tau_w": _p("tau_w", _MS),
}
_W = {"w": _p("w", "nA", "pA")}
_CURRENT_WEIGHT = _p("weight", "nA", "pA")
_CONDUCTANCE_WEIGHT = _p("weight", "uS", "nS")
_VOLTAGE_WEIGHT = _p("weight", _MV)


def _current(native: str, tau_syn: bool = True) -> ModelTranslation:
    params = {**_CURR_PARAMS, **(_SYN_TAU if tau_syn else {})}
    return ModelTranslation(
        native,
        params,
        {**_V, **(_ISYN if tau_syn else {})},
        weight=_CURRENT_WEIGHT if tau_syn else _VOLTAGE_WEIGHT,
    )


def _conductance(native: str, params: Mapping[str, Param], state: Mapping[str, Param], **kw):
    return ModelTranslation(
        native, params, {**_V, **_GSYN, **state}, (MEMBRANE,), weight=_CONDUCTANCE_WEIGHT, **kw
    )


_SOURCE = {"start": _p("start", _MS)}  # the 1:1 part; stop comes from SOURCE_PERIOD

CELL_TYPES: dict[str, ModelTranslation] = {
    "IF_curr_alpha": _current("iaf_psc_alpha"),
    "IF_curr_exp": _current("iaf_psc_exp"),
    "IF_curr_delta": _current("iaf_psc_delta", tau_syn=False),
    "IF_cond_alpha": _conductance("iaf_cond_alpha", _COND_PARAMS, {}),
    "IF_cond_exp": _conductance("iaf_cond_exp", _COND_PARAMS, {}),
    "IF_cond_exp_gsfa_grr": _conductance(
        "iaf_cond_exp_sfa_rr",
        {
            **_COND_PARAMS,
            "tau_sfa": _p("tau_sfa", _MS),
            "e_rev_sfa": _p("E_sfa", _MV),
            "q_sfa": _p("q_sfa", "nS"),
            "tau_rr": _p("tau_rr", _MS),
            "e_rev_rr": _p("E_rr", _MV),
            "q_rr": _p("q_rr", "nS"),
        },
        {"g_r": _p("g_rr", "nS"), "g_s": _p("g_sfa", "nS")},
    ),
    "IF_facets_hardware1": ModelTranslation(
        "iaf_cond_exp",
        {
            "g_leak": _p("g_L", "nS"),
            "v_rest": _p("E_L", _MV),
            "v_reset": _p("V_reset", _MV),
            "v_thresh": _p("V_th", _MV),
            "e_rev_I": _p("E_in", _MV),
            **_SYN_TAU,
        },
        {**_V, **_GSYN},
        fixed={
            "C_m": _FACETS["cm"] * scale("nF", "pF"),
            "t_ref": _FACETS["tau_refrac"],  # ms, mV: NEST's units too
            "E_ex": _FACETS["e_rev_E"],
            "I_e": _FACETS["i_offset"] * scale("nA", "pA"),
        },
        weight=_CONDUCTANCE_WEIGHT,
        notes="cm = 0.2 nF, tau_refrac = 1 ms and e_rev_E = 0 mV are fixed, as on the chip",
    ),
    "HH_cond_exp": ModelTranslation(
        "hh_cond_exp_traub",
        {
            "gbar_Na": _p("g_Na", "uS", "nS"),
            "gbar_K": _p("g_K", "uS", "nS"),
            "g_leak": _p("g_L", "uS", "nS"),
            "cm": _p("C_m", "nF", "pF"),
            "v_offset": _p("V_T", _MV),
            "e_rev_Na": _p("E_Na", _MV),
            "e_rev_K": _p("E_K", _MV),
            "e_rev_leak": _p("E_L", _MV),
            "i_offset": _p("I_e", "nA", "pA"),
            **_SYN_REV,
            **_SYN_TAU,
        },
        {
            **_V,
            "gsyn_exc": _p("g_ex", "uS", "nS", settable=False),
            "gsyn_inh": _p("g_in", "uS", "nS", settable=False),
            "h": _p("Inact_h", "dimensionless"),
            "m": _p("Act_m", "dimensionless"),
            "n": _p("Act_n", "dimensionless"),
        },
        weight=_CONDUCTANCE_WEIGHT,
        notes="hh_cond_exp_traub has no gap-junction port ('source_section.gap' is NEURON's); "
        "NEST's spike detection uses its own t_ref = 2 ms",
    ),
    "EIF_cond_alpha_isfa_ista": _conductance(
        "aeif_cond_alpha", {**_ADEX_PARAMS, **_SYN_TAU, **_SYN_REV}, _W
    ),
    "EIF_cond_exp_isfa_ista": _conductance(
        "aeif_cond_exp", {**_ADEX_PARAMS, **_SYN_TAU, **_SYN_REV}, _W
    ),
    "Izhikevich": ModelTranslation(
        "izhikevich",
        {
            "a": _p("a", "1/ms"),
            "b": _p("b", "1/ms"),
            "c": _p("c", _MV),
            "d": _p("d", "mV/ms"),
            "i_offset": _p("I_e", "nA", "pA"),
        },
        {**_V, "u": _p("U_m", "mV/ms")},
        weight=_VOLTAGE_WEIGHT,
        notes="NEST's izhikevich adds I_e (pA) directly to dv/dt (mV/ms), as PyNN's NEST "
        "backend does: i_offset = 0.001 nA adds 1 mV/ms",
    ),
    "GIF_cond_exp": _conductance(
        "gif_cond_exp",
        {
            **{k: v for k, v in _COND_PARAMS.items() if k != "v_thresh"},
            "delta_v": _p("Delta_V", _MV),
            "v_t_star": _p("V_T_star", _MV),
            "lambda0": _p("lambda_0", "Hz"),
            "tau_eta": _p("tau_stc", _MS),
            "tau_gamma": _p("tau_sfa", _MS),
            "a_eta": _p("q_stc", "nA", "pA"),
            "a_gamma": _p("q_sfa", _MV),
        },
        # NEST 3.10's E_sfa is the whole threshold, V_T_star plus the gamma kernels
        {"i_eta": _p("I_stc", "nA", "pA", settable=False), "v_t": _p("E_sfa", _MV, settable=False)},
        notes="v_t (NEST's E_sfa) and i_eta cannot be initialised: NEST starts both at rest "
        "(v_t = v_t_star, i_eta = 0)",
    ),
    "SpikeSourcePoisson": ModelTranslation(
        "poisson_generator", {"rate": _p("rate", "Hz"), **_SOURCE}, computed=(SOURCE_PERIOD,)
    ),
    "SpikeSourcePoissonRefractory": ModelTranslation(
        "ppd_sup_generator",
        _SOURCE,
        computed=(DEAD_TIME, SOURCE_PERIOD),
        fixed={"n_proc": 1, "frequency": 0.0, "relative_amplitude": 0.0},
        notes="ppd_sup_generator's rate is the mean rate including the dead time, as PyNN's",
    ),
    "SpikeSourceGamma": ModelTranslation(
        "gamma_sup_generator", _SOURCE, computed=(GAMMA, SOURCE_PERIOD), fixed={"n_proc": 1}
    ),
    "SpikeSourceInhGamma": unsupported(
        "NEST 3.10 has no inhomogeneous gamma generator (sinusoidal_gamma_generator only "
        "modulates sinusoidally, inhomogeneous_poisson_generator is Poisson)"
    ),
    "SpikeSourceArray": ModelTranslation(
        "spike_generator",
        {"spike_times": _p("spike_times", _MS)},
        notes="on_grid: times move up to the end of their time step; off_grid: kept exact "
        "(precise_times). "
        "Times at or before one relay delay (min_delay) cannot be sent and are dropped with a "
        "warning, as PyNN's NEST backend drops them",
    ),
}
# NB: a translation dict may be shared by several models (read-only by convention).

#: spike_precision='off_grid': NEST model -> its precise-spike-timing twin (same parameters
#: and units), the set PyNN 0.13's NEST backend uses, so scripts give PyNN's spike times.
#: iaf_psc_alpha keeps its grid model there, as in PyNN; iaf_psc_exp_ps records V_m only.
PRECISE_MODELS: dict[str, str] = {
    "iaf_psc_exp": "iaf_psc_exp_ps",
    "iaf_psc_delta": "iaf_psc_delta_ps",
    "poisson_generator": "poisson_generator_ps",
    "parrot_neuron": "parrot_neuron_ps",
}
#: spike_precision='off_grid': NEST values set on creation (the generator keeps each spike's
#: exact time as an offset within its step instead of moving it to the grid)
PRECISE_FIXED: dict[str, dict[str, Any]] = {"spike_generator": {"precise_times": True}}
SPIKE_PRECISIONS = ("off_grid", "on_grid")


def precise_model(model: str, spike_precision: str) -> str:
    """The NEST model realising ``model`` under setup(spike_precision=...)."""
    if spike_precision not in SPIKE_PRECISIONS:
        raise errors.InvalidParameterValueError(
            f"setup(): spike_precision must be one of {SPIKE_PRECISIONS}, got {spike_precision!r}"
        )
    return PRECISE_MODELS.get(model, model) if spike_precision == "off_grid" else model


# ---------------------------------------------------------------------------------------------
#   PointNeuron: a membrane component plus named receptors on a NEST *_multisynapse model
# ---------------------------------------------------------------------------------------------

_LIF_MEMBRANE = {k: v for k, v in _LEAKY.items() if k != "v_thresh"}

#: membrane component -> (family of NEST models, params, computed, fixed, state)
NEURON_COMPONENTS: dict[str, dict[str, tuple]] = {
    "LIF": {
        "psc": (_CURR_PARAMS, (), {}, _V),
        # aeif with Delta_T = 0 and no adaptation is exactly a LIF neuron firing at V_th
        "cond": (
            _LIF_MEMBRANE,
            (MEMBRANE, LIF_THRESHOLD),
            {"Delta_T": 0.0, "a": 0.0, "b": 0.0},
            _V,
        ),
    },
    "AdExp": {"cond": (_ADEX_PARAMS, (MEMBRANE,), {}, {**_V, **_W})},
}

#: post-synaptic response -> (family, {param: NEST per-port array}, recordable, NEST prefix)
POST_SYNAPTIC_RESPONSES: dict[str, tuple] = {
    "CurrExpPostSynapticResponse": ("psc", {"tau_syn": "tau_syn"}, ("isyn", "nA", "pA"), "I_syn_"),
    "CondAlphaPostSynapticResponse": (
        "cond",
        {"e_syn": "E_rev", "tau_syn": "tau_syn"},
        ("gsyn", "uS", "nS"),
        "g_",
    ),
    "CondBetaPostSynapticResponse": (
        "cond",
        {"e_syn": "E_rev", "tau_rise": "tau_rise", "tau_decay": "tau_decay"},
        ("gsyn", "uS", "nS"),
        "g_",
    ),
    "CondExpPostSynapticResponse": (
        "cond",
        {"e_syn": "E_rev", "tau_syn": "tau_syn"},
        ("gsyn", "uS", "nS"),
        "g_",
    ),
}

#: (membrane, receptor kind) -> NEST model
POINT_NEURON_MODELS: dict[tuple[str, str], str] = {
    ("LIF", "CurrExpPostSynapticResponse"): "iaf_psc_exp_multisynapse",
    ("LIF", "CondAlphaPostSynapticResponse"): "aeif_cond_alpha_multisynapse",
    ("LIF", "CondBetaPostSynapticResponse"): "aeif_cond_beta_multisynapse",
    ("AdExp", "CondAlphaPostSynapticResponse"): "aeif_cond_alpha_multisynapse",
    ("AdExp", "CondBetaPostSynapticResponse"): "aeif_cond_beta_multisynapse",
}
_NO_COND_EXP = (
    "NEST 3.10's only exponential-conductance multisynapse model is gif_cond_exp_multisynapse "
    "(a stochastic GIF neuron)"
)
POINT_NEURON_UNSUPPORTED: dict[tuple[str, str], str] = {
    ("LIF", "CondExpPostSynapticResponse"): _NO_COND_EXP,
    ("AdExp", "CondExpPostSynapticResponse"): _NO_COND_EXP,
    ("AdExp", "CurrExpPostSynapticResponse"): "NEST 3.10 has no current-based aeif "
    "multisynapse model",
}


def point_neuron_translation(neuron: str, receptors: Mapping[str, str]) -> ModelTranslation:
    """Translation of ``PointNeuron(<neuron>(), **{name: <PSR class>()})``.

    ``receptors`` maps receptor names to post-synaptic response class names; NEST ports are
    1..R in sorted-name order.  Receptor parameters are ``'<name>.<param>'``; recordables
    ``'<name>.gsyn'`` (uS) or ``'<name>.isyn'`` (nA).  Raises NotSupportedError naming the
    combination when no NEST model expresses it.
    """
    names = tuple(sorted(receptors))
    kinds = sorted(set(receptors.values()))
    if len(kinds) > 1:
        raise errors.NotSupportedError(
            f"PointNeuron({neuron}) with receptors of several kinds ({', '.join(kinds)}) is not "
            "available on NEST: each *_multisynapse model has one synapse shape"
        )
    if neuron not in NEURON_COMPONENTS:
        raise errors.NotSupportedError(
            f"PointNeuron neuron component {neuron} is not available on NEST"
        )
    if kinds and kinds[0] not in POST_SYNAPTIC_RESPONSES:
        raise errors.NotSupportedError(
            f"post-synaptic response {kinds[0]} is not available on NEST"
        )
    kind = kinds[0] if kinds else next(k for (n, k) in POINT_NEURON_MODELS if n == neuron)
    if (neuron, kind) not in POINT_NEURON_MODELS:
        reason = POINT_NEURON_UNSUPPORTED.get((neuron, kind), "no matching NEST model")
        raise errors.NotSupportedError(
            f"PointNeuron({neuron}, {kind}) is not available on NEST: {reason}"
        )
    family, outputs, (var, unit, native_unit), prefix = POST_SYNAPTIC_RESPONSES[kind]
    params, computed, fixed, state = NEURON_COMPONENTS[neuron][family]
    inputs = tuple(f"{r}.{p}" for r in names for p in outputs)
    stack = Computed(
        inputs,
        tuple(outputs.values()),
        functools.partial(stack_receptors, names, outputs),
        functools.partial(split_receptors, names, outputs),
    )
    ports = {r: k + 1 for k, r in enumerate(names)}
    psr_state = {
        f"{r}.{var}": _p(f"{prefix}{k}", unit, native_unit, settable=False)
        for r, k in ports.items()
    }
    return ModelTranslation(
        POINT_NEURON_MODELS[(neuron, kind)],
        params,
        {**state, **psr_state},
        (*computed, stack) if names else computed,
        fixed,
        ports,
        weight=_CONDUCTANCE_WEIGHT if family == "cond" else _CURRENT_WEIGHT,
    )


def translation_for(celltype) -> ModelTranslation:
    """The translation of a standard cell type instance (PointNeuron included)."""
    if isinstance(celltype, PointNeuron):
        return point_neuron_translation(
            type(celltype.neuron).__name__,
            {r: type(p).__name__ for r, p in celltype.post_synaptic_receptors.items()},
        )
    return lookup(type(celltype).__name__)


# ---------------------------------------------------------------------------------------------
#   Synapse types and STDP components
# ---------------------------------------------------------------------------------------------

_SYNAPSE = {"weight": _p("weight", WEIGHT), "delay": _p("delay", _MS)}
_TM = {
    "U": _p("U", "dimensionless"),
    "tau_rec": _p("tau_rec", _MS),
    "tau_facil": _p("tau_fac", _MS),
}

SYNAPSE_TYPES: dict[str, ModelTranslation] = {
    "StaticSynapse": ModelTranslation("static_synapse", _SYNAPSE),
    "TsodyksMarkramSynapse": ModelTranslation(
        "tsodyks_synapse",
        {**_SYNAPSE, **_TM},
        {"u": _p("u", "dimensionless")},
        from_post={"tau_psc": {"excitatory": "tau_syn_E", "inhibitory": "tau_syn_I"}},
    ),
    "SimpleStochasticSynapse": ModelTranslation(
        "bernoulli_synapse", {**_SYNAPSE, "p": _p("p_transmit", "dimensionless")}
    ),
    "MultiQuantalSynapse": ModelTranslation(
        "quantal_stp_synapse",
        {**_SYNAPSE, "tau_rec": _TM["tau_rec"], "tau_facil": _TM["tau_facil"]},
        {"u": _p("u", "dimensionless"), "a": _p("a", "dimensionless")},
        computed=(QUANTAL_SITES,),
        notes="the weight is that of one release site: a spike adds it once per site that "
        "releases (as PyNN on NEST)",
    ),
    "StochasticTsodyksMarkramSynapse": unsupported(
        "NEST 3.10 has no stochastic Tsodyks-Markram synapse (PyNN compiled its own "
        "stochastic_stp_synapse as a NEST extension module)"
    ),
    "ElectricalSynapse": unsupported(
        "gap junctions need NEST's *_gap models; hh_cond_exp_traub has no gap port"
    ),
    # the native model follows the timing dependence: use stdp_translation()
    "STDPMechanism": ModelTranslation(
        "stdp_synapse",
        _SYNAPSE,
        constraints={"dendritic_delay_fraction": 1.0},
        notes="NEST treats the whole delay as dendritic; no voltage dependence",
    ),
}

TIMING_DEPENDENCES: dict[str, ModelTranslation] = {
    "SpikePairRule": ModelTranslation(
        "stdp_synapse",
        {"tau_plus": _p("tau_plus", _MS)},
        computed=(STDP_AMPLITUDES,),
        post_params={"tau_minus": _p("tau_minus", _MS)},
        notes="all-to-all spike pairing; tau_minus lives on the post neuron (one value per "
        "neuron, shared by all its STDP inputs)",
    ),
    "Vogels2011Rule": ModelTranslation(
        "vogels_sprekeler_synapse",
        {"tau": _p("tau", _MS), "eta": _p("eta", WEIGHT, WEIGHT, signed=False)},
        computed=(VOGELS_DEPRESSION,),
        post_params={"tau": _p("tau_minus", _MS)},
        notes="eta is a weight increment (weight units); rho a target rate in Hz; the post "
        "trace uses the post neuron's tau_minus, so it is set to tau; all-to-all traces",
    ),
}

_W_BOUNDS = {"w_max": _p("Wmax", WEIGHT)}
_W_MIN = {"w_min": 0.0}

_FIXED_EXPONENTS = (  # stdp_synapse is Gutig's rule; these fix its exponents (on the model)
    AdditiveWeightDependence,
    MultiplicativeWeightDependence,
    AdditivePotentiationMultiplicativeDepression,
)
WEIGHT_DEPENDENCES: dict[str, ModelTranslation] = {
    **{
        model.__name__: ModelTranslation(
            "stdp_synapse",
            _W_BOUNDS,
            fixed=dict(zip(("mu_plus", "mu_minus"), model.exponents, strict=True)),
            constraints=_W_MIN,
        )
        for model in _FIXED_EXPONENTS
    },
    "GutigWeightDependence": ModelTranslation(
        "stdp_synapse",
        {
            **_W_BOUNDS,
            "mu_plus": _p("mu_plus", "dimensionless"),
            "mu_minus": _p("mu_minus", "dimensionless"),
        },
        constraints=_W_MIN,
    ),
}
#: weight dependences that vogels_sprekeler_synapse (additive updates, bounds [0, Wmax]) obeys
VOGELS_WEIGHT_DEPENDENCES = frozenset({"AdditiveWeightDependence"})


def stdp_translation(timing: str, weight_dependence: str) -> ModelTranslation:
    """The whole STDPMechanism (base + timing + weight dependence) on its NEST model."""
    td = TIMING_DEPENDENCES.get(timing)
    wd = WEIGHT_DEPENDENCES.get(weight_dependence)
    if td is None:
        raise errors.NotSupportedError(f"STDP timing dependence {timing} is not available on NEST")
    if wd is None:
        raise errors.NotSupportedError(
            f"STDP weight dependence {weight_dependence} is not available on NEST"
        )
    fixed = dict(wd.fixed)
    if td.native == "vogels_sprekeler_synapse":
        if weight_dependence not in VOGELS_WEIGHT_DEPENDENCES:
            raise errors.NotSupportedError(
                f"Vogels2011Rule with {weight_dependence} is not available on NEST: "
                "vogels_sprekeler_synapse updates additively"
            )
        fixed = {}
    base = SYNAPSE_TYPES["STDPMechanism"]
    return ModelTranslation(
        td.native,
        {**base.params, **td.params, **wd.params},
        {},
        (*td.computed, *wd.computed),
        fixed,
        constraints={**base.constraints, **wd.constraints},
        post_params=td.post_params,
        notes=" ".join(n for n in (base.notes, td.notes) if n),
    )


# ---------------------------------------------------------------------------------------------
#   Current sources
# ---------------------------------------------------------------------------------------------

_PERIOD = {"start": _p("start", _MS), "stop": _p("stop", _MS)}
_CURRENT = _p("amplitude", "nA", "pA")

CURRENT_SOURCES: dict[str, ModelTranslation] = {
    "DCSource": ModelTranslation("dc_generator", {"amplitude": _CURRENT, **_PERIOD}),
    "ACSource": ModelTranslation(
        "ac_generator",
        {
            "amplitude": _CURRENT,
            "offset": _p("offset", "nA", "pA"),
            "frequency": _p("frequency", "Hz"),
            **_PERIOD,
        },
        computed=(AC_PHASE,),
    ),
    "StepCurrentSource": ModelTranslation(
        "step_current_generator",
        {"amplitudes": _p("amplitude_values", "nA", "pA"), "times": _p("amplitude_times", _MS)},
    ),
    "NoisyCurrentSource": ModelTranslation(
        "noise_generator",
        {
            "mean": _p("mean", "nA", "pA"),
            "stdev": _p("std", "nA", "pA"),
            "dt": _p("dt", _MS),
            **_PERIOD,
        },
    ),
}

# ---------------------------------------------------------------------------------------------
#   Translating
# ---------------------------------------------------------------------------------------------

_TABLES = (CELL_TYPES, SYNAPSE_TYPES, CURRENT_SOURCES, TIMING_DEPENDENCES, WEIGHT_DEPENDENCES)
TRANSLATOR = Translator("NEST", _TABLES, NATIVE_WEIGHT_UNIT)

lookup = TRANSLATOR.lookup
supported = TRANSLATOR.supported
weight_factor = TRANSLATOR.weight_factor
to_native = TRANSLATOR.to_native
from_native = TRANSLATOR.from_native
post_to_native = TRANSLATOR.post_to_native
state_to_native = TRANSLATOR.state_to_native
recordable_native = TRANSLATOR.recordable_native
receptor_port = TRANSLATOR.receptor_port


def native_weight_sign(receptor_type: str, conductance_based: bool) -> float:
    """-1 where NEST wants a negative weight for a positive standard one: inhibitory input to a
    conductance-based single-port model (NEST routes by sign; PyNN conductances are >= 0).
    Current and voltage weights are already signed by the user; multisynapse ports are +1."""
    return -1.0 if conductance_based and receptor_type == "inhibitory" else 1.0


def native_models() -> set[str]:
    """Every NEST model name the tables use (for checks against ``nest.node_models`` etc.)."""
    return TRANSLATOR.native_models() | set(POINT_NEURON_MODELS.values())
