"""Reading and writing the values of a large projection, on every installed backend.

Each backend runs in its own process (so peak RSS is that build's alone): a projection of
``--pre`` x ``--post`` cells with ``AllToAllConnector`` (1000 x 1000 = 1M connections by
default), weights ~ N(0.005, 0.0005) uS from a seeded ``RandomDistribution``, delay 1 ms,
then the first ``get('weight', format='array')`` (``first_get_array``: pynn_uni.nest
draws random static weights again rather than keeping them), then, each of ``--repeats``
times (median reported) after a 1 ms run:

* ``get_array``: ``get('weight', format='array')``;
* ``get_list``: ``get(['weight', 'delay'], format='list')``;
* ``set``: ``set(weight=a)`` with ``a`` the pre x post array just read;
* ``reset``: ``sim.reset()`` (NEST rebuilds its kernel and replays every connection).

``--synapse stdp`` uses an ``STDPMechanism`` (additive, spike-pair) instead of a
``StaticSynapse``.  The chip holds far fewer than 1M synapses: for ``hardware`` the
projection is the largest all-to-all the ``bss2`` profile fits (``--hw-pre`` x
``--hw-post``), from spike sources.  Prints one JSON line per backend and a Markdown table.

    python benchmarks/projection_readback.py                    # all backends, ~3 min
    python benchmarks/projection_readback.py --only nest --synapse stdp
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import _bench

BACKENDS = {
    "nest": "pynn_uni.nest",
    "neuron": "pynn_uni.neuron",
    "hardware": "pynn_uni.hardware",
    "reference": "pynn_uni.testing.reference",
}
OPS = ("get_array", "get_list", "set", "reset")


def _worker(backend: str, args) -> dict:
    import importlib

    import numpy as np

    if args.src:  # another checkout's pynn_uni (e.g. a copy of the code before a change)
        sys.path.insert(0, args.src)
    sim = importlib.import_module(BACKENDS[backend])
    from pynn_uni.random import NumpyRNG, RandomDistribution

    clock = _bench.Clock()
    n_pre, n_post = args.pre, args.post
    options = {"timestep": 0.1, "min_delay": 0.1, "max_delay": 10.0}
    if backend == "hardware":
        n_pre, n_post = args.hw_pre, args.hw_post
        options = {"profile": "bss2"}
    with clock("build"):
        sim.setup(**options)
        if backend == "hardware":
            pre = sim.Population(n_pre, sim.SpikeSourceArray(spike_times=[]))
        else:
            pre = sim.Population(n_pre, sim.IF_cond_exp())
        post = sim.Population(n_post, sim.IF_cond_exp())
        rng = NumpyRNG(seed=args.seed)
        w = RandomDistribution("normal", mu=0.005, sigma=0.0005, rng=rng)
        if args.synapse == "stdp":
            syn = sim.STDPMechanism(
                timing_dependence=sim.SpikePairRule(),
                weight_dependence=sim.AdditiveWeightDependence(w_max=0.01),
                weight=w,
                delay=1.0,
            )
        else:
            syn = sim.StaticSynapse(weight=w, delay=1.0)
        prj = sim.Projection(pre, post, sim.AllToAllConnector(), syn)
    sim.run(1.0)
    build_rss = _bench.peak_rss_mb()  # before any read-back
    t0 = time.perf_counter()  # the first read: NEST draws random static values again
    prj.get("weight", format="array")
    first = time.perf_counter() - t0
    times = {op: [] for op in OPS}
    for _ in range(args.repeats):
        sim.run(1.0)  # a reset() at t = 0 would have nothing to do
        t0 = time.perf_counter()
        a = prj.get("weight", format="array")
        times["get_array"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        rows = prj.get(["weight", "delay"], format="list")
        times["get_list"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        prj.set(weight=a)
        times["set"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        sim.reset()
        times["reset"].append(time.perf_counter() - t0)
    n = int(np.count_nonzero(~np.isnan(a)))
    assert n == len(rows) == len(prj), (n, len(rows), len(prj))
    out = {
        "backend": backend,
        "synapse": args.synapse,
        "shape": [n_pre, n_post],
        "connections": len(prj),
        "build_s": round(clock.seconds.get("build", 0.0), 3),
        "first_get_array_s": round(first, 4),
        "build_rss_mb": round(build_rss, 1),
        "peak_rss_mb": round(_bench.peak_rss_mb(), 1),
    }
    out.update({f"{op}_s": round(statistics.median(t), 4) for op, t in times.items()})
    sim.end()
    return out


def _run(backend: str, argv: list[str]) -> dict | None:
    out = _bench.run_child([__file__, "--worker", backend, *argv])
    if "error" in out:
        print(f"{backend}: {out['error']}", file=sys.stderr)
        return None
    print(json.dumps(out))
    return out


def _table(rows: list[dict]) -> str:
    head = ["backend", "synapse", "connections", "first_get_array_s",
            *(f"{op}_s" for op in OPS), "build_s", "build_rss_mb", "peak_rss_mb"]  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        lines.append("| " + " | ".join(str(r[k]) for k in head) + " |")
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", nargs="*", choices=sorted(BACKENDS), help="these backends")
    p.add_argument("--synapse", choices=("static", "stdp"), default="static")
    p.add_argument("--pre", type=int, default=1000)
    p.add_argument("--post", type=int, default=1000)
    p.add_argument("--hw-pre", type=int, default=256, help="spike sources on the chip")
    p.add_argument("--hw-post", type=int, default=512, help="neurons on the chip")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--seed", type=int, default=20240611)
    p.add_argument("--src", help="import pynn_uni from this src/ directory instead")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    args, _ = p.parse_known_args()
    if args.worker:
        print(json.dumps(_worker(args.worker, args)))
        return
    argv = [a for a in sys.argv[1:] if a not in ("--only", *BACKENDS)]
    rows = [r for b in (args.only or BACKENDS) if (r := _run(b, argv)) is not None]
    print(_table(rows))


if __name__ == "__main__":
    main()
