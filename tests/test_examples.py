"""Smoke test: every example of examples/ runs on every backend that supports its models,
with tiny settings, in subprocesses the way a user runs them, and prints what it promises;
where the chip cannot hold a model, the example stops with the chip's clear error."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SRC = EXAMPLES.parent / "src"

#: script -> (arguments after the simulator name, text the output must contain)
RUNS = {
    "brunel.py": (["--scale", "0.01", "--tstop", "100"], "Excitatory:"),
    "stdp.py": (
        ["--n", "5", "--pairings", "2", "--plot-figure", "{tmp}/stdp.png"],
        "max potentiation",
    ),
    "tsodyks_markram.py": (["--rate", "50"], "depressing: measured"),
    "current_injection.py": (
        ["--tstop", "200", "--models", "IF_cond_exp,Izhikevich"],
        "IF_cond_exp: DC",
    ),
    "cell_types.py": (["--tstop", "100"], "SpikeSourcePoisson:"),
    "small_network.py": (["--tstop", "200"], "Excitatory:"),
    "va_benchmark.py": (["--n", "400", "--tstop", "100", "--plot-figure", ""], "mean rate"),
}
#: on the chip: what each example must print instead (a model the chip cannot hold is
#: refused with a clear error before anything runs)
CHIP = {
    "brunel.py": "UnsupportedOnHardwareError: IF_curr_delta",
    "stdp.py": "UnsupportedOnHardwareError: IF_curr_exp",
    "current_injection.py": "no DCSource/StepCurrentSource declared",
    "va_benchmark.py": "HardwareParameterRangeError: population 'Excitatory': v_thresh",
}
BACKENDS = {"nest": "nest", "neuron": "neuron", "hardware": None}


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_examples_run(backend, tmp_path):
    needs = BACKENDS[backend]
    if needs and importlib.util.find_spec(needs) is None:
        pytest.skip(f"{needs} is not installed: pip install pynn_uni[{needs}]")
    env = dict(os.environ, MPLBACKEND="Agg", OMP_WAIT_POLICY="passive")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    procs = {}
    for script, (args, _) in RUNS.items():
        argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
        procs[script] = subprocess.Popen(
            [sys.executable, str(EXAMPLES / script), backend, *argv],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path,
        )  # fmt: skip
    for script, proc in procs.items():
        out, _ = proc.communicate(timeout=300)
        refused = CHIP.get(script) if backend == "hardware" else None
        if refused and "Error" in refused:
            assert proc.returncode != 0 and refused in out, f"{script} printed:\n{out[-3000:]}"
            continue
        assert proc.returncode == 0, f"{script} failed on {backend}:\n{out[-3000:]}"
        assert (refused or RUNS[script][1]) in out, f"{script} printed:\n{out[-3000:]}"
    if backend != "hardware":
        assert (tmp_path / "stdp.png").stat().st_size > 0
    # nothing else saved a figure: figures only when asked
    figures = sorted(p.name for p in tmp_path.iterdir())
    assert figures == ([] if backend == "hardware" else ["stdp.png"])
