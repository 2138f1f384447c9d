"""Standard synapse types and STDP components, declared as data (PyNN 0.13 names and defaults).

Weights (and the STDP bounds ``w_min``/``w_max``) have the unit tag ``'weight'``: uS onto
conductance-based cells, nA onto current-based cells, mV onto ``IF_curr_delta``/``Izhikevich``.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from pynn_uni.common.units import WEIGHT
from pynn_uni.errors import InvalidModelError

from .base import (
    FRACTION,
    NON_NEGATIVE,
    POSITIVE,
    StandardModelType,
    StandardSynapseType,
    STDPTimingDependence,
    STDPWeightDependence,
    declare,
)

#: name -> (unit, doc[, constraint]) shared by the synapse declarations.
PARAMETERS: dict[str, tuple] = {
    "weight": (WEIGHT, "synaptic weight (uS, nA or mV: the post cell type's weight_unit)"),
    "delay": ("ms", "transmission delay; None means the minimum delay", NON_NEGATIVE),
    "U": ("dimensionless", "utilisation of synaptic efficacy", FRACTION),
    "tau_rec": ("ms", "depression (recovery) time constant", POSITIVE),
    "tau_facil": ("ms", "facilitation time constant", NON_NEGATIVE),
    "p": ("dimensionless", "probability of transmission per spike", FRACTION),
    "n": ("dimensionless", "number of release sites", POSITIVE),
    "w_min": (WEIGHT, "lower bound of the weight"),
    "w_max": (WEIGHT, "upper bound of the weight"),
    "mu_plus": ("dimensionless", "exponent of the weight dependence of potentiation", NON_NEGATIVE),
    "mu_minus": ("dimensionless", "exponent of the weight dependence of depression", NON_NEGATIVE),
    "tau_plus": ("ms", "time constant of potentiation", POSITIVE),
    "tau_minus": ("ms", "time constant of depression", POSITIVE),
    "A_plus": ("dimensionless", "amplitude of potentiation"),
    "A_minus": ("dimensionless", "amplitude of depression"),
    "tau": ("ms", "time constant of the pre and post traces", POSITIVE),
    "eta": ("dimensionless", "learning rate"),
    "rho": ("dimensionless", "target-rate depression factor"),
    "dendritic_delay_fraction": (
        "dimensionless",
        "fraction of the delay that is dendritic (seen by the plasticity rule at the post side)",
        FRACTION,
    ),
}


def params(**defaults: Any) -> dict[str, tuple]:
    """Declarations ``{name: (default, unit, doc[, constraint])}`` from :data:`PARAMETERS`."""
    return declare(PARAMETERS, **defaults)


_TM = dict(U=0.5, tau_rec=100.0, tau_facil=0.0)


class StaticSynapse(StandardSynapseType):
    """Fixed weight and delay."""

    spec = params(weight=0.0, delay=None)


class TsodyksMarkramSynapse(StandardSynapseType):
    """Short-term depression and facilitation (Tsodyks, Uziel & Markram 2000); the PSC time
    constant is the post cell's."""

    spec = params(weight=0.0, delay=None, **_TM)
    initial = {"u": (0.0, "dimensionless")}


class SimpleStochasticSynapse(StandardSynapseType):
    """Transmits each spike with probability ``p``."""

    spec = params(weight=0.0, delay=None, p=0.5)


class StochasticTsodyksMarkramSynapse(StandardSynapseType):
    """Tsodyks-Markram dynamics with stochastic release."""

    spec = params(weight=0.0, delay=None, **_TM)


class MultiQuantalSynapse(StandardSynapseType):
    """Tsodyks-Markram dynamics with ``n`` stochastic release sites."""

    spec = params(weight=0.0, delay=None, U=0.5, n=1, tau_rec=800.0, tau_facil=0.0)
    # release probability and available sites; a synapse starts at u = U, a = n
    initial = {"u": (0.5, "dimensionless"), "a": (1, "dimensionless")}


# ---------------------------------------------------------------------------------------------
#   STDP components
# ---------------------------------------------------------------------------------------------

_BOUNDS = dict(w_min=0.0, w_max=1.0)


class AdditiveWeightDependence(STDPWeightDependence):
    """Weight change independent of the weight, clipped to [w_min, w_max]."""

    spec = params(**_BOUNDS)
    #: (mu_plus, mu_minus): the exponents of Gutig's general rule this one fixes
    exponents: ClassVar[tuple[float, float]] = (0.0, 0.0)


class MultiplicativeWeightDependence(STDPWeightDependence):
    """Depression proportional to w - w_min, potentiation to w_max - w."""

    spec = params(**_BOUNDS)
    #: (mu_plus, mu_minus): the exponents of Gutig's general rule this one fixes
    exponents: ClassVar[tuple[float, float]] = (1.0, 1.0)


