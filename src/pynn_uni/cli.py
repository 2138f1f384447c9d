"""The ``pynn-uni`` command: run a script on a simulator, compare simulators, show backends.

    pynn-uni run SCRIPT --simulator nest [--seed 1] [--output DIR] [-- SCRIPT ARGS]
    pynn-uni compare SCRIPT --simulators nest,hardware [--seeds 6] [--alpha 0.01] [-- ARGS]
    pynn-uni info
    pynn-uni conformance [--backend NAME ...] [-- PYTEST ARGS]

Scripts run unmodified, each run in its own process (see :mod:`pynn_uni.analysis.runs`).
``compare`` exits 0 when the simulators agree, 1 when they disagree, 2 when no verdict
is possible (too few seeds for ``--alpha``, nothing recorded) and 3 when a run fails.
``conformance`` runs the shipped scenarios (:mod:`pynn_uni.testing`) under pytest and exits
with pytest's code.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

EXIT_AGREE, EXIT_DISAGREE, EXIT_UNDETERMINED, EXIT_RUN_FAILED = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    from pynn_uni.analysis.verdict import DEFAULT_ALPHA

    parser = argparse.ArgumentParser(
        prog="pynn-uni",
        description="Run PyNN scripts on pynn_uni backends and check that backends agree. "
        "Arguments after '--' go to the script; '{seed}' in them becomes the run's seed.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a script on one simulator, keeping its data")
    run.add_argument("script")
    run.add_argument("--simulator", required=True, help="backend name, e.g. nest")
    run.add_argument("--seed", type=int, default=None, help="default rng_seed of setup()")
    run.add_argument("--output", default=None, help="where data go (default: a new folder)")
    run.add_argument(
        "--simulator-option",
        default=None,
        help="e.g. --simulator (default: the simulator is the script's first positional argument)",
    )
    cmp = sub.add_parser("compare", help="run a script on several simulators and compare")
    cmp.add_argument("script")
    cmp.add_argument(
        "--simulators", default="nest,hardware", help="comma-separated; the first is the reference"
    )
    cmp.add_argument(
        "--seeds",
        type=int,
        default=6,
        help="runs per simulator, each with its own seed (5 or more at the default --alpha; "
        "more reveal smaller differences)",
    )
    cmp.add_argument(
        "--first-seed",
        type=int,
        default=1,
        help="seeds are first-seed, first-seed + 1, ... over all runs of all simulators",
    )
    cmp.add_argument(
        "--alpha",
        type=float,
        default=DEFAULT_ALPHA,
        help="accepted chance of a false 'disagree' if the simulators are equivalent",
    )
    cmp.add_argument(
        "--metric",
        default="mean",
        choices=("mean", "wasserstein", "ks"),
        help="distance between two runs: difference of means (default, most sensitive to "
        "shifts) or between whole distributions",
    )
    cmp.add_argument("--output", default="pynn_uni_compare", help="report folder")
    cmp.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1))
    cmp.add_argument("--timeout", type=float, default=None, help="seconds per run")
    cmp.add_argument("--no-figures", action="store_true")
    cmp.add_argument("--simulator-option", default=None)
    sub.add_parser("info", help="installed backends, versions and what each supports")
    conf = sub.add_parser(
        "conformance",
        help="run the shipped conformance scenarios on backends (arguments after '--' go "
        "to pytest, e.g. -- -k honesty -x)",
    )
    conf.add_argument(
        "--backend",
        action="append",
        default=[],
        metavar="NAME",
        help="backend to check (repeatable; default: every installed backend)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pynn-uni`` console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    script_args: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, script_args = argv[:cut], argv[cut + 1 :]
    options = _parser().parse_args(argv)
    if options.command == "run":
        return _run(options, script_args)
    if options.command == "compare":
        return _compare(options, script_args)
    if options.command == "conformance":
        return conformance(options.backend, script_args)
    return _info()


def _run(options, script_args: list[str]) -> int:
    import tempfile

    from pynn_uni.analysis.runs import run_script

    output = options.output or tempfile.mkdtemp(prefix=f"pynn_uni_run_{options.simulator}_")
    try:
        done = run_script(
            options.script,
            options.simulator,
            output,
            script_args,
            options.seed,
            options.simulator_option,
        )
    except RuntimeError as err:
        print(err, file=sys.stderr)
        return EXIT_RUN_FAILED
    sys.stdout.write(done.stdout)
    print(f"data and provenance written to {output}")
    return 0


def _compare(options, script_args: list[str]) -> int:
    from pynn_uni.analysis.compare import all_agree, compare, format_table, per_pair_alpha
    from pynn_uni.analysis.report import write_report
    from pynn_uni.analysis.runs import load_run, run_script
    from pynn_uni.analysis.statistics import population_statistics
    from pynn_uni.analysis.verdict import smallest_p_value

    simulators = [s.strip() for s in options.simulators.split(",") if s.strip()]
    if len(simulators) < 2:
        print(
            "compare needs at least two simulators, e.g. --simulators nest,hardware",
            file=sys.stderr,
        )
        return EXIT_UNDETERMINED
    if not 0.0 < options.alpha < 1.0:
        print(f"--alpha must be between 0 and 1, got {options.alpha}", file=sys.stderr)
        return EXIT_UNDETERMINED
    n = max(options.seeds, 1)
    floor, per_pair = smallest_p_value(n, n), per_pair_alpha(options.alpha, len(simulators))
    if floor > per_pair:
        print(
            f"with {n} seeds per simulator no p-value can go below {floor:.2g}, above the "
            f"level {per_pair:.2g} of each comparison with the reference, so no disagreement "
            "could be shown; use more --seeds (4 give p >= 0.029, 5 give 0.0079, 6 give "
            "0.0022) or a larger --alpha",
            file=sys.stderr,
        )
        return EXIT_UNDETERMINED
    # a different seed for every run: all runs independent, hence exchangeable if the
    # simulators are equivalent (the permutation test's premise)
    jobs = [
        (sim, seed, Path(options.output) / "runs" / sim / f"seed{seed}")
        for k, sim in enumerate(simulators)
        for seed in range(options.first_seed + k * n, options.first_seed + (k + 1) * n)
    ]

    def one(job):
        sim, seed, folder = job
        for stale in [*folder.glob("*.pkl"), folder / "provenance.json"]:
            stale.unlink(missing_ok=True)  # a previous compare into the same folder
        run_script(
            options.script,
            sim,
            folder,
            script_args,
            seed,
            options.simulator_option,
            options.timeout,
        )
        return folder, sim, seed

    try:
        # the runs are subprocesses (threads only wait); their data are read in this
        # thread, because quantities' unit parsing (ast) is not thread-safe on CPython 3.11
        with ThreadPoolExecutor(max_workers=max(options.jobs, 1)) as pool:
            finished = list(pool.map(one, jobs))
        loaded = [load_run(folder, sim, seed) for folder, sim, seed in finished]
    except (RuntimeError, FileNotFoundError, subprocess.TimeoutExpired) as err:
        print(err, file=sys.stderr)
        return EXIT_RUN_FAILED
    runs = {sim: [r for r in loaded if r.simulator == sim] for sim in simulators}
    stats = {
        sim: [{pop: population_statistics(s) for pop, s in r.spikes.items()} for r in rs]
        for sim, rs in runs.items()
    }
    rows = compare(stats, metric=options.metric, alpha=options.alpha)
    print(format_table(rows))
    report = write_report(
        Path(options.output) / "report.md",
        options.script,
        runs,
        rows,
        not options.no_figures,
        options.alpha,
    )
    overall = all_agree(rows)
    print(
        f"verdict: {({True: 'agree', False: 'DISAGREE', None: 'undetermined'})[overall]}; "
        f"report: {report}"
    )
    return {True: EXIT_AGREE, False: EXIT_DISAGREE, None: EXIT_UNDETERMINED}[overall]


_SCENARIO_MODULE = """\
from pynn_uni.testing.scenarios import scenario_tests

