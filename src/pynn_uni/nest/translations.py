"""TEMPORARY minimal table (being replaced by the full translation tables)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pynn_uni.common.units import scale


@dataclass(frozen=True)
class Param:
    native: str
    unit: str
    native_unit: str


@dataclass(frozen=True)
class ModelTranslation:
    native: str | None
    params: dict = field(default_factory=dict)
    state: dict = field(default_factory=dict)
    computed: tuple = ()
    fixed: dict = field(default_factory=dict)
    unsupported: str = ""


_LIF = {"v_rest": Param("E_L", "mV", "mV"), "tau_refrac": Param("t_ref", "ms", "ms"),
        "v_reset": Param("V_reset", "mV", "mV"), "v_thresh": Param("V_th", "mV", "mV"),
        "i_offset": Param("I_e", "nA", "pA"), "cm": Param("C_m", "nF", "pF"),
        "tau_m": Param("tau_m", "ms", "ms")}
_COND = dict(_LIF, tau_syn_E=Param("tau_syn_ex", "ms", "ms"),
             tau_syn_I=Param("tau_syn_in", "ms", "ms"), e_rev_E=Param("E_ex", "mV", "mV"),
             e_rev_I=Param("E_in", "mV", "mV"))
_CURR = dict(_LIF, tau_syn_E=Param("tau_syn_ex", "ms", "ms"),
             tau_syn_I=Param("tau_syn_in", "ms", "ms"))


def _g_leak(std):
    return {"g_L": np.asarray(std["cm"]) / np.asarray(std["tau_m"]) * scale("nF", "pF")}


CELL_TYPES = {
    "IF_cond_exp": ModelTranslation("iaf_cond_exp", {k: v for k, v in _COND.items()
                                                     if k != "tau_m"},
                                    {"v": Param("V_m", "mV", "mV"),
                                     "gsyn_exc": Param("g_ex", "uS", "nS"),
                                     "gsyn_inh": Param("g_in", "uS", "nS")}, (_g_leak,)),
    "IF_curr_exp": ModelTranslation("iaf_psc_exp", _CURR, {"v": Param("V_m", "mV", "mV")}),
    "SpikeSourcePoisson": ModelTranslation("poisson_generator", {"rate": Param("rate", "Hz", "Hz"),
                                           "start": Param("start", "ms", "ms")}),
    "SpikeSourceArray": ModelTranslation("spike_generator", {}),
}


def to_native(model, std):
    t = CELL_TYPES[model]
    out = {}
    for k, v in std.items():
        if k in t.params:
            p = t.params[k]
            out[p.native] = np.asarray(v, float) * scale(p.unit, p.native_unit) if np.ndim(v) else float(v) * scale(p.unit, p.native_unit)
    for f in t.computed:
        out.update(f(std))
    if model == "SpikeSourcePoisson":
        out["stop"] = std["start"] + std["duration"]
    out.update(t.fixed)
    return out


def state_to_native(model, name):
    p = CELL_TYPES[model].state.get(name)
    return (None, 1.0) if p is None else (p.native, scale(p.unit, p.native_unit))


def recordable_native(model, name):
    p = CELL_TYPES[model].state[name]
    return p.native, scale(p.native_unit, p.unit)
