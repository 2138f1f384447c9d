"""Growing the network between runs on NEURON (docs/differences.md).

PyNN leaves it to each backend whether the network may change structure between runs.
NEURON starts cells and synapse state only in ``finitialize`` (which restarts every cell),
so after ``run()`` a new Population or stateful Projection is refused before anything is
made, while a static Projection (a NetCon has no state) works; ``reset()`` lifts the limit.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("neuron")

import pynn_uni.neuron as sim  # noqa: E402
from pynn_uni import errors  # noqa: E402

DT = 0.1
#: IF_curr_exp defaults: tau_m = 20 ms, cm = 1 nF, v_rest = -65 mV, v_thresh = -50 mV
I_OFFSET, TAU, R = 1.0, 20.0, 20.0


def _lif_v(t):
    """Membrane under i_offset from rest: v_rest + R I (1 - exp(-t / tau_m))."""
    return -65.0 + R * I_OFFSET * (1.0 - np.exp(-t / TAU))


def _v(pop):
    return pop.get_data().segments[-1].filter(name="v")[0].magnitude[:, 0]


@pytest.fixture
def driven():
    sim.setup(timestep=DT)
    cell = sim.Population(1, sim.IF_curr_exp(i_offset=I_OFFSET), label="driven")
    cell.record("v")
    yield cell
    sim.end()


def test_population_after_run_is_refused_and_the_run_goes_on(driven):
    sim.run(10.0)
    with pytest.raises(errors.NotSupportedError, match="'late'.*reset"):
        sim.Population(1, sim.IF_curr_exp(), label="late")
    backend = driven._simulation.backend  # refused before any NEURON object was made
    assert len(backend.pops) == 1 and backend.objects.size == 1
    sim.run(10.0)
    t = DT * np.arange(201)
    np.testing.assert_allclose(_v(driven), _lif_v(t), atol=1e-6)


def test_stateful_projection_after_run_is_refused(driven):
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[15.0]))
    sim.run(10.0)
    with pytest.raises(errors.NotSupportedError, match="TsodyksMarkramSynapse"):
        sim.Projection(source, driven, sim.AllToAllConnector(), sim.TsodyksMarkramSynapse())
    sim.run(10.0)  # no input arrived: the membrane is still the LIF solution
    np.testing.assert_allclose(_v(driven), _lif_v(DT * np.arange(201)), atol=1e-6)


def test_population_after_reset_starts_at_its_initial_values(driven):
    sim.run(10.0)
    sim.reset()
    late = sim.Population(1, sim.IF_curr_exp(i_offset=I_OFFSET), label="late")
    late.record("v")
    sim.run(20.0)
    t = DT * np.arange(201)
    np.testing.assert_allclose(_v(late), _lif_v(t), atol=1e-6)
    np.testing.assert_allclose(_v(driven), _lif_v(t), atol=1e-6)


def _static_after_run(backend):
    """A static projection made at t = 10 ms carries spikes at 15 and 25 ms (NEST fixes its
    delay range at the first run, hence max_delay)."""
    backend.setup(timestep=DT, min_delay=DT, max_delay=5.0)
    source = backend.Population(1, backend.SpikeSourceArray(spike_times=[5.0, 15.0, 25.0]))
    cells = backend.Population(2, backend.IF_curr_exp())
    cells.record("v")
    backend.run(10.0)
    backend.Projection(
        source, cells, backend.AllToAllConnector(), backend.StaticSynapse(weight=1.0, delay=1.0)
    )
    backend.run(30.0)
    v = _v(cells)
    backend.end()
    return v


def test_static_projection_after_run_matches_nest():
    pytest.importorskip("nest")
    import pynn_uni.nest as nest_sim

    v_nrn, v_nest = _static_after_run(sim), _static_after_run(nest_sim)
    t = DT * np.arange(v_nrn.size)
    np.testing.assert_allclose(v_nrn[t <= 16.0], -65.0, atol=1e-9)  # the 5 ms spike is lost
    assert v_nrn[t > 16.0].max() > -64.0, "the 15 ms spike should arrive at 16 ms"
    assert np.max(np.abs(v_nrn - v_nest)) < 1e-6
