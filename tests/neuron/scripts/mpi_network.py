"""A small network that touches every distributed path of pynn_uni.neuron: Poisson and
array sources, STDP (weights read back), a noisy current source (its current recorded),
membrane traces of cells on every rank.  Writes what it measured to the .npz file named
on the command line (rank 0 only), so runs on 1 and 2 MPI processes can be compared."""

import sys

import numpy as np

import pynn_uni.neuron as sim
from pynn_uni.random import NumpyRNG, RandomDistribution

sim.setup(timestep=0.1, min_delay=0.5, rng_seed=7)
rng = NumpyRNG(seed=11)
cells = sim.Population(30, sim.IF_cond_exp(tau_m=15.0), label="cells")
cells.initialize(v=RandomDistribution("uniform", low=-65.0, high=-55.0, rng=rng))
noise_in = sim.Population(20, sim.SpikeSourcePoisson(rate=40.0), label="poisson")
timed = sim.Population(3, sim.SpikeSourceArray(spike_times=[5.0, 25.0, 60.0]), label="array")
stdp = sim.STDPMechanism(
    timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.01, A_minus=0.012),
    weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=0.05),
    weight=0.02,
    delay=1.0,
)
plastic = sim.Projection(noise_in, cells, sim.FixedProbabilityConnector(0.5, rng=rng), stdp)
sim.Projection(timed, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01, delay=0.5))
sim.Projection(
    cells, cells, sim.FixedProbabilityConnector(0.2, rng=rng),
    sim.StaticSynapse(weight=0.004, delay=0.7), receptor_type="inhibitory",
)  # fmt: skip
noise = sim.NoisyCurrentSource(mean=0.1, stdev=0.2, start=10.0, stop=150.0, dt=1.0)
noise.inject_into(cells[::3])
noise.record()
cells.record(["spikes", "v"])
sim.run(100.0)
sim.run(100.0)  # a split run: the exchange and the gathers continue across calls
seg = cells.get_data().segments[0]
weights = plastic.get("weight", format="array")
current = noise.get_data()  # collective, like get_data(): every rank calls it
both = cells + noise_in  # an Assembly: its local cells are its populations' local cells
mine = [int(i) for i in both.local_cells]
every = sim.h.ParallelContext().py_allgather((sim.rank(), mine, both.local_size))
if sim.rank() == 0:
    np.savez(
        sys.argv[1],
        spikes=np.concatenate([np.r_[i, st.magnitude] for i, st in enumerate(seg.spiketrains)]),
        counts=np.array([len(st) for st in seg.spiketrains]),
        v=np.asarray(seg.filter(name="v")[0]),
        weights=np.nan_to_num(weights, nan=-1.0),
        noise=np.asarray(current),
        processes=sim.num_processes(),
        # (rank, id) of every local cell, and whether each rank's count matches its list
        local=np.array([(r, i) for r, ids, _ in every for i in ids]),
        local_sizes_ok=all(len(ids) == n for _, ids, n in every),
        all_ids=np.asarray(both.all_cells, dtype=np.int64),
    )
sim.end()
