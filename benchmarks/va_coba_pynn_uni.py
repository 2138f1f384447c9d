"""Vogels-Abbott COBA network (Brette et al. 2007, benchmark 1) through ``pynn_uni.nest``,
written as a PyNN 0.13 script; the same network as ``va_coba_nest.py`` (see there), in
PyNN units: cm = 0.2 nF, weights 0.004 / 0.051 / 0.1 uS.

``--scale s`` multiplies the cell counts by s and divides p by s, keeping in-degrees.
``--simulator neuron`` runs the same script on ``pynn_uni.neuron`` (default: nest), which
also runs under ``mpirun`` (rank 0 prints the JSON line; see compare_mpi.py).
"""

from __future__ import annotations

import _bench

from pynn_uni.random import NumpyRNG, RandomDistribution

SIMULATOR = _bench.simulator_option()
sim = _bench.load_simulator(SIMULATOR)
N_EXC, N_INH, N_STIM = 3200, 800, 20
P_CONN, P_STIM = 0.02, 0.1
DT, DELAY = 0.1, 0.2  # ms
CELL = {
    "cm": 0.2,
    "tau_m": 20.0,
    "v_rest": -60.0,
    "v_thresh": -50.0,
    "v_reset": -60.0,
    "tau_refrac": 5.0,
    "tau_syn_E": 5.0,
    "tau_syn_I": 10.0,
    "e_rev_E": 0.0,
    "e_rev_I": -80.0,
    "i_offset": 0.0,
}
W_EXC, W_INH, W_STIM = 0.004, 0.051, 0.1  # uS


def main() -> None:
    args = _bench.options(__doc__)
    n_exc, n_inh = round(N_EXC * args.scale), round(N_INH * args.scale)
    p = min(1.0, P_CONN / args.scale)
    clock = _bench.Clock()
    with clock("build"):
        threads = _bench.nest_parallelism(args) if SIMULATOR == "nest" else {}
        # on_grid: the same NEST models as the native script (see compare.py)
        precision = {"spike_precision": _bench.SPIKE_PRECISION}
        sim.setup(timestep=DT, rng_seed=args.seed, **precision, **threads)
        rng = NumpyRNG(seed=args.seed)
        exc = sim.Population(n_exc, sim.IF_cond_exp(**CELL), label="exc")
        inh = sim.Population(n_inh, sim.IF_cond_exp(**CELL), label="inh")
        v_init = RandomDistribution("uniform", low=-60.0, high=-50.0, rng=rng)
        exc.initialize(v=v_init)
        inh.initialize(v=v_init)
        stim = sim.Population(
            N_STIM, sim.SpikeSourcePoisson(rate=50.0, start=0.0, duration=50.0), label="stim"
        )
        connector = sim.FixedProbabilityConnector(p, rng=rng)
        projections = []
        for pre, w, receptor in ((exc, W_EXC, "excitatory"), (inh, W_INH, "inhibitory")):
            synapse = sim.StaticSynapse(weight=w, delay=DELAY)
            for post in (exc, inh):
                projections.append(
                    sim.Projection(pre, post, connector, synapse, receptor_type=receptor)
                )
        for post in (exc, inh):
            prj = sim.Projection(
                stim,
                post,
                sim.FixedProbabilityConnector(P_STIM, rng=rng),
                sim.StaticSynapse(weight=W_STIM, delay=DELAY),
                receptor_type="excitatory",
            )
            projections.append(prj)
        exc.record("spikes")
        inh.record("spikes")
        _bench.barrier()
    with clock("run"):
        sim.run(args.sim_time)
        _bench.barrier()
    with clock("data"):
        blocks = [pop.get_data("spikes") for pop in (exc, inh)]
    trains = [st for b in blocks for st in b.segments[0].spiketrains]
    spikes = sum(len(st) for st in trains)
    last = max((float(st.magnitude.max()) for st in trains if len(st)), default=0.0)
    if SIMULATOR == "nest":
        import nest  # already loaded by setup(); only for the diagnostics below

        facts = _bench.kernel_facts(nest)
    else:
        facts = {"connections": sum(prj.size() for prj in projections)}
    _bench.emit(
        "va_coba",
        "pynn_uni" if SIMULATOR == "nest" else f"pynn_uni.{SIMULATOR}",
        clock,
        spikes,
        n_exc + n_inh,
        args.sim_time,
        facts.pop("connections"),
        scale=args.scale,
        threads=args.threads,
        last_spike_ms=last,
        **facts,
    )
    sim.end()


if __name__ == "__main__":
    main()
