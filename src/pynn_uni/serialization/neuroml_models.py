"""Which pynn_uni standard models NeuroML2 can express, and as what (a data table).

NeuroML2's core types include PyNN's own cells and synapses (``PyNN.xml``): their attributes
carry PyNN's names and PyNN's units (mV, ms, nF, nA, uS), and a connection's ``weight``
scales the synapse in PyNN's weight unit (uS for conductance, nA for current synapses), so
cell parameters and weights cross unchanged.  A NeuroML2 synapse is a component of its own:
its ``tau_syn`` (and ``e_rev``) come from the post-synaptic cell's ``tau_syn_E/I``
(``e_rev_E/I``), the values pynn_uni's cell uses for the receptor.

Not expressible, so refused by name (:class:`~pynn_uni.errors.NotSupportedError`):

* ``Izhikevich`` and ``IF_curr_delta``: their synapses are voltage jumps (weights in mV), and
  NeuroML2 has no delta synapse; ``izhikevichCell`` has no ``i_offset`` either.
* ``TsodyksMarkramSynapse``: NeuroML2's Tsodyks-Markram mechanisms exist only inside
  ``blockingPlasticSynapse``, a double-exponential conductance synapse (rise time > 0), not on
  PyNN's exponential or alpha synapses, and not for current-based cells.
* ``STDPMechanism`` and the stochastic synapses: NeuroML2 has no such synapse type.
* The other cell types (gamma sources, GIF, ``IF_cond_exp_gsfa_grr``, ...): no core type.
"""

from __future__ import annotations

from dataclasses import dataclass

TAG = "pynn_uni:"  # prefix of the NeuroML2 properties only pynn_uni reads back
FOREVER_MS = 1e12  # the ``stop`` of a current source that never stops (pynn_uni's default)

#: NeuroML2 core synapse types (libNeuroML class names) of PyNN's post-synaptic responses,
#: with the NeuroMLDocument list that holds them.
SYNAPSE_LISTS = {
    "ExpCondSynapse": "exp_cond_synapses",
    "AlphaCondSynapse": "alpha_cond_synapses",
    "ExpCurrSynapse": "exp_curr_synapses",
    "AlphaCurrSynapse": "alpha_curr_synapses",
}

#: receptor type -> the suffix of the post cell's parameters that define its synapse.
RECEPTOR_SUFFIX = {"excitatory": "E", "inhibitory": "I"}


@dataclass(frozen=True)
class CellMap:
    """How one pynn_uni cell type is written: the libNeuroML class (also the NeuroML2 element
    name), the NeuroMLDocument list, the attributes (pynn_uni parameter names, same units),
    and the synapse type its receptors use (``None``: a spike source, which takes none)."""

    nml_class: str
    doc_list: str
    parameters: tuple[str, ...]
    synapse: str | None


_IAF = ("cm", "i_offset", "tau_syn_E", "tau_syn_I", "tau_m", "tau_refrac", "v_reset", "v_rest",
        "v_thresh")  # fmt: skip
_COND = ("e_rev_E", "e_rev_I")
_ADEX = ("a", "b", "delta_T", "tau_w", "v_spike")
_HH = ("cm", "i_offset", "tau_syn_E", "tau_syn_I", "v_offset", "e_rev_E", "e_rev_I", "e_rev_K",
       "e_rev_Na", "e_rev_leak", "g_leak", "gbar_K", "gbar_Na")  # fmt: skip


def _same(name: str, parameters: tuple, synapse: str | None) -> CellMap:
    return CellMap(name, name, parameters, synapse)


