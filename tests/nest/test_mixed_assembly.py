"""A Projection onto an Assembly of a standard cell and a PointNeuron with the same
dynamics: each member gets its own NEST receptor port and weight sign."""

from __future__ import annotations

import numpy as np

import pynn_uni.nest as sim


def test_monolithic_and_composed_members_receive_the_same_input():
    """IF_curr_exp(tau_m = 10 ms, tau_syn_E = 1 ms, tau_syn_I = 2 ms) and
    PointNeuron(LIF, excitatory/inhibitory CurrExpPSR) with the same constants are the same
    neuron: identical v.  The excitatory PSP peaks at
    w R tau_s / (tau_m - tau_s) (r^(tau_s/(tau_m-tau_s)) - r^(tau_m/(tau_m-tau_s))),
    r = tau_s / tau_m (0.3872 mV for w = 0.5 nA, R = 10 MOhm), sampled every 0.1 ms."""
    sim.setup(timestep=0.1, min_delay=1.0)
    mono = sim.Population(
        1, sim.IF_curr_exp(tau_m=10.0, v_rest=-60.0, tau_syn_E=1.0, tau_syn_I=2.0),
        initial_values={"v": -60.0},
    )
    composed = sim.Population(
        1,
        sim.PointNeuron(
            sim.LIF(tau_m=10.0, v_rest=-60.0),
            excitatory=sim.CurrExpPostSynapticResponse(tau_syn=1.0),
            inhibitory=sim.CurrExpPostSynapticResponse(tau_syn=2.0),
        ),
        initial_values={"v": -60.0},
    )
    both = mono + composed
    both.record("v")
    inputs = sim.Population(
        2, sim.SpikeSourceArray(spike_times=[sim.Sequence([30.0]), sim.Sequence([120.0])])
    )
    exc = sim.Projection(
        inputs[0:1], both, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5, delay=1.5),
        receptor_type="excitatory",
    )
    inh = sim.Projection(
        inputs[1:2], both, sim.AllToAllConnector(), sim.StaticSynapse(weight=-0.2, delay=1.5),
        receptor_type="inhibitory",
    )
    sim.run(200.0)
    v = np.asarray(both.get_data().segments[0].filter(name="v")[0])
    w_exc = exc.get("weight", format="list")
    w_inh = inh.get("weight", format="list")
    sim.end()
    np.testing.assert_allclose(v[:, 0], v[:, 1], atol=1e-9)
    tau_m, tau_s, r = 10.0, 1.0, 0.1
    peak = 0.5 * tau_m * tau_s / (tau_m - tau_s) * (
        r ** (tau_s / (tau_m - tau_s)) - r ** (tau_m / (tau_m - tau_s))
    )
    assert abs(v[:, 0].max() + 60.0 - peak) < 2e-3 * peak  # sampled on the 0.1 ms grid
    assert w_exc == [(0, 0, 0.5), (0, 1, 0.5)]
    assert w_inh == [(0, 0, -0.2), (0, 1, -0.2)]


def test_conductance_members_keep_positive_inhibitory_weights():
    """IF_cond_exp takes inhibitory conductances negated by NEST (single port), the
    PointNeuron's multisynapse port positive: both read back as written (0.01 uS)."""
    sim.setup(timestep=0.1)
    a = sim.Population(1, sim.IF_cond_alpha())
    b = sim.Population(
        1,
        sim.PointNeuron(
            sim.LIF(),
            excitatory=sim.CondAlphaPostSynapticResponse(),
            inhibitory=sim.CondAlphaPostSynapticResponse(e_syn=-80.0),
        ),
    )
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
    prj = sim.Projection(
        src, a + b, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=1.0),
        receptor_type="inhibitory",
    )
    native = prj.nest_connections.get(["weight", "receptor"])
    assert prj.get("weight", format="list") == [(0, 0, 0.01), (0, 1, 0.01)]
    sim.end()
    assert sorted(np.asarray(native["weight"]).tolist()) == [-10.0, 10.0]  # nS
    assert sorted(np.asarray(native["receptor"]).tolist()) == [0, 2]  # sign-routed; port 2


def test_multiquantal_initial_sites_and_release_probability():
    """initialize(a, u) sets the available sites and release probability: with u = U = 1
    every available site releases, and each adds the weight (NEST's quantal_stp_synapse, as
    PyNN uses it): the first conductance jump is w a = 0.01 uS * 3 = 0.03 uS, not w n."""
    sim.setup(timestep=0.1)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    post = sim.Population(1, sim.IF_cond_exp())
    post.record("gsyn_exc")
    syn = sim.MultiQuantalSynapse(weight=0.01, n=5, U=1.0, tau_rec=800.0, delay=1.0)
    prj = sim.Projection(src, post, sim.AllToAllConnector(), syn)
    prj.initialize(a=3, u=1.0)
    native = prj.nest_connections.get(["a", "u", "n"])
    sim.run(20.0)
    g = np.asarray(post.get_data().segments[0].filter(name="gsyn_exc")[0])[:, 0]
    sim.end()
    assert (native["a"], native["u"], native["n"]) == (3, 1.0, 5)
    assert abs(g.max() - 0.03) < 1e-12
