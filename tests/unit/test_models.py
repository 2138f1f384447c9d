"""Standard models: defaults and units from the PyNN 0.13 reference, validation, behaviour."""

import copy

import numpy as np
import pytest
import quantities as pq

import pynn_uni.common.simulation as simulation
from pynn_uni.common import models as m
from pynn_uni.common.units import pq_units
from pynn_uni.errors import (
    InvalidModelError,
    InvalidParameterValueError,
    NonExistentParameterError,
)
from pynn_uni.parameters import ArrayParameter, DistanceExpression, Sequence

# -- defaults, typed in from the reference tables (§8, §9, §10) ---------------------------------

EXPECTED_DEFAULTS = {
    m.IF_curr_alpha: dict(v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=0.1, tau_syn_E=0.5,
                          tau_syn_I=0.5, i_offset=0.0, v_reset=-65.0, v_thresh=-50.0),
    m.IF_curr_exp: dict(v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=0.1, tau_syn_E=5.0,
                        tau_syn_I=5.0, i_offset=0.0, v_reset=-65.0, v_thresh=-50.0),
    m.IF_curr_delta: dict(v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=0.1, i_offset=0.0,
                          v_reset=-65.0, v_thresh=-50.0),
    m.IF_cond_alpha: dict(v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=0.1, tau_syn_E=0.3,
                          tau_syn_I=0.5, e_rev_E=0.0, e_rev_I=-70.0, v_thresh=-50.0,
                          v_reset=-65.0, i_offset=0.0),
    m.IF_cond_exp: dict(v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=0.1, tau_syn_E=5.0,
                        tau_syn_I=5.0, e_rev_E=0.0, e_rev_I=-70.0, v_thresh=-50.0, v_reset=-65.0,
                        i_offset=0.0),
    m.IF_cond_exp_gsfa_grr: dict(v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=0.1, tau_syn_E=5.0,
                                 tau_syn_I=5.0, e_rev_E=0.0, e_rev_I=-70.0, v_thresh=-50.0,
                                 v_reset=-65.0, i_offset=0.0, tau_sfa=100.0, e_rev_sfa=-75.0,
                                 q_sfa=15.0, tau_rr=2.0, e_rev_rr=-75.0, q_rr=3000.0),
    m.IF_facets_hardware1: dict(g_leak=40.0, tau_syn_E=30.0, tau_syn_I=30.0, v_reset=-80.0,
                                e_rev_I=-80.0, v_rest=-65.0, v_thresh=-55.0),
    m.HH_cond_exp: dict(gbar_Na=20.0, gbar_K=6.0, g_leak=0.01, cm=0.2, v_offset=-63.0,
                        e_rev_Na=50.0, e_rev_K=-90.0, e_rev_leak=-65.0, e_rev_E=0.0,
                        e_rev_I=-80.0, tau_syn_E=0.2, tau_syn_I=2.0, i_offset=0.0),
    m.EIF_cond_alpha_isfa_ista: dict(cm=0.281, tau_refrac=0.1, v_spike=-40.0, v_reset=-70.6,
                                     v_rest=-70.6, tau_m=9.3667, i_offset=0.0, a=4.0, b=0.0805,
                                     delta_T=2.0, tau_w=144.0, v_thresh=-50.4, e_rev_E=0.0,
                                     tau_syn_E=5.0, e_rev_I=-80.0, tau_syn_I=5.0),
    m.EIF_cond_exp_isfa_ista: dict(cm=0.281, tau_refrac=0.1, v_spike=-40.0, v_reset=-70.6,
                                   v_rest=-70.6, tau_m=9.3667, i_offset=0.0, a=4.0, b=0.0805,
                                   delta_T=2.0, tau_w=144.0, v_thresh=-50.4, e_rev_E=0.0,
                                   tau_syn_E=5.0, e_rev_I=-80.0, tau_syn_I=5.0),
    m.Izhikevich: dict(a=0.02, b=0.2, c=-65.0, d=2.0, i_offset=0.0),
    m.GIF_cond_exp: dict(v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=4.0, tau_syn_E=5.0,
                         tau_syn_I=5.0, e_rev_E=0.0, e_rev_I=-70.0, v_reset=-65.0, i_offset=0.0,
                         delta_v=0.5, v_t_star=-48.0, lambda0=1.0,
                         tau_eta=ArrayParameter([1.0, 10.0, 100.0]),
                         tau_gamma=ArrayParameter([1.0, 10.0, 100.0]),
                         a_eta=ArrayParameter([1.0, 1.0, 1.0]),
                         a_gamma=ArrayParameter([1.0, 1.0, 1.0])),
    m.SpikeSourcePoisson: dict(rate=1.0, start=0.0, duration=1e10),
    m.SpikeSourcePoissonRefractory: dict(rate=1.0, tau_refrac=0.0, start=0.0, duration=1e10),
    m.SpikeSourceGamma: dict(alpha=2, beta=1.0, start=0.0, duration=1e10),
    m.SpikeSourceInhGamma: dict(a=Sequence([1.0]), b=Sequence([1.0]), tbins=Sequence([0.0]),
                                start=0.0, duration=1e10),
    m.SpikeSourceArray: dict(spike_times=Sequence([])),
    m.StaticSynapse: dict(weight=0.0, delay=None),
    m.TsodyksMarkramSynapse: dict(weight=0.0, delay=None, U=0.5, tau_rec=100.0, tau_facil=0.0),
    m.SimpleStochasticSynapse: dict(weight=0.0, delay=None, p=0.5),
    m.StochasticTsodyksMarkramSynapse: dict(weight=0.0, delay=None, U=0.5, tau_rec=100.0,
                                            tau_facil=0.0),
    m.MultiQuantalSynapse: dict(weight=0.0, delay=None, U=0.5, n=1, tau_rec=800.0,
                                tau_facil=0.0),
    m.AdditiveWeightDependence: dict(w_min=0.0, w_max=1.0),
    m.MultiplicativeWeightDependence: dict(w_min=0.0, w_max=1.0),
    m.AdditivePotentiationMultiplicativeDepression: dict(w_min=0.0, w_max=1.0),
    m.GutigWeightDependence: dict(w_min=0.0, w_max=1.0, mu_plus=0.5, mu_minus=0.5),
    m.SpikePairRule: dict(tau_plus=20.0, tau_minus=20.0, A_plus=0.01, A_minus=0.01),
    m.Vogels2011Rule: dict(tau=20.0, eta=1e-10, rho=3.0),
    m.DCSource: dict(amplitude=1.0, start=0.0, stop=1e12),
    m.ACSource: dict(amplitude=1.0, start=0.0, stop=1e12, frequency=10.0, offset=0.0, phase=0.0),
    m.StepCurrentSource: dict(amplitudes=Sequence([]), times=Sequence([])),
    m.NoisyCurrentSource: dict(mean=0.0, stdev=1.0, start=0.0, stop=1e12, dt=0.1),
    m.LIF: dict(cm=1.0, tau_refrac=0.1, v_reset=-65.0, v_rest=-65.0, tau_m=20.0, i_offset=0.0,
                v_thresh=-50.0),
    m.CurrExpPostSynapticResponse: dict(tau_syn=5.0),
    m.CondExpPostSynapticResponse: dict(e_syn=0.0, tau_syn=5.0),
    m.CondAlphaPostSynapticResponse: dict(e_syn=0.0, tau_syn=5.0),
    m.CondBetaPostSynapticResponse: dict(e_syn=0.0, tau_rise=0.2, tau_decay=1.7),
}  # fmt: skip


