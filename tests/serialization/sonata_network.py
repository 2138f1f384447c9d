"""The network the SONATA tests share: random per-cell and per-edge values, both receptors,
a projection of 42,000 edges (a plain module: ``conftest`` is not importable by name when
several test folders have one)."""

import numpy as np

from pynn_uni.network import Network
from pynn_uni.random import NumpyRNG, RandomDistribution


def build_network(sim, n_in=210, n_exc=200, n_inh=20, seed=11):
    """Inputs (SpikeSourceArray) -> exc (random tau_m, v_thresh and initial v) all-to-all
    (n_in x n_exc edges with random weights and delays), exc <-> inh with both receptors."""
    rng = NumpyRNG(seed=seed)
    draw = np.random.default_rng(seed)
    trains = [sim.Sequence(np.unique(draw.uniform(1.0, 80.0, 3).round(1))) for _ in range(n_in)]
    inp = sim.Population(n_in, sim.SpikeSourceArray(spike_times=trains), label="input")
    exc = sim.Population(
        n_exc,
        sim.IF_cond_exp(
            tau_m=RandomDistribution("uniform", (12.0, 25.0), rng=rng),
            v_thresh=RandomDistribution("uniform", (-54.0, -50.0), rng=rng),
        ),
        label="exc",
    )
    exc.initialize(v=RandomDistribution("uniform", (-65.0, -55.0), rng=rng))
    inh = sim.Population(n_inh, sim.IF_cond_exp(tau_m=10.0), label="inh")
    big = sim.Projection(
        inp,
        exc,
        sim.AllToAllConnector(),
        sim.StaticSynapse(
            weight=RandomDistribution("uniform", (0.0005, 0.002), rng=rng),
            delay=RandomDistribution("uniform", (0.5, 3.0), rng=rng),
        ),
        receptor_type="excitatory",
        label="input→exc",
    )
    e2i = sim.Projection(exc, inh, sim.FixedProbabilityConnector(0.2, rng=rng),
                         sim.StaticSynapse(weight=0.004, delay=1.0), label="exc→inh")  # fmt: skip
    i2e = sim.Projection(
        inh, exc, sim.FixedProbabilityConnector(0.3, rng=rng),
        sim.StaticSynapse(weight=RandomDistribution("uniform", (0.005, 0.01), rng=rng),
                          delay=1.0),
        receptor_type="inhibitory", label="inh→exc",
    )  # fmt: skip
    return Network(inp, exc, inh, big, e2i, i2e)


def spikes_by_cell(populations):
    """{label: [array of spike times per cell]} of the last segment."""
    return {
        p.label: [np.asarray(st.magnitude) for st in p.get_data("spikes").segments[-1].spiketrains]
        for p in populations
    }


def build_nest_network(sim, seed=7):
    """A network that spikes, in every form the NEST profile claims: SpikeSourceArray input;
    IF_cond_exp cells with random tau_m, v_thresh and initial v; IF_curr_exp cells; static
    projections with random per-edge weights and delays onto both receptors of both kinds of
    cell; a Tsodyks-Markram and an STDP projection.  Each (pre, post, synapse model) is one
    projection, so the native connections compare projection by projection."""
    rng = NumpyRNG(seed=seed)
    draw = np.random.default_rng(seed)
    trains = [sim.Sequence(np.unique(draw.uniform(1.0, 140.0, 12).round(1))) for _ in range(40)]
    inp = sim.Population(40, sim.SpikeSourceArray(spike_times=trains), label="input")
    exc = sim.Population(
        30,
        sim.IF_cond_exp(
            tau_m=RandomDistribution("uniform", (12.0, 25.0), rng=rng),
            v_thresh=RandomDistribution("uniform", (-54.0, -50.0), rng=rng),
        ),
        label="exc",
    )
    exc.initialize(v=RandomDistribution("uniform", (-65.0, -55.0), rng=rng))
    inh = sim.Population(10, sim.IF_curr_exp(tau_m=RandomDistribution("uniform", (8.0, 12.0),
                                                                       rng=rng)),
                         label="inh")  # fmt: skip

    def random(low, high):
        return RandomDistribution("uniform", (low, high), rng=rng)

    prjs = [
        sim.Projection(inp, exc, sim.FixedProbabilityConnector(0.5, rng=rng),
                       sim.StaticSynapse(weight=random(0.004, 0.012), delay=random(0.5, 3.0)),
                       receptor_type="excitatory", label="input→exc"),
        sim.Projection(inp, inh, sim.FixedProbabilityConnector(0.3, rng=rng),
                       sim.StaticSynapse(weight=random(0.5, 1.5), delay=random(0.5, 2.0)),
                       receptor_type="excitatory", label="input→inh"),
        sim.Projection(exc, inh, sim.FixedProbabilityConnector(0.3, rng=rng),
                       sim.TsodyksMarkramSynapse(U=0.5, tau_rec=200.0, tau_facil=20.0,
                                                 weight=random(0.5, 1.0), delay=1.0),
                       receptor_type="excitatory", label="exc→inh"),
        sim.Projection(inh, exc, sim.FixedProbabilityConnector(0.4, rng=rng),
                       sim.StaticSynapse(weight=random(0.005, 0.02), delay=random(0.5, 1.5)),
                       receptor_type="inhibitory", label="inh→exc"),
        sim.Projection(inh, inh, sim.FixedProbabilityConnector(0.3, rng=rng),
                       sim.StaticSynapse(weight=-0.3, delay=1.0),
                       receptor_type="inhibitory", label="inh→inh"),
        sim.Projection(
            exc, exc, sim.FixedProbabilityConnector(0.2, rng=rng),
            sim.STDPMechanism(timing_dependence=sim.SpikePairRule(tau_plus=15.0, tau_minus=25.0,
                                                                  A_plus=0.05, A_minus=0.06),
                              weight_dependence=sim.AdditiveWeightDependence(w_max=0.02),
                              weight=random(0.002, 0.01), delay=random(1.0, 2.0)),
            receptor_type="excitatory", label="exc→exc",
        ),
    ]  # fmt: skip
    return Network(inp, exc, inh, *prjs)
