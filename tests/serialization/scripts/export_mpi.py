"""Export the shared SONATA test network to SONATA and NeuroML2 on pynn_uni.neuron, on
however many MPI processes this is started with (tests/serialization/test_export_mpi.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # sonata_network

from sonata_network import build_network  # noqa: E402

import pynn_uni.neuron as sim  # noqa: E402
from pynn_uni.serialization import export_to_neuroml, export_to_sonata  # noqa: E402

out = Path(sys.argv[1])
sim.setup(timestep=0.1)
net = build_network(sim, n_in=40, n_exc=60, n_inh=10)
sim.run(20.0)
config = export_to_sonata(net, out / "sonata")
files = export_to_neuroml(net, out / "net.nml", reference="net")
# every rank gets rank 0's paths back, and the files exist when the call returns
assert Path(config).is_file() and Path(files.network).is_file(), (config, files)
sim.end()
