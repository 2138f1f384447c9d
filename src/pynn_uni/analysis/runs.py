"""Running an unmodified script on one simulator in its own process, and reading back
what it recorded.

The child process gets two environment variables: ``PYNN_UNI_OUTPUT_DIR`` (at ``sim.end()``,
or at exit if the script never calls it, every population that recorded something is
written there as ``<label>.pkl``, with ``provenance.json``) and ``PYNN_UNI_SEED`` (the
default ``rng_seed`` of ``setup()``, i.e. the simulator's own random streams).  A ``{seed}``
placeholder in the script arguments is replaced by the seed too, for scripts that take
their connectivity seed as an option.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pynn_uni.analysis.statistics import SpikeColumns
from pynn_uni.common.provenance import OUTPUT_DIR_ENV, SEED_ENV

MAX_TRACES = 3  # membrane traces kept per population and run, for the report's overlay


@dataclass
class Run:
    """What one run left behind: spikes per population label, its provenance, and the
    membrane potential of its first recorded cells (label -> (times ms, mV cells x time))."""

    simulator: str
    seed: int | None
    directory: Path
    spikes: dict[str, SpikeColumns]
    provenance: dict
    traces: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


def script_command(
    script: str,
    simulator: str,
    args: Sequence[str] = (),
    seed: int | None = None,
    simulator_option: str | None = None,
) -> list[str]:
    """The command line running ``script`` on ``simulator``: the simulator name as first
    positional argument (``get_simulator``'s convention) or after ``simulator_option``
    (e.g. ``--simulator``); ``{seed}`` in ``args`` replaced by ``seed``."""
    args = [a.replace("{seed}", str(seed)) if seed is not None else a for a in args]
    chosen = [simulator_option, simulator] if simulator_option else [simulator]
    return [sys.executable, os.fspath(script), *chosen, *args]


def run_script(
    script: str,
    simulator: str,
    output: str | os.PathLike,
    args: Sequence[str] = (),
    seed: int | None = None,
    simulator_option: str | None = None,
    timeout: float | None = None,
    env: dict | None = None,
) -> subprocess.CompletedProcess:
    """Run ``script`` on ``simulator`` in a child process whose recorded data land in
    ``output``; raises ``RuntimeError`` (with the script's stderr) if it fails."""
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    child_env = dict(os.environ if env is None else env)
    child_env[OUTPUT_DIR_ENV] = os.fspath(output.resolve())
    if seed is not None:
        child_env[SEED_ENV] = str(seed)
    cmd = script_command(script, simulator, args, seed, simulator_option)
    done = subprocess.run(cmd, env=child_env, capture_output=True, text=True, timeout=timeout)
    (output / "stdout.txt").write_text(done.stdout)
    (output / "stderr.txt").write_text(done.stderr)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed with exit code {done.returncode}:\n{done.stderr[-3000:]}"
        )
    return done


def load_run(directory: str | os.PathLike, simulator: str = "", seed: int | None = None) -> Run:
    """Read the ``<label>.pkl`` neo Blocks and ``provenance.json`` a run wrote; the spikes of
    each population's last segment become :class:`SpikeColumns`."""
    directory = Path(directory)
    prov_file = directory / "provenance.json"
    if not prov_file.exists():
        raise FileNotFoundError(
            f"{directory} holds no provenance.json: the script did not set up a simulation, "
            "or it did not run under `pynn-uni run`"
        )
    provenance = json.loads(prov_file.read_text())
    spikes, traces = {}, {}
    for path in sorted(directory.glob("*.pkl")):
        with open(path, "rb") as f:
            block = pickle.load(f)
        if not block.segments:
            continue
        label, segment = block.name or path.stem, block.segments[-1]
        v = [s for s in segment.analogsignals if s.name == "v"]
        if v:  # a few cells are enough to overlay traces
            times = np.asarray(v[0].times.rescale("ms").magnitude)
            traces[label] = (times, np.asarray(v[0].rescale("mV").magnitude)[:, :MAX_TRACES].T)
        if segment.spiketrains:
            spikes[label] = SpikeColumns.from_spiketrains(segment.spiketrains)
    backend = simulator or provenance.get("backend", "")
    return Run(backend, seed, directory, spikes, provenance, traces)
