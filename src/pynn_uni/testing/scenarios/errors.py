"""Bad input raises a specific exception at the offending call, before anything runs, and
leaves the simulation usable: the network built so far still runs."""

from __future__ import annotations

import numpy as np
import pytest
import quantities as pq

from pynn_uni import errors
from pynn_uni.testing.scenarios.honesty import (
    STANDARD_CELL_TYPES,
    STANDARD_CURRENT_SOURCES,
    STANDARD_SYNAPSE_TYPES,
)


def _cells(sim, n=2):
    return sim.Population(n, sim.IF_curr_exp())


def _unknown_parameter(sim, cells):
    sim.IF_curr_exp(tau_mm=10.0)


def _unknown_parameter_in_set(sim, cells):
    cells.set(tau_mm=10.0)


def _wrong_unit(sim, cells):
    sim.IF_curr_exp(tau_m=10.0 * pq.mV)


def _wrong_unit_in_set(sim, cells):
    cells.set(cm=1.0 * pq.ms)


def _projection(sim, cells, connector, **synapse):
    sim.Projection(cells, cells, connector, sim.StaticSynapse(**synapse))


def _negative_delay(sim, cells):
    _projection(sim, cells, sim.AllToAllConnector(), weight=0.1, delay=-1.0)


def _negative_delay_array(sim, cells):
    delays = sim.RandomDistribution("uniform", (-0.5, -0.5 + 1e-9), rng=sim.NumpyRNG(1))
    _projection(sim, cells, sim.AllToAllConnector(), weight=0.1, delay=delays)


def _delay_below_timestep(sim, cells):
    _projection(sim, cells, sim.AllToAllConnector(), weight=0.1, delay=0.05)


def _from_list_out_of_range(sim, cells):
    _projection(sim, cells, sim.FromListConnector([(0, 1, 0.1, 1.0), (0, 5, 0.1, 1.0)]))


def _array_wrong_shape(sim, cells):
    _projection(sim, cells, sim.ArrayConnector(np.ones((3, 3), dtype=bool)), weight=0.1)


def _probability_out_of_range(sim, cells):
    _projection(sim, cells, sim.FixedProbabilityConnector(1.5), weight=0.1)


def _unrecordable(sim, cells):
    cells.record("gsyn_exc")  # current-based: there is no conductance


def _unknown_variable(sim, cells):
    cells.record(["v", "no_such_variable"])


BAD_INPUTS = {
    # case: (action, exception, text the message must contain)
    "unknown_parameter": (_unknown_parameter, errors.NonExistentParameterError, "tau_mm"),
    "unknown_parameter_in_set": (
        _unknown_parameter_in_set,
        errors.NonExistentParameterError,
        "tau_mm",
    ),
    "wrong_unit": (_wrong_unit, errors.InvalidParameterValueError, "tau_m"),
    "wrong_unit_in_set": (_wrong_unit_in_set, errors.InvalidParameterValueError, "cm"),
    # a scalar negative delay is refused by the synapse type itself, before any Projection
    "negative_delay": (_negative_delay, errors.InvalidParameterValueError, "-1"),
    "negative_delay_in_array": (_negative_delay_array, errors.ConnectionError, "negative delay"),
    "delay_below_timestep": (_delay_below_timestep, errors.ConnectionError, "0.05"),
    "from_list_out_of_range": (_from_list_out_of_range, errors.InvalidDimensionsError, "5"),
    "array_wrong_shape": (_array_wrong_shape, errors.InvalidDimensionsError, "3"),
    "probability_out_of_range": (
        _probability_out_of_range,
        errors.InvalidParameterValueError,
        "1.5",
    ),
    "unrecordable": (_unrecordable, errors.RecordingError, "gsyn_exc"),
    "unknown_variable": (_unknown_variable, errors.RecordingError, "no_such_variable"),
}


@pytest.mark.model("IF_curr_exp")
@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_raises_and_simulation_survives(sim, case):
    action, exception, text = BAD_INPUTS[case]
    cells = _cells(sim)
    cells.record("v")
    with pytest.raises(exception) as info:
        action(sim, cells)
    assert text in str(info.value), f"message {str(info.value)!r} does not name {text!r}"
    assert sim.get_current_time() == 0.0
    sim.run(10.0)
    assert abs(sim.get_current_time() - 10.0) < 1e-9
    assert cells.get_data().segments[0].analogsignals[0].shape == (101, 2)


