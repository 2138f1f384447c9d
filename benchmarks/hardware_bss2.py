"""A fully used ``bss2`` chip: 512 circuits, all 256 synapse rows of both blocks, ~10 Hz,
1 s bio; emulated by ``pynn_uni.hardware`` and run by NEST (``pynn_uni.nest``) from the
same script.  A measurement, not a test (spec 3f.6: emulation <= 5 s on a 2-core machine).

Each block of 256 circuits sees 256 sources through 256 rows: 128 host Poisson sources and
128 chip neurons (96 excitatory, 32 inhibitory), each connected with p = 0.3 to every
circuit, so target columns overlap and no two sources can share a labelled row.

    python benchmarks/hardware_bss2.py [--sim-time 1000] [--no-nest]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("PYNEST_QUIET", "1")

N, N_POISSON, N_EXC_SRC, N_INH_SRC, P_CONNECT = 512, 128, 96, 32, 0.3
LSB = 0.0005  # uS: bss2's conductance LSB, so every weight is a whole code
W_POISSON, W_EXC, W_INH = 12 * LSB, 4 * LSB, 48 * LSB


def build_and_run(sim, sim_time: float, **setup) -> dict:
    t0 = time.perf_counter()
    sim.setup(timestep=0.1, **setup)
    celltype = sim.IF_cond_exp(tau_m=10.0, tau_refrac=2.0, v_thresh=-50.0, v_reset=-65.0,
                               v_rest=-65.0)  # fmt: skip
    cells = sim.Population(N, celltype, label="chip")
    poisson = sim.Population(N_POISSON, sim.SpikeSourcePoisson(rate=20.0), label="poisson")
    rng = sim.NumpyRNG(seed=7)
    conn = sim.FixedProbabilityConnector(P_CONNECT, rng=rng)
    syn = dict(delay=0.1)
    sim.Projection(poisson, cells, conn, sim.StaticSynapse(weight=W_POISSON, **syn), label="in")
    sim.Projection(cells[:N_EXC_SRC], cells, conn, sim.StaticSynapse(weight=W_EXC, **syn),
                   label="exc")  # fmt: skip
    sim.Projection(cells[N_EXC_SRC : N_EXC_SRC + N_INH_SRC], cells, conn,
                   sim.StaticSynapse(weight=W_INH, **syn), receptor_type="inhibitory",
                   label="inh")  # fmt: skip
    cells.record("spikes")
    report = sim.prepare() if hasattr(sim, "prepare") else None
    t1 = time.perf_counter()
    sim.run(sim_time)
    t2 = time.perf_counter()
    n_spikes = sum(st.size for st in cells.get_data().segments[0].spiketrains)
    sim.end()
    return {"build_s": t1 - t0, "run_s": t2 - t1, "rate_hz": n_spikes / N / (sim_time / 1000),
            "report": report}  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sim-time", type=float, default=1000.0, help="ms bio")
    p.add_argument("--no-nest", action="store_true")
    args = p.parse_args()
    import pynn_uni.hardware as hw

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hw.errors.RoundingWarning)
        chip = build_and_run(hw, args.sim_time, profile="bss2")
    rep = chip["report"]
    print(f"bss2 rows used per block {rep.rows_used}/{rep.rows_per_block}, "
          f"neurons {sum(rep.neurons_used)}/{rep.neurons_total}, "
          f"synapses {sum(p.realised for p in rep.projections)}")  # fmt: skip
    rows = [("pynn_uni.hardware (bss2)", chip)]
    if not args.no_nest:
        import pynn_uni.nest as nest_sim

        rows.append(("pynn_uni.nest", build_and_run(nest_sim, args.sim_time)))
    print(
        f"{'backend':28s} {'build s':>8s} {'run s':>8s} {'rate Hz':>8s}  ({args.sim_time:g} ms bio)"
    )
    for name, r in rows:
        print(f"{name:28s} {r['build_s']:8.2f} {r['run_s']:8.2f} {r['rate_hz']:8.2f}")


if __name__ == "__main__":
    main()
