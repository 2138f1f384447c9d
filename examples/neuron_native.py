"""NEURON-native cells beside standard ones: a Hodgkin-Huxley ball of membrane built with
NEURON's own ``hh`` and ``ExpSyn``, driven by Poisson sources and driving an IF_curr_exp
population and NEURON's IntFire1.

``Ball`` is a plain Python class: it declares its parameters, recordables, receptors and
the section whose v is watched for spikes; ``sim.native_cell_type(Ball)`` makes it a cell
type, and every cell is one ``Ball`` instance, reachable as ``population[i]._cell``
(here to clamp one cell with an ``IClamp``).  The ball is integrated by NEURON's
fixed-step solver, the IF cells on NEST's time grid, in the same run.

Usage:  python examples/neuron_native.py [--tstop 200] [--plot-figure native.png]
"""

from __future__ import annotations

import argparse

import numpy as np

import pynn_uni.neuron as sim

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--tstop", type=float, default=200.0, help="simulated time (ms)")
parser.add_argument("--plot-figure", default="", help="file name of the figure (none)")
options = parser.parse_args()


class Ball:
    """A 20 x 20 um soma with hh channels and two exponential synapses."""

    default_parameters = {"gnabar": 0.12, "gkbar": 0.036, "tau_syn": 2.0, "threshold": -10.0}
    recordable = ["v", "esyn.i"]  # v of the soma, and the ExpSyn's current (nA)
    receptor_types = {"excitatory": "esyn", "inhibitory": "isyn"}
    spike_source = "soma"
    units = {"esyn.i": "nA"}

    def __init__(self, gnabar, gkbar, tau_syn, threshold):
        h = sim.h
        self.soma = h.Section(name="soma", cell=self)
        self.soma.L = self.soma.diam = 20.0  # um
        self.soma.insert("hh")
        for seg in self.soma:
            seg.hh.gnabar, seg.hh.gkbar = gnabar, gkbar  # S/cm2
        self.esyn, self.isyn = h.ExpSyn(self.soma(0.5)), h.ExpSyn(self.soma(0.5))
        self.isyn.e = -80.0  # mV
        self.tau_syn = tau_syn

    @property
    def tau_syn(self):  # a property, so that Population.set reaches both synapses
        return self.esyn.tau

    @tau_syn.setter
    def tau_syn(self, value):
        self.esyn.tau = self.isyn.tau = value


sim.setup(timestep=0.025)
noise = sim.Population(20, sim.SpikeSourcePoisson(rate=40.0), label="noise")
balls = sim.Population(4, sim.native_cell_type(Ball)(gkbar=[0.036, 0.03, 0.04, 0.036]),
                       label="balls")  # fmt: skip
lif = sim.Population(4, sim.IF_curr_exp(tau_m=10.0), label="lif")
counter = sim.Population(1, sim.IntFire1(tau=20.0), label="IntFire1")
sim.Projection(
    noise,
    balls,
    sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(seed=3)),
    sim.StaticSynapse(weight=0.004, delay=1.0),
    receptor_type="excitatory",
)
sim.Projection(balls, lif, sim.OneToOneConnector(), sim.StaticSynapse(weight=3.0, delay=2.0))  # nA
sim.Projection(
    balls, counter, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.3, delay=1.0)
)  # IntFire1's m jumps by 0.3
clamp = sim.h.IClamp(balls[3]._cell.soma(0.5))  # native access: one cell gets a pulse too
clamp.delay, clamp.dur, clamp.amp = 50.0, 5.0, 0.2  # ms, ms, nA

balls.record(["spikes", "v"])
lif.record(["spikes", "v"])
counter.record("spikes")
sim.run(options.tstop)

for pop in (balls, lif, counter):
    trains = pop.get_data().segments[0].spiketrains
    counts = [len(st) for st in trains]
    print(f"{pop.label}: spikes per cell {counts}")
first = [
    np.asarray(st.magnitude[:3]).round(3).tolist()
    for st in balls.get_data().segments[0].spiketrains
]
print(f"Ball spikes (first three per cell, ms): {first}")

if options.plot_figure:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 1, sharex=True, figsize=(7, 5))
    for ax, pop in zip(axes, (balls, lif), strict=True):
        v = pop.get_data().segments[0].filter(name="v")[0]
        ax.plot(v.times, v.magnitude, lw=0.7)
        ax.set_ylabel(f"{pop.label} v (mV)")
    axes[-1].set_xlabel("time (ms)")
    fig.savefig(options.plot_figure)
    print(f"figure: {options.plot_figure}")
sim.end()
