"""Synapse types on NEST: which NEST model, and standard <-> native synapse values.

Weights are scaled from the post cell type's weight unit (uS, nA, mV) to NEST's (nS, pA,
mV), factors computed by :func:`pynn_uni.common.units.scale`.  NEST encodes inhibition in
the sign of the weight for its single-port models, so inhibitory conductance weights are
negated on the way in and back on the way out; multi-receptor models (PointNeuron) use
receptor ports instead.
"""

from __future__ import annotations

import numpy as np

from pynn_uni import errors
from pynn_uni.common.units import scale

NATIVE_WEIGHT_UNIT = {"uS": "nS", "nA": "pA", "mV": "mV"}

#: standard synapse type -> (NEST model, {standard parameter: NEST parameter})
SIMPLE = {
    "StaticSynapse": ("static_synapse", {}),
    "TsodyksMarkramSynapse": (
        "tsodyks_synapse",
        {"U": "U", "tau_rec": "tau_rec", "tau_facil": "tau_fac", "u": "u"},
    ),
    "SimpleStochasticSynapse": ("bernoulli_synapse", {"p": "p_transmit"}),
    "MultiQuantalSynapse": (
        "quantal_stp_synapse",
        {"U": "U", "n": "n", "tau_rec": "tau_rec", "tau_facil": "tau_fac"},
    ),
}
UNSUPPORTED = {
    "StochasticTsodyksMarkramSynapse": (
        "NEST 3.10 has no stochastic Tsodyks-Markram synapse (PyNN built one as a C++ extension)"
    ),
}
#: STDP timing dependence -> NEST model
STDP_MODELS = {"SpikePairRule": "stdp_synapse", "Vogels2011Rule": "vogels_sprekeler_synapse"}
#: weight dependence -> (mu_plus, mu_minus) of NEST's stdp_synapse (None: from parameters)
WEIGHT_DEPENDENCE_MU = {
    "AdditiveWeightDependence": (0.0, 0.0),
    "MultiplicativeWeightDependence": (1.0, 1.0),
    "AdditivePotentiationMultiplicativeDepression": (0.0, 1.0),
    "GutigWeightDependence": None,
}


def synapse_model(projection) -> str:
    """The NEST synapse model for a projection; NotSupportedError naming what is missing."""
    st = projection.synapse_type
    if getattr(st, "is_native", False):
        return st.nest_model
    name = type(st).__name__
    if name in SIMPLE:
        return SIMPLE[name][0]
    if name in UNSUPPORTED:
        raise errors.NotSupportedError(f"{name} is not available on NEST: {UNSUPPORTED[name]}")
    if name == "STDPMechanism":
        return _stdp_model(projection)
    raise errors.NotSupportedError(f"{name} is not available on NEST")


def _stdp_model(projection) -> str:
    st = projection.synapse_type
    td, wd = st.timing_dependence, st.weight_dependence
    td_name, wd_name = type(td).__name__, type(wd).__name__
    if td_name not in STDP_MODELS:
        raise errors.NotSupportedError(f"STDP timing dependence {td_name} is not available on NEST")
    if td_name == "SpikePairRule" and wd_name not in WEIGHT_DEPENDENCE_MU:
        raise errors.NotSupportedError(f"STDP weight dependence {wd_name} is not available on NEST")
    if getattr(st, "voltage_dependence", None) is not None:
        raise errors.NotSupportedError("voltage-dependent STDP is not available on NEST")
    if _scalar(st.parameter_space["dendritic_delay_fraction"]) != 1.0:
        raise errors.NotSupportedError(
            "NEST treats the whole delay as dendritic: dendritic_delay_fraction must be 1.0"
        )
    if _scalar(wd.parameter_space["w_min"]) != 0.0:
        raise errors.NotSupportedError(
            f"{wd_name}(w_min={_scalar(wd.parameter_space['w_min'])}): NEST's "
            f"{STDP_MODELS[td_name]} has a fixed lower weight bound of 0"
        )
    if td_name == "SpikePairRule":
        if _scalar(td.parameter_space["A_plus"]) == 0 and _scalar(td.parameter_space["A_minus"]):
            raise errors.NotSupportedError(
                "SpikePairRule with A_plus = 0 and A_minus != 0 cannot be expressed on NEST "
                "(alpha = A_minus / A_plus)"
            )
    return STDP_MODELS[td_name]


def _post_celltype(projection):
    post = projection.post
    members = getattr(post, "populations", None)
    return members[0].celltype if members else post.celltype


def weight_factor(projection) -> float:
    """Standard weight -> native weight, sign included (inhibitory conductances negative)."""
    celltype = _post_celltype(projection)
    unit = getattr(celltype, "weight_unit", "native")
    factor = 1.0 if unit not in NATIVE_WEIGHT_UNIT else scale(unit, NATIVE_WEIGHT_UNIT[unit])
    if (
        receptor_ports(projection) is None
        and projection.receptor_type == "inhibitory"
        and (celltype.conductance_based and unit == "uS")
    ):
        factor = -factor
    return factor


def receptor_ports(projection):
    """``{receptor name: NEST port}`` for multi-receptor cell types, else None."""
    celltype = _post_celltype(projection)
    if type(celltype).__name__ == "PointNeuron":
        return {r: i + 1 for i, r in enumerate(celltype.receptor_types)}
    native = getattr(celltype, "is_native", False) and getattr(celltype, "nest_receptors", None)
    return native or None


