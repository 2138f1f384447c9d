"""Projection.get/set/reset on NEST agree with what NEST itself holds.

Static projections are answered from what pynn_uni gave nest.Connect (NEST reads one status
dictionary per connection); these tests read NEST directly with nest.GetConnections and
compare, after connecting, after set(), after a run and after reset(); plastic (STDP)
weights must be NEST's own after a run that changed them.
"""

import numpy as np
import pytest

from pynn_uni.random import NumpyRNG, RandomDistribution

NS_PER_US = 1000.0  # NEST's conductance weights are in nS


def _nest_rows(prj, sources="cells"):
    """(pre index, post index, weight uS, delay ms) of NEST's connections, sorted.
    ``sources``: 'cells' (NEST's sources are the cells), 'parrots' (a relay: one parrot
    per cell, in order, each with connections) or 'one_to_one' (a shared generator)."""
    import nest

    conns = nest.GetConnections(synapse_model=prj.nest_synapse_model)
    data = conns.get(["source", "target", "weight", "delay"])
    pre_ids, post_ids = np.asarray(prj.pre.all_cells, int), np.asarray(prj.post.all_cells, int)
    source = np.asarray(data["source"])
    if sources == "parrots":
        pre = np.unique(source, return_inverse=True)[1]
    elif sources == "one_to_one":
        pre = np.searchsorted(post_ids, np.asarray(data["target"]))
    else:
        pre = np.searchsorted(pre_ids, source)
    post = np.searchsorted(post_ids, np.asarray(data["target"]))
    rows = np.column_stack([pre, post, np.asarray(data["weight"]) / NS_PER_US, data["delay"]])
    return rows[np.lexsort((rows[:, 3], rows[:, 2], rows[:, 1], rows[:, 0]))]


def _our_rows(prj):
    rows = np.array(prj.get(["weight", "delay"], format="list"), dtype=float).reshape(-1, 4)
    return rows[np.lexsort((rows[:, 3], rows[:, 2], rows[:, 1], rows[:, 0]))]


def _agree(prj, sources="cells"):
    ours, theirs = _our_rows(prj), _nest_rows(prj, sources)
    assert len(ours) == len(theirs) == len(prj)
    np.testing.assert_array_equal(ours[:, :2], theirs[:, :2])
    np.testing.assert_allclose(ours[:, 2], theirs[:, 2], rtol=1e-12)
    np.testing.assert_array_equal(ours[:, 3], theirs[:, 3])  # NEST's whole steps, exactly
    w = prj.get("weight", format="array", multiple_synapses="sum")
    expected = np.full(w.shape, np.nan)
    pairs = theirs[:, :2].astype(int)
    expected[pairs[:, 0], pairs[:, 1]] = 0.0
    np.add.at(expected, (pairs[:, 0], pairs[:, 1]), theirs[:, 2])
    np.testing.assert_allclose(w, expected, rtol=1e-12)


def _random_static(sim, seed=7):
    rng = NumpyRNG(seed=seed)
    pre = sim.Population(30, sim.IF_cond_exp())
    post = sim.Population(40, sim.IF_cond_exp())
    syn = sim.StaticSynapse(
        weight=RandomDistribution("normal", mu=0.005, sigma=0.001, rng=rng),
        delay=RandomDistribution("uniform", low=0.1, high=3.0, rng=rng),
    )
    return sim.Projection(pre, post, sim.FixedProbabilityConnector(0.5, rng=rng), syn)


@pytest.mark.parametrize("threads", [1, 2])
def test_static_values_equal_nest_after_connect_set_run_and_reset(sim, threads):
    # delays may change after runs; two threads: NEST orders connections by thread first
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=5.0, threads=threads)
    prj = _random_static(sim)
    _agree(prj)
    rng = NumpyRNG(seed=11)
    prj.set(weight=RandomDistribution("uniform", low=0.001, high=0.002, rng=rng))
    _agree(prj)
    sim.run(5.0)
    _agree(prj)
    new = prj.get("weight", format="array") * 2.0  # a pre x post array, NaN: no connection
    prj.set(weight=new, delay=1.5)
    _agree(prj)
    np.testing.assert_allclose(prj.get("weight", format="array"), new, rtol=1e-12)
    before = _our_rows(prj)
    sim.reset()
    _agree(prj)
    np.testing.assert_array_equal(_our_rows(prj), before)
    sim.run(5.0)
    prj.set(delay=RandomDistribution("uniform", low=0.1, high=3.0, rng=rng))
    _agree(prj)


