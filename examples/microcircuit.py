"""Cortical microcircuit of Potjans & Diesmann (2014), Cereb Cortex 24:785.

1 mm² of early sensory cortex: 77,169 current-based integrate-and-fire cells (IF_curr_exp)
in 8 populations (excitatory and inhibitory cells of layers 2/3, 4, 5 and 6) and about
0.3 billion synapses at full scale, driven by Poisson or DC background input.  All
numbers below are the model description of the paper (Tables 4 and 5); the code is ours.

* Connections: per projection a fixed *total* number of synapses between random
  (pre, post) pairs, multapses and autapses allowed, K = log(1 - C) / log(1 - 1/(Npre Npost))
  for the connection probability C (paper, eq. 1).
* Weights: normal, 87.8 pA (a 0.15 mV PSP) with 10 % SD, clipped to keep their sign;
  inhibitory ones g = -4 times that; L4E -> L23E doubled.  Delays: normal, 1.5 ms (E) and
  0.75 ms (I) with 50 % SD, clipped at the time step.
* Background: K_ext Poisson inputs of 8 Hz per cell (one Poisson train of K_ext * 8 Hz, a
  sum of independent Poisson trains being Poisson), or ``--background dc``: their mean
  current, K_ext * 8 Hz * w * tau_syn, as a constant offset current.
* Initial membrane potentials: normal, -58 mV with SD 10 mV.

The DC background suits full in-degrees only (``--k-scale 1``): below, the compensating
current, computed for the reference rates, leaves every cell under threshold once the
network falls silent (no Poisson fluctuations kick it back), and it stays silent.

``--scale`` multiplies the number of cells, ``--k-scale`` (default: the same) the in-degrees
(synapses per cell, K_ext too).  In-degrees below full are compensated as in van Albada,
Helias & Diesmann (2015), PLoS Comput Biol 11:e1004490: weights grow by 1/sqrt(k) so the
input variance stays, and a DC current adds the mean input lost, (1 - sqrt(k)) times the
mean recurrent and Poisson input at the full-scale reference rates below.

The check: mean rates per population next to the reference rates, which are those of a
full-scale NEST simulation of the model with Poisson background (the rates NEST 3's
microcircuit example uses for this compensation; about those of the paper's Fig. 6, and
approximate: they vary by several % with seed, scale and the initial transient).

Usage:  python examples/microcircuit.py [--simulator nest|neuron|hardware] [--scale 0.1]
        [--k-scale S] [--background poisson|dc] [--tstop 1000] [--transient 100]
        [--threads 1] [--seed 1] [--plot FILE] [--chip-profile bss2]
        mpirun -np 2 python examples/microcircuit.py --simulator neuron --scale 0.05
"""

from __future__ import annotations

import argparse
import importlib
import time

import numpy as np

