"""Shared helpers of the benchmark scripts: options, timing, peak memory, the JSON line.

Each benchmark script runs one network once, in its own process (so peak RSS belongs to
that run alone), and prints exactly one JSON line on stdout; ``compare.py`` collects them.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import sys
import time

# NEST prints a banner on import unless told not to; the JSON line must stay alone.
os.environ.setdefault("PYNEST_QUIET", "1")

#: spike precision of every pynn_uni run: the grid models the native NEST scripts use
#: (pynn_uni.nest defaults to PyNN's 'off_grid', which picks NEST's *_ps models)
SPIKE_PRECISION = "on_grid"


#: (size, rank) variables that MPI launchers (OpenMPI, MPICH/Hydra) set for each process;
#: read directly, so that the native scripts need neither pynn_uni nor mpi4py
_LAUNCHER_ENV = (
    ("OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"),
    ("PMI_SIZE", "PMI_RANK"),
)


def mpi_world() -> tuple[int, int]:
    """(number of processes, this rank) under ``mpirun``; (1, 0) in a plain process."""
    for size, rank in _LAUNCHER_ENV:
        if size in os.environ:
            return int(os.environ[size]), int(os.environ.get(rank, 0))
    return 1, 0


def barrier() -> None:
    """Wait for every MPI process (nothing in a plain process): called at the end of a
    timed phase, so that one rank's lag (a slower build, a later end of its run) is not
    counted in the next phase's time."""
    if mpi_world()[0] > 1:
        from mpi4py import MPI  # the MPI that pynn_uni.neuron already joined

        MPI.COMM_WORLD.Barrier()


def simulator_option(default: str = "nest") -> str:
    """Take ``--simulator NAME`` off the command line (the shared options do not know it)."""
    if "--simulator" not in sys.argv:
        return default
    i = sys.argv.index("--simulator")
    name = sys.argv[i + 1]
    del sys.argv[i : i + 2]
    return name


def load_simulator(name: str):
    """``pynn_uni.<name>`` with its simulator's library loaded.  The plain-NEST scripts
    import ``nest`` before their clocks start, and pynn_uni.nest imports it in ``setup()``:
    loaded here, neither build time counts loading NEST (~0.4 s).  The plain-NEURON
    script imports ``neuron`` inside its clock, as pynn_uni.neuron's ``setup()`` does."""
    sim = importlib.import_module(f"pynn_uni.{name}")
    if name == "nest":
        from pynn_uni.nest.backend import _nest  # noqa: PLC0415

        _nest()
    return sim


VP_HELP = (
    "NEST: processes x threads, fixed (setup(virtual_processes=K)): NEST's Poisson trains, "
    "drawn per virtual process, are then the same on 1 and K processes"
)


def nest_parallelism(args) -> dict:
    """pynn_uni.nest's setup() keywords for ``--threads`` / ``--virtual-processes``."""
    if args.virtual_processes:
        return {"virtual_processes": args.virtual_processes}
    return {"threads": args.threads}


