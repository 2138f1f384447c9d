"""A small Poisson-driven excitatory-inhibitory network that fits every backend.

180 conductance-based LIF cells (144 excitatory, 36 inhibitory), each driven by 24 of 64
Poisson sources, for 1 s.  Parameters and weights fit the emulated Spikey chip (cm = 0.2
nF, tau_m <= 10 ms, voltages in [-80, -55] mV, weights whole multiples of 5 weight steps
so that 1.2x is exact too, delay = timestep, every cell routable as a source), so the same
script runs unchanged on nest, neuron and hardware.  Fixed in-degrees and no
excitatory-to-excitatory loop keep the rate statistics steady from seed to seed, which is
what lets ``pynn-uni compare`` see a 20% weight change (docs/validation.md).

Usage:  python examples/small_network.py [nest|neuron|hardware] [--seed 1]
        [--weight-scale 1.0] [--tstop 1000]
"""

from __future__ import annotations

from pynn_uni.random import NumpyRNG
from pynn_uni.utility import get_simulator

sim, options = get_simulator(
    ("--seed", "seed of the connectivity", {"type": int, "default": 1}),
    ("--weight-scale", "factor on the excitatory weights", {"type": float, "default": 1.0}),
    ("--tstop", "simulated time (ms)", {"type": float, "default": 1000.0}),
)

sim.setup(timestep=0.1)
rng = NumpyRNG(seed=options.seed)
cell = sim.IF_cond_exp(
    cm=0.2,  # nF
    tau_m=10.0,  # ms
    v_rest=-65.0,  # mV
    v_thresh=-55.0,
    v_reset=-70.0,
    e_rev_E=0.0,
    e_rev_I=-80.0,
    tau_syn_E=5.0,  # ms
    tau_syn_I=10.0,
    tau_refrac=2.0,
    i_offset=0.0,
)
exc = sim.Population(144, cell, label="Excitatory")
inh = sim.Population(36, cell, label="Inhibitory")
noise = sim.Population(64, sim.SpikeSourcePoisson(rate=20.0), label="Noise")

w_exc = 0.005 * options.weight_scale  # uS: 5 weight steps of the chip
w_inh = 0.008  # uS
# (pre, post, inputs per cell, weight, receptor).  No excitatory-to-excitatory loop: an
# input-driven, inhibition-stabilised regime whose statistics vary little between seeds.
wiring = [
    (noise, exc, 24, w_exc, "excitatory"),
    (noise, inh, 24, w_exc, "excitatory"),
    (exc, inh, 10, w_exc, "excitatory"),
    (inh, exc, 10, w_inh, "inhibitory"),
    (inh, inh, 10, w_inh, "inhibitory"),
]
for pre, post, n, weight, receptor in wiring:
    connector = sim.FixedNumberPreConnector(n, rng=rng)
    synapse = sim.StaticSynapse(weight=weight)
    sim.Projection(pre, post, connector, synapse, receptor_type=receptor)
exc.record("spikes")
inh.record("spikes")

sim.run(options.tstop)
for pop in (exc, inh):
    rate = pop.mean_spike_count() * 1000.0 / options.tstop
    print(f"{pop.label}: {rate:.2f} Hz")
sim.end()
