"""Vogels-Abbott benchmark network (Brette et al. 2007, J Comput Neurosci 23:349, "COBA").

4000 integrate-and-fire neurons (80% excitatory), 2% random connectivity,
conductance-based exponential synapses, kicked into self-sustained activity by a brief
Poisson stimulus.  Prints mean firing rates and saves a raster + membrane trace figure.
The self-sustained state is metastable: for some seeds (e.g. 1, 3, 42) the activity dies out
within the first second, on every simulator; the default seed is one where it lives.

Usage:  python examples/va_benchmark.py [nest|neuron|hardware] [--benchmark CUBA]
        [--n 4000] [--tstop 1000] [--seed 4] [--plot-figure FILE]
"""

from __future__ import annotations

import time

from pynn_uni.random import NumpyRNG, RandomDistribution
from pynn_uni.utility import get_simulator

sim, options = get_simulator(
    ("--benchmark", "COBA or CUBA", {"default": "COBA"}),
    ("--n", "number of neurons", {"type": int, "default": 4000}),
    ("--tstop", "simulated time (ms)", {"type": float, "default": 1000.0}),
    ("--seed", "seed of the connectivity and initial values", {"type": int, "default": 4}),
    ("--plot-figure", "file name of the figure (empty: none)", {"default": "va_benchmark.png"}),
)

t0 = time.perf_counter()
sim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
coba = options.benchmark == "COBA"
celltype = sim.IF_cond_exp if coba else sim.IF_curr_exp
cell_params = dict(
    tau_m=20.0,
    cm=0.2,
    v_rest=-60.0,
    v_thresh=-50.0,
    v_reset=-60.0,
    tau_refrac=5.0,
    i_offset=0.0,
    tau_syn_E=5.0,
    tau_syn_I=10.0,
)
if coba:
    cell_params.update(e_rev_E=0.0, e_rev_I=-80.0)
    w_exc, w_inh = 4e-3, 51e-3  # µS
else:
    cell_params.update(v_rest=-49.0)
    w_exc, w_inh = 0.27, -4.5  # nA (Brette et al., scaled to cm = 0.2 nF)
n_exc = int(options.n * 0.8)
n_inh = options.n - n_exc
rng = NumpyRNG(seed=options.seed)

exc = sim.Population(n_exc, celltype(**cell_params), label="Excitatory")
inh = sim.Population(n_inh, celltype(**cell_params), label="Inhibitory")
v_init = RandomDistribution("uniform", low=-60.0, high=-50.0, rng=rng)
exc.initialize(v=v_init)
inh.initialize(v=v_init)
stim = sim.Population(20, sim.SpikeSourcePoisson(rate=50.0, duration=50.0), label="Stimulus")



def connector(p_connect: float, k: int):
    """Projection k's own random stream: as in PyNN, a connector draws from a copy of its
    rng, so projections sharing one rng would share their random numbers (the I->E wiring
    would repeat the E->I wiring)."""
    return sim.FixedProbabilityConnector(p_connect, rng=NumpyRNG(seed=options.seed + 1 + k))


exc_syn = sim.StaticSynapse(weight=w_exc, delay=0.2)
inh_syn = sim.StaticSynapse(weight=w_inh, delay=0.2)
projections = [
    sim.Projection(exc, exc, connector(0.02, 0), exc_syn, receptor_type="excitatory"),
    sim.Projection(exc, inh, connector(0.02, 1), exc_syn, receptor_type="excitatory"),
    sim.Projection(inh, exc, connector(0.02, 2), inh_syn, receptor_type="inhibitory"),
    sim.Projection(inh, inh, connector(0.02, 3), inh_syn, receptor_type="inhibitory"),
    sim.Projection(
        stim,
        exc,
        connector(0.1, 4),
        sim.StaticSynapse(weight=0.1 if coba else 1.0, delay=0.2),
        receptor_type="excitatory",
    ),
]
exc.record("spikes")
inh.record("spikes")
exc[:2].record("v")
build_time = time.perf_counter() - t0

t0 = time.perf_counter()
sim.run(options.tstop)
run_time = time.perf_counter() - t0

exc_data = exc.get_data()
inh_data = inh.get_data()
n_conn = sum(p.size() for p in projections)
rates = {
    label: pop.mean_spike_count() * 1000.0 / options.tstop
    for label, pop in (("excitatory", exc), ("inhibitory", inh))
}
print(f"{options.benchmark} network on {sim.__name__}: {options.n} cells, {n_conn} connections")
print(f"build {build_time:.2f} s, run {run_time:.2f} s")
for label, rate in rates.items():
    print(f"mean rate {label}: {rate:.2f} Hz")

if options.plot_figure:
    from pynn_uni.utility.plotting import Figure, Panel

    seg = exc_data.segments[0]
    Figure(
        Panel(
            seg.spiketrains[:200],
            ylabel="cell index",
            yticks=True,
            markersize=1,
            xlim=(0, options.tstop),
        ),
        Panel(
            seg.filter(name="v")[0],
            ylabel="Membrane potential (mV)",
            yticks=True,
            xlabel="Time (ms)",
            xticks=True,
            xlim=(0, options.tstop),
        ),
        title=f"Vogels-Abbott {options.benchmark} ({sim.__name__})",
    ).save(options.plot_figure)
    print(f"figure saved to {options.plot_figure}")
sim.end()