@pytest.mark.parametrize("cls", list(EXPECTED_DEFAULTS), ids=lambda c: c.__name__)
def test_defaults_match_reference(cls):
    expected = EXPECTED_DEFAULTS[cls]
    assert cls.default_parameters == expected  # names, order-insensitive, and values
    assert cls.get_parameter_names() == list(expected)  # PyNN's declaration order
    instance = cls()
    values = instance.describe(template=None)["parameters"]
    assert values == expected


EXPECTED_INITIAL = {
    m.IF_curr_alpha: dict(v=-65.0, isyn_exc=0.0, isyn_inh=0.0),
    m.IF_curr_exp: dict(v=-65.0, isyn_exc=0.0, isyn_inh=0.0),
    m.IF_curr_delta: dict(v=-65.0),
    m.IF_cond_alpha: dict(v=-65.0, gsyn_exc=0.0, gsyn_inh=0.0),
    m.IF_cond_exp: dict(v=-65.0, gsyn_exc=0.0, gsyn_inh=0.0),
    m.IF_cond_exp_gsfa_grr: dict(v=-65.0, g_r=0.0, g_s=0.0, gsyn_exc=0.0, gsyn_inh=0.0),
    m.IF_facets_hardware1: dict(v=-65.0, gsyn_exc=0.0, gsyn_inh=0.0),
    m.HH_cond_exp: dict(v=-65.0, gsyn_exc=0.0, gsyn_inh=0.0, h=1.0, m=0.0, n=0.0),
    m.EIF_cond_alpha_isfa_ista: dict(v=-70.6, w=0.0, gsyn_exc=0.0, gsyn_inh=0.0),
    m.EIF_cond_exp_isfa_ista: dict(v=-70.6, w=0.0, gsyn_exc=0.0, gsyn_inh=0.0),
    m.Izhikevich: dict(v=-70.0, u=-14.0),
    m.GIF_cond_exp: dict(v=-65.0, v_t=-48.0, i_eta=0.0, gsyn_exc=0.0, gsyn_inh=0.0),
    m.SpikeSourcePoisson: {},
    m.SpikeSourceArray: {},
}

