"""SONATA export and import of one large projection: seconds and peak memory per edge count.

Each (phase, size) runs in a fresh subprocess so that peak RSS belongs to that phase alone:
``export`` builds an N x N all-to-all projection with random per-edge weights and delays and
per-cell random parameters, then times :func:`export_to_sonata`; ``import`` times
:func:`import_from_sonata` of that folder (reading the files and creating every connection in
the simulator).  Prints one JSON line per run and a Markdown table of medians.

    python benchmarks/sonata_io.py --edges 250000 500000 1000000 --repeats 3 --backend nest
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _phase(phase: str, edges: int, folder: str, backend: str) -> dict:
    import importlib

    import numpy as np

    sim = importlib.import_module(f"pynn_uni.{backend}")
    from pynn_uni.network import Network
    from pynn_uni.random import NumpyRNG, RandomDistribution
    from pynn_uni.serialization import export_to_sonata, import_from_sonata

    sim.setup(timestep=0.1)
    side = int(round(np.sqrt(edges)))
    before = _rss_mb()
    if phase == "export":
        rng = NumpyRNG(seed=1)
        pre = sim.Population(side, sim.SpikeSourcePoisson(rate=5.0), label="pre")
        post = sim.Population(
            side, sim.IF_cond_exp(tau_m=RandomDistribution("uniform", (10, 20), rng=rng)),
            label="post",
        )  # fmt: skip
        prj = sim.Projection(
            pre, post, sim.AllToAllConnector(),
            sim.StaticSynapse(weight=RandomDistribution("uniform", (0.0, 0.01), rng=rng),
                              delay=RandomDistribution("uniform", (0.5, 3.0), rng=rng)),
            label="big",
        )  # fmt: skip
        before = _rss_mb()
        t0 = time.perf_counter()
        export_to_sonata(Network(pre, post, prj), folder, overwrite=True)
        seconds = time.perf_counter() - t0
        n = prj.size()
    else:
        t0 = time.perf_counter()
        net = import_from_sonata(os.path.join(folder, "circuit_config.json"), sim)
        seconds = time.perf_counter() - t0
        n = net.count_connections()
    return {"phase": phase, "backend": backend, "edges": int(n), "seconds": round(seconds, 3),
            "rss_growth_mb": round(_rss_mb() - before, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, nargs="+", default=[250_000, 500_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backend", default="nest")
    parser.add_argument("--_phase", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._phase:
        phase, edges, folder = args._phase
        print(json.dumps(_phase(phase, int(edges), folder, args.backend)), flush=True)
        return
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="sonata_bench_") as tmp:
        for edges in args.edges:
            folder = os.path.join(tmp, f"n{edges}")
            for _ in range(args.repeats):
                for phase in ("export", "import"):
                    out = subprocess.run(
                        [sys.executable, __file__, "--backend", args.backend,
                         "--_phase", phase, str(edges), folder],
                        capture_output=True, text=True, check=True,
                    )  # fmt: skip
                    line = [x for x in out.stdout.splitlines() if x.startswith("{")][-1]
                    print(line, flush=True)
                    results.setdefault((phase, edges), []).append(json.loads(line))
    print("\n| phase | edges | median s | median RSS growth (MB) | MB per million edges |")
    print("|---|---:|---:|---:|---:|")
    for (phase, _edges), runs in sorted(results.items()):
        s = statistics.median(r["seconds"] for r in runs)
        m = statistics.median(r["rss_growth_mb"] for r in runs)
        n = runs[0]["edges"]
        print(f"| {phase} | {n} | {s:.2f} | {m:.0f} | {m / n * 1e6:.0f} |")


if __name__ == "__main__":
    main()
