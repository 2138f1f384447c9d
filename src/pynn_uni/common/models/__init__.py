"""The standard models: cell types, synapse types, STDP components and current sources.

Declared once here, as data; backends map them onto native models through their translation
tables and never redeclare them.  The registries map PyNN class names to classes.
"""

from __future__ import annotations

from .base import (
    SpikeSourceType,
    StandardCellType,
    StandardCellTypeComponent,
    StandardModelType,
    StandardPostSynapticResponse,
    StandardSynapseType,
    STDPTimingDependence,
    STDPWeightDependence,
)
from .cells import (
    LIF,
    AdExp,
    AlphaPSR,
    BetaPSR,
    CondAlphaPostSynapticResponse,
    CondBetaPostSynapticResponse,
    CondExpPostSynapticResponse,
    CurrExpPostSynapticResponse,
    EIF_cond_alpha_isfa_ista,
    EIF_cond_exp_isfa_ista,
    ExpPSR,
    GIF_cond_exp,
    HH_cond_exp,
    IF_cond_alpha,
    IF_cond_exp,
    IF_cond_exp_gsfa_grr,
    IF_curr_alpha,
    IF_curr_delta,
    IF_curr_exp,
    IF_facets_hardware1,
    Izhikevich,
    PointNeuron,
    SpikeSourceArray,
    SpikeSourceGamma,
    SpikeSourceInhGamma,
    SpikeSourcePoisson,
    SpikeSourcePoissonRefractory,
)
from .electrodes import (
    ACSource,
    DCSource,
    NoisyCurrentSource,
    StandardCurrentSource,
    StepCurrentSource,
)
from .synapses import (
    AdditivePotentiationMultiplicativeDepression,
    AdditiveWeightDependence,
    GutigWeightDependence,
    MultiplicativeWeightDependence,
    MultiQuantalSynapse,
    SimpleStochasticSynapse,
    SpikePairRule,
    StaticSynapse,
    STDPMechanism,
    StochasticTsodyksMarkramSynapse,
    TsodyksMarkramSynapse,
    Vogels2011Rule,
)


def _registry(*classes: type) -> dict[str, type]:
    return {cls.__name__: cls for cls in classes}


#: Standard cell types that are created from parameters alone (``PointNeuron`` is assembled
#: from components and listed separately).
STANDARD_CELL_TYPES: dict[str, type[StandardCellType]] = _registry(
    IF_curr_alpha, IF_curr_exp, IF_curr_delta, IF_cond_alpha, IF_cond_exp, IF_cond_exp_gsfa_grr,
    IF_facets_hardware1, HH_cond_exp, EIF_cond_alpha_isfa_ista, EIF_cond_exp_isfa_ista,
    Izhikevich, GIF_cond_exp, SpikeSourcePoisson, SpikeSourcePoissonRefractory, SpikeSourceGamma,
    SpikeSourceInhGamma, SpikeSourceArray,
)  # fmt: skip
STANDARD_CELL_COMPONENTS: dict[str, type[StandardCellTypeComponent]] = _registry(LIF, AdExp)
STANDARD_POST_SYNAPTIC_RESPONSES: dict[str, type[StandardPostSynapticResponse]] = _registry(
    CurrExpPostSynapticResponse, CondExpPostSynapticResponse, CondAlphaPostSynapticResponse,
    CondBetaPostSynapticResponse,
)  # fmt: skip
STANDARD_SYNAPSE_TYPES: dict[str, type[StandardSynapseType]] = _registry(
    StaticSynapse, TsodyksMarkramSynapse, SimpleStochasticSynapse,
    StochasticTsodyksMarkramSynapse, MultiQuantalSynapse, STDPMechanism,
)  # fmt: skip
STDP_COMPONENTS: dict[str, type[StandardModelType]] = _registry(
    AdditiveWeightDependence, MultiplicativeWeightDependence,
    AdditivePotentiationMultiplicativeDepression, GutigWeightDependence, SpikePairRule,
    Vogels2011Rule,
)  # fmt: skip
STANDARD_CURRENT_SOURCES: dict[str, type[StandardCurrentSource]] = _registry(
    DCSource, ACSource, StepCurrentSource, NoisyCurrentSource
)


#: The abstract bases, importable from here for ``isinstance`` checks elsewhere in pynn_uni.
BASE_CLASSES: tuple[type, ...] = (
    StandardModelType, StandardCellType, SpikeSourceType, StandardCellTypeComponent,
    StandardPostSynapticResponse, StandardSynapseType, STDPWeightDependence,
    STDPTimingDependence, StandardCurrentSource,
)  # fmt: skip


def list_standard_models() -> list[str]:
    """Names of the standard cell types (PyNN's ``list_standard_models``), sorted.

    Backends narrow this to the models their capabilities declare.
    """
    return sorted(STANDARD_CELL_TYPES)


#: The PyNN public names (what a backend's ``sim`` namespace exports); base classes, constraint
#: tags and registries stay importable from here but are not part of ``sim``.
__all__ = [
    *STANDARD_CELL_TYPES,
    *STANDARD_CELL_COMPONENTS,
    *STANDARD_POST_SYNAPTIC_RESPONSES,
    "ExpPSR",
    "AlphaPSR",
    "BetaPSR",
    "PointNeuron",
    *STANDARD_SYNAPSE_TYPES,
    *STDP_COMPONENTS,
    *STANDARD_CURRENT_SOURCES,
]
