"""NeuroML2 export and import of one large projection: seconds and peak memory per edge count.

Each (phase, size) runs in a fresh subprocess so that peak RSS belongs to that phase alone:
``export`` builds an N x N all-to-all projection with random per-edge weights and delays and
per-cell random ``tau_m`` (so the post population is written as one NeuroML2 population per
distinct value, and the projection as one per pair), then times :func:`export_to_neuroml`
(the network file and the LEMS file); ``import`` times :func:`import_from_neuroml` of that
file (reading it and creating every connection in the simulator); ``validate`` (with
``--validate``, largest size, once) times libNeuroML's schema validator on it.  Prints one
JSON line per run and a Markdown table of medians.

    python benchmarks/neuroml_io.py --edges 250000 500000 1000000 --repeats 3 --backend nest
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


def _phase(phase: str, edges: int, path: str, backend: str, uniform: bool) -> dict:
    import importlib

    import numpy as np

    sim = importlib.import_module(f"pynn_uni.{backend}")
    from pynn_uni.network import Network
    from pynn_uni.random import NumpyRNG, RandomDistribution
    from pynn_uni.serialization import export_to_neuroml, import_from_neuroml

    sim.setup(timestep=0.1)
    side = int(round(np.sqrt(edges)))
    before = _rss_mb()
    if phase == "export":
        rng = NumpyRNG(seed=1)
        tau_m = 15.0 if uniform else RandomDistribution("uniform", (10, 20), rng=rng)
        pre = sim.Population(side, sim.SpikeSourcePoisson(rate=5.0), label="pre")
        post = sim.Population(side, sim.IF_cond_exp(tau_m=tau_m), label="post")
        prj = sim.Projection(
            pre, post, sim.AllToAllConnector(),
            sim.StaticSynapse(weight=RandomDistribution("uniform", (0.0, 0.01), rng=rng),
                              delay=RandomDistribution("uniform", (0.5, 3.0), rng=rng)),
            label="big",
        )  # fmt: skip
        before = _rss_mb()
        t0 = time.perf_counter()
        export_to_neuroml(Network(pre, post, prj), path, duration=100.0)
        seconds = time.perf_counter() - t0
        n = prj.size()
    elif phase == "import":
        t0 = time.perf_counter()
        net = import_from_neuroml(path, sim)
        seconds = time.perf_counter() - t0
        n = net.count_connections()
    else:
        from neuroml.utils import validate_neuroml2

        t0 = time.perf_counter()
        validate_neuroml2(path)
        seconds = time.perf_counter() - t0
        n = edges
    return {"phase": phase, "backend": backend, "edges": int(n), "seconds": round(seconds, 3),
            "rss_growth_mb": round(_rss_mb() - before, 1),
            "file_mb": round(os.path.getsize(path) / 1e6, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, nargs="+", default=[250_000, 500_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backend", default="nest")
    parser.add_argument("--uniform", action="store_true", help="one tau_m: no split")
    parser.add_argument("--validate", action="store_true", help="time the schema validator")
    parser.add_argument("--_phase", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._phase:
        phase, edges, path = args._phase
        print(json.dumps(_phase(phase, int(edges), path, args.backend, args.uniform)), flush=True)
        return
    results: dict = {}

    def one(phase: str, edges: int, path: str) -> None:
        command = [sys.executable, __file__, "--backend", args.backend, "--_phase", phase,
                   str(edges), path] + (["--uniform"] if args.uniform else [])  # fmt: skip
        out = subprocess.run(command, capture_output=True, text=True, check=True)
        line = [x for x in out.stdout.splitlines() if x.startswith("{")][-1]
        print(line, flush=True)
        results.setdefault((phase, edges), []).append(json.loads(line))

    with tempfile.TemporaryDirectory(prefix="neuroml_bench_") as tmp:
        for edges in args.edges:
            path = os.path.join(tmp, f"n{edges}.net.nml")
            for _ in range(args.repeats):
                for phase in ("export", "import"):
                    one(phase, edges, path)
        if args.validate:
            one("validate", args.edges[-1], path)
    print(
        "\n| phase | edges | median s | median RSS growth (MB) | MB per million edges | file MB |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for (phase, _edges), runs in sorted(results.items()):
        s = statistics.median(r["seconds"] for r in runs)
        m = statistics.median(r["rss_growth_mb"] for r in runs)
        n = runs[0]["edges"]
        print(f"| {phase} | {n} | {s:.2f} | {m:.0f} | {m / n * 1e6:.0f} | {runs[0]['file_mb']} |")


if __name__ == "__main__":
    main()
