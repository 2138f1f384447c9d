"""Run PyNN 0.13's examples, unchanged, and collect status, wall time and spike counts.

Used by ``test_examples.py`` (on pynn_uni, through the ``pyNN`` alias) and by hand against a
real PyNN installation to record the reference table::

    python tests/pynn_compat/examples_runner.py --sims nest,neuron --out pynn_uni.json
    python tests/pynn_compat/examples_runner.py --python /path/to/pynn013/bin/python \\
        --no-alias --out pynn013.json

Each example runs in its own process and its own scratch folder (examples write ``Results/``
relative to the working directory); the neo files it writes are read back and summarised as
spike counts, so two runs can be compared number by number.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sdist import examples_dir  # noqa: E402

#: arguments after the simulator name
EXTRA_ARGS = {"VAbenchmarks.py": ["COBA"]}
#: examples that only exist for one simulator
ONLY_ON = {"nrn_artificial_cell.py": {"neuron"}, "nineml_brunel.py": {"neuron"}}


def example_names() -> list[str]:
    return sorted(p.name for p in examples_dir().glob("*.py"))


def command(python: str, alias: bool, script: Path, sim: str) -> list[str]:
    args = [str(script), sim, *EXTRA_ARGS.get(script.name, [])]
    return [python, "-m", "pynn_uni.pynn_alias", *args] if alias else [python, *args]


def summarise_outputs(workdir: Path) -> dict[str, dict]:
    """Spike and signal counts of every neo pickle the example wrote, keyed by a stable name."""
    out = {}
    for path in sorted(workdir.rglob("*.pkl")):
        try:
            with open(path, "rb") as fh:
                block = pickle.load(fh)
        except Exception as err:  # noqa: BLE001 - a summary, not a verdict
            out[path.name] = {"error": f"{type(err).__name__}: {err}"}
            continue
        key = "_".join(path.stem.split("_")[:-1])  # drop the time stamp
        segments = getattr(block, "segments", [])
        out[key] = {
            "spikes": [int(sum(len(st) for st in seg.spiketrains)) for seg in segments],
            "signals": [len(seg.analogsignals) for seg in segments],
            # per segment and signal (in neo's order): name, units, mean and std of all values
            "signal_stats": [
                [_stats(sig) for sig in seg.analogsignals] for seg in segments
            ],
        }
    return out


def _stats(signal) -> list:
    values = np.asarray(signal.magnitude, dtype=float)
    finite = values[np.isfinite(values)]
    mean, std = (float(finite.mean()), float(finite.std())) if finite.size else (0.0, 0.0)
    return [str(signal.name), signal.units.dimensionality.string, mean, std]


def run_one(name: str, sim: str, python: str, alias: bool, timeout: float) -> dict:
    script = examples_dir() / name
    with tempfile.TemporaryDirectory(prefix="pynn_example_") as tmp:
        work = Path(tmp)
        shutil.copy(script, work / name)
        (work / "Results").mkdir()  # as in PyNN's source tree, where some examples save there
        env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0")
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(
                command(python, alias, work / name, sim),
                cwd=work, env=env, capture_output=True, text=True, timeout=timeout,
            )
            status = "ok" if proc.returncode == 0 else "failed"
            tail = (proc.stdout[-1500:] + proc.stderr[-2500:]).strip()
        except subprocess.TimeoutExpired:
            status, tail = "timeout", f"no result within {timeout} s"
        wall = time.perf_counter() - t0
        outputs = summarise_outputs(work) if status == "ok" else {}
    return {"example": name, "sim": sim, "status": status, "wall_s": round(wall, 2),
            "outputs": outputs, "tail": tail if status != "ok" else ""}


def outputs_match(ours: dict, theirs: dict, exact_spikes: bool = True) -> str:
    """'yes', 'n/a' (nothing written) or what differs between two runs' output summaries."""
    if not theirs:
        return "n/a"
    diffs = []
    for key, ref in theirs.items():
        got = ours.get(key)
        if got is None:
            diffs.append(f"{key} missing")
            continue
        if got["spikes"] != ref["spikes"]:
            diffs.append(f"{key} spikes {got['spikes']} vs {ref['spikes']}")
        if got["signals"] != ref["signals"]:
            diffs.append(f"{key} signals {got['signals']} vs {ref['signals']}")
    return "; ".join(diffs) or "yes"


def table(ours_file: str, ref_file: str) -> str:
    """Markdown table: example x simulator, PyNN's and pynn_uni's status and times, match."""
    ours = {(r["example"], r["sim"]): r for r in json.loads(Path(ours_file).read_text())}
    refs = {(r["example"], r["sim"]): r for r in json.loads(Path(ref_file).read_text())}
    lines = ["| example | sim | PyNN 0.13 | pynn_uni | PyNN s | pynn_uni s | outputs match |",
             "|---|---|---|---|---:|---:|---|"]
    for key in sorted(set(ours) | set(refs)):
        a, b = refs.get(key, {}), ours.get(key, {})
        match = (outputs_match(b.get("outputs", {}), a.get("outputs", {}))
                 if a.get("status") == b.get("status") == "ok" else "")
        lines.append(f"| {key[0]} | {key[1]} | {a.get('status', '-')} | {b.get('status', '-')} "
                     f"| {a.get('wall_s', '')} | {b.get('wall_s', '')} | {match} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--no-alias", action="store_true", help="run against a real PyNN")
    parser.add_argument("--sims", default="nest,neuron")
    parser.add_argument("--only", default="", help="comma-separated example names")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--out", default="-")
    parser.add_argument("--table", nargs=2, metavar=("OURS", "PYNN"),
                        help="print the Markdown comparison of two result files and stop")
    args = parser.parse_args(argv)
    if args.table:
        print(table(*args.table))
        return
    names = args.only.split(",") if args.only else example_names()
    results = []
    for name in names:
        for sim in args.sims.split(","):
            if sim not in ONLY_ON.get(name, {sim}):
                continue
            res = run_one(name, sim, args.python, not args.no_alias, args.timeout)
            print(f"{name:40s} {sim:7s} {res['status']:8s} {res['wall_s']:8.1f} s", flush=True)
            results.append(res)
    text = json.dumps(results, indent=1)
    if args.out == "-":
        print(text)
    else:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
