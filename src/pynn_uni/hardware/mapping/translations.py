"""The chip's translation table: standard cell models -> circuit parameters, as data.

Every neuron type the chip runs becomes the same circuit parameters (see
:mod:`pynn_uni.hardware.mapping.parameters`), in standard units (mV, ms, nF, nA; AdEx ``a``
in nS), so the table renames and fixes; units come from the models' own declarations.  The
LIF modes fix the AdEx terms inert (a = b = delta_T = 0, tau_w = 1 ms) and put the
exponential's threshold ``v_T`` at ``v_thresh``; the AdEx mode fires at ``v_spike``.
IF_facets_hardware1 is realised as IF_cond_exp (its own ``as_cond_exp``).
"""

from __future__ import annotations

from pynn_uni.common.models.cells import (
    EIF_cond_exp_isfa_ista,
    IF_cond_exp,
    IF_curr_exp,
    IF_facets_hardware1,
)
from pynn_uni.common.translation import (
    Computed,
    ModelTranslation,
    Translator,
    Values,
    as_array,
    param,
)

#: circuit modes: conductance LIF, current LIF, conductance AdEx
COBA, CUBA, ADEX = 0, 1, 2
#: the AdEx terms of a LIF mode: inert
_INERT = {"a": 0.0, "b": 0.0, "delta_T": 0.0, "tau_w": 1.0}


def lif_threshold(std: Values) -> Values:
    """A LIF circuit fires at ``v_thresh``, and its (inert) exponential's ``v_T`` sits there."""
    v = as_array(std["v_thresh"])
    return {"v_thresh": v, "v_T": v}


def lif_threshold_inverse(native: Values) -> Values:
    """Inverse of :func:`lif_threshold`."""
    return {"v_thresh": as_array(native["v_thresh"])}


_THRESHOLD = Computed(("v_thresh",), ("v_thresh", "v_T"), lif_threshold, lif_threshold_inverse)


def _same(model, *names: str) -> dict:
    """Parameters the circuit takes under their standard names and units."""
    return {k: param(k, model.units[k]) for k in names}


_LIF = ("v_rest", "v_reset", "cm", "tau_m", "tau_refrac", "tau_syn_E", "tau_syn_I", "i_offset")

CELLS = {
    "IF_cond_exp": ModelTranslation(
        "circuit", params=_same(IF_cond_exp, *_LIF, "e_rev_E", "e_rev_I"),
        computed=(_THRESHOLD,), fixed={**_INERT, "mode": COBA},
    ),
    "IF_curr_exp": ModelTranslation(  # no reversal potentials: inert in CUBA mode
        "circuit", params=_same(IF_curr_exp, *_LIF), computed=(_THRESHOLD,),
        fixed={**_INERT, "e_rev_E": 0.0, "e_rev_I": 0.0, "mode": CUBA},
    ),
    "EIF_cond_exp_isfa_ista": ModelTranslation(
        "circuit",
        params={
            **_same(EIF_cond_exp_isfa_ista, *_LIF, "e_rev_E", "e_rev_I", "a", "b", "delta_T",
                    "tau_w"),
            "v_spike": param("v_thresh", EIF_cond_exp_isfa_ista.units["v_spike"]),
            "v_thresh": param("v_T", EIF_cond_exp_isfa_ista.units["v_thresh"]),
        },
        fixed={"mode": ADEX},
    ),
}  # fmt: skip

#: models realised through another's translation: (that model, the parameter transform)
REALISED_AS = {"IF_facets_hardware1": ("IF_cond_exp", IF_facets_hardware1.as_cond_exp)}

TRANSLATOR = Translator("the emulated chip", (CELLS,), {})