def options(description: str, relay: bool = False) -> argparse.Namespace:
    """Command-line options shared by the network benchmarks."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiply the number of neurons by this factor (in-degrees kept)",
    )
    p.add_argument("--sim-time", type=float, default=1000.0, help="simulated time, ms")
    p.add_argument("--threads", type=int, default=1, help="NEST threads")
    p.add_argument("--virtual-processes", type=int, default=None, help=VP_HELP)
    p.add_argument("--seed", type=int, default=20240611, help="RNG seed")
    if relay:
        p.add_argument(
            "--relay",
            action="store_true",
            help="one poisson_generator + parrot_neuron per neuron "
            "(the node structure of a PyNN SpikeSourcePoisson population)",
        )
        p.add_argument(
            "--per-neuron",
            action="store_true",
            help="one poisson_generator per neuron, connected directly",
        )
    return p.parse_args()


def peak_rss_mb() -> float:
    """Peak resident set size of this process, MiB (Linux reports ru_maxrss in KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024.0 if sys.platform != "darwin" else kib / 2**20


class Clock:
    """Accumulates wall-clock seconds per phase: ``with clock('build'): ...``."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._phase = ""

    def __call__(self, phase: str) -> Clock:
        self._phase = phase
        return self

    def __enter__(self) -> Clock:
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        dt = time.perf_counter() - self._t0
        self.seconds[self._phase] = self.seconds.get(self._phase, 0.0) + dt


def finish(raw_path, records, failures) -> None:
    """End a comparison: every run's JSON record to ``raw_path`` (``--raw``, if given), exit
    status 1 if a run failed."""
    if raw_path:
        with open(raw_path, "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in records)
    sys.exit(1 if failures else 0)


def emit(
    name: str,
    impl: str,
    clock: Clock,
    spikes: int,
    n_neurons: int,
    sim_time_ms: float,
    connections: int,
    **extra,
) -> dict:
    """Print the benchmark's single JSON line (mean rate in Hz over ``n_neurons``); under
    ``mpirun`` rank 0 prints it (with ``processes``: every rank holds the gathered data,
    and the phases end together, since run and get_data are collective)."""
    record = {
        "name": name,
        "impl": impl,
        "build_s": round(clock.seconds.get("build", 0.0), 4),
        "run_s": round(clock.seconds.get("run", 0.0), 4),
        "data_s": round(clock.seconds.get("data", 0.0), 4),
        "spikes": int(spikes),
        "rate_hz": round(spikes / (n_neurons * sim_time_ms * 1e-3), 4),
        "connections": int(connections),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    record.update(extra)
    processes, rank = mpi_world()
    if processes > 1:
        record["processes"] = processes
    if rank == 0:
        print(json.dumps(record), flush=True)
    return record


def kernel_facts(nest) -> dict:
    """Node and connection counts, min_delay and the node structure actually in use
    (diagnostics read from the NEST kernel after the run)."""
    status = nest.GetKernelStatus(["network_size", "num_connections", "min_delay"])
    connections = int(status[1])
    if mpi_world()[0] > 1:  # each rank's NEST counts the connections it holds
        from mpi4py import MPI  # the MPI that NEST already joined

        connections = MPI.COMM_WORLD.allreduce(connections)
    return {
        "nodes": int(status[0]),
        "connections": connections,
        "min_delay_ms": float(status[2]),
        "structure": structure(nest),
    }


def structure(nest) -> str:
    """Spike-sending devices and relays that have targets, e.g. ``"1 poisson_generator"``.

    Two runs with the same structure differ only in their API layer; idle nodes (a
    generator left without targets) do not count, recorders are left out."""
    import numpy as np

    parts = []
    for model in ("poisson_generator", "spike_generator", "parrot_neuron"):
        nodes = nest.GetNodes({"model": model})
        if len(nodes) == 0:
            continue
        conns = nest.GetConnections(source=nodes)
        used = np.unique(np.atleast_1d(conns.source)).size if len(conns) else 0
        if used:
            parts.append(f"{used} {model}")
    return " + ".join(parts) or "no spike sources"


def child_env() -> dict:
    """Environment for benchmark subprocesses: quiet NEST, this checkout's ``src`` first."""
    env = dict(os.environ, PYNEST_QUIET="1")
    src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
    if os.path.isdir(os.path.join(src, "pynn_uni")):
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    return env


def run_child(
    argv: list[str],
    timeout: float | None = None,
    python: str | None = None,
    launcher: tuple[str, ...] = (),
) -> dict:
    """Run ``python argv...`` (this interpreter unless ``python`` names another) in a fresh
    process, after ``launcher`` (e.g. ``("mpirun", "-np", "2")``); return its JSON line
    (the last line that parses), or ``{"error": ...}`` with the tail of its output when it
    failed."""
    import subprocess

    try:
        proc = subprocess.run(
            [*launcher, python or sys.executable, *argv],
            capture_output=True,
            text=True,
            env=child_env(),
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s: {' '.join(argv)}"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    tail = (proc.stdout + proc.stderr).strip().splitlines()[-25:]
    return {"error": f"exit {proc.returncode}: {' '.join(argv)}\n" + "\n".join(tail)}
