"""Brunel (2000) network of ``brunel_nest.py`` through ``pynn_uni.nest``, as a PyNN 0.13
script: IF_curr_delta (weights are voltage jumps in mV), FixedNumberPreConnector with
replacement (= NEST ``fixed_indegree`` with multapses), and the external drive as a
SpikeSourcePoisson population of one 20 kHz source per neuron, one-to-one.

``--scale s`` multiplies NE and NI by s; the in-degrees stay, so the dynamics stay.
``--simulator neuron`` runs the same script on ``pynn_uni.neuron`` (default: nest), which
also runs under ``mpirun`` (rank 0 prints the JSON line; see compare_mpi.py).
"""

from __future__ import annotations

import _bench

from pynn_uni.random import NumpyRNG

SIMULATOR = _bench.simulator_option()
sim = _bench.load_simulator(SIMULATOR)

NE, NI = 10000, 2500
CE, CI = 1000, 250
J, G, ETA = 0.1, 5.0, 2.0  # mV, -, -
DELAY, DT = 1.5, 0.1  # ms
TAU_M, THETA = 20.0, 20.0  # ms, mV
# cm = 1 pF as in NEST's example; it only scales currents, delta weights are in mV anyway
CELL = {
    "cm": 0.001,
    "tau_m": TAU_M,
    "tau_refrac": 2.0,
    "v_rest": 0.0,
    "v_reset": 10.0,
    "v_thresh": THETA,
    "i_offset": 0.0,
}
P_RATE = 1000.0 * ETA * THETA / (J * CE * TAU_M) * CE  # Hz, = eta * nu_thr * CE


def main() -> None:
    args = _bench.options(__doc__)
    ne, ni = round(NE * args.scale), round(NI * args.scale)
    clock = _bench.Clock()
    with clock("build"):
        # on_grid: the grid models (iaf_psc_delta, poisson_generator) the native script uses;
        # pynn_uni's NEST default, PyNN's off_grid, would pick the *_ps models
        nest_only = (
            {**_bench.nest_parallelism(args), "spike_precision": _bench.SPIKE_PRECISION}
            if SIMULATOR == "nest"
            else {}
        )
        sim.setup(timestep=DT, rng_seed=args.seed, **nest_only)
        rng = NumpyRNG(seed=args.seed)
        neurons = sim.Population(
            ne + ni, sim.IF_curr_delta(**CELL), initial_values={"v": 0.0}, label="neurons"
        )
        exc, inh = neurons[:ne], neurons[ne:]
        noise = sim.Population(ne + ni, sim.SpikeSourcePoisson(rate=P_RATE), label="noise")
        drive = sim.Projection(
            noise,
            neurons,
            sim.OneToOneConnector(),
            sim.StaticSynapse(weight=J, delay=DELAY),
            receptor_type="excitatory",
        )
        excitation = sim.Projection(
            exc,
            neurons,
            sim.FixedNumberPreConnector(CE, with_replacement=True, rng=rng),
            sim.StaticSynapse(weight=J, delay=DELAY),
            receptor_type="excitatory",
        )
        inhibition = sim.Projection(
            inh,
            neurons,
            sim.FixedNumberPreConnector(CI, with_replacement=True, rng=rng),
            sim.StaticSynapse(weight=-G * J, delay=DELAY),
            receptor_type="inhibitory",
        )
        neurons.record("spikes")
        _bench.barrier()
    with clock("run"):
        sim.run(args.sim_time)
        _bench.barrier()
    with clock("data"):
        block = neurons.get_data("spikes")
    spikes = sum(len(st) for st in block.segments[0].spiketrains)
    if SIMULATOR == "nest":
        import nest  # already loaded by setup(); only for the diagnostics below

        facts = _bench.kernel_facts(nest)
    else:
        facts = {"connections": sum(p.size() for p in (drive, excitation, inhibition))}
    _bench.emit(
        "brunel",
        "pynn_uni" if SIMULATOR == "nest" else f"pynn_uni.{SIMULATOR}",
        clock,
        spikes,
        ne + ni,
        args.sim_time,
        facts.pop("connections"),
        scale=args.scale,
        threads=args.threads,
        **facts,
    )
    sim.end()


if __name__ == "__main__":
    main()