class AdditivePotentiationMultiplicativeDepression(STDPWeightDependence):
    """Fixed potentiation, depression proportional to the weight."""

    spec = params(**_BOUNDS)
    #: (mu_plus, mu_minus): the exponents of Gutig's general rule this one fixes
    exponents: ClassVar[tuple[float, float]] = (0.0, 1.0)


class GutigWeightDependence(STDPWeightDependence):
    """Potentiation ~ (w_max - w)^mu_plus, depression ~ (w - w_min)^mu_minus (Gutig et al. 2003)."""

    spec = params(**_BOUNDS, mu_plus=0.5, mu_minus=0.5)


class SpikePairRule(STDPTimingDependence):
    """All-to-all pair-based STDP with exponential windows."""

    spec = params(tau_plus=20.0, tau_minus=20.0, A_plus=0.01, A_minus=0.01)


class Vogels2011Rule(STDPTimingDependence):
    """Symmetric inhibitory STDP of Vogels et al. (2011, Science 334:1569)."""

    spec = params(tau=20.0, eta=1e-10, rho=3.0)


class STDPMechanism(StandardSynapseType):
    """A plastic synapse combining a timing dependence and a weight dependence.

    Its parameters are ``weight``, ``delay``, ``dendritic_delay_fraction`` and those of its
    components (the names must not clash).  The components stay reachable as
    ``timing_dependence``, ``weight_dependence`` and ``voltage_dependence``.  A rule needs
    both a timing and a weight dependence: one without the other is refused here; a
    mechanism with neither only holds its own parameters, and a Projection refuses it.
    Each connection's initial weight must lie in [w_min, w_max] (checked by the
    projection, where the weights of every connection are known).
    """

    spec = params(weight=0.0, delay=None, dendritic_delay_fraction=1.0)
    _SLOTS = (
        ("timing_dependence", STDPTimingDependence),
        ("weight_dependence", STDPWeightDependence),
        ("voltage_dependence", StandardModelType),
    )

    def __init__(
        self,
        timing_dependence: STDPTimingDependence | None = None,
        weight_dependence: STDPWeightDependence | None = None,
        voltage_dependence: StandardModelType | None = None,
        dendritic_delay_fraction: float = 1.0,
        weight: Any = 0.0,
        delay: Any = None,
    ):
        components = dict(
            timing_dependence=timing_dependence,
            weight_dependence=weight_dependence,
            voltage_dependence=voltage_dependence,
        )
        defaults = dict(type(self).default_parameters)
        units, docs = dict(type(self).units), dict(type(self).parameter_docs)
        constraints = dict(type(self).constraints)
        values = {}
        for slot, kind in self._SLOTS:
            component = components[slot]
            if component is None:
                continue
            if not isinstance(component, kind):
                raise InvalidModelError(
                    f"STDPMechanism {slot} must be a {kind.__name__}, got {component!r}"
                )
            for name, default in component.default_parameters.items():
                if name in defaults:
                    raise InvalidModelError(
                        f"STDPMechanism: parameter {name!r} of {type(component).__name__} "
                        "clashes with another parameter of the mechanism"
                    )
                defaults[name] = default
                units[name] = component.units[name]
                docs[name] = component.parameter_docs[name]
                if name in component.constraints:
                    constraints[name] = component.constraints[name]
                values[name] = copy.deepcopy(component.parameter_space[name])
            setattr(self, slot, component)
        for slot, _ in self._SLOTS:
            if components[slot] is None:
                setattr(self, slot, None)
        if (timing_dependence is None) != (weight_dependence is None):
            given, missing = (
                ("weight_dependence", "timing_dependence")
                if timing_dependence is None
                else ("timing_dependence", "weight_dependence")
            )
            raise InvalidModelError(
                f"STDPMechanism: a {given} without a {missing}: an STDP rule needs both "
                "(e.g. timing_dependence=SpikePairRule(), "
                "weight_dependence=AdditiveWeightDependence())"
            )
        self.default_parameters = defaults
        self.units, self.parameter_docs, self.constraints = units, docs, constraints
        super().__init__(
            weight=weight, delay=delay, dendritic_delay_fraction=dendritic_delay_fraction
        )
        self.parameter_space.update(**values)
        self._check_homogeneous_relations()

    #: the weight dependence's bounds, now parameters of the mechanism
    relations = (("w_min", "<=", "w_max"),)
    connection_relations = (("w_min", "<=", "weight"), ("weight", "<=", "w_max"))

    @property
    def dendritic_delay_fraction(self) -> float:
        return self.parameter_space["dendritic_delay_fraction"].evaluate(simplify=True)

    def _describe_context(self) -> dict[str, Any]:
        context = super()._describe_context()
        for slot, _ in self._SLOTS:
            component = getattr(self, slot)
            context[slot] = component.describe(template=None) if component else None
        context["dendritic_delay_fraction"] = self.dendritic_delay_fraction
        return context