COND = ["spikes", "v", "gsyn_exc", "gsyn_inh"]
EXPECTED_RECORDABLE = {
    m.IF_curr_alpha: ["spikes", "v"],
    m.IF_curr_exp: ["spikes", "v"],
    m.IF_curr_delta: ["spikes", "v"],
    m.IF_cond_alpha: COND,
    m.IF_cond_exp: COND,
    m.IF_cond_exp_gsfa_grr: ["spikes", "v", "g_r", "g_s", "gsyn_exc", "gsyn_inh"],
    m.IF_facets_hardware1: COND,
    m.HH_cond_exp: COND,
    m.EIF_cond_alpha_isfa_ista: ["spikes", "v", "w", "gsyn_exc", "gsyn_inh"],
    m.EIF_cond_exp_isfa_ista: ["spikes", "v", "w", "gsyn_exc", "gsyn_inh"],
    m.Izhikevich: ["spikes", "v", "u"],
    m.GIF_cond_exp: ["spikes", "v", "gsyn_exc", "gsyn_inh", "i_eta", "v_t"],
    m.SpikeSourcePoisson: ["spikes"],
    m.SpikeSourcePoissonRefractory: ["spikes"],
    m.SpikeSourceGamma: ["spikes"],
    m.SpikeSourceInhGamma: ["spikes"],
    m.SpikeSourceArray: ["spikes"],
}


@pytest.mark.parametrize("cls", list(EXPECTED_INITIAL), ids=lambda c: c.__name__)
def test_initial_values_match_reference(cls):
    assert cls.default_initial_values == EXPECTED_INITIAL[cls]


@pytest.mark.parametrize("cls", list(EXPECTED_RECORDABLE), ids=lambda c: c.__name__)
def test_recordables_match_reference(cls):
    assert cls.recordable == EXPECTED_RECORDABLE[cls]
    assert cls.can_record("spikes") and cls().can_record("spikes")
    assert not cls.can_record("nonsense")


# (class, conductance_based, weight_unit, injectable, receptor_types)
FLAGS = [
    (m.IF_curr_alpha, False, "nA", True, ["excitatory", "inhibitory"]),
    (m.IF_curr_exp, False, "nA", True, ["excitatory", "inhibitory"]),
    (m.IF_curr_delta, False, "mV", True, ["excitatory", "inhibitory"]),
    (m.Izhikevich, False, "mV", True, ["excitatory", "inhibitory"]),
    (m.IF_cond_exp, True, "uS", True, ["excitatory", "inhibitory"]),
    (m.EIF_cond_alpha_isfa_ista, True, "uS", True, ["excitatory", "inhibitory"]),
    (m.GIF_cond_exp, True, "uS", True, ["excitatory", "inhibitory"]),
    (m.HH_cond_exp, True, "uS", True, ["excitatory", "inhibitory", "source_section.gap"]),
    (m.SpikeSourcePoisson, True, "uS", False, []),
    (m.SpikeSourceArray, True, "uS", False, []),
]


@pytest.mark.parametrize(("cls", "cond", "wunit", "inj", "receptors"), FLAGS,
                         ids=[f[0].__name__ for f in FLAGS])  # fmt: skip
def test_cell_flags(cls, cond, wunit, inj, receptors):
    assert cls.conductance_based is cond
    assert cls.weight_unit == wunit
    assert cls.injectable is inj
    assert cls.receptor_types == receptors
    assert cls.is_spike_source is (not inj)
    assert cls.voltage_based_synapses is (wunit == "mV")