POPULATIONS = ("L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I")
FULL_SIZES = np.array([20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948])
#: connection probabilities, [target, source], order of POPULATIONS (paper, Table 5)
CONN_PROBS = np.array(
    [
        [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
        [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
        [0.0077, 0.0059, 0.0497, 0.1350, 0.0067, 0.0003, 0.0453, 0.0],
        [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
        [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
        [0.0548, 0.0269, 0.0257, 0.0022, 0.0600, 0.3158, 0.0086, 0.0],
        [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
        [0.0364, 0.0010, 0.0034, 0.0005, 0.0277, 0.0080, 0.0658, 0.1443],
    ]
)
K_EXT = np.array([1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100])  # Poisson inputs per cell
BG_RATE = 8.0  # Hz, per external input
#: full-scale rates (Hz) of NEST 3's microcircuit example with Poisson background: a
#: reference, approximately the paper's Fig. 6, and the rates the DC compensation assumes
REFERENCE_RATES = np.array([0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829])
EXCITATORY = np.array([True, False] * 4)

CELL = {  # IF_curr_exp (paper, Table 5)
    "cm": 0.25,  # nF
    "tau_m": 10.0,
    "tau_syn_E": 0.5,
    "tau_syn_I": 0.5,
    "tau_refrac": 2.0,
    "v_rest": -65.0,
    "v_thresh": -50.0,
    "v_reset": -65.0,
}
PSP_MV, G, W_REL_SD = 0.15, -4.0, 0.1
DELAY_E, DELAY_I, DELAY_REL_SD = 1.5, 0.75, 0.5  # ms
V0_MEAN, V0_SD = -58.0, 10.0  # mV
DT = 0.1  # ms


def psc_for_psp(psp_mv: float, cell: dict = CELL) -> float:
    """Amplitude (nA) of the exponential current that gives a PSP of ``psp_mv`` peak."""
    tm, ts, c = cell["tau_m"], cell["tau_syn_E"], cell["cm"]
    t_peak = tm * ts / (tm - ts) * np.log(tm / ts)
    peak_per_na = ts * tm / (c * (tm - ts)) * (np.exp(-t_peak / tm) - np.exp(-t_peak / ts))
    return psp_mv / peak_per_na


def weight_matrix() -> np.ndarray:
    """Mean weights (nA), [target, source]: w for E sources, g w for I, 2 w for L4E->L23E."""
    w = psc_for_psp(PSP_MV)
    weights = np.where(EXCITATORY, w, G * w)[None, :].repeat(8, axis=0)
    weights[0, 2] *= 2.0
    return weights


def sizes(scale: float) -> np.ndarray:
    return np.maximum(np.round(FULL_SIZES * scale).astype(int), 1)


def synapse_counts(scale: float, k_scale: float) -> np.ndarray:
    """Synapses per projection, [target, source]: the paper's total for the full model,
    K = log(1 - C) / log(1 - 1 / (Npre Npost)), as an in-degree K / Npost, times k_scale,
    times the scaled number of targets, rounded."""
    total = np.log1p(-CONN_PROBS) / np.log1p(-1.0 / np.outer(FULL_SIZES, FULL_SIZES))
    indegree = total / FULL_SIZES[:, None]
    return np.round(indegree * k_scale * sizes(scale)[:, None]).astype(np.int64)


def offset_currents(k_scale: float, background: str) -> np.ndarray:
    """Constant current (nA) per population: the mean input lost by scaling in-degrees by
    k_scale with weights scaled by 1/sqrt(k_scale), plus for a DC background the mean of
    the Poisson drive it replaces.  Mean input of one source: K w rate tau_syn."""
    tau = CELL["tau_syn_E"] * 1e-3  # s
    full_indegree = synapse_counts(1.0, 1.0) / FULL_SIZES[:, None]
    recurrent = (full_indegree * weight_matrix() * REFERENCE_RATES[None, :]).sum(axis=1) * tau
    external = K_EXT * psc_for_psp(PSP_MV) * BG_RATE * tau
    lost = 1.0 - np.sqrt(k_scale)
    if background == "dc":
        return lost * recurrent + external
    return lost * (recurrent + external)


def build(sim, scale=0.1, k_scale=None, background="poisson", seed=1, record=True):
    """Create the model on ``sim`` (after ``sim.setup``); returns (populations, projections)."""
    # imported here: the plain-NEST benchmark reads this module's numbers without pynn_uni
    from pynn_uni.random import NumpyRNG, RandomDistribution

    k_scale = scale if k_scale is None else k_scale
    n = sizes(scale)
    counts = synapse_counts(scale, k_scale)
    weights = weight_matrix() / np.sqrt(k_scale)
    offsets = offset_currents(k_scale, background)
    rng = NumpyRNG(seed=seed)
    pops = [
        sim.Population(
            int(n[i]),
            sim.IF_curr_exp(**CELL, i_offset=float(offsets[i])),
            initial_values={"v": RandomDistribution("normal", mu=V0_MEAN, sigma=V0_SD, rng=rng)},
            label=name,
        )
        for i, name in enumerate(POPULATIONS)
    ]
    if record:
        for pop in pops:
            pop.record("spikes")
    projections = []
    if background == "poisson":
        w_ext = psc_for_psp(PSP_MV) / np.sqrt(k_scale)
        for i, pop in enumerate(pops):
            rate = float(np.round(K_EXT[i] * k_scale)) * BG_RATE
            noise = sim.Population(
                pop.size, sim.SpikeSourcePoisson(rate=rate), label="bg_" + pop.label
            )
            projections.append(
                sim.Projection(
                    noise, pop, sim.OneToOneConnector(),
                    sim.StaticSynapse(weight=w_ext, delay=DELAY_E), receptor_type="excitatory",
                )
            )  # fmt: skip
    for t in range(8):
        for s in range(8):
            if counts[t, s] == 0:
                continue
            w, exc = weights[t, s], EXCITATORY[s]
            d = DELAY_E if exc else DELAY_I
            # a stream per projection: a connector draws from a copy of its rng
            prng = NumpyRNG(seed=seed + 1 + 8 * t + s)
            low, high = (0.0, np.inf) if exc else (-np.inf, 0.0)
            synapse = sim.StaticSynapse(
                weight=RandomDistribution(
                    "normal_clipped", mu=w, sigma=abs(w) * W_REL_SD, low=low, high=high, rng=prng
                ),
                delay=RandomDistribution(
                    "normal_clipped", mu=d, sigma=d * DELAY_REL_SD, low=DT, high=np.inf, rng=prng
                ),
            )
            connector = sim.FixedTotalNumberConnector(int(counts[t, s]), rng=prng)
            receptor = "excitatory" if exc else "inhibitory"
            projections.append(
                sim.Projection(pops[s], pops[t], connector, synapse, receptor_type=receptor)
            )
    return pops, projections


def rates(pops, t_start: float, t_stop: float) -> np.ndarray:
    """Mean rate (Hz) of each population over (t_start, t_stop]."""
    out = []
    for pop in pops:
        trains = pop.get_data("spikes").segments[0].spiketrains
        n_spikes = sum(int(np.count_nonzero(np.asarray(st) > t_start)) for st in trains)
        out.append(n_spikes / (pop.size * (t_stop - t_start) * 1e-3))
    return np.array(out)


def options(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--simulator", default="nest", help="nest, neuron or hardware")
    p.add_argument("--scale", type=float, default=0.1, help="fraction of the cells")
    p.add_argument("--k-scale", type=float, default=None, help="fraction of the in-degrees")
    p.add_argument("--background", choices=("poisson", "dc"), default="poisson")
    p.add_argument("--tstop", type=float, default=1000.0, help="simulated time, ms")
    p.add_argument("--transient", type=float, default=100.0, help="ms left out of the rates")
    p.add_argument("--threads", type=int, default=1, help="threads (NEST)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--chip-profile", default="bss2", help="chip profile on hardware (bss2 has IF_curr_exp)"
    )
    p.add_argument("--plot", default="", help="file name of a raster plot (default: none)")
    return p.parse_args(argv)


def main() -> None:
    args = options()
    sim = importlib.import_module(f"pynn_uni.{args.simulator}")
    if args.background == "dc" and (args.k_scale or args.scale) < 1 and sim.rank() == 0:
        print("warning: DC background with reduced in-degrees can fall silent (see --help)")
    t0 = time.perf_counter()
    # on NEST: the grid-based iaf_psc_exp of the paper, not the precise-timing *_ps models
    # that PyNN's default spike_precision picks
    extra = {}
    if args.simulator == "nest":
        extra = {"threads": args.threads, "spike_precision": "on_grid"}
    elif args.simulator == "hardware":
        extra = {"profile": args.chip_profile}
    sim.setup(timestep=DT, min_delay=DT, rng_seed=args.seed, **extra)
    pops, projections = build(sim, args.scale, args.k_scale, args.background, args.seed)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    sim.run(args.tstop)
    t_run = time.perf_counter() - t0
    measured = rates(pops, args.transient, args.tstop)
    n_syn = sum(p.size() for p in projections if p.pre.label[:3] != "bg_")
    if sim.rank() == 0:
        print(
            f"microcircuit on {args.simulator} ({sim.num_processes()} process(es)): scale "
            f"{args.scale}, k_scale {args.k_scale or args.scale}, {args.background} background, "
            f"{sum(p.size for p in pops)} cells, {n_syn} synapses"
        )
        print(
            f"build {t_build:.2f} s, run {t_run:.2f} s "
            f"(real-time factor {t_run / (args.tstop * 1e-3):.2f})"
        )
        print(f"rates over {args.transient:g}-{args.tstop:g} ms (Hz), reference: full-scale NEST")
        for name, r, ref in zip(POPULATIONS, measured, REFERENCE_RATES, strict=True):
            print(f"{name:>5}: {r:7.3f}   reference {ref:6.3f}")
    if args.plot and sim.rank() == 0:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(8, 6))
        offset = 0
        for pop in reversed(pops):
            trains = pop.get_data("spikes").segments[0].spiketrains[:100]
            for i, st in enumerate(trains):
                ax.plot(np.asarray(st), np.full(len(st), offset + i), "k.", markersize=1)
            ax.text(args.tstop, offset + 50, " " + pop.label, va="center")
            offset += len(trains) + 10
        ax.set(xlabel="time (ms)", yticks=[], title=f"microcircuit, scale {args.scale}")
        fig.savefig(args.plot, dpi=120)
        print(f"figure saved to {args.plot}")
    sim.end()


if __name__ == "__main__":
    main()
