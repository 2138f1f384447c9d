"""A backend does what its capabilities.toml says, and refuses the rest.

Every declared cell type can be created, connected on each receptor, recorded (every
declared recordable) and run; every declared synapse type and current source can be used;
every standard component the backend leaves undeclared raises NotSupportedError at the
call that would use it, before anything runs.
"""

from __future__ import annotations

import pytest

from pynn_uni import errors

#: PyNN 0.13's standard cell types (union of NEST and NEURON; composite PointNeuron and
#: multicompartment cells excepted: they cannot be built from defaults).
STANDARD_CELL_TYPES = (
    "IF_curr_alpha",
    "IF_curr_exp",
    "IF_curr_delta",
    "IF_cond_alpha",
    "IF_cond_exp",
    "IF_cond_exp_gsfa_grr",
    "IF_facets_hardware1",
    "HH_cond_exp",
    "EIF_cond_alpha_isfa_ista",
    "EIF_cond_exp_isfa_ista",
    "Izhikevich",
    "GIF_cond_exp",
    "SpikeSourcePoisson",
    "SpikeSourcePoissonRefractory",
    "SpikeSourceGamma",
    "SpikeSourceInhGamma",
    "SpikeSourceArray",
)


def _stdp(sim, **kw):
    return sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(),
        weight_dependence=sim.AdditiveWeightDependence(),
        **kw,
    )


STANDARD_SYNAPSE_TYPES = {
    "StaticSynapse": lambda sim, **kw: sim.StaticSynapse(**kw),
    "TsodyksMarkramSynapse": lambda sim, **kw: sim.TsodyksMarkramSynapse(**kw),
    "STDPMechanism": _stdp,
    "SimpleStochasticSynapse": lambda sim, **kw: sim.SimpleStochasticSynapse(p=0.5, **kw),
    "StochasticTsodyksMarkramSynapse": lambda sim, **kw: sim.StochasticTsodyksMarkramSynapse(**kw),
    "MultiQuantalSynapse": lambda sim, **kw: sim.MultiQuantalSynapse(**kw),
}

STANDARD_CURRENT_SOURCES = {
    "DCSource": dict(amplitude=0.1, start=2.0, stop=8.0),
    "ACSource": dict(amplitude=0.1, frequency=100.0, start=2.0, stop=8.0),
    "StepCurrentSource": dict(times=[2.0, 6.0], amplitudes=[0.1, 0.0]),
    "NoisyCurrentSource": dict(mean=0.0, stdev=0.1, start=2.0, stop=8.0),
}

#: small weights (uS, nA or mV): the point is that each receptor accepts input
_WEIGHT = 0.01


def _connect_every_receptor(sim, cells) -> int:
    celltype = cells.celltype
    receptors = [r for r in celltype.receptor_types if "gap" not in r]
    if not receptors:
        return 0
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0]))
    for receptor in receptors:
        inhibitory = "inh" in receptor.lower() or "gaba" in receptor.lower()
        sign = -1.0 if inhibitory and not celltype.conductance_based else 1.0
        sim.Projection(
            source,
            cells,
            sim.AllToAllConnector(),
            sim.StaticSynapse(weight=sign * _WEIGHT, delay=1.0),
            receptor_type=receptor,
        )
    return len(receptors)


@pytest.mark.parametrize("model", STANDARD_CELL_TYPES)
def test_cell_type_matches_declaration(sim, capabilities, model):
    assert hasattr(sim, model), f"{model} missing from the sim namespace (PyNN's union)"
    if model not in capabilities.models:
        with pytest.raises(errors.NotSupportedError) as info:
            sim.Population(2, getattr(sim, model)())
        assert model in str(info.value)
        sim.run(10.0)
        return
    celltype = getattr(sim, model)()
    cells = sim.Population(2, celltype)
    recordables = list(capabilities.recordables.get(model) or celltype.recordable)
    assert recordables, f"{model} declares nothing recordable"
    cells.record(recordables)
    _connect_every_receptor(sim, cells)
    sim.run(10.0)
    segment = cells.get_data().segments[0]
    analog = {s.name: s for s in segment.analogsignals}
    assert set(analog) == set(recordables) - {"spikes"}
    for name, sig in analog.items():
        assert sig.shape == (101, 2), f"{model}.{name}: shape {sig.shape}"
    if "spikes" in recordables:
        assert len(segment.spiketrains) == 2


def test_declared_extra_models_exist(sim, capabilities):
    """Declared cell types beyond the standard ones must at least be in the namespace."""
    missing = [m for m in capabilities.models - set(STANDARD_CELL_TYPES) if not hasattr(sim, m)]
    assert not missing, f"declared in {capabilities.path} but not in the sim namespace: {missing}"


@pytest.mark.model("SpikeSourceArray", "IF_curr_exp")
@pytest.mark.parametrize("name", list(STANDARD_SYNAPSE_TYPES))
def test_synapse_type_matches_declaration(sim, capabilities, name):
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[2.0]))
    cells = sim.Population(1, sim.IF_curr_exp())
    make = STANDARD_SYNAPSE_TYPES[name]
    if name not in capabilities.synapse_types:
        with pytest.raises(errors.NotSupportedError) as info:
            sim.Projection(source, cells, sim.AllToAllConnector(), make(sim, weight=_WEIGHT))
        assert name in str(info.value)
        sim.run(10.0)
        return
    prj = sim.Projection(
        source, cells, sim.AllToAllConnector(), make(sim, weight=_WEIGHT, delay=1.0)
    )
    sim.run(10.0)
    assert len(prj.get("weight", format="list")) == 1


@pytest.mark.model("IF_curr_exp")
@pytest.mark.parametrize("name", list(STANDARD_CURRENT_SOURCES))
def test_current_source_matches_declaration(sim, capabilities, name):
    cells = sim.Population(1, sim.IF_curr_exp())
    cells.record("v")
    params = STANDARD_CURRENT_SOURCES[name]
    if name not in capabilities.current_sources:
        with pytest.raises(errors.NotSupportedError) as info:
            getattr(sim, name)(**params).inject_into(cells)
        assert name in str(info.value)
    else:
        getattr(sim, name)(**params).inject_into(cells)
    sim.run(10.0)
    assert abs(sim.get_current_time() - 10.0) < 1e-9


def test_capabilities_file_is_shipped(capabilities):
    """The suite can only judge a backend that declares what it does."""
    assert capabilities.path is not None, (
        f"backend {capabilities.backend!r} ships no capabilities.toml beside its module"
    )
    assert capabilities.models, f"{capabilities.path} declares no models"