@pytest.mark.parametrize(
    ("cls", "name", "unit"),
    [
        (m.IF_cond_exp, "tau_m", "ms"),
        (m.IF_cond_exp, "cm", "nF"),
        (m.IF_cond_exp, "i_offset", "nA"),
        (m.IF_cond_exp, "v", "mV"),
        (m.IF_cond_exp, "gsyn_exc", "uS"),
        (m.IF_curr_exp, "isyn_inh", "nA"),
        (m.IF_cond_exp_gsfa_grr, "q_rr", "nS"),
        (m.IF_cond_exp_gsfa_grr, "g_s", "nS"),
        (m.IF_facets_hardware1, "g_leak", "nS"),
        (m.HH_cond_exp, "g_leak", "uS"),
        (m.HH_cond_exp, "gbar_Na", "uS"),
        (m.HH_cond_exp, "h", "dimensionless"),
        (m.EIF_cond_exp_isfa_ista, "a", "nS"),
        (m.EIF_cond_exp_isfa_ista, "b", "nA"),
        (m.EIF_cond_exp_isfa_ista, "w", "nA"),
        (m.Izhikevich, "a", "1/ms"),
        (m.Izhikevich, "d", "mV/ms"),
        (m.Izhikevich, "u", "mV/ms"),
        (m.GIF_cond_exp, "lambda0", "Hz"),
        (m.GIF_cond_exp, "a_eta", "nA"),
        (m.GIF_cond_exp, "a_gamma", "mV"),
        (m.GIF_cond_exp, "i_eta", "nA"),
        (m.SpikeSourcePoisson, "rate", "Hz"),
        (m.SpikeSourceGamma, "alpha", "dimensionless"),
        (m.SpikeSourceInhGamma, "b", "s"),
        (m.SpikeSourceArray, "spike_times", "ms"),
        (m.StaticSynapse, "weight", "weight"),
        (m.StaticSynapse, "delay", "ms"),
        (m.AdditiveWeightDependence, "w_max", "weight"),
        (m.ACSource, "phase", "deg"),
        (m.ACSource, "frequency", "Hz"),
        (m.StepCurrentSource, "amplitudes", "nA"),
        (m.NoisyCurrentSource, "stdev", "nA"),
    ],
)
def test_units(cls, name, unit):
    assert cls.units[name] == unit


def _all_models():
    return [
        *m.STANDARD_CELL_TYPES.values(),
        *m.STANDARD_SYNAPSE_TYPES.values(),
        *m.STDP_COMPONENTS.values(),
        *m.STANDARD_CURRENT_SOURCES.values(),
        *m.STANDARD_CELL_COMPONENTS.values(),
        *m.STANDARD_POST_SYNAPTIC_RESPONSES.values(),
    ]


@pytest.mark.parametrize("cls", _all_models(), ids=lambda c: c.__name__)
def test_every_declaration_is_complete(cls):
    for name in cls.default_parameters:
        assert name in cls.units and name in cls.parameter_docs
    for name in cls.default_initial_values:
        assert name in cls.units
    assert "spikes" not in cls.units
    for unit in cls.units.values():
        if unit != "weight":
            pq_units(unit)  # every unit string parses
    assert set(cls.get_schema()) == set(cls.default_parameters)


def test_schema_types():
    assert m.IF_cond_exp.get_schema()["tau_m"] is float
    assert m.SpikeSourceGamma.get_schema()["alpha"] is int
    assert m.MultiQuantalSynapse.get_schema()["n"] is int
    assert m.StaticSynapse.get_schema()["delay"] is float
    assert m.SpikeSourceArray.get_schema()["spike_times"] is Sequence
    assert m.GIF_cond_exp.get_schema()["tau_eta"] is ArrayParameter


def test_registries():
    assert len(m.STANDARD_CELL_TYPES) == 17
    assert m.list_standard_models() == sorted(m.STANDARD_CELL_TYPES)
    assert "IF_cond_exp" in m.list_standard_models()
    assert set(m.STANDARD_CURRENT_SOURCES) == {
        "DCSource", "ACSource", "StepCurrentSource", "NoisyCurrentSource"
    }  # fmt: skip
    assert "STDPMechanism" in m.STANDARD_SYNAPSE_TYPES
    assert m.ExpPSR is m.CondExpPostSynapticResponse
    assert m.AlphaPSR is m.CondAlphaPostSynapticResponse
    assert m.BetaPSR is m.CondBetaPostSynapticResponse
    for name in m.__all__:
        assert hasattr(m, name)