globals().update(scenario_tests())
"""


def _plugin_autoloaded() -> bool:
    """True when pytest will load our plugin by itself (installed ``pytest11`` entry point
    and autoloading on); passing ``-p`` too would register it twice and fail."""
    from importlib.metadata import entry_points

    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return False
    return any(
        ep.value.startswith("pynn_uni.testing.plugin") for ep in entry_points(group="pytest11")
    )


def conformance(backends: Sequence[str] = (), pytest_args: Sequence[str] = ()) -> int:
    """Run the shipped conformance scenarios on ``backends`` (default: all installed) in a
    child pytest process, so a third-party backend is checked with exactly the scenarios
    the built-in ones pass.  Returns pytest's exit code (0: all passed or skipped)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="pynn_uni_conformance_") as folder:
        module = Path(folder) / "test_pynn_uni_conformance.py"
        module.write_text(_SCENARIO_MODULE)
        command = [sys.executable, "-m", "pytest", str(module), "--rootdir", folder]
        command += ["-p", "no:cacheprovider"]
        if not _plugin_autoloaded():
            command += ["-p", "pynn_uni.testing.plugin"]
        for name in backends:
            command += ["--backend", name]
        command += list(pytest_args)
        env = dict(os.environ)
        env.setdefault("OMP_WAIT_POLICY", "passive")  # see tests/conftest.py
        # an uninstalled checkout (PYTHONPATH=src) must still find pynn_uni in the child
        import pynn_uni

        src = str(Path(pynn_uni.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
        return subprocess.call(command, cwd=folder, env=env)


def support_matrix() -> dict[str, dict]:
    """Each installed backend's capabilities.toml, by backend name."""
    from pynn_uni import list_backends
    from pynn_uni.common.provenance import read_capabilities

    return {name: read_capabilities(name) for name in list_backends()}


def installed_version(backend: str) -> str:
    """Version of the simulator package a backend drives (read from package metadata, so
    nothing is imported; the package is ``[backend] package`` in its capabilities.toml);
    'built in' for backends that need none (the emulated chip, the reference backend)."""
    from importlib.metadata import PackageNotFoundError, version

    from pynn_uni.common.provenance import read_capabilities

    dist = read_capabilities(backend).get("backend", {}).get("package")
    if not dist:
        return "built in"
    try:
        return f"{dist} {version(dist)}"
    except PackageNotFoundError:
        return "not found"


def _info() -> int:
    import pynn_uni

    caps = support_matrix()
    names = list(caps)
    print(f"pynn_uni {pynn_uni.__version__}")
    print("backends:")
    for name in names:
        backend = caps[name].get("backend", {})
        print(
            f"  {name:<10} {backend.get('simulator', '?')}; installed: "
            f"{installed_version(name)}; protocol {backend.get('protocol_version', '?')}"
        )
        if name == "nest":
            _nest_build()
    sections = (
        ("models", "components", "models"),
        ("synapse types", "components", "synapse_types"),
        ("current sources", "components", "current_sources"),
    )
    for title, table, key in sections:
        items = sorted({i for c in caps.values() for i in c.get(table, {}).get(key, [])})
        _matrix(
            title, items, names, lambda n, i, t=table, k=key: i in caps[n].get(t, {}).get(k, [])
        )
    features = sorted({f for c in caps.values() for f in c.get("features", {})})
    _matrix("features", features, names, lambda n, f: bool(caps[n].get("features", {}).get(f)))
    return 0


def _nest_build() -> None:
    """Whether the installed NEST has MPI and HDF5 (read from its build header: importing
    a NEST without MPI under mpirun ends the process)."""
    from pynn_uni.nest.parallel import built_with

    mpi, hdf5 = built_with("MPI"), built_with("HDF5")
    if mpi is None:
        return
    hint = "" if mpi else " (tools/install-nest-mpi.sh builds one with both)"
    print(f"  {'':<10} NEST built with MPI: {'yes' if mpi else 'no'}; "
          f"HDF5: {'yes' if hdf5 else 'no'}{hint}")  # fmt: skip


def _matrix(title: str, items, names, has) -> None:
    width = max([len(i) for i in items] + [len(title)])
    print(f"\n{title:<{width}}  " + "  ".join(f"{n:^10}" for n in names))
    for item in items:
        marks = "  ".join(f"{'yes' if has(n, item) else '-':^10}" for n in names)
        print(f"{item:<{width}}  {marks}")


if __name__ == "__main__":
    sys.exit(main())
