"""Every cell type of a backend under a DC pulse and a current step, one panel each.

For each neuron model the backend declares (its ``capabilities.toml``), a population of
two cells: cell 0 gets a DCSource from 50 to 150 ms, cell 1 a StepCurrentSource rising in
three steps.  Amplitudes are 1.5x the cell's rheobase estimated from its own parameters
(g_leak * (threshold - rest), with g_leak = cm / tau_m or the model's g_leak), so every
model fires; models without a threshold parameter use a fixed value (nA).  The script
prints the spike count of each cell.

Runs on: nest, neuron (DCSource, StepCurrentSource); not on the emulated chip, which
declares no current sources (it reports that and exits).

Usage:  python examples/current_injection.py nest [--tstop 250] [--plot-figure ci.png]
"""

from __future__ import annotations

import sys

from pynn_uni.common.provenance import read_capabilities
from pynn_uni.utility import get_simulator

sim, options = get_simulator(
    ("--tstop", "simulated time (ms)", {"type": float, "default": 250.0}),
    ("--models", "comma-separated subset of the models (default: all)", {"default": ""}),
    ("--plot-figure", "file name of the figure (default: none)", {"default": ""}),
)

backend = sim.__name__.rsplit(".", 1)[-1]
components = read_capabilities(backend).get("components", {})
if not {"DCSource", "StepCurrentSource"} <= set(components.get("current_sources", [])):
    print(f"{backend}: no DCSource/StepCurrentSource declared; nothing to inject into")
    sys.exit(0)
names = [
    name
    for name in components.get("models", [])
    if not getattr(sim, name).__dict__.get("is_spike_source", name.startswith("SpikeSource"))
    and getattr(sim, name).injectable
]
if options.models:
    wanted = options.models.split(",")
    names = [name for name in names if name in wanted]

FIXED_AMPLITUDE = {"HH_cond_exp": 0.5, "Izhikevich": 0.01}  # nA


def rheobase_amplitude(celltype) -> float:
    """1.5x the current (nA) that holds a leaky cell at its threshold."""
    p = celltype.default_parameters
    name = type(celltype).__name__
    if name in FIXED_AMPLITUDE:
        return FIXED_AMPLITUDE[name]
    threshold = p.get("v_thresh", p.get("v_t_star"))
    if "g_leak" in p:
        g = p["g_leak"] / (1000.0 if name == "IF_facets_hardware1" else 1.0)  # nS -> uS
    else:
        g = p["cm"] / p["tau_m"]  # nF / ms = uS
    return 1.5 * g * (threshold - p["v_rest"])  # uS * mV = nA


sim.setup(timestep=0.1)
populations = {}
for name in names:
    celltype = getattr(sim, name)()
    amplitude = rheobase_amplitude(celltype)
    pop = sim.Population(2, celltype, label=name)
    sim.DCSource(amplitude=amplitude, start=50.0, stop=150.0).inject_into(pop[0:1])
    step = sim.StepCurrentSource(
        times=[50.0, 100.0, 150.0, 200.0],
        amplitudes=[0.5 * amplitude, amplitude, 1.5 * amplitude, 0.0],
    )
    step.inject_into(pop[1:2])
    pop.record(["spikes", "v"])
    populations[name] = pop
sim.run(options.tstop)

blocks = {name: pop.get_data() for name, pop in populations.items()}
for name, block in blocks.items():
    counts = [len(st) for st in block.segments[0].spiketrains]
    print(f"{name:>26}: DC {counts[0]:3d} spikes, step {counts[1]:3d} spikes")

if options.plot_figure:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = max(len(blocks), 1)
    fig, axes = plt.subplots(n, 1, sharex=True, figsize=(8, 1.6 * n + 1), squeeze=False)
    for ax, (name, block) in zip(axes[:, 0], blocks.items(), strict=False):
        v = block.segments[0].filter(name="v")[0]
        t = v.times.rescale("ms").magnitude
        ax.plot(t, v.magnitude[:, 0], lw=0.8, label="DC")
        ax.plot(t, v.magnitude[:, 1], lw=0.8, label="step")
        ax.set_ylabel("v (mV)")
        ax.set_title(name, fontsize=9)
    axes[0, 0].legend(loc="upper right", fontsize=8)
    axes[-1, 0].set_xlabel("time (ms)")
    fig.tight_layout()
    fig.savefig(options.plot_figure)
    print(f"figure saved to {options.plot_figure}")
sim.end()