# -- construction, conversion and validation ----------------------------------------------------


def _value(model, name):
    return model.describe(template=None)["parameters"][name]


def test_parameters_override_defaults():
    cell = m.IF_cond_exp(tau_m=10.0, v_thresh=-55.0)
    assert _value(cell, "tau_m") == 10.0
    assert _value(cell, "v_thresh") == -55.0
    assert _value(cell, "cm") == 1.0
    assert m.IF_cond_exp.default_parameters["tau_m"] == 20.0  # the class is untouched


def test_unknown_parameter():
    with pytest.raises(NonExistentParameterError) as info:
        m.IF_cond_exp(tau_mem=10.0)
    err = info.value
    assert isinstance(err, KeyError)
    assert (err.parameter_name, err.model_name) == ("tau_mem", "IF_cond_exp")
    assert "tau_m" in err.valid_parameter_names
    assert "tau_mem" in str(err) and "IF_cond_exp" in str(err)


def test_quantities_are_converted():
    assert _value(m.IF_cond_exp(tau_m=0.02 * pq.s), "tau_m") == 20.0
    assert _value(m.IF_cond_exp(i_offset=500 * pq.pA), "i_offset") == 0.5
    assert _value(m.IF_cond_exp(cm=250 * pq.pF), "cm") == 0.25
    assert _value(m.Izhikevich(a=20 * pq.Hz), "a") == 0.02
    assert _value(m.IF_cond_exp_gsfa_grr(q_sfa=0.02 * pq.uS), "q_sfa") == 20.0
    assert _value(m.StaticSynapse(weight=5 * pq.nS), "weight") == pytest.approx(0.005)
    assert _value(m.SpikeSourceArray(spike_times=[0.01, 0.02] * pq.s), "spike_times") == Sequence(
        [10.0, 20.0]
    )


def test_quantity_with_wrong_dimensions():
    with pytest.raises(InvalidParameterValueError, match=r"IF_cond_exp.*'cm'.*nF"):
        m.IF_cond_exp(cm=1 * pq.mV)


@pytest.mark.parametrize(
    ("cls", "kwargs"),
    [
        (m.IF_cond_exp, dict(tau_m=-1.0)),
        (m.IF_cond_exp, dict(cm=0.0)),
        (m.IF_cond_exp, dict(tau_syn_E=0.0)),
        (m.IF_cond_exp, dict(tau_refrac=-0.1)),
        (m.IF_curr_alpha, dict(tau_m=np.array([10.0, -1.0]))),
        (m.SpikeSourcePoisson, dict(rate=-5.0)),
        (m.SpikeSourcePoisson, dict(duration=-1.0)),
        (m.SpikeSourceGamma, dict(alpha=0)),
        (m.TsodyksMarkramSynapse, dict(U=1.5)),
        (m.SimpleStochasticSynapse, dict(p=-0.1)),
        (m.StaticSynapse, dict(delay=-1.0)),
        (m.SpikePairRule, dict(tau_plus=0.0)),
        (m.NoisyCurrentSource, dict(dt=0.0)),
        (m.NoisyCurrentSource, dict(stdev=-1.0)),
        (m.DCSource, dict(start=-1.0)),
    ],
)
def test_physically_impossible_values_are_rejected(cls, kwargs):
    (name,) = kwargs
    with pytest.raises(InvalidParameterValueError, match=rf"{cls.__name__}.*'{name}'"):
        cls(**kwargs)


def test_boundary_values_are_accepted():
    m.IF_cond_exp(tau_refrac=0.0, i_offset=-1.0, v_rest=-80.0)
    m.SpikeSourcePoisson(rate=0.0)
    m.TsodyksMarkramSynapse(U=1.0, tau_facil=0.0)
    m.STDPMechanism(dendritic_delay_fraction=0.0)


def test_string_for_a_cell_parameter_is_rejected():
    with pytest.raises(InvalidParameterValueError, match="'tau_m'"):
        m.IF_cond_exp(tau_m="20")


def test_synapse_weights_may_be_distance_expressions():
    syn = m.StaticSynapse(weight="0.1 * exp(-d / 100.0)", delay="0.1 + d / 1000.0")
    weight = syn.parameter_space["weight"].base_value
    assert isinstance(weight, DistanceExpression)
    assert weight(0.0) == pytest.approx(0.1)


