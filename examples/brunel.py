"""Sparse network of excitatory and inhibitory integrate-and-fire cells (Brunel 2000).

Brunel N (2000) J Comput Neurosci 8:183, "Dynamics of sparsely connected networks of
excitatory and inhibitory spiking neurons", model A: delta synapses (IF_curr_delta, weights
are voltage jumps in mV), every cell gets C_E = epsilon N_E excitatory and C_I = C_E / 4
inhibitory recurrent inputs plus C_E independent external Poisson inputs at rate
eta * nu_thr.  The four regimes of the paper's figure 8 are selectable:

    A  g=3,   eta=2    synchronous regular (SR)
    B  g=6,   eta=4    synchronous irregular, fast oscillation (SI fast)
    C  g=5,   eta=2    asynchronous irregular (AI)
    D  g=4.5, eta=0.9  synchronous irregular, slow oscillation (SI slow)

Scaled down by default (``--scale 0.1``: 1250 cells instead of 12500).  To keep the mean
input (``eta * theta`` from outside) and its variance as in the full network, J is scaled
by sqrt(1000 / C_E); the external Poisson inputs of a cell are merged into one source of
rate C_E * nu_ext (a sum of independent Poisson processes is Poisson).  The recurrent mean
input is not preserved by this scaling, so rates and oscillations only resemble the paper's
qualitatively; ``--scale 1`` is the paper's network.

Runs on: nest, neuron (IF_curr_delta); not on the emulated chip (only IF_facets_hardware1).

Usage:  python examples/brunel.py nest [--regime C] [--scale 0.1] [--tstop 500]
        [--seed 1] [--plot-figure brunel.png]
"""

from __future__ import annotations

import numpy as np

from pynn_uni.random import NumpyRNG
from pynn_uni.utility import get_simulator

REGIMES = {"A": (3.0, 2.0), "B": (6.0, 4.0), "C": (5.0, 2.0), "D": (4.5, 0.9)}  # (g, eta)

sim, options = get_simulator(
    ("--regime", "A, B, C or D (Brunel 2000, fig. 8)", {"default": "C", "choices": "ABCD"}),
    ("--scale", "network size relative to 12500 cells", {"type": float, "default": 0.1}),
    ("--tstop", "simulated time (ms)", {"type": float, "default": 500.0}),
    ("--seed", "seed of the connectivity", {"type": int, "default": 1}),
    ("--n-record", "excitatory cells whose spikes are recorded", {"type": int, "default": 50}),
    ("--plot-figure", "file name of a raster + rate figure (default: none)", {"default": ""}),
)

g, eta = REGIMES[options.regime]
epsilon = 0.1  # connection probability
n_exc = max(int(round(10000 * options.scale)), 8)
n_inh = max(n_exc // 4, 2)
c_exc = max(int(epsilon * n_exc), 1)  # recurrent excitatory in-degree
c_inh = max(c_exc // 4, 1)
theta, tau_m, delay = 20.0, 20.0, 1.5  # mV, ms, ms
j_exc = 0.1 * np.sqrt(1000.0 / c_exc)  # mV; 0.1 mV at the paper's C_E = 1000
j_inh = -g * j_exc
nu_thr = theta / (j_exc * c_exc * tau_m) * 1000.0  # Hz: rate that brings v to threshold
nu_ext = eta * nu_thr  # Hz per external input

sim.setup(timestep=0.1, min_delay=0.1, max_delay=delay)
rng = NumpyRNG(seed=options.seed)
cell = sim.IF_curr_delta(
    tau_m=tau_m, cm=0.25, v_rest=0.0, v_reset=10.0, v_thresh=theta, tau_refrac=2.0
)
exc = sim.Population(n_exc, cell, initial_values={"v": 0.0}, label="Excitatory")
inh = sim.Population(n_inh, cell, initial_values={"v": 0.0}, label="Inhibitory")
everyone = exc + inh
noise = sim.Population(n_exc + n_inh, sim.SpikeSourcePoisson(rate=c_exc * nu_ext), label="Ext")

sim.Projection(
    noise, everyone, sim.OneToOneConnector(), sim.StaticSynapse(weight=j_exc, delay=delay)
)
for pre, n_in, weight, receptor in (
    (exc, c_exc, j_exc, "excitatory"),
    (inh, c_inh, j_inh, "inhibitory"),
):
    sim.Projection(
        pre,
        everyone,
        sim.FixedNumberPreConnector(n_in, rng=rng),
        sim.StaticSynapse(weight=weight, delay=delay),
        receptor_type=receptor,
    )

recorded = exc[: min(options.n_record, n_exc)]
recorded.record("spikes")
inh.record("spikes")
sim.run(options.tstop)

trains = recorded.get_data().segments[0].spiketrains
rate_e = sum(len(st) for st in trains) / len(trains) / options.tstop * 1000.0
rate_i = inh.mean_spike_count() / options.tstop * 1000.0
print(f"regime {options.regime} (g={g}, eta={eta}): {n_exc}+{n_inh} cells, C_E={c_exc}, "
      f"J={j_exc:.3f} mV, nu_ext={nu_ext:.1f} Hz")  # fmt: skip
print(f"Excitatory: {rate_e:.2f} Hz")
print(f"Inhibitory: {rate_i:.2f} Hz")

if options.plot_figure:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(8, 6))
    times = [np.asarray(st.magnitude) for st in trains]
    for i, t in enumerate(times):
        ax1.plot(t, np.full_like(t, i), "k.", markersize=2)
    ax1.set_ylabel("cell")
    ax1.set_title(f"Brunel 2000, regime {options.regime} ({options.scale:g} scale)")
    all_times = np.concatenate(times) if times else np.zeros(0)
    bins = np.arange(0.0, options.tstop + 1.0, 1.0)  # 1 ms bins
    counts, _ = np.histogram(all_times, bins)
    ax2.plot(bins[:-1], counts / len(trains) * 1000.0, "k-", lw=0.8)
    ax2.set_xlabel("time (ms)")
    ax2.set_ylabel("rate (Hz)")
    fig.savefig(options.plot_figure)
    print(f"figure saved to {options.plot_figure}")
sim.end()
