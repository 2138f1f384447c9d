"""How a network scales from one to two MPI processes: VA COBA at full scale, Brunel at
scale 0.2 and the microcircuit at scale 0.05, each run as ``mpirun -np N python SCRIPT``
for N = 1 and 2, fresh processes, the order alternating between repeats.

The Markdown table gives per network and process count the medians of build, run and
get_data (``data``) seconds, np2 / np1 ratios (target: build + run <= 0.65), get_data's
share of the run at np2 (target < 10 %), and whether spikes and connection counts are the
same at np1 and np2 (they must be: the network does not depend on the number of ranks).
Rank 0 prints each run's JSON line (``_bench.emit``); a barrier ends the build phase.

Usage: ``python benchmarks/compare_mpi.py [--repeats 3] [--only va,brunel]
[--scale-factor 0.25] [--raw f.jsonl]``.  ``--scale-factor`` multiplies every network's
scale (a quick correctness check); ``--sim-time`` overrides each network's simulated time.

``--virtual-processes K`` (NEST) fixes processes x threads at K for np1 and np2: NEST draws
Poisson trains per virtual process, so only then do networks with Poisson input (all three
here) give the same spikes on 1 and 2 processes.  ``--simulator nest`` runs the same
scripts on pynn_uni.nest; that needs a NEST built with
MPI (``tools/install-nest-mpi.sh``; the PyPI wheel refuses ``mpirun -np 2`` with a message
saying so, and the table then says so); ``--threads T`` adds a column of one
process with T NEST threads (NEST only; NEST's random streams depend on the number of
threads, so its spikes are not compared with np1's).  The machine must be otherwise idle:
two ranks on a 2-core machine with other work on it measure the load, not the scaling.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys

import _bench

HERE = os.path.dirname(os.path.abspath(__file__))

#: name -> (script, scale, simulated ms); Brunel's 20 kHz drive per cell makes a simulated
#: second of NEURON cost minutes at scale 0.2, so it runs 200 ms
NETWORKS = {
    "va": ("va_coba_pynn_uni.py", 1.0, 1000.0),
    "brunel": ("brunel_pynn_uni.py", 0.2, 200.0),
    "microcircuit": ("microcircuit_pynn_uni.py", 0.05, 1000.0),
}
RATIO_TARGET, DATA_SHARE_TARGET = 0.65, 0.10
PHASES = ("build_s", "run_s", "data_s", "build+run_s")


def _value(record: dict, key: str) -> float:
    if key == "build+run_s":
        return record["build_s"] + record["run_s"]
    return record[key]


def _med(records: list[dict], key: str) -> float:
    return statistics.median(_value(r, key) for r in records)


def _mpirun() -> list[str]:
    """The launcher prefix without ``-np`` (OpenMPI: oversubscribing allowed, root allowed)."""
    exe = shutil.which("mpirun") or shutil.which("mpiexec")
    if exe is None:
        sys.exit("compare_mpi.py: no mpirun on PATH (apt-get install openmpi-bin)")
    version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout
    if "Open MPI" in version:
        if os.geteuid() == 0:  # containers run as root; OpenMPI refuses that unless told
            os.environ.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        return [exe, "--oversubscribe"]
    return [exe]


def _same(runs: dict[str, list[dict]], key: str) -> str:
    """'yes' when every run of every configuration gave the same value, else the values."""
    values = {label: sorted({r[key] for r in rs}) for label, rs in runs.items() if rs}
    distinct = {v for vs in values.values() for v in vs}
    if distinct == {0} and key == "connections":
        return "- (the script reports no count)"
    if len(distinct) <= 1:
        return f"yes ({next(iter(distinct))})" if distinct else "-"
    return "**no** " + ", ".join(f"{k}: {v}" for k, v in values.items())


def table(name: str, runs: dict[str, list[dict]], refused: dict[str, str]) -> str:
    """One network: medians per configuration, ratios over np1, the checks."""
    labels = [k for k in runs if runs[k]]
    lines = [f"### {name}\n"]
    if labels:
        lines += [
            "| configuration | runs | " + " | ".join(PHASES) + " | build / np1 | run / np1 "
            "| build+run / np1 | data / run |",
            "|---|---:|" + "---:|" * (len(PHASES) + 4),
        ]
        base = runs.get("np1") or []
        for label in labels:
            rs = runs[label]
            med = {k: _med(rs, k) for k in PHASES}
            ratios = [
                f"{med[k] / _med(base, k):.3f}" if base and _med(base, k) else ""
                for k in ("build_s", "run_s", "build+run_s")
            ]
            share = f"{100 * med['data_s'] / med['run_s']:.1f} %" if med["run_s"] else ""
            cells = " | ".join(f"{med[k]:.3f}" for k in PHASES)
            lines.append(f"| {label} | {len(rs)} | {cells} | {' | '.join(ratios)} | {share} |")
        lines.append("")
        mpi = {k: v for k, v in runs.items() if k in ("np1", "np2") and v}
        for key in ("spikes", "connections"):
            same = _same(mpi, key) if len(mpi) == 2 else "- (np1 or np2 did not run)"
            lines.append(f"* {key} identical at np1 and np2: {same}")
        for label in set(labels) - set(mpi):  # NEST's streams depend on the thread count
            spikes = sorted({r["spikes"] for r in runs[label]})
            lines.append(f"* spikes with {label}: {', '.join(map(str, spikes))}")
            if label.endswith(" x 2 threads") and runs.get("np2"):
                # 2 processes x 1 thread and 1 process x 2 threads: both 2 virtual processes,
                # so NEST draws the same random streams and the spikes must be identical
                same = _same({"np2": runs["np2"], label: runs[label]}, "spikes")
                lines.append(f"* spikes identical at np2 and {label}: {same}")
        if runs.get("np1") and runs.get("np2"):
            ratio = _med(runs["np2"], "build+run_s") / _med(runs["np1"], "build+run_s")
            share = _med(runs["np2"], "data_s") / _med(runs["np2"], "run_s")
            ok = ("yes", "**no**")
            lines.append(
                f"* np2 / np1 build+run: {ratio:.3f} (target <= {RATIO_TARGET}: "
                f"{ok[ratio > RATIO_TARGET]}); np2 data / run: {100 * share:.1f} % "
                f"(target < {100 * DATA_SHARE_TARGET:.0f} %: {ok[share >= DATA_SHARE_TARGET]})"
            )
    for label, why in refused.items():
        lines.append(f"* {label}: refused: {why}")
    return "\n".join(lines) + "\n"


def _refusal(error: str) -> str | None:
    """The NotSupportedError line of a failed run (a backend refusing mpirun), if any."""
    lines = [line for line in error.splitlines() if "NotSupportedError:" in line]
    return lines[-1].strip() if lines else None


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--simulator", choices=("neuron", "nest"), default="neuron")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--only", default=",".join(NETWORKS), help="comma-separated networks")
    p.add_argument("--scale-factor", type=float, default=1.0, help="times each network's scale")
    p.add_argument("--sim-time", type=float, default=None, help="ms (default: per network)")
    p.add_argument("--threads", type=int, default=None, help="NEST: a 1 process x T column")
    p.add_argument(
        "--virtual-processes", type=int, default=None,
        help="NEST: setup(virtual_processes=K) at np1 and np2, so that networks with Poisson "
        "input give the same spikes on both",
    )  # fmt: skip
    p.add_argument("--seed", type=int, default=20240611)
    p.add_argument("--timeout", type=float, default=1800.0, help="seconds per run")
    p.add_argument("--raw", help="also write every run's JSON record to this file")
    args = p.parse_args()
    if (args.threads or args.virtual_processes) and args.simulator != "nest":
        p.error("--threads and --virtual-processes are NEST's (NEURON runs one thread per process)")
    if args.threads and args.virtual_processes:
        p.error("--virtual-processes fixes processes x threads: no --threads column with it")
    names = [n for n in args.only.split(",") if n]
    unknown = set(names) - set(NETWORKS)
    if unknown:
        p.error(f"unknown network(s) {sorted(unknown)}; choose from {list(NETWORKS)}")
    mpirun = _mpirun()
    configs = {"np1": (*mpirun, "-np", "1"), "np2": (*mpirun, "-np", "2")}
    if args.threads:
        configs[f"1 process x {args.threads} threads"] = ()
    load = os.getloadavg()
    print(
        f"## MPI scaling on pynn_uni.{args.simulator} ({args.repeats} repeat(s), "
        f"{os.cpu_count()} cores, load average {load[0]:.2f} at the start)\n"
    )
    failures, raw = [], []
    for name in names:
        script, scale, sim_time = NETWORKS[name]
        path = os.path.join(HERE, script)
        if not os.path.exists(path):
            print(f"### {name}\n\n* skipped: {script} does not exist\n")
            continue
        scale *= args.scale_factor
        sim_time = args.sim_time or sim_time
        argv = [path, "--simulator", args.simulator, "--scale", f"{scale:g}"]
        argv += ["--sim-time", f"{sim_time:g}", "--seed", str(args.seed)]
        if args.virtual_processes:
            argv += ["--virtual-processes", str(args.virtual_processes)]
        runs: dict[str, list[dict]] = {k: [] for k in configs}
        refused: dict[str, str] = {}
        items = list(configs.items())
        for rep in range(args.repeats):
            for label, launcher in items if rep % 2 == 0 else items[::-1]:
                if label in refused:
                    continue
                threads = ["--threads", str(args.threads)] if not launcher else []
                print(f"[{rep + 1}/{args.repeats}] {name} {label} ...", file=sys.stderr)
                record = _bench.run_child([*argv, *threads], args.timeout, launcher=launcher)
                if "error" not in record:
                    runs[label].append(record)
                    raw.append({"network": name, "configuration": label, **record})
                elif _refusal(record["error"]):
                    refused[label] = _refusal(record["error"])
                else:
                    failures.append(record["error"])
        print(f"{script} --scale {scale:g} --sim-time {sim_time:g}\n")
        print(table(name, runs, refused))
        if args.virtual_processes:
            print(
                f"(np1 and np2 both ran {args.virtual_processes} virtual processes: np1 with "
                "threads, np2 with processes; the ratios compare the two, not 1 with 2 cores)\n"
            )
    for e in failures:
        print("```\n" + e + "\n```\n")
    _bench.finish(args.raw, raw, failures)


if __name__ == "__main__":
    main()
