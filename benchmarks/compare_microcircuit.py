"""The cortical microcircuit through plain PyNEST and through pynn_uni, side by side, at
several scales and thread counts: a Markdown table of medians and pynn_uni / nest ratios
(build, run, build + run, peak memory, real-time factor) and one of the rates per
population against the full-scale reference.

Every run is a fresh subprocess; the order alternates between repeats.  Each
implementation draws from its own random streams, so the networks are statistically,
not spike-for-spike, equal.

Usage: ``python benchmarks/compare_microcircuit.py [--scales 0.1 0.25] [--threads 1 2]
[--repeats 3] [--sim-time 1000] [--raw runs.jsonl]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys

import _bench

HERE = os.path.dirname(os.path.abspath(__file__))
IMPLEMENTATIONS = (("nest", "microcircuit_nest.py"), ("pynn_uni", "microcircuit_pynn_uni.py"))
LIMITS = {"build+run_s": 1.15, "peak_rss_mb": 1.2}  # from the issue


def _value(record: dict, key: str) -> float:
    if key == "build+run_s":
        return record["build_s"] + record["run_s"]
    return record[key]


def measure(scale, threads, repeats, sim_time, timeout):
    runs = {label: [] for label, _ in IMPLEMENTATIONS}
    errors = []
    for rep in range(repeats):
        order = IMPLEMENTATIONS if rep % 2 == 0 else IMPLEMENTATIONS[::-1]
        for label, script in order:
            argv = [
                os.path.join(HERE, script),
                *("--scale", str(scale), "--threads", str(threads)),
                *("--sim-time", str(sim_time), "--seed", str(1000 + rep)),
            ]
            print(
                f"[scale {scale}, {threads} thread(s), {rep + 1}/{repeats}] {label} ...",
                file=sys.stderr,
                flush=True,
            )
            record = _bench.run_child(argv, timeout)
            print(json.dumps(record), file=sys.stderr, flush=True)
            if "error" in record:
                errors.append(record["error"])
            else:
                runs[label].append(record)
    return runs, errors


def ratio_table(results) -> str:
    lines = [
        "| scale | threads | runs | metric | nest | pynn_uni | pynn_uni / nest | target | met |",
        "|---:|---:|---|---|---:|---:|---:|---|---|",
    ]
    for (scale, threads), runs in results.items():
        a, b = runs["nest"], runs["pynn_uni"]
        if not a or not b:
            lines.append(f"| {scale} | {threads} | {len(a)} / {len(b)} | failed | | | | | |")
            continue
        for key in ("build_s", "run_s", "build+run_s", "peak_rss_mb", "rtf"):
            x = statistics.median(_value(r, key) for r in a)
            y = statistics.median(_value(r, key) for r in b)
            limit = LIMITS.get(key)
            target = f"<= {limit:g}" if limit else ""
            met = ("yes" if y / x <= limit else "**no**") if limit else ""
            lines.append(
                f"| {scale} | {threads} | {len(a)} / {len(b)} | {key} | {x:.4g} | {y:.4g} "
                f"| {y / x:.3f} | {target} | {met} |"
            )
    return "\n".join(lines) + "\n"


def rates_table(results) -> str:
    first = next(iter(results.values()))
    pops = list((first["nest"] or first["pynn_uni"])[0]["reference"])
    reference = (first["nest"] or first["pynn_uni"])[0]["reference"]
    head = "| scale | threads | impl | " + " | ".join(pops) + " |"
    lines = [head, "|---:|---:|---|" + "---:|" * len(pops)]
    lines.append("| 1 | | reference | " + " | ".join(f"{reference[p]:.3f}" for p in pops) + " |")
    for (scale, threads), runs in results.items():
        for label, records in runs.items():
            if records:
                means = [statistics.fmean(r["rates"][p] for r in records) for p in pops]
                cells = " | ".join(f"{m:.3f}" for m in means)
                lines.append(f"| {scale} | {threads} | {label} | {cells} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--scales", type=float, nargs="+", default=[0.1, 0.25])
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--sim-time", type=float, default=1000.0, help="ms")
    p.add_argument("--timeout", type=float, default=None, help="seconds per run")
    p.add_argument("--raw", help="also write every run's JSON record to this file")
    args = p.parse_args()
    print(
        f"## Microcircuit: pynn_uni vs plain PyNEST ({args.sim_time:g} ms, "
        f"{args.repeats} repeat(s), medians; rates: means over (100 ms, end])\n"
    )
    results, failures = {}, []
    for scale in args.scales:
        for threads in args.threads:
            runs, errors = measure(scale, threads, args.repeats, args.sim_time, args.timeout)
            results[(scale, threads)] = runs
            failures += errors
    print(ratio_table(results))
    print("Rates per population (Hz):\n")
    print(rates_table(results))
    if failures:
        print("### failed runs\n")
        for e in failures:
            print("```\n" + e + "\n```\n")
    records = [r for rs in results.values() for v in rs.values() for r in v]
    _bench.finish(args.raw, records, failures)


if __name__ == "__main__":
    main()
