"""VA COBA through pynn_uni.neuron, written in plain NEURON (``va_coba_neuron_plain.py``:
sections with ``pas``, ``ExpSyn``s, a small threshold/reset mechanism, the way NEURON's
users write it) and through pynn_uni.nest, side by side: a Markdown table of medians and
the ratios the NEURON backend is judged on against plain NEURON (run within 1.1 x, build +
run within 1.15 x, peak memory within 1.2 x; get_data under 5 % of the run time).

Every run is a fresh subprocess (peak memory per run); the order alternates between
repeats.  ``--scale 0.25`` keeps the whole comparison near a minute.

Usage: ``python benchmarks/compare_neuron.py [--scale 0.25] [--repeats 1] [--raw f.jsonl]``.

``--pynn-python PY --pynn-script FILE`` adds a column for PyNN itself: FILE, run by the
interpreter PY of an environment with PyNN 0.13 and NEURON, must build the same network with
``pyNN.neuron``, take ``--scale``, ``--sim-time`` and ``--seed``, and print ``_bench``'s JSON
line: ``va_coba_pynn013.py`` is that script (our own, against PyNN's public API), e.g.
``python -m venv /tmp/pynn013 && /tmp/pynn013/bin/pip install PyNN==0.13.* neuron==9.0.2``
then ``--pynn-python /tmp/pynn013/bin/python --pynn-script benchmarks/va_coba_pynn013.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

import _bench

HERE = os.path.dirname(os.path.abspath(__file__))

#: column label -> (script, extra args)
VARIANTS = {
    "neuron (plain)": ("va_coba_neuron_plain.py", []),
    "pynn_uni.neuron": ("va_coba_pynn_uni.py", ["--simulator", "neuron"]),
    "pynn_uni.nest": ("va_coba_pynn_uni.py", []),
}
PYNN = "PyNN 0.13 (neuron)"  # the optional column of --pynn-python
#: pynn_uni.neuron / plain NEURON: the targets (medians)
TARGETS = {"run_s": 1.1, "build+run_s": 1.15, "peak_rss_mb": 1.2}
KEYS = ("build_s", "run_s", "build+run_s", "data_s", "peak_rss_mb", "connections", "spikes")


def _med(records: list[dict], key: str) -> float:
    if key == "build+run_s":
        return statistics.median(r["build_s"] + r["run_s"] for r in records)
    return statistics.median(r[key] for r in records)


def table(runs: dict[str, list[dict]]) -> str:
    """Medians per variant, and pynn_uni.neuron over plain NEURON / over pynn_uni.nest."""
    labels = [k for k in runs if runs[k]]
    base, ours, nest = "neuron (plain)", "pynn_uni.neuron", "pynn_uni.nest"
    pynn = PYNN if runs.get(PYNN) else None
    head = " | ".join(labels)
    extra = " uni.neuron / PyNN |" if pynn else ""
    lines = [
        f"| metric | {head} | uni.neuron / plain | uni.neuron / uni.nest |{extra}",
        "|---|" + "---:|" * (len(labels) + 2 + bool(pynn)),
    ]
    for key in KEYS:
        med = {k: _med(runs[k], key) for k in labels}
        fmt = ".0f" if key in ("connections", "spikes") else ".4g"
        cells = " | ".join(f"{med[k]:{fmt}}" for k in labels)
        r1 = f"{med[ours] / med[base]:.3f}" if ours in med and base in med and med[base] else ""
        r2 = f"{med[ours] / med[nest]:.3f}" if ours in med and nest in med and med[nest] else ""
        row = f"| {key} | {cells} | {r1} | {r2} |"
        if pynn:
            row += f" {med[ours] / med[pynn]:.3f} |" if ours in med and med[pynn] else " |"
        lines.append(row)
    if runs[ours]:
        share = 100 * _med(runs[ours], "data_s") / _med(runs[ours], "run_s")
        verdict = "yes" if share < 5 else "**no**"
        lines.append(f"\npynn_uni.neuron data_s / run_s: {share:.2f} % (target < 5 %: {verdict})")
    if runs[ours] and runs[base]:
        for key, target in TARGETS.items():
            ratio = _med(runs[ours], key) / _med(runs[base], key)
            verdict = "yes" if ratio <= target else "**no**"
            lines.append(f"{key} vs plain NEURON: {ratio:.3f} (target <= {target}: {verdict})")
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--scale", type=float, default=0.25)
    p.add_argument("--sim-time", type=float, default=1000.0, help="ms")
    p.add_argument("--timeout", type=float, default=None, help="seconds per run")
    p.add_argument("--raw", help="also write every run's JSON record to this file")
    p.add_argument("--pynn-python", help="interpreter of a PyNN 0.13 + NEURON environment")
    p.add_argument("--pynn-script", help="VA COBA script for pyNN.neuron (see above)")
    args = p.parse_args()
    if bool(args.pynn_python) != bool(args.pynn_script):
        p.error("--pynn-python and --pynn-script go together")
    common = ["--scale", str(args.scale), "--sim-time", str(args.sim_time)]
    print(
        f"## VA COBA: pynn_uni.neuron vs plain NEURON vs pynn_uni.nest (scale {args.scale}, "
        f"{args.sim_time:g} ms, {args.repeats} repeat(s))\n"
    )
    variants = {k: (os.path.join(HERE, s), x, None) for k, (s, x) in VARIANTS.items()}
    if args.pynn_python:
        variants[PYNN] = (os.path.abspath(args.pynn_script), [], args.pynn_python)
    runs: dict[str, list[dict]] = {k: [] for k in variants}
    failures = []
    items = list(variants.items())
    for rep in range(args.repeats):
        for label, (script, extra, python) in items if rep % 2 == 0 else items[::-1]:
            argv = [script, *common, *extra, "--seed", str(1000 + rep)]
            print(f"[{rep + 1}/{args.repeats}] {label} ...", file=sys.stderr, flush=True)
            record = _bench.run_child(argv, args.timeout, python)
            if "error" in record:
                failures.append(record["error"])
            else:
                runs[label].append(record)
    print(table(runs))
    for e in failures:
        print("```\n" + e + "\n```\n")
    _bench.finish(args.raw, [r for rs in runs.values() for r in rs], failures)


if __name__ == "__main__":
    main()
