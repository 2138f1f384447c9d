"""The backend's cell types and spike sources side by side, under the same Poisson input.

Every neuron model the backend declares (its ``capabilities.toml``) gets one cell driven
by the same 20 excitatory and 5 inhibitory Poisson sources (20 Hz each).  The excitatory
weight is chosen from the cell's own parameters so that the mean input would hold it
1.2x above threshold: a conductance g = 1.2 g_leak (threshold - rest) / (E_exc - threshold),
a current I = 1.2 g_leak (threshold - rest), or for delta synapses a drift of 1.2x the gap
per membrane time constant, each divided by (inputs x rate x tau_syn, times e for alpha
kernels); inhibitory weights
are a quarter of the excitatory ones.  Every spike source model the backend declares runs
alongside (10 cells, 20 Hz).  The script prints the output rates; ``--plot-figure`` draws
one membrane trace per model and a raster per source.

Runs on: nest, neuron and hardware (each with the models it declares; on the chip
IF_facets_hardware1 with weights rounded to its 1 nS steps and ``readout_policy="relaxed"``
so every cell's membrane can be read).

Usage:  python examples/cell_types.py nest [--tstop 1000] [--seed 1] [--plot-figure ct.png]
"""

from __future__ import annotations

import numpy as np

from pynn_uni.common.provenance import read_capabilities
from pynn_uni.random import NumpyRNG
from pynn_uni.utility import get_simulator

sim, options = get_simulator(
    ("--tstop", "simulated time (ms)", {"type": float, "default": 1000.0}),
    ("--seed", "seed of the sources", {"type": int, "default": 1}),
    ("--plot-figure", "file name of the figure (default: none)", {"default": ""}),
)

backend = sim.__name__.rsplit(".", 1)[-1]
declared = read_capabilities(backend).get("components", {}).get("models", [])
sources = [n for n in declared if n.startswith("SpikeSource")]
neurons = [n for n in declared if not n.startswith("SpikeSource")]
N_EXC, N_INH, RATE = 20, 5, 20.0  # inputs, inputs, Hz
FIXED_WEIGHT = {"HH_cond_exp": 0.02, "Izhikevich": 5.0}  # uS; mV (a voltage jump)
SOURCE_PARAMETERS = {
    "SpikeSourcePoisson": {"rate": RATE},
    "SpikeSourcePoissonRefractory": {"rate": RATE, "tau_refrac": 5.0},
    "SpikeSourceGamma": {"alpha": 4.0, "beta": 4.0 * RATE},
    "SpikeSourceInhGamma": None,  # needs time-varying arrays: not part of this demo
}


def excitatory_weight(celltype) -> float:
    """Weight whose mean input holds the cell 1.2x above threshold (see module docstring)."""
    name = type(celltype).__name__
    if name in FIXED_WEIGHT:
        return FIXED_WEIGHT[name]
    p = celltype.default_parameters
    gap = p.get("v_thresh", p.get("v_t_star")) - p["v_rest"]  # mV
    g_leak = p["g_leak"] / 1000.0 if "g_leak" in p else p["cm"] / p["tau_m"]  # uS
    rate = N_EXC * RATE / 1000.0  # input spikes per ms
    if name == "IF_curr_delta":
        return 1.2 * gap / (rate * p["tau_m"])  # mV
    charge = rate * p["tau_syn_E"]  # (spikes/ms) x ms
    if "alpha" in name:
        charge *= np.e  # an alpha kernel of peak w carries e x tau_syn x w
    if celltype.conductance_based:
        threshold = p["v_rest"] + gap
        return 1.2 * g_leak * gap / (p.get("e_rev_E", 0.0) - threshold) / charge
    return 1.2 * g_leak * gap / charge


extra = {"readout_policy": "relaxed"} if backend == "hardware" else {}
sim.setup(timestep=0.1, **extra)
rng = NumpyRNG(seed=options.seed)
exc_in = sim.Population(N_EXC, sim.SpikeSourcePoisson(rate=RATE), label="exc input")
inh_in = sim.Population(N_INH, sim.SpikeSourcePoisson(rate=RATE), label="inh input")
cells = {}
for name in neurons:
    celltype = getattr(sim, name)()
    w = excitatory_weight(celltype)
    if backend == "hardware":
        w = max(round(w, 3), 0.001)  # whole nS steps of the chip
    pop = sim.Population(1, celltype, label=name)
    for source, weight, receptor in ((exc_in, w, "excitatory"), (inh_in, w / 4, "inhibitory")):
        signed = -weight if receptor == "inhibitory" and not celltype.conductance_based else weight
        sim.Projection(
            source,
            pop,
            sim.AllToAllConnector(),
            sim.StaticSynapse(weight=signed, delay=1.0),
            receptor_type=receptor,
        )
    pop.record(["spikes", "v"])
    cells[name] = pop
generators = {}
for name in sources:
    if name == "SpikeSourceArray":
        times = [sim.Sequence(np.arange(10.0 * (i + 1), options.tstop, 100.0)) for i in range(10)]
        celltype = sim.SpikeSourceArray(spike_times=times)
    elif SOURCE_PARAMETERS.get(name) is None:
        continue
    else:
        celltype = getattr(sim, name)(**SOURCE_PARAMETERS[name])
    generators[name] = sim.Population(10, celltype, label=name)
    generators[name].record("spikes")
sim.run(options.tstop)

for name, pop in {**cells, **generators}.items():
    rate = pop.mean_spike_count() * 1000.0 / options.tstop
    print(f"{name:>28}: {rate:6.1f} Hz")

if options.plot_figure:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = max(len(cells) + len(generators), 1)
    fig, axes = plt.subplots(n, 1, sharex=True, figsize=(8, 1.4 * n + 1), squeeze=False)
    for ax, (name, pop) in zip(axes[:, 0], cells.items(), strict=False):
        v = pop.get_data().segments[0].filter(name="v")[0]
        ax.plot(v.times.rescale("ms").magnitude, v.magnitude[:, 0], "k-", lw=0.6)
        ax.set_ylabel("v (mV)")
        ax.set_title(name, fontsize=9)
    for ax, (name, pop) in zip(axes[len(cells) :, 0], generators.items(), strict=False):
        for i, st in enumerate(pop.get_data().segments[0].spiketrains):
            ax.plot(st.magnitude, np.full(len(st), i), "k.", markersize=2)
        ax.set_ylabel("source")
        ax.set_title(name, fontsize=9)
    axes[-1, 0].set_xlabel("time (ms)")
    fig.tight_layout()
    fig.savefig(options.plot_figure)
    print(f"figure saved to {options.plot_figure}")
sim.end()
