"""Smoke test: every example of examples/ runs on NEST with tiny settings (in parallel
subprocesses, the way a user runs them) and prints what it promises."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("nest", reason="NEST is not installed: pip install pynn_uni[nest]")

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
}


def test_examples_run_on_nest(tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg", OMP_WAIT_POLICY="passive")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    procs = {}
    for script, (args, _) in RUNS.items():
        argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
        procs[script] = subprocess.Popen(
            [sys.executable, str(EXAMPLES / script), "nest", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
    for script, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, f"{script} failed:\n{err[-3000:]}"
        assert RUNS[script][1] in out, f"{script} printed:\n{out}"
    assert (tmp_path / "stdp.png").stat().st_size > 0
    # nothing else saved a figure: figures only when asked
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stdp.png"]
