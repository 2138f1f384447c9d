"""Bad input raises a specific exception at the offending call, before anything runs, and
leaves the simulation usable: the network built so far still runs."""

from __future__ import annotations

import numpy as np
import pytest
import quantities as pq

from pynn_uni import errors
from pynn_uni.testing.scenarios.honesty import STANDARD_CELL_TYPES


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


@pytest.mark.model("IF_curr_exp")
def test_unsupported_model_raises_and_simulation_survives(sim, capabilities):
    undeclared = [m for m in STANDARD_CELL_TYPES if m not in capabilities.models]
    if not undeclared:
        pytest.skip(f"{capabilities.backend} declares every standard cell type")
    cells = _cells(sim)
    with pytest.raises(errors.NotSupportedError) as info:
        sim.Population(1, getattr(sim, undeclared[0])())
    assert undeclared[0] in str(info.value)
    sim.run(10.0)
    assert len(cells) == 2 and abs(sim.get_current_time() - 10.0) < 1e-9
