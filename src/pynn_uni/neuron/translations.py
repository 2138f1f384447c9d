"""NEURON translations as data: which of our mechanisms realises each standard model.

Our mechanisms (``nmodl/``) use PyNN's own parameter names and units (mV, ms, nF, nA, uS),
so a cell translation is the mechanism, its fixed switches, and the recordable names.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CellTranslation:
    mechanism: str  # NEURON ARTIFICIAL_CELL name, "" for spike sources (PynnRelay)
    switches: dict = field(default_factory=dict)  # fixed mechanism parameters
    recordables: dict = field(default_factory=dict)  # standard name -> mechanism variable
    initial: dict = field(default_factory=dict)  # initial value -> parameter read by INITIAL


_V = {"v": "vm"}
_COND = {"v": "vm", "gsyn_exc": "ge", "gsyn_inh": "gi"}
_V0 = {"v": "v_init"}

CELLS: dict[str, CellTranslation] = {
    "IF_curr_exp": CellTranslation("PynnIF", {"cond": 0, "alpha": 0}, _V, _V0),
    "IF_curr_alpha": CellTranslation("PynnIF", {"cond": 0, "alpha": 1}, _V, _V0),
    "IF_cond_exp": CellTranslation("PynnIF", {"cond": 1, "alpha": 0}, _COND, _V0),
    "IF_cond_alpha": CellTranslation("PynnIF", {"cond": 1, "alpha": 1}, _COND, _V0),
    "Izhikevich": CellTranslation(
        "PynnIzh", {}, {"v": "vm", "u": "u"}, {"v": "v_init", "u": "u_init"}
    ),
    "SpikeSourceArray": CellTranslation("PynnRelay"),
    "SpikeSourcePoisson": CellTranslation("PynnRelay"),
}

#: synapse type -> its values beyond weight and delay, with defaults (the connection's
#: initial ``u`` rides along as a value)
SYNAPSES: dict[str, dict] = {
    "StaticSynapse": {},
    "TsodyksMarkramSynapse": {"U": 0.5, "tau_rec": 100.0, "tau_facil": 0.0, "u": 0.0},
}
CURRENT_SOURCES = ("DCSource", "StepCurrentSource", "ACSource", "NoisyCurrentSource")

UNSUPPORTED = {
    "IF_curr_delta": "not yet written as a pynn_uni NMODL mechanism",
    "IF_cond_exp_gsfa_grr": "not yet written as a pynn_uni NMODL mechanism",
    "IF_facets_hardware1": "not yet written as a pynn_uni NMODL mechanism",
    "HH_cond_exp": "not yet written as a pynn_uni NMODL mechanism",
    "EIF_cond_alpha_isfa_ista": "not yet written as a pynn_uni NMODL mechanism",
    "EIF_cond_exp_isfa_ista": "not yet written as a pynn_uni NMODL mechanism",
    "GIF_cond_exp": "not yet written as a pynn_uni NMODL mechanism",
    "SpikeSourcePoissonRefractory": "not yet implemented on NEURON",
    "SpikeSourceGamma": "not yet implemented on NEURON",
    "SpikeSourceInhGamma": "not yet implemented on NEURON",
}


def translation_for(name: str) -> CellTranslation | None:
    return CELLS.get(name)