def test_array_parameters():
    cell = m.GIF_cond_exp(tau_eta=[2.0, 20.0, 200.0])
    assert _value(cell, "tau_eta") == ArrayParameter([2.0, 20.0, 200.0])
    src = m.SpikeSourceArray(spike_times=[5.0, 15.0])
    assert _value(src, "spike_times") == Sequence([5.0, 15.0])
    assert isinstance(_value(src, "spike_times"), Sequence)


def test_integer_parameters():
    assert _value(m.SpikeSourceGamma(alpha=3.0), "alpha") == 3
    with pytest.raises(InvalidParameterValueError, match="'alpha'"):
        m.SpikeSourceGamma(alpha=2.5)


def test_random_values_stay_lazy():
    class FakeDistribution:
        class rng:
            parallel_safe = True

        def next(self, n=None, mask=None):
            return np.full(n, -5.0)  # would break the constraint if it were checked

    cell = m.IF_cond_exp(tau_m=FakeDistribution())
    assert not cell.parameter_space["tau_m"].is_homogeneous


def test_cells_take_keyword_arguments_only():
    with pytest.raises(TypeError, match="keyword"):
        m.IF_cond_exp(10.0)


def test_check_values():
    m.IF_cond_exp.check_values({"tau_m": np.array([1.0, 2.0]), "v_rest": -70.0})
    with pytest.raises(InvalidParameterValueError, match="'tau_m'"):
        m.IF_cond_exp.check_values({"tau_m": np.array([1.0, 0.0])})


def test_equality_repr_and_copy():
    a = m.IF_cond_exp(tau_m=10.0)
    assert a == m.IF_cond_exp(tau_m=10.0)
    assert a != m.IF_cond_exp()
    assert m.IF_cond_exp() != m.IF_curr_exp()
    assert repr(a) == "IF_cond_exp(tau_m=10.0)"
    assert copy.deepcopy(a) == a
    assert len({m.IF_cond_exp(), m.IF_cond_exp()}) == 1


def test_describe():
    cell = m.IF_cond_exp(tau_m=12.0)
    text = cell.describe()
    assert "IF_cond_exp" in text and "tau_m = 12.0 ms" in text
    context = cell.describe(template=None)
    assert context["name"] == "IF_cond_exp"
    assert context["default_initial_values"]["v"] == -65.0
    assert cell.describe(template="{name}: tau_m={parameters[tau_m]}") == "IF_cond_exp: tau_m=12.0"


# -- PointNeuron --------------------------------------------------------------------------------


def test_point_neuron_assembly():
    cell = m.PointNeuron(m.LIF(tau_m=10.0), GABA=m.ExpPSR(e_syn=-70.0), AMPA=m.ExpPSR(tau_syn=2.0))
    assert cell.receptor_types == ["AMPA", "GABA"]
    assert cell.get_parameter_names() == [
        "cm", "tau_refrac", "v_reset", "v_rest", "tau_m", "i_offset", "v_thresh",
        "AMPA.e_syn", "AMPA.tau_syn", "GABA.e_syn", "GABA.tau_syn",
    ]  # fmt: skip
    assert cell.recordable == ["spikes", "v", "AMPA.gsyn", "GABA.gsyn"]
    assert cell.can_record("GABA.gsyn") and not cell.can_record("NMDA.gsyn")
    # LIF's initial v is -70.6 mV in PyNN 0.13 (not v_rest)
    assert cell.default_initial_values == {"v": -70.6, "AMPA.gsyn": 0.0, "GABA.gsyn": 0.0}
    assert cell.units["AMPA.gsyn"] == "uS" and cell.units["GABA.e_syn"] == "mV"
    assert cell.conductance_based and cell.weight_unit == "uS" and cell.injectable
    values = cell.describe(template=None)["parameters"]
    assert values["tau_m"] == 10.0
    assert values["AMPA.tau_syn"] == 2.0 and values["AMPA.e_syn"] == 0.0
    assert values["GABA.e_syn"] == -70.0 and values["GABA.tau_syn"] == 5.0
    assert cell.has_parameter("AMPA.tau_syn") and not m.PointNeuron.has_parameter("AMPA.tau_syn")


def test_point_neuron_current_based_and_adexp():
    cell = m.PointNeuron(m.AdExp(), syn=m.CurrExpPostSynapticResponse(tau_syn=3.0))
    assert not cell.conductance_based and cell.weight_unit == "nA"
    assert cell.recordable == ["spikes", "v", "w", "syn.isyn"]
    assert cell.units["syn.isyn"] == "nA"
    assert cell.default_initial_values["w"] == 0.0


