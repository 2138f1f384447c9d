"""Run each network benchmark through plain PyNEST and through pynn_uni, side by side,
and print a Markdown table of medians and pynn_uni / nest ratios.

Every run is a fresh subprocess (so peak memory is per run); the order of the
implementations alternates between repeats so drifts in machine load hit both.
Brunel has three native node structures (see ``brunel_nest.py``); the one whose
structure (generators and relays in use, as the NEST kernel reports them after the run)
equals pynn_uni's is marked "same node structure", and the ratio targets are judged
there only.

Usage: ``python benchmarks/compare.py [--quick] [--repeats N] [--only brunel]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

import _bench

HERE = os.path.dirname(os.path.abspath(__file__))

#: benchmark -> [(column label, script, extra args)], native variants first
BENCHMARKS = {
    "va_coba": [("nest", "va_coba_nest.py", []), ("pynn_uni", "va_coba_pynn_uni.py", [])],
    "brunel": [
        ("nest", "brunel_nest.py", []),
        ("nest --per-neuron", "brunel_nest.py", ["--per-neuron"]),
        ("nest --relay", "brunel_nest.py", ["--relay"]),
        ("pynn_uni", "brunel_pynn_uni.py", []),
    ],
}

#: ratio limits from the issue, by table row
LIMITS = {"build_s": 2.0, "build+run_s": 1.15, "peak_rss_mb": 1.2}


def _verdict(value: float, limit: float) -> str:
    return "yes" if value <= limit else "**no**"


def _med(records: list[dict], key: str) -> float:
    if key == "build+run_s":
        return statistics.median(r["build_s"] + r["run_s"] for r in records)
    return statistics.median(r[key] for r in records)


def run_benchmark(name: str, repeats: int, common: list[str], timeout: float | None):
    """All runs of one benchmark: {column label: [records]}, plus error messages."""
    variants = BENCHMARKS[name]
    runs: dict[str, list[dict]] = {label: [] for label, _, _ in variants}
    errors: list[str] = []
    for rep in range(repeats):
        order = variants if rep % 2 == 0 else variants[::-1]
        for label, script, extra in order:
            argv = [os.path.join(HERE, script), *common, *extra, "--seed", str(1000 + rep)]
            print(f"[{name} {rep + 1}/{repeats}] {label} ...", file=sys.stderr, flush=True)
            record = _bench.run_child(argv, timeout)
            if "error" in record:
                errors.append(record["error"])
            else:
                runs[label].append(record)
    return runs, errors


def table(name: str, native: str, runs: dict[str, list[dict]]) -> str:
    """Markdown table comparing pynn_uni with one native variant."""
    a, b = runs[native], runs["pynn_uni"]
    same = {r.get("structure") for r in a} == {r.get("structure") for r in b}
    title = f"### {name}: pynn_uni vs `{native}`" + (" (same node structure)" if same else "")
    lines = [
        title,
        "",
        f"{len(a)} / {len(b)} runs; medians.",
        "",
        "| metric | nest | pynn_uni | pynn_uni / nest | target | met |",
        "|---|---:|---:|---:|---|---|",
    ]
    keys = ("build_s", "run_s", "build+run_s", "data_s", "peak_rss_mb", "connections", "nodes")
    lines.append(f"| structure | {a[0].get('structure')} | {b[0].get('structure')} | | | |")
    for key in (*keys, "min_delay_ms"):
        x, y = _med(a, key), _med(b, key)
        ratio = y / x if x else float("nan")
        limit = LIMITS.get(key)
        target = met = ""
        if limit is not None and same:
            target, met = f"<= {limit:g}", _verdict(ratio, limit)
        elif limit is not None:
            target = f"(<= {limit:g} for the same node structure)"
        fmt = ".0f" if key in ("connections", "nodes") else ".4g"
        lines.append(f"| {key} | {x:{fmt}} | {y:{fmt}} | {ratio:.3f} | {target} | {met} |")
    share = 100 * _med(b, "data_s") / _med(b, "run_s")
    lines.append(
        f"| pynn_uni data_s / run_s | | {share:.2f} % | | < 10 % | {_verdict(share, 10)} |"
    )
    ra = statistics.fmean(r["rate_hz"] for r in a)
    rb = statistics.fmean(r["rate_hz"] for r in b)
    diff = 100 * (rb - ra) / ra
    lines.append(
        f"| mean rate (Hz) | {ra:.3f} | {rb:.3f} | {diff:+.2f} % | within 5 % "
        f"| {_verdict(abs(diff), 5)} |"
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--sim-time", type=float, default=1000.0, help="ms")
    p.add_argument("--quick", action="store_true", help="scale 0.2, one repeat")
    p.add_argument("--only", nargs="+", choices=list(BENCHMARKS), default=list(BENCHMARKS))
    p.add_argument("--timeout", type=float, default=None, help="seconds per run")
    p.add_argument("--raw", help="also write every run's JSON record to this file")
    args = p.parse_args()
    if args.quick:
        args.scale, args.repeats = 0.2, 1
    common = [
        "--scale",
        str(args.scale),
        "--threads",
        str(args.threads),
        "--sim-time",
        str(args.sim_time),
    ]
    print(
        f"## pynn_uni vs plain PyNEST (scale {args.scale}, {args.threads} thread(s), "
        f"{args.sim_time:g} ms, {args.repeats} repeat(s))\n\n"
        f"pynn_uni runs with `setup(spike_precision={_bench.SPIKE_PRECISION!r})`: the NEST "
        "models of the native scripts (pynn_uni.nest's default, PyNN's 'off_grid', would use "
        "NEST's precise-timing *_ps models)\n"
    )
    all_records, failures = [], []
    for name in args.only:
        runs, errors = run_benchmark(name, args.repeats, common, args.timeout)
        failures += errors
        all_records += [r for rs in runs.values() for r in rs]
        if not runs["pynn_uni"]:
            print(f"### {name}: no successful pynn_uni run\n")
        for label, _, _ in BENCHMARKS[name][:-1]:
            if runs[label] and runs["pynn_uni"]:
                print(table(name, label, runs))
    if failures:
        print("### failed runs\n")
        for e in failures:
            print("```\n" + e + "\n```\n")
    _bench.finish(args.raw, all_records, failures)


if __name__ == "__main__":
    main()
