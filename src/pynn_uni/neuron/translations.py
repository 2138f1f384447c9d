"""NEURON translations as data: which of our mechanisms realises each standard model.

Our mechanisms (``nmodl/``) use PyNN's own parameter names and units (mV, ms, nF, nA, uS),
so a cell translation is the mechanism, its fixed switches, and the recordable names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


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
        {"v": "vm", "gsyn_exc": "ge", "gsyn_inh": "gi", "m": "m", "h": "h", "n": "n"},
        {"v": "v_init", "m": "m_init", "h": "h_init", "n": "n_init"},
    ),
    "Izhikevich": CellTranslation(
        "PynnIzh", {}, {"v": "vm", "u": "u"}, {"v": "v_init", "u": "u_init"}
    ),
    "SpikeSourceArray": CellTranslation("PynnRelay"),
    "SpikeSourcePoisson": CellTranslation("PynnRelay"),
    "SpikeSourcePoissonRefractory": CellTranslation("PynnRelay"),
    "SpikeSourceGamma": CellTranslation("PynnRelay"),
}

#: synapse type -> its values beyond weight and delay, with defaults (the connection's
#: initial ``u`` rides along as a value)
SYNAPSES: dict[str, dict] = {
    "StaticSynapse": {},
    "TsodyksMarkramSynapse": {"U": 0.5, "tau_rec": 100.0, "tau_facil": 0.0, "u": 0.0},
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
#: cell types whose input is a jump of v (mV), added at the end of the arrival step
JUMP_INPUT = frozenset({"IF_curr_delta", "Izhikevich"})

#: STDPMechanism components that PynnIF implements (weight dependence -> ``mult`` switch)
STDP_TIMING = ("SpikePairRule",)
STDP_WEIGHT = {"AdditiveWeightDependence": 0.0, "MultiplicativeWeightDependence": 1.0}
CURRENT_SOURCES = ("DCSource", "StepCurrentSource", "ACSource", "NoisyCurrentSource")

UNSUPPORTED = {
    "GIF_cond_exp": "not yet written as a pynn_uni NMODL mechanism",
    "SpikeSourceInhGamma": "not yet implemented on NEURON",
}


def translation_for(name: str) -> CellTranslation | None:
    return CELLS.get(name)


def facets_hardware1(params: dict) -> dict:
    """IF_facets_hardware1 on PynnIF: the chip's fixed cm = 0.2 nF, tau_refrac = 1 ms and
    e_rev_E = 0 mV; tau_m (ms) = cm (nF) / g_leak (nS -> uS)."""
    native = {k: v for k, v in params.items() if k != "g_leak"}
    native.update(cm=0.2, tau_refrac=1.0, e_rev_E=0.0)
    native["tau_m"] = 0.2 / (np.asarray(params["g_leak"], dtype=float) * 1e-3)
    return native


#: cell types whose standard parameters need a multi-parameter transform
TRANSFORMS = {"IF_facets_hardware1": facets_hardware1}


def to_native(name: str, params: dict) -> dict:
    """Mechanism parameters from standard ones (the same names, except for TRANSFORMS)."""
    transform = TRANSFORMS.get(name)
    return transform(params) if transform else dict(params)