def test_point_neuron_validation():
    with pytest.raises(InvalidModelError, match="mix"):
        m.PointNeuron(m.LIF(), a=m.ExpPSR(), b=m.CurrExpPostSynapticResponse())
    with pytest.raises(InvalidModelError):
        m.PointNeuron(m.IF_cond_exp(), a=m.ExpPSR())
    with pytest.raises(InvalidModelError):
        m.PointNeuron(m.LIF(), a=m.LIF())
    with pytest.raises(InvalidParameterValueError, match="'tau_syn'"):
        m.CondExpPostSynapticResponse(tau_syn=-1.0)


def test_point_neuron_parameter_space_checks_dotted_names():
    cell = m.PointNeuron(m.LIF(), AMPA=m.ExpPSR())
    cell.parameter_space.update(**{"AMPA.tau_syn": 0.003 * pq.s})
    assert float(cell.parameter_space["AMPA.tau_syn"]) == 3.0
    with pytest.raises(InvalidParameterValueError, match="'AMPA.tau_syn'"):
        cell.parameter_space.update(**{"AMPA.tau_syn": -1.0})
    with pytest.raises(NonExistentParameterError):
        cell.parameter_space.update(**{"NMDA.tau_syn": 1.0})


# -- synapses and STDP ----------------------------------------------------------------------------


def test_synapse_defaults_and_initial_values():
    syn = m.StaticSynapse()
    assert syn.parameter_space["delay"] is None
    assert m.TsodyksMarkramSynapse.default_initial_values == {"u": 0.0}


def test_stdp_components_accept_positional_arguments():
    rule = m.SpikePairRule(10.0, 30.0, 0.02, 0.03)
    assert rule.describe(template=None)["parameters"] == dict(
        tau_plus=10.0, tau_minus=30.0, A_plus=0.02, A_minus=0.03
    )
    assert _value(m.AdditiveWeightDependence(0.0, 0.05), "w_max") == 0.05
    with pytest.raises(TypeError, match="positional"):
        m.AdditiveWeightDependence(0.0, 1.0, 2.0)
    with pytest.raises(TypeError, match="multiple"):
        m.AdditiveWeightDependence(0.0, w_min=0.1)


def test_stdp_mechanism():
    td = m.SpikePairRule(tau_plus=15.0, A_plus=0.02)
    wd = m.MultiplicativeWeightDependence(w_max=0.04)
    stdp = m.STDPMechanism(timing_dependence=td, weight_dependence=wd, weight=0.01, delay=1.5)
    assert stdp.timing_dependence is td and stdp.weight_dependence is wd
    assert stdp.voltage_dependence is None
    assert stdp.get_parameter_names() == [
        "weight", "delay", "dendritic_delay_fraction",
        "tau_plus", "tau_minus", "A_plus", "A_minus", "w_min", "w_max",
    ]  # fmt: skip
    values = stdp.describe(template=None)["parameters"]
    assert values["weight"] == 0.01 and values["delay"] == 1.5
    assert values["tau_plus"] == 15.0 and values["A_plus"] == 0.02 and values["w_max"] == 0.04
    assert stdp.dendritic_delay_fraction == 1.0
    assert stdp.units["w_max"] == "weight" and stdp.units["tau_plus"] == "ms"
    assert m.STDPMechanism(td, wd).parameter_space["delay"] is None
    with pytest.raises(InvalidParameterValueError, match="'tau_minus'"):
        stdp.parameter_space.update(tau_minus=-5.0)


def test_stdp_mechanism_validation():
    with pytest.raises(InvalidModelError, match="timing_dependence"):
        m.STDPMechanism(timing_dependence=m.AdditiveWeightDependence())
    with pytest.raises(InvalidModelError, match="weight_dependence"):
        m.STDPMechanism(weight_dependence=m.SpikePairRule())
    with pytest.raises(InvalidModelError, match="clash"):
        m.STDPMechanism(
            weight_dependence=m.AdditiveWeightDependence(),
            voltage_dependence=m.GutigWeightDependence(),
        )
    with pytest.raises(InvalidParameterValueError, match="dendritic_delay_fraction"):
        m.STDPMechanism(dendritic_delay_fraction=1.5)


# -- current sources ------------------------------------------------------------------------------


