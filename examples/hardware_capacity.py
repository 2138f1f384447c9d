"""Hit the Spikey-class chip's neuron limit (384 circuits) and show the error; the part of
the network that fitted still runs, and the mapping report says what the chip realised."""

import pynn_uni.hardware as sim

sim.setup(timestep=0.1, profile="spikey")
cells = sim.Population(384, sim.IF_facets_hardware1(), label="all circuits")
try:
    sim.Population(1, sim.IF_facets_hardware1(), label="neuron 385")
except sim.errors.HardwareCapacityError as err:
    print(f"{type(err).__name__}: {err}")

inputs = sim.Population(64, sim.SpikeSourcePoisson(rate=20.0))
sim.Projection(
    inputs,
    cells,
    sim.FixedProbabilityConnector(0.1, rng=sim.NumpyRNG(seed=1)),
    sim.StaticSynapse(weight=3 * sim.min_weight(), delay=0.1),
)
cells.record("spikes")
sim.run(200.0)
print(sim.get_mapping_report())
print("mean rate (Hz):", cells.mean_spike_count() / 0.2)
sim.end()
