"""Voltage-jump inputs under MPI: Izhikevich and IF_curr_delta cells, whose NetCons deliver
0.6 step early (so NEURON's exchange interval is shorter than the minimum delay), driven
by Poisson sources and each other.  Writes spikes and v to the .npz named on the command
line (rank 0 only), for comparing runs on 1 and 2 MPI processes."""

import sys

import numpy as np

import pynn_uni.neuron as sim
from pynn_uni.random import NumpyRNG

sim.setup(timestep=0.1, min_delay=0.5)
rng = NumpyRNG(seed=3)
cells = sim.Population(40, sim.Izhikevich(i_offset=0.005))
delta = sim.Population(20, sim.IF_curr_delta(i_offset=0.3, tau_refrac=2.0))
drive = sim.Population(10, sim.SpikeSourcePoisson(rate=30.0))
sparse = sim.FixedProbabilityConnector
sim.Projection(drive, cells, sparse(0.5, rng=rng), sim.StaticSynapse(weight=5.0, delay=1.0))
sim.Projection(cells, cells, sparse(0.2, rng=rng), sim.StaticSynapse(weight=2.0, delay=0.5))
sim.Projection(cells, delta, sparse(0.3, rng=rng), sim.StaticSynapse(weight=1.0, delay=0.5))
for population in (cells, delta):
    population.record(["spikes", "v"])
sim.run(200.0)
izh, jumps = cells.get_data().segments[0], delta.get_data().segments[0]
trains = izh.spiketrains + jumps.spiketrains
if sim.rank() == 0:
    np.savez(
        sys.argv[1],
        spikes=np.concatenate([np.r_[i, st.magnitude] for i, st in enumerate(trains)]),
        count=sum(len(st) for st in trains),
        v=np.asarray(izh.filter(name="v")[0]),
    )
sim.end()
