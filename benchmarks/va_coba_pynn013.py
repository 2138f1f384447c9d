"""VA COBA (Brette et al. 2007 benchmark 1) through the real PyNN 0.13 (pyNN.neuron), for a
reference measurement only.  Same network and clocks as pynn_uni's benchmarks/
va_coba_pynn_uni.py: 3200 + 800 IF_cond_exp, p = 0.02, 4 / 51 nS, 0.2 ms delays,
V(0) ~ U[-60, -50], 20 Poisson cells 50 Hz for 50 ms (p = 0.1, 0.1 uS), 1 s at dt = 0.1.
Prints one JSON line in the format of benchmarks/_bench.py.

Run with an environment holding PyNN 0.13 and NEURON (see compare_neuron.py):
``/tmp/pynn013/bin/python benchmarks/va_coba_pynn013.py [--scale s] [--sim-time ms] [--seed n]``
"""

import argparse
import json
import resource
import time

t0 = time.perf_counter()
import pyNN.neuron as sim  # noqa: E402  (imports NEURON and loads PyNN's mechanisms)
from pyNN.random import NumpyRNG, RandomDistribution  # noqa: E402

IMPORT_S = time.perf_counter() - t0

N_EXC, N_INH, N_STIM = 3200, 800, 20
P_CONN, P_STIM = 0.02, 0.1
DT, DELAY = 0.1, 0.2
CELL = dict(
    cm=0.2,
    tau_m=20.0,
    v_rest=-60.0,
    v_thresh=-50.0,
    v_reset=-60.0,
    tau_refrac=5.0,
    tau_syn_E=5.0,
    tau_syn_I=10.0,
    e_rev_E=0.0,
    e_rev_I=-80.0,
    i_offset=0.0,
)
W_EXC, W_INH, W_STIM = 0.004, 0.051, 0.1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--sim-time", type=float, default=1000.0)
    p.add_argument("--seed", type=int, default=20240611)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    n_exc, n_inh = round(N_EXC * args.scale), round(N_INH * args.scale)
    prob = min(1.0, P_CONN / args.scale)
    t = {}
    t0 = time.perf_counter()
    sim.setup(timestep=DT, min_delay=DT, max_delay=10.0)
    rng = NumpyRNG(seed=args.seed)
    exc = sim.Population(n_exc, sim.IF_cond_exp(**CELL), label="exc")
    inh = sim.Population(n_inh, sim.IF_cond_exp(**CELL), label="inh")
    v_init = RandomDistribution("uniform", low=-60.0, high=-50.0, rng=rng)
    exc.initialize(v=v_init)
    inh.initialize(v=v_init)
    stim = sim.Population(N_STIM, sim.SpikeSourcePoisson(rate=50.0, start=0.0, duration=50.0))
    connector = sim.FixedProbabilityConnector(prob, rng=rng)
    prjs = []
    for pre, w, receptor in ((exc, W_EXC, "excitatory"), (inh, W_INH, "inhibitory")):
        syn = sim.StaticSynapse(weight=w, delay=DELAY)
        for post in (exc, inh):
            prjs.append(sim.Projection(pre, post, connector, syn, receptor_type=receptor))
    for post in (exc, inh):
        prjs.append(
            sim.Projection(
                stim,
                post,
                sim.FixedProbabilityConnector(P_STIM, rng=rng),
                sim.StaticSynapse(weight=W_STIM, delay=DELAY),
                receptor_type="excitatory",
            )
        )
    exc.record("spikes")
    inh.record("spikes")
    t["build"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    sim.run(args.sim_time)
    t["run"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    blocks = [pop.get_data("spikes") for pop in (exc, inh)]
    t["data"] = time.perf_counter() - t0
    counts = [sum(len(st) for st in b.segments[0].spiketrains) for b in blocks]
    spikes = sum(counts)
    sec = args.sim_time * 1e-3
    record = {
        "name": "va_coba",
        "impl": "pyNN.neuron 0.13",
        "build_s": round(t["build"], 4),
        "run_s": round(t["run"], 4),
        "data_s": round(t["data"], 4),
        "spikes": spikes,
        "rate_hz": round(spikes / ((n_exc + n_inh) * sec), 4),
        "connections": int(sum(prj.size() for prj in prjs)),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
        "scale": args.scale,
        "threads": 1,
        "import_s": round(IMPORT_S, 4),
        "rate_exc_hz": round(counts[0] / (n_exc * sec), 4),
        "rate_inh_hz": round(counts[1] / (n_inh * sec), 4),
    }
    print(json.dumps(record), flush=True)
    sim.end()


if __name__ == "__main__":
    main()
