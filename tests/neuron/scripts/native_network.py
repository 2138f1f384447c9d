"""NEURON-native cells under MPI: section-based Balls (tests/neuron/test_neuron_native.py)
driven by Poisson sources, driving IF_curr_exp and IntFire1 cells, which inhibit the Balls
back.  Writes spikes and the Balls' v to the .npz file named on the command line (rank 0
only), so runs on 1 and 2 MPI processes can be compared."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_neuron_native import Ball  # noqa: E402

import pynn_uni.neuron as sim  # noqa: E402

sim.setup(timestep=0.025)
noise = sim.Population(10, sim.SpikeSourcePoisson(rate=50.0))
balls = sim.Population(5, sim.native_cell_type(Ball)())
lif = sim.Population(5, sim.IF_curr_exp())
counters = sim.Population(3, sim.IntFire1(tau=20.0))
sim.Projection(
    noise,
    balls,
    sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(seed=2)),
    sim.StaticSynapse(weight=0.01, delay=1.0),
    receptor_type="excitatory",
)
sim.Projection(balls, lif, sim.AllToAllConnector(), sim.StaticSynapse(weight=1.0, delay=1.0))
sim.Projection(balls, counters, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.4, delay=1.0))
sim.Projection(counters, balls, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.001, delay=1.0),
               receptor_type="inhibitory")  # fmt: skip
for pop in (balls, lif, counters):
    pop.record("spikes")
balls.record("v")
sim.run(100.0)
out = {"processes": sim.num_processes()}
for name, pop in (("balls", balls), ("lif", lif), ("counters", counters)):
    trains = pop.get_data().segments[0].spiketrains
    out[f"{name}_counts"] = np.array([len(st) for st in trains])
    out[f"{name}_times"] = np.concatenate([st.magnitude for st in trains])
out["v"] = balls.get_data().segments[0].filter(name="v")[0].magnitude
if sim.rank() == 0:
    np.savez(sys.argv[1], **out)
sim.end()
