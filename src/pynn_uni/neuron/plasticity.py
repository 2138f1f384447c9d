"""Synapse values on NEURON: where each lives in a NetCon's weight vector.

PynnIF's NET_RECEIVE (``nmodl/pynn_if.mod``) reads a connection's synapse parameters and
keeps its plastic state in the NetCon's weight vector.  This module holds the slot layout
and turns a projection's standard parameter values into slot columns, so the backend fills
NetCons without knowing any rule.

STDP follows NEST's ``stdp_synapse`` (every weight dependence is its power law: facilitation
``w_max * A_plus * ((w_max - w) / w_max) ** mu_plus``, depression
``w_max * A_minus * ((w - w_min) / w_max) ** mu_minus``) and ``vogels_sprekeler_synapse``
(Vogels et al. 2011: potentiation by ``eta`` times the pre or post trace, a constant
depression ``2 rho tau eta`` per pre spike), all-to-all pairing, the whole delay dendritic.
"""

from __future__ import annotations

import numpy as np

from pynn_uni.common import units
from pynn_uni.common.models.synapses import (
    AdditivePotentiationMultiplicativeDepression,
    AdditiveWeightDependence,
    GutigWeightDependence,
    MultiplicativeWeightDependence,
)

#: NetCon weight-vector slots (the order of NET_RECEIVE's arguments in pynn_if.mod; slots
#: 0-11 are every pynn_uni cell's, see pynn_synapse.inc).  SimpleStochasticSynapse's p
#: shares U's slot; MultiQuantalSynapse's n (sites) tau_psc's, and its initial available
#: sites a the slot of y, which it does not use.
SLOT = {
    "weight": 0, "receptor": 1, "syn": 2, "U": 3, "p": 3, "tau_rec": 4, "tau_facil": 5,
    "tau_psc": 6, "n": 6, "u": 7, "a": 10, "stdp": 12, "tau_plus": 13, "tau_minus": 14,
    "A_plus": 15, "A_minus": 16, "w_min": 17, "w_max": 18, "mu_plus": 19, "mu_minus": 20,
    "dend": 21,
}  # fmt: skip

#: timing dependence -> the rule number PynnIF's NET_RECEIVE switches on
RULES = {"SpikePairRule": 1.0, "Vogels2011Rule": 2.0}
#: the weight dependences: Gutig's power law, or one fixing its exponents (``exponents``)
WEIGHTS = (
    AdditiveWeightDependence,
    MultiplicativeWeightDependence,
    AdditivePotentiationMultiplicativeDepression,
    GutigWeightDependence,
)
_PER_MS_PER_HZ = units.scale("Hz", "1/ms")  # Vogels2011Rule: rho (Hz) times tau (ms)
#: weight dependences that Vogels2011Rule accepts (NEST's vogels_sprekeler_synapse is additive)
VOGELS_WEIGHT = frozenset({"AdditiveWeightDependence"})


#: synapse types with short-term dynamics or stochastic release -> ``syn`` (pynn_synapse.inc)
SHORT_TERM = {
    "TsodyksMarkramSynapse": 1.0,
    "SimpleStochasticSynapse": 2.0,
    "StochasticTsodyksMarkramSynapse": 3.0,
    "MultiQuantalSynapse": 4.0,
}
#: the ones that draw random numbers (from the target cell's stream)
STOCHASTIC = frozenset(SHORT_TERM) - {"TsodyksMarkramSynapse"}


def short_term_columns(kind: str, values: dict, tau_psc: np.ndarray) -> dict[int, np.ndarray]:
    """Slot -> value per connection for a SHORT_TERM synapse type (tau_psc: the target
    receptor's synaptic time constant, ms, used by Tsodyks-Markram; MultiQuantalSynapse's
    n takes its slot)."""
    n = values["weight"].size
    cols = {SLOT["syn"]: np.full(n, SHORT_TERM[kind]), SLOT["tau_psc"]: tau_psc}
    names = {
        "TsodyksMarkramSynapse": ("U", "tau_rec", "tau_facil", "u"),
        "SimpleStochasticSynapse": ("p",),
        "StochasticTsodyksMarkramSynapse": ("U", "tau_rec", "tau_facil"),
        "MultiQuantalSynapse": ("U", "tau_rec", "tau_facil", "n", "u", "a"),
    }[kind]
    for name in names:
        cols[SLOT[name]] = values[name]
    return cols


def component_names(synapse_type) -> tuple[str, str]:
    return (
        type(synapse_type.timing_dependence).__name__,
        type(synapse_type.weight_dependence).__name__,
    )


def unsupported_reason(synapse_type) -> str | None:
    """Why this STDPMechanism cannot run on NEURON, or None."""
    timing, weight = component_names(synapse_type)
    if timing not in RULES or not isinstance(synapse_type.weight_dependence, WEIGHTS):
        return (
            f"STDPMechanism with {timing} and {weight} is not available on NEURON "
            f"(timing: {', '.join(RULES)}; weight: {', '.join(w.__name__ for w in WEIGHTS)})"
        )
    if timing == "Vogels2011Rule" and weight not in VOGELS_WEIGHT:
        return f"Vogels2011Rule with {weight} is not available on NEURON (it updates additively)"
    if synapse_type.voltage_dependence is not None:
        return "voltage-dependent STDP is not available on NEURON"
    return None


def stdp_columns(synapse_type, values: dict[str, np.ndarray]) -> dict[int, np.ndarray]:
    """Slot -> value per connection, from the standard values (PyNN units: ms, uS or nA)."""
    timing, weight = component_names(synapse_type)
    n = values["weight"].size
    cols = {
        SLOT["stdp"]: np.full(n, RULES[timing]),
        SLOT["w_min"]: values["w_min"],
        SLOT["w_max"]: values["w_max"],
        SLOT["dend"]: values["delay"],
    }
    if timing == "Vogels2011Rule":
        tau, eta = values["tau"], values["eta"]
        cols.update({SLOT["tau_plus"]: tau, SLOT["tau_minus"]: tau, SLOT["A_plus"]: eta})
        cols[SLOT["A_minus"]] = 2.0 * values["rho"] * _PER_MS_PER_HZ * tau * eta
    else:
        for name in ("tau_plus", "tau_minus", "A_plus", "A_minus"):
            cols[SLOT[name]] = values[name]
    dependence = synapse_type.weight_dependence
    if isinstance(dependence, GutigWeightDependence):
        mu = (values["mu_plus"], values["mu_minus"])
    else:
        mu = type(dependence).exponents
    cols[SLOT["mu_plus"]] = np.broadcast_to(mu[0], (n,))
    cols[SLOT["mu_minus"]] = np.broadcast_to(mu[1], (n,))
    return cols


def fill(netcons: list, columns: dict[int, np.ndarray]) -> None:
    """Write the slot columns into the NetCons (one Python-level assignment per value:
    NEURON has no bulk setter for weight vectors)."""
    for slot, column in columns.items():
        for nc, x in zip(netcons, np.asarray(column, float).tolist(), strict=True):
            nc.weight[slot] = x
