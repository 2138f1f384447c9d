"""The spike-timing-dependent plasticity window, measured one synapse per timing.

Each of N synapses connects its own spike source to its own cell (one-to-one).  A strong
static input makes every cell fire at fixed times; the plastic synapse's source fires
``dt`` ms later (dt < 0: before), with dt swept from -60 to +60 ms across the synapses.
After the pairings, the weight change of each synapse against the measured
pre-minus-post interval traces the pair-based window of Song, Miller & Abbott (2000):
potentiation ``A_plus * exp(dt / tau_plus) * w_max`` for pre before post, depression for
post before pre (additive weight dependence; weights in nA).

Runs on: nest, neuron (STDPMechanism); not on the emulated chip (no STDP declared).

Usage:  python examples/stdp.py nest [--n 41] [--pairings 10] [--plot-figure stdp.png]
"""

from __future__ import annotations

import numpy as np

from pynn_uni.utility import get_simulator

sim, options = get_simulator(
    ("--n", "number of synapses (timings)", {"type": int, "default": 41}),
    ("--pairings", "pre/post pairings per synapse", {"type": int, "default": 10}),
    ("--plot-figure", "file name of the window figure (default: none)", {"default": ""}),
)

period, first = 200.0, 100.0  # ms between pairings, time of the first post drive
w0, w_max = 0.5, 1.0  # nA; too weak to make the cell fire on its own
tau, a_plus, a_minus = 20.0, 0.01, 0.012
dts = np.linspace(-60.0, 60.0, options.n)  # ms, pre minus drive
drive_times = first + period * np.arange(options.pairings)
tstop = drive_times[-1] + period

sim.setup(timestep=0.1, min_delay=0.1, max_delay=10.0)
cells = sim.Population(options.n, sim.IF_curr_exp(tau_refrac=2.0), label="Post")
drive = sim.Population(1, sim.SpikeSourceArray(spike_times=drive_times), label="Drive")
pre = sim.Population(
    options.n,
    sim.SpikeSourceArray(spike_times=[sim.Sequence(drive_times + dt) for dt in dts]),
    label="Pre",
)
sim.Projection(drive, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=8.0, delay=0.1))
stdp = sim.STDPMechanism(
    timing_dependence=sim.SpikePairRule(
        tau_plus=tau, tau_minus=tau, A_plus=a_plus, A_minus=a_minus
    ),
    weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=w_max),
    weight=w0,
    delay=0.1,
)
plastic = sim.Projection(pre, cells, sim.OneToOneConnector(), stdp)
cells.record("spikes")
sim.run(float(tstop))

# pre-minus-post interval actually realised (the cell fires ~1 ms after its drive)
post_trains = cells.get_data().segments[0].spiketrains
lag = np.array([st.magnitude[0] - first if len(st) else np.nan for st in post_trains])
measured_dt = dts - lag
dw = np.asarray(plastic.get("weight", format="array")).diagonal() - w0
step = max(options.n // 8, 1)
for dt, change in zip(measured_dt[::step], dw[::step], strict=True):
    print(f"pre - post = {dt:+6.1f} ms: weight change {change:+.4f} nA")
print(f"max potentiation {dw.max():+.4f} nA, max depression {dw.min():+.4f} nA")

if options.plot_figure:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.axhline(0.0, color="0.7", lw=0.8)
    ax.plot(-measured_dt, dw, "ko", label=sim.__name__)
    ax.set_xlabel("t_post - t_pre (ms)")
    ax.set_ylabel("weight change (nA)")
    ax.set_title(f"STDP window, {options.pairings} pairings")
    fig.savefig(options.plot_figure)
    print(f"figure saved to {options.plot_figure}")
sim.end()