def test_multapses_keep_their_own_delays_through_set(sim):
    pre = sim.Population(2, sim.IF_cond_exp())
    post = sim.Population(2, sim.IF_cond_exp())
    pairs = [(0, 1, 0.001, 1.0), (0, 1, 0.002, 2.0), (1, 0, 0.003, 0.5), (0, 1, 0.004, 3.0)]
    prj = sim.Projection(pre, post, sim.FromListConnector(pairs, column_names=["weight", "delay"]))
    sim.run(1.0)
    prj.set(weight=[0.01, 0.02, 0.03, 0.04])  # by (pre, post), in connection order
    _agree(prj)
    rows = _our_rows(prj)
    np.testing.assert_allclose(
        rows, [[0, 1, 0.01, 1.0], [0, 1, 0.02, 2.0], [0, 1, 0.03, 3.0], [1, 0, 0.04, 0.5]]
    )
    assert prj.get("weight", format="array")[0, 1] == pytest.approx(0.06)


def test_direct_poisson_source_connections_read_and_set(sim):
    """A Poisson source feeding one target per cell is connected directly (or from one
    shared generator) at the first run; a second projection then puts parrots behind it."""
    src = sim.Population(20, sim.SpikeSourcePoisson(rate=50.0))
    post = sim.Population(20, sim.IF_cond_exp())
    weights = np.linspace(0.001, 0.002, 20)
    prj = sim.Projection(src, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=weights))
    np.testing.assert_allclose(np.diag(prj.get("weight", format="array")), weights)
    prj.set(weight=weights[::-1])  # before the first run: the connections are pending
    sim.run(2.0)
    _agree(prj, "one_to_one")
    np.testing.assert_allclose(np.diag(prj.get("weight", format="array")), weights[::-1])
    prj.set(weight=weights)
    _agree(prj, "one_to_one")
    sim.Projection(src, post, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.0001))
    sim.run(2.0)
    np.testing.assert_allclose(np.diag(prj.get("weight", format="array")), weights)
    sim.reset()
    np.testing.assert_allclose(np.diag(prj.get("weight", format="array")), weights)


def test_values_set_through_the_native_handle_are_seen(sim):
    prj = _random_static(sim)
    prj.nest_connections.set(weight=3.0)  # nS
    np.testing.assert_allclose(prj.get("weight", format="list", with_address=False), 0.003)
    _agree(prj)
    sim.run(1.0)
    sim.reset()
    _agree(prj)


def test_stdp_weights_are_read_from_nest_after_a_run(sim):
    rng = NumpyRNG(seed=3)
    src = sim.Population(20, sim.SpikeSourcePoisson(rate=80.0))
    post = sim.Population(10, sim.IF_cond_exp())
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.1,
                                            A_minus=0.12),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=0.05),
        weight=RandomDistribution("uniform", low=0.01, high=0.02, rng=rng),
        delay=1.0,
    )  # fmt: skip
    prj = sim.Projection(src, post, sim.AllToAllConnector(), stdp)
    _agree(prj, "parrots")
    initial = _our_rows(prj)
    sim.run(300.0)
    _agree(prj, "parrots")
    assert not np.allclose(_our_rows(prj)[:, 2], initial[:, 2])  # the run changed them
    learned = _our_rows(prj)
    sim.reset()
    _agree(prj, "parrots")
    np.testing.assert_allclose(_our_rows(prj), learned, rtol=1e-12)


def test_a_set_finding_values_changed_behind_its_back_reads_nest_from_then_on(sim):
    import nest

    sim.setup(timestep=0.1, min_delay=0.1, max_delay=5.0)
    prj = _random_static(sim)
    sim.run(1.0)
    nest.GetConnections(synapse_model=prj.nest_synapse_model).set(weight=4.0)  # not watched
    prj.set(delay=2.0)  # reads NEST's order, finds other weights: reads NEST from now on
    _agree(prj)
    np.testing.assert_allclose(prj.get("weight", format="list", with_address=False), 0.004)
