"""A small network that touches every distributed path of pynn_uni.nest: array sources
(relayed through parrots and direct), STDP (weights read back), static recurrent
connections, a DC source, membrane traces of cells on every rank, write_data.  Writes what
it measured to the .npz file named on the command line (rank 0 only), so runs on 1 and 2
MPI processes can be compared.  ``--threads T`` runs each process with T threads;
``--poisson`` adds a Poisson drive (NEST draws it per virtual process: the same trains
only for the same number of processes x threads, which ``--virtual-processes K`` fixes)."""

import argparse
import pickle

import numpy as np

import pynn_uni.nest as sim
from pynn_uni.random import NumpyRNG, RandomDistribution

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--threads", type=int, default=1)
p.add_argument("--poisson", action="store_true")
p.add_argument("--virtual-processes", type=int, default=None)
args = p.parse_args()

if args.virtual_processes:  # the same trains on any number of processes
    sim.setup(timestep=0.1, min_delay=0.5, rng_seed=7, virtual_processes=args.virtual_processes)
else:
    sim.setup(timestep=0.1, min_delay=0.5, rng_seed=7, threads=args.threads)
rng = NumpyRNG(seed=11)
cells = sim.Population(30, sim.IF_cond_exp(tau_m=15.0, i_offset=0.2), label="cells")
cells.initialize(v=RandomDistribution("uniform", low=-65.0, high=-55.0, rng=rng))
times = [sorted(rng.uniform(1.0, 190.0, 8).round(1)) for _ in range(20)]
drive = sim.Population(20, sim.SpikeSourceArray(spike_times=times), label="drive")
stdp = sim.STDPMechanism(
    timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.01, A_minus=0.012),
    weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=0.05),
    weight=0.02,
    delay=1.0,
)
plastic = sim.Projection(drive, cells, sim.FixedProbabilityConnector(0.5, rng=rng), stdp)
recurrent = sim.Projection(
    cells, cells, sim.FixedProbabilityConnector(0.2, rng=rng),
    sim.StaticSynapse(weight=0.004, delay=0.7), receptor_type="inhibitory",
)  # fmt: skip
if args.poisson:
    noise = sim.Population(30, sim.SpikeSourcePoisson(rate=200.0), label="poisson")
    sim.Projection(noise, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.01))
sim.DCSource(amplitude=0.3, start=20.0, stop=120.0).inject_into(cells[::3])
cells.record(["spikes", "v"])
sim.run(100.0)
sim.run(100.0)  # a split run: the gathers continue across calls
seg = cells.get_data().segments[0]
cells.write_data(args.out + ".pkl")  # rank 0 writes, once
weights = plastic.get("weight", format="array")
static = recurrent.get(["weight", "delay"], format="list")
recurrent.set(weight=np.arange(900.0).reshape(30, 30) / 1e5)  # each rank sets its part
rewritten = recurrent.get("weight", format="array")
both = cells + drive  # an Assembly: its local cells are its populations' local cells
mine = [int(i) for i in cells.local_cells]
flags = [bool(i.local) for i in cells.all_cells]
from mpi4py import MPI  # noqa: E402  (after setup: NEST started MPI)

every = MPI.COMM_WORLD.allgather((sim.rank(), mine, cells.local_size, flags))
# the connections each rank evaluated and holds (those onto its own cells)
held = MPI.COMM_WORLD.allgather(recurrent.size(gather=False))
if sim.rank() == 0:
    with open(args.out + ".pkl", "rb") as f:
        written = pickle.load(f).segments[0]
    np.savez(
        args.out,
        spikes=np.concatenate([np.r_[i, st.magnitude] for i, st in enumerate(seg.spiketrains)]),
        counts=np.array([len(st) for st in seg.spiketrains]),
        written=np.array([len(st) for st in written.spiketrains]),
        v=np.asarray(seg.filter(name="v")[0]),
        weights=np.nan_to_num(weights, nan=-1.0),
        static=np.asarray(static),
        rewritten=np.nan_to_num(rewritten, nan=-1.0),
        sizes=np.array([plastic.size(), recurrent.size()]),
        held=np.array(held),
        processes=sim.num_processes(),
        local=np.array([(r, i) for r, ids, _, _ in every for i in ids]),
        local_ok=all(len(ids) == n and sum(f) == n for _, ids, n, f in every),
        all_ids=np.asarray(cells.all_cells, dtype=np.int64),
    )
sim.end()