def test_error_classes_keep_builtin_bases():
    """Scripts catch KeyError / ValueError; PyNN's classes subclass them."""
    assert issubclass(errors.NonExistentParameterError, KeyError)
    assert issubclass(errors.InvalidParameterValueError, ValueError)
    assert issubclass(errors.InvalidDimensionsError, ValueError)
    assert issubclass(errors.NotSupportedError, NotImplementedError)


#: PyNN's STDP components, as the [limits] stdp_* lists of capabilities.toml name them
STDP_TIMING_DEPENDENCES = ("SpikePairRule", "Vogels2011Rule")
STDP_WEIGHT_DEPENDENCES = (
    "AdditiveWeightDependence",
    "MultiplicativeWeightDependence",
    "AdditivePotentiationMultiplicativeDepression",
    "GutigWeightDependence",
)


def _first_declared_cell_type(capabilities) -> str | None:
    """The first standard, non-source cell type the backend declares."""
    cells = [m for m in STANDARD_CELL_TYPES if not m.startswith("SpikeSource")]
    return next((m for m in cells if m in capabilities.models), None)


def undeclared_items(capabilities) -> dict[str, tuple]:
    """Every standard item the backend does not declare: name -> (action(sim, cells), name
    the error must contain).  Cell types, synapse types, current sources, and STDP
    timing/weight combinations outside the declared ``[limits] stdp_*`` lists."""
    items: dict[str, tuple] = {}
    for model in STANDARD_CELL_TYPES:
        if model not in capabilities.models:
            items[model] = (lambda sim, cells, m=model: sim.Population(1, getattr(sim, m)()), model)
    for name, make in STANDARD_SYNAPSE_TYPES.items():
        if name not in capabilities.synapse_types:
            items[name] = (lambda sim, cells, mk=make: _connect(sim, cells, mk(sim)), name)
    for name, params in STANDARD_CURRENT_SOURCES.items():
        if name not in capabilities.current_sources:
            items[name] = (
                lambda sim, cells, n=name, p=params: getattr(sim, n)(**p).inject_into(cells),
                name,
            )
    if "STDPMechanism" in capabilities.synapse_types:
        timing = capabilities.limits.get("stdp_timing_dependences", STDP_TIMING_DEPENDENCES)
        weight = capabilities.limits.get("stdp_weight_dependences", STDP_WEIGHT_DEPENDENCES)
        for td in STDP_TIMING_DEPENDENCES:
            for wd in STDP_WEIGHT_DEPENDENCES:
                if td not in timing or wd not in weight:
                    items[f"STDPMechanism({td}, {wd})"] = (
                        lambda sim, cells, t=td, w=wd: _connect(sim, cells, _stdp(sim, t, w)),
                        td if td not in timing else wd,
                    )
    return items


def _connect(sim, cells, synapse) -> None:
    sim.Projection(cells, cells, sim.AllToAllConnector(), synapse)


def _stdp(sim, timing: str, weight: str):
    return sim.STDPMechanism(
        timing_dependence=getattr(sim, timing)(),
        weight_dependence=getattr(sim, weight)(),
        weight=0.001,
        delay=1.0,
    )


def test_unsupported_model_raises_and_simulation_survives(sim, capabilities):
    """Each undeclared item raises NotSupportedError naming it, at the call that would use
    it; the network built so far then runs and records as if nothing had happened."""
    model = _first_declared_cell_type(capabilities)
    assert model is not None, f"{capabilities.path} declares no standard cell type"
    undeclared = undeclared_items(capabilities)
    if not undeclared:
        pytest.skip(f"{capabilities.path} declares every standard item")
    cells = sim.Population(2, getattr(sim, model)())
    cells.record("v")
    for item, (action, text) in undeclared.items():
        with pytest.raises(errors.NotSupportedError) as info:
            action(sim, cells)
        assert text in str(info.value), f"{item}: message {str(info.value)!r} lacks {text!r}"
    assert sim.get_current_time() == 0.0
    sim.run(10.0)
    assert abs(sim.get_current_time() - 10.0) < 1e-9
    assert cells.get_data().segments[0].analogsignals[0].shape == (101, 2)
