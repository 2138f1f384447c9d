"""SpikeSourcePoisson cells on NEST have ids of their own and get NEST nodes only when
needed (nest/source_routing.py): behind one shared generator no per-cell generator
exists, and whatever path makes them later, each cell is still one Poisson train of its
own rate.  Rates are checked through parrot neurons, which repeat every input spike:
a count over T seconds is Poisson with mean rate * T."""

import numpy as np
import pytest

RATES = np.array([5.0, 20.0, 80.0, 160.0])
T = 10_000.0  # ms


@pytest.fixture
def nest():
    import nest

    return nest


def _parrots(sim, n):
    return sim.Population(n, sim.native_cell_type("parrot_neuron")(), label="parrots")


def _feed(sim, src, parrots, delay=1.0):
    return sim.Projection(src, parrots, sim.OneToOneConnector(),
                          sim.StaticSynapse(weight=1.0, delay=delay))  # fmt: skip


def _assert_rates(parrots, rates, duration):
    counts = np.array([len(s) for s in parrots.get_data().segments[-1].spiketrains])
    mean = np.asarray(rates) * duration / 1000.0
    assert np.all(np.abs(counts - mean) < 5 * np.sqrt(mean)), (counts, mean)


def test_a_shared_generator_leaves_no_node_per_cell(sim, nest):
    """200 one-to-one sources of one rate: NEST holds the 200 targets, one generator and
    one recorder, nothing else."""
    src = sim.Population(200, sim.SpikeSourcePoisson(rate=50.0))
    cells = sim.Population(200, sim.IF_cond_exp())
    sim.Projection(src, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.01))
    cells.record("spikes")
    assert nest.network_size == 201  # the cells and the recorder
    sim.run(10.0)
    assert nest.network_size == 202
    ids = np.asarray(src.all_cells, np.int64)
    assert len(np.unique(np.concatenate([ids, cells.all_cells]))) == 400
    assert ids.min() > nest.network_size
    assert [src.id_to_index(i) for i in ids[[0, 7, 199]]] == [0, 7, 199]


def test_cells_of_different_rates_each_get_their_generator(sim, nest):
    src = sim.Population(4, sim.SpikeSourcePoisson(rate=RATES))
    parrots = _parrots(sim, 4)
    _feed(sim, src, parrots)
    parrots.record("spikes")
    sim.run(T)
    assert nest.network_size == 4 + 4 + 1  # generators, parrots, recorder
    _assert_rates(parrots, RATES, T)


def test_rates_set_before_the_first_run_reach_the_generators(sim):
    src = sim.Population(4, sim.SpikeSourcePoisson(rate=1.0))
    src.set(rate=RATES)
    parrots = _parrots(sim, 4)
    _feed(sim, src, parrots)
    parrots.record("spikes")
    sim.run(T)
    _assert_rates(parrots, RATES, T)


def test_a_source_connected_after_the_first_run(sim):
    sim.run(5.0)  # (fixes NEST's delay range at the one timestep)
    src = sim.Population(4, sim.SpikeSourcePoisson(rate=RATES, start=5.0))
    parrots = _parrots(sim, 4)
    _feed(sim, src, parrots, delay=0.1)
    parrots.record("spikes")
    sim.run(T)
    _assert_rates(parrots, RATES, T)


def test_recorded_sources_feed_relays_of_their_own_rate(sim):
    """Recording needs parrots; the deferred cells' generators are made to feed them."""
    src = sim.Population(4, sim.SpikeSourcePoisson(rate=RATES))
    src.record("spikes")
    sim.run(T)
    _assert_rates(src, RATES, T)


def test_native_handle_makes_the_generators(sim, nest):
    src = sim.Population(3, sim.SpikeSourcePoisson(rate=[1.0, 2.0, 3.0]))
    nodes = src.node_collection
    assert len(nodes) == 3 and nest.network_size == 3
    assert set(nodes.get("model")) <= {"poisson_generator", "poisson_generator_ps"}
    np.testing.assert_array_equal(nodes.get("rate"), [1.0, 2.0, 3.0])
    assert src[1]._cell.get("rate") == 2.0


def test_reset_repeats_ids_nodes_and_spikes(sim, nest):
    src = sim.Population(4, sim.SpikeSourcePoisson(rate=RATES))
    parrots = _parrots(sim, 4)
    _feed(sim, src, parrots)
    parrots.record("spikes")
    sim.run(500.0)
    ids, size = list(src.all_cells), nest.network_size
    first = [np.asarray(s) for s in parrots.get_data().segments[0].spiketrains]
    sim.reset()
    sim.run(500.0)
    again = [np.asarray(s) for s in parrots.get_data().segments[1].spiketrains]
    assert list(src.all_cells) == ids and nest.network_size == size
    assert sum(len(s) for s in first) > 50
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)


def test_assembly_of_sources_and_neurons_as_presynaptic(sim):
    """A deferred source inside an Assembly is relayed; connections read back by index."""
    src = sim.Population(3, sim.SpikeSourcePoisson(rate=RATES[:3]))
    cells = sim.Population(2, sim.IF_cond_exp())
    parrots = _parrots(sim, 5)
    prj = sim.Projection(src + cells, parrots, sim.OneToOneConnector(),
                         sim.StaticSynapse(weight=1.0, delay=1.0))  # fmt: skip
    parrots.record("spikes")
    sim.run(T)
    rows = sorted((int(i), int(j)) for i, j in prj.get([], format="list"))
    assert rows == [(i, i) for i in range(5)]
    _assert_rates(parrots[:3], RATES[:3], T)
