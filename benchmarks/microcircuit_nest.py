"""Potjans & Diesmann (2014) cortical microcircuit in plain PyNEST 3, written from the
paper's model description (the numbers are those of ``examples/microcircuit.py``, whose
docstring gives the model): iaf_psc_exp cells, per projection one ``fixed_total_number``
connect (multapses and autapses allowed) with normal weights and delays redrawn into
range, the Poisson background as one ``poisson_generator`` per population connected to
all its cells (``--background dc``: the mean drive as ``I_e``).

``--scale`` multiplies cells and in-degrees (``--k-scale`` overrides the latter), with the
example's weight and DC compensation.  The JSON line adds the rates per population, the
reference rates and the real-time factor (run_s per simulated second).
"""

from __future__ import annotations

import argparse
import os
import sys

import _bench
import numpy as np

import nest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))
import microcircuit as model  # noqa: E402  (the model's numbers only: no pynn_uni code)


def options() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--scale", type=float, default=0.1)
    p.add_argument("--k-scale", type=float, default=None)
    p.add_argument("--background", choices=("poisson", "dc"), default="poisson")
    p.add_argument("--sim-time", type=float, default=1000.0, help="ms")
    p.add_argument("--transient", type=float, default=100.0, help="ms left out of the rates")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=20240611)
    p.add_argument(
        "--model-per-projection",
        action="store_true",
        help="one copy of static_synapse per projection (how pynn_uni.nest tells "
        "projections apart) instead of static_synapse for all",
    )
    p.add_argument(
        "--idle-generators",
        action="store_true",
        help="also one unconnected, silent poisson_generator per neuron (the nodes "
        "pynn_uni.nest keeps, at rate 0, for SpikeSourcePoisson cells whose drive it merges "
        "into one generator)",
    )
    return p.parse_args()


def main() -> None:
    args = options()
    k_scale = args.scale if args.k_scale is None else args.k_scale
    n = model.sizes(args.scale)
    counts = model.synapse_counts(args.scale, k_scale)
    weights = 1000.0 * model.weight_matrix() / np.sqrt(k_scale)  # pA
    i_e = 1000.0 * model.offset_currents(k_scale, args.background)  # pA
    cell = {
        "C_m": 1000.0 * model.CELL["cm"],
        "tau_m": model.CELL["tau_m"],
        "tau_syn_ex": model.CELL["tau_syn_E"],
        "tau_syn_in": model.CELL["tau_syn_I"],
        "t_ref": model.CELL["tau_refrac"],
        "E_L": model.CELL["v_rest"],
        "V_th": model.CELL["v_thresh"],
        "V_reset": model.CELL["v_reset"],
    }
    clock = _bench.Clock()
    with clock("build"):
        nest.ResetKernel()
        nest.verbosity = nest.VerbosityLevel.ERROR
        nest.SetKernelStatus(
            {"resolution": model.DT, "rng_seed": args.seed, "local_num_threads": args.threads}
        )
        pops = []
        for i in range(8):
            nodes = nest.Create("iaf_psc_exp", int(n[i]), params=dict(cell, I_e=i_e[i]))
            nodes.V_m = nest.random.normal(model.V0_MEAN, model.V0_SD)
            pops.append(nodes)
        if args.background == "poisson":
            w_ext = 1000.0 * model.psc_for_psp(model.PSP_MV) / np.sqrt(k_scale)
            for i, nodes in enumerate(pops):
                rate = float(np.round(model.K_EXT[i] * k_scale)) * model.BG_RATE
                gen = nest.Create("poisson_generator", params={"rate": rate})
                if args.idle_generators:
                    nest.Create("poisson_generator", len(nodes), params={"rate": 0.0})
                nest.Connect(gen, nodes, "all_to_all", {"weight": w_ext, "delay": model.DELAY_E})
        for t in range(8):
            for s in range(8):
                if counts[t, s] == 0:
                    continue
                w, exc = weights[t, s], model.EXCITATORY[s]
                d = model.DELAY_E if exc else model.DELAY_I
                low, high = (0.0, np.inf) if exc else (-np.inf, 0.0)
                model_name = "static_synapse"
                if args.model_per_projection:
                    model_name = f"static_synapse_{t}_{s}"
                    nest.CopyModel("static_synapse", model_name)
                syn = {
                    "synapse_model": model_name,
                    "weight": nest.math.redraw(
                        nest.random.normal(w, abs(w) * model.W_REL_SD), low, high
                    ),
                    "delay": nest.math.redraw(
                        nest.random.normal(d, d * model.DELAY_REL_SD), model.DT, np.inf
                    ),
                }
                rule = {"rule": "fixed_total_number", "N": int(counts[t, s])}
                nest.Connect(pops[s], pops[t], rule, syn)
        recorders = []
        for nodes in pops:
            rec = nest.Create("spike_recorder")
            nest.Connect(nodes, rec)
            recorders.append(rec)
    with clock("run"):
        nest.Simulate(args.sim_time)
    with clock("data"):
        times = [np.asarray(r.get("events")["times"]) for r in recorders]
    window = (args.sim_time - args.transient) * 1e-3
    rates = [
        np.count_nonzero(ts > args.transient) / (k * window) for ts, k in zip(times, n, strict=True)
    ]
    facts = _bench.kernel_facts(nest)
    _bench.emit(
        "microcircuit",
        "nest",
        clock,
        sum(t.size for t in times),
        int(n.sum()),
        args.sim_time,
        facts.pop("connections"),
        scale=args.scale,
        k_scale=k_scale,
        background=args.background,
        variant=("model per projection" if args.model_per_projection else "one synapse model")
        + (" + idle generators" if args.idle_generators else ""),
        threads=args.threads,
        rtf=round(clock.seconds["run"] / (args.sim_time * 1e-3), 3),
        rates={p: round(float(r), 3) for p, r in zip(model.POPULATIONS, rates, strict=True)},
        reference={
            p: float(r) for p, r in zip(model.POPULATIONS, model.REFERENCE_RATES, strict=True)
        },
        synapses=int(counts.sum()),
        **facts,
    )


if __name__ == "__main__":
    main()
