"""The Vogels-Abbott COBA network (Brette et al. 2007), scaled to fit one block of a chip,
run on NEST and then, unchanged, on the ``spikey`` and ``bss2`` chip profiles.

Prints each chip's mapping report and the mean rates, and saves a figure of the rates and
of the requested vs realised weight distributions.  Scaling: 190 neurons (152 exc, 38 inh)
keep VA's in-degrees (64 exc + 16 inh, so p = 0.42), fit in one block's 192 feedback rows
(spikey) or 256 labelled rows (bss2), and get a steady Poisson drive (16 sources, 10 Hz)
because a network this small does not sustain VA's self-sustained state.  Weights are drawn
around VA's 4 nS / 51 nS so that quantisation shows as a distribution.  The chips cannot
realise everything: spikey clips v_thresh (-50 -> -55 mV) and tau_m (20 -> 10 ms) into its
ranges; the largest inhibitory weights are clipped (spikey 15 x 4 nS, bss2 63 x 0.5 nS);
both replace the 0.2 ms delay by their fixed 0.1 ms.  The report lists each of these.

    python examples/hardware_va.py [--tstop 1000] [--out hardware_va.png]
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np

N_EXC, N_INH, N_STIM, P = 152, 38, 16, 0.42
CELL = dict(tau_m=20.0, cm=0.2, v_rest=-60.0, v_thresh=-50.0, v_reset=-60.0, tau_refrac=5.0,
            i_offset=0.0, tau_syn_E=5.0, tau_syn_I=10.0, e_rev_E=0.0, e_rev_I=-80.0)  # fmt: skip
#: chip-specific setup: what a user must decide when moving the script to the chip
CHIPS = {
    "spikey": dict(range_policy="clip", weight_clip="clip"),
    "bss2": dict(weight_clip="clip"),
}


def run(sim, tstop: float, **setup):
    """Build and run the network; returns rates (Hz), requested and realised weights (nS)."""
    sim.setup(timestep=0.1, **setup)
    rng = sim.NumpyRNG(seed=42)
    exc = sim.Population(N_EXC, sim.IF_cond_exp(**CELL), label="exc")
    inh = sim.Population(N_INH, sim.IF_cond_exp(**CELL), label="inh")
    stim = sim.Population(N_STIM, sim.SpikeSourcePoisson(rate=10.0), label="stim")
    cells = exc + inh
    conn = sim.FixedProbabilityConnector(P, rng=rng)
    w_e = sim.RandomDistribution("normal_clipped", mu=4e-3, sigma=1e-3, low=1e-4, high=1.0,
                                 rng=rng)  # fmt: skip
    w_i = sim.RandomDistribution("normal_clipped", mu=51e-3, sigma=10e-3, low=1e-3, high=1.0,
                                 rng=rng)  # fmt: skip
    projections = {
        "exc": sim.Projection(exc, cells, conn, sim.StaticSynapse(weight=w_e, delay=0.2),
                              label="exc"),
        "inh": sim.Projection(inh, cells, conn, sim.StaticSynapse(weight=w_i, delay=0.2),
                              receptor_type="inhibitory", label="inh"),
        "stim": sim.Projection(stim, cells, sim.FixedProbabilityConnector(0.5, rng=rng),
                               sim.StaticSynapse(weight=6e-3, delay=0.2), label="stim"),
    }  # fmt: skip
    cells.initialize(v=sim.RandomDistribution("uniform", low=-60.0, high=-55.0, rng=rng))
    cells.record("spikes")
    sim.run(tstop)
    counts = cells.get_spike_counts()
    rates = np.array([counts[i] for i in sorted(counts)]) / (tstop / 1000.0)
    weights = {}  # nS; the NaNs of format="array" mark pairs that are not connected
    for key, prj in projections.items():
        w = np.asarray(prj.get("weight", format="array"), float)
        weights[key] = 1e3 * w[~np.isnan(w)]
    report = sim.get_mapping_report() if hasattr(sim, "get_mapping_report") else None
    sim.end()
    return rates, weights, report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tstop", type=float, default=1000.0, help="ms bio")
    ap.add_argument("--out", default="hardware_va.png", help="figure file ('' for none)")
    args = ap.parse_args()
    import pynn_uni.hardware as hw
    import pynn_uni.nest as nest_sim

    results = {"NEST": run(nest_sim, args.tstop)}
    for name, setup in CHIPS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", hw.errors.RoundingWarning)
            results[name] = run(hw, args.tstop, profile=name, **setup)
        print(f"--- {name} ---\n{results[name][2]}")
        print("clipped parameters:", results[name][2].parameter_clips)
    print(f"{'':8s} {'mean rate (Hz)':>15s} {'CV of rates':>12s}")
    for name, (rates, _, _) in results.items():
        print(f"{name:8s} {rates.mean():15.2f} {rates.std() / rates.mean():12.2f}")
    if args.out:
        _figure(results, args.out)
        print("figure:", args.out)


def _figure(results: dict, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    bins = np.linspace(0, max(r[0].max() for r in results.values()) + 1, 30)
    for name, (rates, _, _) in results.items():
        axes[0].hist(rates, bins, histtype="step", label=name)
    axes[0].set(xlabel="firing rate (Hz)", ylabel="neurons", title="rates")
    axes[0].legend()
    for ax, key in zip(axes[1:], ("exc", "inh"), strict=True):
        req = results["NEST"][1][key]
        bins = np.linspace(0, req.max() * 1.05, 60)
        ax.hist(req, bins, histtype="stepfilled", alpha=0.3, color="k", label="requested")
        for name in CHIPS:
            ax.hist(results[name][1][key], bins, histtype="step", label=f"realised {name}")
        ax.set(xlabel=f"{key} weight (nS)", ylabel="synapses", title=f"{key} weights")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
