"""Short-term depression and facilitation with the Tsodyks-Markram synapse.

Three sources fire the same regular train (``--rate``, 10 spikes) plus one late recovery
spike; each reaches its own cell through a static, a depressing (U=7/15, tau_rec=200 ms)
or a facilitating (U=1/9, tau_facil=500 ms, tau_rec=0.1 ms: recovered before the next
spike) synapse.  The script prints the PSP
amplitudes (peak v after each spike minus v just before it, mV) relative to the first,
next to the release u_n x_n of the Tsodyks-Markram equations (u_0 = 0, x_0 = 1):
u_n = U + u_{n-1}(1-U)exp(-dt/tau_facil), x_n = 1 - (1 - x_{n-1}(1-u_{n-1}))exp(-dt/tau_rec).
PSPs overlap at high rates and the synapse is conductance based, so measured ratios follow
the prediction only approximately (tau_syn_E = 5 ms keeps the overlap small at 20 Hz).

Parameters fit the emulated Spikey chip (IF_facets_hardware1, weights a whole number of
the 1 nS weight steps, U on the chip's release levels, depressing xor facilitating), so the
script runs unchanged on nest, neuron and hardware.  On the chip it asks for
``readout_policy="relaxed"`` (three membrane traces; the real chip reads one).  The chip
facilitates only with tau_rec = 0, which the common TsodyksMarkramSynapse rejects (it
requires tau_rec > 0), so there the facilitating synapse is reported as not supported and
left out (a backend's ``NotSupportedError`` is caught and printed).

Usage:  python examples/tsodyks_markram.py nest [--rate 20] [--plot-figure tm.png]
"""

from __future__ import annotations

import numpy as np

from pynn_uni.errors import NotSupportedError
from pynn_uni.utility import get_simulator

sim, options = get_simulator(
    ("--rate", "rate of the regular train (Hz)", {"type": float, "default": 20.0}),
    ("--plot-figure", "file name of the membrane-trace figure (default: none)", {"default": ""}),
)

dt_spike = 1000.0 / options.rate  # ms
spikes = 50.0 + dt_spike * np.arange(10)
spikes = np.append(spikes, spikes[-1] + 500.0)  # recovery test
tstop = float(spikes[-1] + 150.0)
synapses = {
    "static": (sim.StaticSynapse, {}),
    "depressing": (sim.TsodyksMarkramSynapse, {"U": 7 / 15, "tau_rec": 200.0, "tau_facil": 0.0}),
    "facilitating": (
        sim.TsodyksMarkramSynapse,
        {"U": 1 / 9, "tau_rec": 0.1, "tau_facil": 500.0},
    ),
}
weights = {"static": 0.002, "depressing": 0.004, "facilitating": 0.012}  # uS (whole nS)

extra = {"readout_policy": "relaxed"} if sim.__name__.endswith(".hardware") else {}
sim.setup(timestep=0.1, **extra)
cells = {}
for label, (synapse_type, parameters) in synapses.items():
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=spikes), label=f"{label} input")
    cell = sim.Population(1, sim.IF_facets_hardware1(tau_syn_E=5.0), label=label)
    try:
        sim.Projection(
            source,
            cell,
            sim.OneToOneConnector(),
            synapse_type(weight=weights[label], delay=0.1, **parameters),
            receptor_type="excitatory",
        )
    except NotSupportedError as err:
        print(f"{label}: not supported on this backend ({err})")
        continue
    cell.record("v")
    cells[label] = cell
sim.run(tstop)


def release(U: float, tau_rec: float, tau_facil: float) -> np.ndarray:
    """u_n x_n for each spike of the train (the efficacy the PSP scales with)."""
    u, x, out = 0.0, 1.0, []
    previous = None
    for t in spikes:
        if previous is not None:
            gap = t - previous
            decay = np.exp(-gap / tau_facil) if tau_facil > 0 else 0.0
            recover = np.exp(-gap / tau_rec) if tau_rec > 0 else 0.0
            x = 1.0 - (1.0 - x * (1.0 - u)) * recover
            u = U + u * (1.0 - U) * decay
        else:
            u = U
        out.append(u * x)
        previous = t
    return np.asarray(out)


traces = {}
for label, cell in cells.items():
    v = cell.get_data().segments[0].analogsignals[0]
    t = v.times.rescale("ms").magnitude
    trace = v.magnitude[:, 0]
    traces[label] = (t, trace)
    before = np.interp(spikes, t, trace)
    peaks = np.array([trace[(t >= s) & (t < s + min(dt_spike, 40.0))].max() for s in spikes])
    amplitude = peaks - before
    _, parameters = synapses[label]
    expected = release(**parameters) if parameters else np.ones(len(spikes))
    print(f"{label:>12}: measured " + " ".join(f"{a:.2f}" for a in amplitude / amplitude[0]))
    print(f"{'':>12}  expected " + " ".join(f"{e:.2f}" for e in expected / expected[0]))

if options.plot_figure:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(traces), 1, sharex=True, figsize=(8, 6))
    for ax, (label, (t, trace)) in zip(axes, traces.items(), strict=True):
        ax.plot(t, trace, "k-", lw=0.8)
        ax.set_ylabel(f"{label}\nv (mV)")
    axes[-1].set_xlabel("time (ms)")
    fig.savefig(options.plot_figure)
    print(f"figure saved to {options.plot_figure}")
sim.end()
