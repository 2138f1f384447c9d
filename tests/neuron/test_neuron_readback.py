"""Projection.get on NEURON agrees with the NetCons themselves: static weights (kept by the
backend beside the NetCons) after connecting, set() and reset(); STDP weights after a run
that changed them (read from the NetCons)."""

import numpy as np
import pytest

pytest.importorskip("neuron")

import pynn_uni.neuron as sim  # noqa: E402
from pynn_uni.random import NumpyRNG, RandomDistribution  # noqa: E402


def _agree(prj):
    """get('weight') as a multiset equals the NetCons' weight[0] (one NetCon per connection)."""
    ours = np.sort(prj.get("weight", format="list", with_address=False))
    native = np.sort([nc.weight[0] for nc in sim.native_connections(prj)])
    np.testing.assert_array_equal(ours, native)
    assert len(native) == len(prj)


def test_static_weights_read_back_after_connect_set_and_reset():
    sim.setup(timestep=0.1)
    rng = NumpyRNG(seed=9)
    pre, post = sim.Population(10, sim.IF_cond_exp()), sim.Population(12, sim.IF_cond_exp())
    w = RandomDistribution("uniform", low=0.001, high=0.01, rng=rng)
    prj = sim.Projection(pre, post, sim.FixedProbabilityConnector(0.5, rng=rng),
                         sim.StaticSynapse(weight=w, delay=1.0))  # fmt: skip
    _agree(prj)
    new = prj.get("weight", format="array") * 2.0
    prj.set(weight=new)
    _agree(prj)
    np.testing.assert_array_equal(prj.get("weight", format="array"), new)
    sim.run(5.0)
    sim.reset()
    _agree(prj)
    np.testing.assert_array_equal(prj.get("weight", format="array"), new)
    sim.end()


def test_stdp_weights_come_from_the_netcons_after_a_run():
    sim.setup(timestep=0.1)
    rng = NumpyRNG(seed=4)
    src = sim.Population(10, sim.SpikeSourcePoisson(rate=80.0))
    post = sim.Population(5, sim.IF_cond_exp())
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.1,
                                            A_minus=0.12),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=0.05),
        weight=RandomDistribution("uniform", low=0.01, high=0.02, rng=rng),
        delay=1.0,
    )  # fmt: skip
    prj = sim.Projection(src, post, sim.AllToAllConnector(), stdp)
    initial = np.array(prj.get("weight", format="list", with_address=False))
    sim.run(300.0)
    _agree(prj)
    assert not np.allclose(prj.get("weight", format="list", with_address=False), initial)
    sim.end()