class FakeSimulation:
    def __init__(self):
        self.calls = []

    def inject(self, source, cells):
        self.calls.append(("inject", source, cells))

    def update_source(self, source):
        self.calls.append(("update", source.get_parameters()))

    def record_source(self, source):
        self.calls.append(("record", source))

    def source_data(self, source):
        self.calls.append(("data", source))
        return "signal"


class FakePopulation:
    def __init__(self, celltype):
        self.celltype = celltype


@pytest.fixture
def sim(monkeypatch):
    fake = FakeSimulation()
    monkeypatch.setattr(simulation, "current_simulation", lambda: fake)
    return fake


def test_current_source_attribute_access():
    src = m.DCSource(amplitude=0.5, start=10.0)
    assert src.amplitude == 0.5 and type(src.amplitude) is float
    assert src.stop == 1e12
    src.amplitude = 2.0
    assert src.amplitude == 2.0
    src.set_parameters(start=20.0, stop=30.0)
    assert src.get_parameters() == {"amplitude": 2.0, "start": 20.0, "stop": 30.0}
    assert src == m.DCSource(amplitude=2.0, start=20.0, stop=30.0)


def test_current_source_set_is_an_attribute_error_with_a_hint():
    with pytest.raises(AttributeError, match="set_parameters"):
        m.DCSource().set(amplitude=1.0)


def test_current_source_unknown_attribute():
    src = m.ACSource()
    with pytest.raises(NonExistentParameterError):
        src.amplitud  # noqa: B018
    assert not hasattr(src, "amplitud")
    assert getattr(src, "amplitud", "default") == "default"
    with pytest.raises(NonExistentParameterError):
        src.set_parameters(amplitud=1.0)


def test_current_source_quantities_and_validation():
    assert m.DCSource(amplitude=500 * pq.pA).amplitude == 0.5
    assert m.ACSource(frequency=0.5 * pq.kHz).frequency == 500.0
    with pytest.raises(InvalidParameterValueError, match="'amplitude'"):
        m.DCSource(amplitude=1 * pq.mV)
    with pytest.raises(InvalidParameterValueError, match="stop"):
        m.DCSource(start=50.0, stop=10.0)
    src = m.DCSource()
    with pytest.raises(InvalidParameterValueError):
        src.stop = -1.0
    assert src.stop == 1e12  # a rejected change leaves the source unchanged
    with pytest.raises(InvalidParameterValueError, match="single value"):
        m.DCSource(amplitude=np.array([1.0, 2.0]))


def test_step_current_source():
    src = m.StepCurrentSource(amplitudes=[0.1, 0.2, 0.0], times=[10.0, 20.0, 30.0])
    # read as arrays, indexable as in PyNN (scripts do ``src.times[0] / dt``)
    np.testing.assert_array_equal(src.amplitudes, [0.1, 0.2, 0.0])
    assert isinstance(src.times, np.ndarray) and src.times[1] == 20.0
    assert src.get_parameters()["times"] == Sequence([10.0, 20.0, 30.0])
    src.set_parameters(amplitudes=[1.0], times=[5.0])
    np.testing.assert_array_equal(src.times, [5.0])
    with pytest.raises(InvalidParameterValueError, match="equal length"):
        m.StepCurrentSource(amplitudes=[0.1, 0.2], times=[10.0])
    with pytest.raises(InvalidParameterValueError, match="increasing"):
        m.StepCurrentSource(amplitudes=[0.1, 0.2], times=[20.0, 10.0])
    with pytest.raises(InvalidParameterValueError, match="increasing"):
        m.StepCurrentSource(amplitudes=[0.1, 0.2], times=[10.0, 10.0])


def test_current_source_simulation_hooks(sim):
    src = m.NoisyCurrentSource(mean=0.1)
    src.stdev = 0.5  # not injected yet: nothing to update
    assert sim.calls == []
    pop = FakePopulation(m.IF_cond_exp())
    src.inject_into(pop)
    assert sim.calls[0] == ("inject", src, pop)
    src.mean = 0.2
    assert sim.calls[1] == ("update", dict(mean=0.2, stdev=0.5, start=0.0, stop=1e12, dt=0.1))
    src.record()
    assert sim.calls[2] == ("record", src)
    assert src.get_data() == "signal"


def test_current_source_cannot_inject_into_spike_sources(sim):
    with pytest.raises(TypeError, match="SpikeSourcePoisson"):
        m.DCSource().inject_into(FakePopulation(m.SpikeSourcePoisson()))
    assert sim.calls == []