def _stdp_values(projection) -> dict:
    """NEST stdp/vogels parameters from the (homogeneous) component parameters."""
    st = projection.synapse_type
    td, wd = st.timing_dependence, st.weight_dependence
    w = abs(weight_factor(projection))
    p = {
        k: _scalar(v)
        for k, v in {**dict(td.parameter_space.items()), **dict(wd.parameter_space.items())}.items()
    }
    if type(td).__name__ == "Vogels2011Rule":
        return {
            "tau": p["tau"],
            "eta": p["eta"],
            "Wmax": p["w_max"] * w,
            "alpha": 2.0 * p["rho"] * p["tau"] * scale("ms", "s"),
        }
    mu = WEIGHT_DEPENDENCE_MU[type(wd).__name__] or (p["mu_plus"], p["mu_minus"])
    a_plus = p["A_plus"]
    return {
        "tau_plus": p["tau_plus"],
        "lambda": a_plus,
        "alpha": p["A_minus"] / a_plus if a_plus else 0.0,
        "mu_plus": mu[0],
        "mu_minus": mu[1],
        "Wmax": p["w_max"] * w,
    }


def to_native(projection, block) -> dict:
    """NEST syn_spec entries (arrays, one per connection) for a block of connections."""
    st = projection.synapse_type
    out = {}
    if getattr(st, "is_native", False):
        out.update({k: np.asarray(v, float) for k, v in block.params.items()})
        return out
    params = block.params
    if "weight" in params:
        out["weight"] = np.asarray(params["weight"], float) * weight_factor(projection)
    if "delay" in params:
        out["delay"] = np.asarray(params["delay"], float)
    name = type(st).__name__
    n = len(block)
    if name in SIMPLE:
        for std, native in SIMPLE[name][1].items():
            if std in params:
                out[native] = np.asarray(params[std], float)
        if name == "TsodyksMarkramSynapse" and n:
            out["tau_psc"] = _post_tau_syn(projection, block.post)
        if name == "MultiQuantalSynapse" and "n" in out:
            out["n"] = out["n"].astype(np.int64)
    elif name == "STDPMechanism" and n:
        out.update({k: np.full(n, v) for k, v in _stdp_values(projection).items()})
    ports = receptor_ports(projection)
    if ports is not None and n:
        out["receptor_type"] = np.full(n, ports[projection.receptor_type], dtype=np.int64)
    return out


def _post_tau_syn(projection, post_idx) -> np.ndarray:
    name = "tau_syn_I" if projection.receptor_type == "inhibitory" else "tau_syn_E"
    values = np.broadcast_to(projection.post.get(name, simplify=False), (projection.post.size,))
    return np.asarray(values, float)[post_idx]


def prepare_targets(projection, block, nest) -> None:
    """Set what NEST keeps on the post neuron rather than on the synapse (STDP tau_minus)."""
    st = projection.synapse_type
    if (
        type(st).__name__ != "STDPMechanism"
        or type(st.timing_dependence).__name__ != "SpikePairRule"
    ):
        return
    tau_minus = _scalar(st.timing_dependence.parameter_space["tau_minus"])
    targets = np.unique(projection.post._ids[block.post])
    nest.NodeCollection(targets.tolist()).set(tau_minus=tau_minus)


def native_names(projection, names) -> list[str]:
    """NEST connection keys needed to answer a ``get`` of standard ``names``."""
    st = projection.synapse_type
    if getattr(st, "is_native", False):
        return list(names)
    mapping = SIMPLE.get(type(st).__name__, (None, {}))[1]
    keys = []
    for name in names:
        if name in ("weight", "delay"):
            keys.append(name)
        elif name in mapping:
            keys.append(mapping[name])
    return sorted(set(keys))


def from_native(projection, native: dict, names, post_idx) -> dict:
    """Standard values of ``names`` from NEST connection data (plastic state included)."""
    st = projection.synapse_type
    n = len(post_idx)
    if getattr(st, "is_native", False):
        return {k: native[k] for k in names}
    mapping = SIMPLE.get(type(st).__name__, (None, {}))[1]
    described = _described_values(st)
    out = {}
    for name in names:
        if name == "weight":
            out[name] = native["weight"] / weight_factor(projection)
        elif name == "delay":
            out[name] = native["delay"]
        elif name in mapping:
            out[name] = native[mapping[name]]
        elif name in described:
            out[name] = np.full(n, described[name])
        else:
            raise errors.NonExistentParameterError(name, type(st).__name__, sorted(described))
    return out


def _described_values(st) -> dict:
    """Homogeneous parameters kept in the description (STDP components, ...)."""
    values = {}
    for part in (
        st,
        getattr(st, "timing_dependence", None),
        getattr(st, "weight_dependence", None),
    ):
        if part is not None:
            for k, v in part.parameter_space.items():
                s = _scalar(v)
                if s is not None:
                    values[k] = s
    return values


def _scalar(value):
    """A homogeneous lazy or plain value as float, else None."""
    if value is None:
        return None
    if hasattr(value, "is_homogeneous"):
        if not value.is_homogeneous:
            return None
        value = value.evaluate(simplify=True)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
