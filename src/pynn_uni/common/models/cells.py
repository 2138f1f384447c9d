"""Standard cell types, declared as data (names, defaults and units are PyNN 0.13's).

Each class body only *declares*: ``spec = params(name=default, ...)`` looks the unit, doc and
physical constraint of each name up in the shared vocabulary :data:`PARAMETERS` (a tuple
``(default, unit, doc[, constraint])`` overrides it where a model differs), and
``initial = states(...)`` does the same for state variables from :data:`STATES`.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import numpy as np

from pynn_uni.common.units import scale
from pynn_uni.errors import InvalidModelError
from pynn_uni.parameters import ArrayParameter, ParameterSpace, Sequence

from .base import (
    NON_NEGATIVE,
    POSITIVE,
    TIMES,
    SpikeSourceType,
    StandardCellType,
    StandardCellTypeComponent,
    StandardPostSynapticResponse,
    declare,
)

P, NN = POSITIVE, NON_NEGATIVE

#: name -> (unit, doc[, constraint]) shared by all models that use the name.
PARAMETERS: dict[str, tuple] = {
    "v_rest": ("mV", "resting membrane potential"),
    "cm": ("nF", "membrane capacitance", P),
    "tau_m": ("ms", "membrane time constant", P),
    "tau_refrac": ("ms", "refractory period", NN),
    "tau_syn_E": ("ms", "time constant of the excitatory synaptic response", P),
    "tau_syn_I": ("ms", "time constant of the inhibitory synaptic response", P),
    "e_rev_E": ("mV", "excitatory reversal potential"),
    "e_rev_I": ("mV", "inhibitory reversal potential"),
    "i_offset": ("nA", "constant injected current"),
    "v_reset": ("mV", "membrane potential after a spike"),
    "v_thresh": ("mV", "spike threshold"),
    "tau_sfa": ("ms", "time constant of spike-frequency adaptation", P),
    "e_rev_sfa": ("mV", "reversal potential of spike-frequency adaptation"),
    "q_sfa": ("nS", "conductance increment of spike-frequency adaptation per spike", NN),
    "tau_rr": ("ms", "time constant of the relative refractory mechanism", P),
    "e_rev_rr": ("mV", "reversal potential of the relative refractory mechanism"),
    "q_rr": ("nS", "conductance increment of the relative refractory mechanism per spike", NN),
    "g_leak": ("uS", "leak conductance", NN),
    "gbar_Na": ("uS", "maximal sodium conductance", NN),
    "gbar_K": ("uS", "maximal potassium conductance", NN),
    "v_offset": ("mV", "offset of the gating-variable voltage dependence"),
    "e_rev_Na": ("mV", "sodium reversal potential"),
    "e_rev_K": ("mV", "potassium reversal potential"),
    "e_rev_leak": ("mV", "leak reversal potential"),
    "v_spike": ("mV", "voltage at which a spike is detected"),
    "a": ("nS", "sub-threshold adaptation conductance"),
    "b": ("nA", "spike-triggered adaptation current increment"),
    "delta_T": ("mV", "slope factor of the exponential term", NN),
    "tau_w": ("ms", "adaptation time constant", P),
    "delta_v": ("mV", "threshold sharpness", P),
    "v_t_star": ("mV", "threshold baseline"),
    "lambda0": ("Hz", "firing intensity at threshold", NN),
    "tau_eta": ("ms", "time constants of the spike-triggered current"),
    "tau_gamma": ("ms", "time constants of the moving threshold"),
    "a_eta": ("nA", "increments of the spike-triggered current"),
    "a_gamma": ("mV", "increments of the moving threshold"),
    "rate": ("Hz", "mean firing rate", NN),
    "start": ("ms", "time of the first possible spike", NN),
    "duration": ("ms", "length of the spiking period", NN),
    "spike_times": ("ms", "spike times", TIMES),
    "tau_syn": ("ms", "synaptic time constant", P),
    "e_syn": ("mV", "synaptic reversal potential"),
    "tau_rise": ("ms", "rise time constant of the synaptic conductance", P),
    "tau_decay": ("ms", "decay time constant of the synaptic conductance", P),
}

#: state variable -> unit
STATES: dict[str, str] = {
    "v": "mV",
    "isyn_exc": "nA",
    "isyn_inh": "nA",
    "gsyn_exc": "uS",
    "gsyn_inh": "uS",
    "g_r": "nS",
    "g_s": "nS",
    "w": "nA",
    "u": "mV/ms",
    "h": "dimensionless",
    "m": "dimensionless",
    "n": "dimensionless",
    "v_t": "mV",
    "i_eta": "nA",
    "gsyn": "uS",
    "isyn": "nA",
}


def params(**defaults: Any) -> dict[str, tuple]:
    """Declarations ``{name: (default, unit, doc[, constraint])}`` from :data:`PARAMETERS`."""
    return declare(PARAMETERS, **defaults)


def states(**defaults: float) -> dict[str, tuple]:
    """State-variable declarations ``{name: (initial value, unit)}``."""
    return {name: (value, STATES[name]) for name, value in defaults.items()}


_CURR = states(v=-65.0, isyn_exc=0.0, isyn_inh=0.0)
_COND = states(v=-65.0, gsyn_exc=0.0, gsyn_inh=0.0)
_COND_RECORDABLE = ["spikes", "v", "gsyn_exc", "gsyn_inh"]
_LIF_CURR = dict(v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=0.1)
_ADEX = dict(
    cm=0.281, tau_refrac=0.1, v_spike=-40.0, v_reset=-70.6, v_rest=-70.6, tau_m=9.3667,
    i_offset=0.0, a=4.0, b=0.0805, delta_T=2.0, tau_w=144.0, v_thresh=-50.4,
)  # fmt: skip
_EIF_INITIAL = states(v=-70.6, w=0.0, gsyn_exc=0.0, gsyn_inh=0.0)
_SOURCE_PERIOD = dict(start=0.0, duration=1e10)


# ---------------------------------------------------------------------------------------------
#   Integrate-and-fire neurons
# ---------------------------------------------------------------------------------------------


class IF_curr_alpha(StandardCellType):
    """Leaky integrate-and-fire neuron, fixed threshold, alpha-shaped synaptic currents."""

    spec = params(**_LIF_CURR, tau_syn_E=0.5, tau_syn_I=0.5, i_offset=0.0, v_reset=-65.0,
                  v_thresh=-50.0)  # fmt: skip
    initial = _CURR
    recordable: ClassVar[list[str]] = ["spikes", "v"]
    conductance_based = False
    weight_unit = "nA"


class IF_curr_exp(StandardCellType):
    """Leaky integrate-and-fire neuron, fixed threshold, exponentially decaying currents."""

    spec = params(**_LIF_CURR, tau_syn_E=5.0, tau_syn_I=5.0, i_offset=0.0, v_reset=-65.0,
                  v_thresh=-50.0)  # fmt: skip
    initial = _CURR
    recordable: ClassVar[list[str]] = ["spikes", "v"]
    conductance_based = False
    weight_unit = "nA"


class IF_curr_delta(StandardCellType):
    """Leaky integrate-and-fire neuron whose synaptic input is a voltage jump (weights in mV)."""

    spec = params(**_LIF_CURR, i_offset=0.0, v_reset=-65.0, v_thresh=-50.0)
    initial = states(v=-65.0)
    recordable: ClassVar[list[str]] = ["spikes", "v"]
    conductance_based = False
    weight_unit = "mV"


class IF_cond_alpha(StandardCellType):
    """Leaky integrate-and-fire neuron, fixed threshold, alpha-shaped synaptic conductances."""

    spec = params(v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=0.1, tau_syn_E=0.3, tau_syn_I=0.5,
                  e_rev_E=0.0, e_rev_I=-70.0, v_thresh=-50.0, v_reset=-65.0, i_offset=0.0)  # fmt: skip
    initial = _COND
    recordable: ClassVar[list[str]] = [*_COND_RECORDABLE]


class IF_cond_exp(StandardCellType):
    """Leaky integrate-and-fire neuron, fixed threshold, exponentially decaying conductances."""

    spec = params(v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=0.1, tau_syn_E=5.0, tau_syn_I=5.0,
                  e_rev_E=0.0, e_rev_I=-70.0, v_thresh=-50.0, v_reset=-65.0, i_offset=0.0)  # fmt: skip
    initial = _COND
    recordable: ClassVar[list[str]] = [*_COND_RECORDABLE]


class IF_cond_exp_gsfa_grr(StandardCellType):
    """IF_cond_exp plus conductance-based spike-frequency adaptation and relative refractoriness
    (Muller et al. 2007, Neural Computation 19:2958)."""

    spec = params(v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=0.1, tau_syn_E=5.0, tau_syn_I=5.0,
                  e_rev_E=0.0, e_rev_I=-70.0, v_thresh=-50.0, v_reset=-65.0, i_offset=0.0,
                  tau_sfa=100.0, e_rev_sfa=-75.0, q_sfa=15.0, tau_rr=2.0, e_rev_rr=-75.0,
                  q_rr=3000.0)  # fmt: skip
    initial = states(v=-65.0, g_r=0.0, g_s=0.0, gsyn_exc=0.0, gsyn_inh=0.0)
    recordable: ClassVar[list[str]] = ["spikes", "v", "g_r", "g_s", "gsyn_exc", "gsyn_inh"]


class IF_facets_hardware1(StandardCellType):
    """Conductance-based LIF neuron of the FACETS stage-1 chip; fixed internally: cm = 0.2 nF,
    tau_refrac = 1 ms, e_rev_E = 0 mV."""

    spec = params(g_leak=(40.0, "nS", "leak conductance", P), tau_syn_E=30.0, tau_syn_I=30.0,
                  v_reset=-80.0, e_rev_I=-80.0, v_rest=-65.0, v_thresh=-55.0)  # fmt: skip
    #: what the chip fixes, as IF_cond_exp parameters (nF, ms, mV, nA): every backend
    #: realises the model as IF_cond_exp with these plus tau_m = cm / g_leak
    fixed_values: ClassVar[dict[str, float]] = {
        "cm": 0.2, "tau_refrac": 1.0, "e_rev_E": 0.0, "i_offset": 0.0,
    }  # fmt: skip
    initial = _COND

    @classmethod
    def as_cond_exp(cls, params: dict) -> dict:
        """The IF_cond_exp parameters (standard units) that realise ``params``."""
        values = {k: v for k, v in params.items() if k != "g_leak"}
        values.update(cls.fixed_values)
        g_leak = np.asarray(params["g_leak"], dtype=float) * scale("nS", "uS")
        values["tau_m"] = cls.fixed_values["cm"] / g_leak  # nF / uS = ms
        return values

    recordable: ClassVar[list[str]] = [*_COND_RECORDABLE]


class HH_cond_exp(StandardCellType):
    """Single-compartment Hodgkin-Huxley neuron (Traub & Miles 1991), exponential conductances."""

    spec = params(gbar_Na=20.0, gbar_K=6.0, g_leak=0.01, cm=0.2, v_offset=-63.0, e_rev_Na=50.0,
                  e_rev_K=-90.0, e_rev_leak=-65.0, e_rev_E=0.0, e_rev_I=-80.0, tau_syn_E=0.2,
                  tau_syn_I=2.0, i_offset=0.0)  # fmt: skip
    initial = states(v=-65.0, gsyn_exc=0.0, gsyn_inh=0.0, h=1.0, m=0.0, n=0.0)
    recordable: ClassVar[list[str]] = [*_COND_RECORDABLE]
    receptor_types: ClassVar[list[str]] = ["excitatory", "inhibitory", "source_section.gap"]


class EIF_cond_alpha_isfa_ista(StandardCellType):
    """Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005), alpha-shaped
    conductances."""

    spec = params(**_ADEX, e_rev_E=0.0, tau_syn_E=5.0, e_rev_I=-80.0, tau_syn_I=5.0)
    relations = (("v_reset", "<", "v_spike"), ("v_thresh", "<=", "v_spike"))
    initial = _EIF_INITIAL
    recordable: ClassVar[list[str]] = ["spikes", "v", "w", "gsyn_exc", "gsyn_inh"]


class EIF_cond_exp_isfa_ista(StandardCellType):
    """Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005), exponentially
    decaying conductances."""

    spec = params(**_ADEX, e_rev_E=0.0, tau_syn_E=5.0, e_rev_I=-80.0, tau_syn_I=5.0)
    relations = (("v_reset", "<", "v_spike"), ("v_thresh", "<=", "v_spike"))
    initial = _EIF_INITIAL
    recordable: ClassVar[list[str]] = ["spikes", "v", "w", "gsyn_exc", "gsyn_inh"]


class Izhikevich(StandardCellType):
    """Izhikevich (2003) quadratic neuron; synaptic input is a voltage jump (weights in mV)."""

    spec = params(
        a=(0.02, "1/ms", "recovery time scale"),
        b=(0.2, "1/ms", "sensitivity of the recovery variable to v"),
        c=(-65.0, "mV", "membrane potential after a spike"),
        d=(2.0, "mV/ms", "recovery increment after a spike"),
        i_offset=0.0,
    )
    initial = states(v=-70.0, u=-14.0)
    recordable: ClassVar[list[str]] = ["spikes", "v", "u"]
    conductance_based = False
    weight_unit = "mV"


class GIF_cond_exp(StandardCellType):
    """Generalised integrate-and-fire neuron with spike-triggered current, moving threshold and
    stochastic spiking (Mensi et al. 2012; Pozzorini et al. 2015); the eta/gamma kernels are
    array-valued parameters."""

    spec = params(v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=4.0, tau_syn_E=5.0, tau_syn_I=5.0,
                  e_rev_E=0.0, e_rev_I=-70.0, v_reset=-65.0, i_offset=0.0, delta_v=0.5,
                  v_t_star=-48.0, lambda0=1.0,
                  tau_eta=ArrayParameter([1.0, 10.0, 100.0]),
                  tau_gamma=ArrayParameter([1.0, 10.0, 100.0]),
                  a_eta=ArrayParameter([1.0, 1.0, 1.0]),
                  a_gamma=ArrayParameter([1.0, 1.0, 1.0]))  # fmt: skip
    initial = states(v=-65.0, v_t=-48.0, i_eta=0.0, gsyn_exc=0.0, gsyn_inh=0.0)
    recordable: ClassVar[list[str]] = ["spikes", "v", "gsyn_exc", "gsyn_inh", "i_eta", "v_t"]


# ---------------------------------------------------------------------------------------------
#   Spike sources
# ---------------------------------------------------------------------------------------------


class SpikeSourcePoisson(SpikeSourceType):
    """Poisson spike train of constant rate between ``start`` and ``start + duration``."""

    spec = params(rate=1.0, **_SOURCE_PERIOD)


class SpikeSourcePoissonRefractory(SpikeSourceType):
    """Poisson spike train with a dead time ``tau_refrac`` after each spike."""

    spec = params(rate=1.0, tau_refrac=0.0, **_SOURCE_PERIOD)


class SpikeSourceGamma(SpikeSourceType):
    """Gamma-process spike train of integer order ``alpha``; mean interval ``alpha / beta``."""

    spec = params(
        alpha=(2, "dimensionless", "shape (order) of the gamma distribution", P),
        beta=(1.0, "Hz", "rate parameter of the gamma distribution", NN),
        **_SOURCE_PERIOD,
    )


class SpikeSourceInhGamma(SpikeSourceType):
    """Inhomogeneous gamma process (thinning method; Muller et al. 2007): time histograms of the
    gamma parameters ``a`` and ``b`` over the bins starting at ``tbins``."""

    spec = params(
        a=(Sequence([1.0]), "dimensionless", "time histogram of the gamma shape parameter"),
        b=(Sequence([1.0]), "s", "time histogram of the gamma scale parameter"),
        tbins=(Sequence([0.0]), "ms", "start times of the histogram bins"),
        **_SOURCE_PERIOD,
    )
    infinite_ok = frozenset({"b"})  # an infinite gamma scale: a silent bin


class SpikeSourceArray(SpikeSourceType):
    """Emits spikes at the given times (one :class:`Sequence` per cell)."""

    spec = params(spike_times=Sequence([]))


# ---------------------------------------------------------------------------------------------
#   Point neurons assembled from components
# ---------------------------------------------------------------------------------------------


class LIF(StandardCellTypeComponent):
    """Leaky integrate-and-fire membrane (component of :class:`PointNeuron`).

    The initial ``v`` is -70.6 mV as in PyNN 0.13, not ``v_rest``."""

    spec = params(cm=1.0, tau_refrac=0.1, v_reset=-65.0, v_rest=-65.0, tau_m=20.0, i_offset=0.0,
                  v_thresh=-50.0)  # fmt: skip
    initial = states(v=-70.6)
    recordable: ClassVar[list[str]] = ["spikes", "v"]


class AdExp(StandardCellTypeComponent):
    """Adaptive exponential integrate-and-fire membrane (component of :class:`PointNeuron`)."""

    spec = params(**_ADEX)
    initial = states(v=-70.6, w=0.0)
    recordable: ClassVar[list[str]] = ["spikes", "v", "w"]


class CurrExpPostSynapticResponse(StandardPostSynapticResponse):
    """Current jump with exponential decay."""

    spec = params(tau_syn=5.0)
    initial = states(isyn=0.0)
    conductance_based = False


class CondExpPostSynapticResponse(StandardPostSynapticResponse):
    """Conductance jump with exponential decay."""

    spec = params(e_syn=0.0, tau_syn=5.0)
    initial = states(gsyn=0.0)


class CondAlphaPostSynapticResponse(StandardPostSynapticResponse):
    """Alpha-function conductance, peaking ``tau_syn`` after the spike."""

    spec = params(e_syn=0.0, tau_syn=5.0)
    initial = states(gsyn=0.0)


class CondBetaPostSynapticResponse(StandardPostSynapticResponse):
    """Difference-of-exponentials (beta-function) conductance."""

    spec = params(e_syn=0.0, tau_rise=0.2, tau_decay=1.7)
    initial = states(gsyn=0.0)


ExpPSR = CondExpPostSynapticResponse
AlphaPSR = CondAlphaPostSynapticResponse
BetaPSR = CondBetaPostSynapticResponse


class PointNeuron(StandardCellType):
    """A point neuron built from a membrane component and named receptors, e.g.
    ``PointNeuron(LIF(tau_m=10), AMPA=ExpPSR(tau_syn=2), GABA=ExpPSR(e_syn=-70))``.

    Parameters are the membrane's plus ``'<receptor>.<parameter>'``; recordables the
    membrane's plus ``'<receptor>.gsyn'`` (uS) or ``'<receptor>.isyn'`` (nA); receptor types are
    the sorted receptor names.  All receptors must be conductance-based or all current-based.
    """

    def __init__(
        self,
        neuron: StandardCellTypeComponent,
        **post_synaptic_receptors: StandardPostSynapticResponse,
    ):
        if not isinstance(neuron, StandardCellTypeComponent):
            raise InvalidModelError(
                f"PointNeuron needs a neuron component such as LIF() or AdExp(), got {neuron!r}"
            )
        for name, psr in post_synaptic_receptors.items():
            if not isinstance(psr, StandardPostSynapticResponse):
                raise InvalidModelError(
                    f"PointNeuron receptor {name!r} must be a post-synaptic response such as "
                    f"CondExpPostSynapticResponse(), got {psr!r}"
                )
        kinds = {psr.conductance_based for psr in post_synaptic_receptors.values()}
        if len(kinds) > 1:
            raise InvalidModelError(
                "PointNeuron cannot mix conductance-based and current-based receptors: "
                + ", ".join(
                    f"{n}={type(p).__name__}" for n, p in sorted(post_synaptic_receptors.items())
                )
            )
        self.neuron = neuron
        self.post_synaptic_receptors = dict(post_synaptic_receptors)
        self.receptor_types = sorted(post_synaptic_receptors)
        self.conductance_based = kinds.pop() if kinds else False
        self.weight_unit = "uS" if self.conductance_based else "nA"
        self.voltage_based_synapses = False
        self.injectable = neuron.injectable
        self._assemble()

    def _assemble(self) -> None:
        neuron = self.neuron
        defaults = dict(neuron.default_parameters)
        units = dict(neuron.units)
        docs = dict(neuron.parameter_docs)
        constraints = dict(neuron.constraints)
        initial = dict(neuron.default_initial_values)
        recordable = list(neuron.recordable)
        values = copy.deepcopy(dict(neuron.parameter_space.items()))
        for receptor in self.receptor_types:
            psr = self.post_synaptic_receptors[receptor]
            for name, default in psr.default_parameters.items():
                dotted = f"{receptor}.{name}"
                defaults[dotted] = default
                units[dotted] = psr.units[name]
                docs[dotted] = f"{receptor}: {psr.parameter_docs[name]}"
                if name in psr.constraints:
                    constraints[dotted] = psr.constraints[name]
                values[dotted] = copy.deepcopy(psr.parameter_space[name])
            for name, value in psr.default_initial_values.items():
                dotted = f"{receptor}.{name}"
                initial[dotted] = value
                units[dotted] = psr.units[name]
                recordable.append(dotted)
        self.default_parameters = defaults
        self.units = units
        self.parameter_docs = docs
        self.constraints = constraints
        self.default_initial_values = initial
        self.recordable = recordable
        self.parameter_space = ParameterSpace(
            self._defaults(), self.get_schema(), shape=None, component=self
        )
        self.parameter_space.update(**values)

    def _describe_context(self) -> dict[str, Any]:
        context = super()._describe_context()
        context["neuron"] = self.neuron.describe(template=None)
        context["post_synaptic_receptors"] = {
            name: psr.describe(template=None) for name, psr in self.post_synaptic_receptors.items()
        }
        return context

    def __repr__(self) -> str:
        receptors = "".join(
            f", {name}={psr!r}" for name, psr in sorted(self.post_synaptic_receptors.items())
        )
        return f"PointNeuron({self.neuron!r}{receptors})"