#: pynn_uni cell type name -> CellMap.  ``v_init`` (the initial ``v``) is added for every
#: cell that is not a spike source; spike sources carry their times and rates as quantities.
CELLS: dict[str, CellMap] = {
    "IF_curr_exp": _same("IF_curr_exp", _IAF, "ExpCurrSynapse"),
    "IF_curr_alpha": _same("IF_curr_alpha", _IAF, "AlphaCurrSynapse"),
    "IF_cond_exp": _same("IF_cond_exp", _IAF + _COND, "ExpCondSynapse"),
    "IF_cond_alpha": _same("IF_cond_alpha", _IAF + _COND, "AlphaCondSynapse"),
    "EIF_cond_exp_isfa_ista": _same("EIF_cond_exp_isfa_ista", _IAF + _COND + _ADEX,
                                    "ExpCondSynapse"),
    "EIF_cond_alpha_isfa_ista": _same("EIF_cond_alpha_isfa_ista", _IAF + _COND + _ADEX,
                                      "AlphaCondSynapse"),
    "HH_cond_exp": _same("HH_cond_exp", _HH, "ExpCondSynapse"),
    "SpikeSourcePoisson": _same("SpikeSourcePoisson", ("start", "duration", "rate"), None),
    "SpikeSourceArray": CellMap("SpikeArray", "spike_arrays", ("spike_times",), None),
}  # fmt: skip

#: Attributes that NeuroML2's definitions read in another unit than pynn_uni's: the adaptation
#: conductance ``a`` of the AdEx cells enters ``dw/dt = (a (v - v_rest) - w) / tau_w`` with
#: ``w`` in nA and ``v`` in mV, so NeuroML2 takes it in uS where PyNN declares nS (written
#: unchanged, a NeuroML2 simulator would adapt 1000 times too strongly).
#: cell type -> {attribute: (pynn_uni unit, NeuroML2 unit)}
UNIT_CHANGES = {
    "EIF_cond_exp_isfa_ista": {"a": ("nS", "uS")},
    "EIF_cond_alpha_isfa_ista": {"a": ("nS", "uS")},
}

#: Cell types whose NeuroML2 definition (``PyNN.xml``) has no ``spike`` event port, so a LEMS
#: file cannot record their spikes.
NO_SPIKE_PORT = frozenset({"HH_cond_exp"})

#: libNeuroML class name -> pynn_uni cell type name (the import direction).
CELL_TYPES_BY_CLASS = {m.nml_class: name for name, m in CELLS.items()}

#: Units in which the spike sources' NeuroML2 quantities are written.
SOURCE_UNITS = {"start": "ms", "duration": "ms", "rate": "Hz"}

#: Why a model is refused, for the messages of NotSupportedError.
REFUSED = {
    "Izhikevich": "its synapses are voltage jumps (weights in mV) and NeuroML2 has no delta "
    "synapse; izhikevichCell has no i_offset",
    "IF_curr_delta": "its synapses are voltage jumps (weights in mV) and NeuroML2 has no delta "
    "synapse",
    "TsodyksMarkramSynapse": "NeuroML2's Tsodyks-Markram mechanisms exist only inside "
    "blockingPlasticSynapse (a double-exponential conductance synapse), not on PyNN's "
    "exponential or alpha synapses",
    "STDPMechanism": "NeuroML2 has no spike-timing-dependent plasticity",
}

#: NeuroML2 unit symbols -> unit strings that :func:`pynn_uni.common.units.scale` reads.
UNIT_ALIASES = {"per_ms": "1/ms", "per_s": "1/s", "per_min": "1/min", "ohm": "ohm",
                "degC": "degC", "": "dimensionless"}  # fmt: skip


def require_libneuroml():
    """The ``neuroml`` package (libNeuroML), or an ImportError that says how to install it."""
    try:
        import neuroml
    except ModuleNotFoundError as err:
        raise ImportError(
            "NeuroML2 export and import need libNeuroML: pip install pynn_uni[neuroml]"
        ) from err
    return neuroml


class NeuroMLExportWarning(UserWarning):
    """Something written that a NeuroML2 simulator will not reproduce exactly (per-cell initial
    values, recorded variables the LEMS file cannot name)."""
