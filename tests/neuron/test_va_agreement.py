"""The Vogels-Abbott COBA benchmark on NEST and on NEURON: the same statistics.

Issue 3's network criterion: mean rate within 5% and mean CV of inter-spike intervals within
10% between the two simulators.  Both runs build the identical network (same connector
seed, same initial values); only the stimulus' Poisson spike times (each simulator's own
generator) and the integration numerics differ, so the self-sustained activity must reach
the same statistical state.  The README's example runs unmodified under ``pynn-uni run``'s
output capture, in two processes at once.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pynn_uni.analysis.statistics import cv_isi, firing_rates

pytest.importorskip("nest")
pytest.importorskip("neuron")
ROOT = Path(__file__).resolve().parents[2]
TSTOP = 1000.0  # ms: long enough for ~15 spikes per cell, so the CVs are well estimated
#: The self-sustained state is metastable: whether it outlives the 50 ms kick within the
#: first second depends on the realisation of the network and of the Poisson kick (seeds 1,
#: 3 and 42 die out on NEURON and on NEST with grid-based Poisson kicks, 4 lives on both), so
#: the comparison uses a network that sustains (the example's default); the test checks that it
#: does.
SEED = 4


def _start(simulator: str, out: Path) -> subprocess.Popen:
    args = ["examples/va_benchmark.py", simulator, "--tstop", str(TSTOP), "--seed", str(SEED),
            "--plot-figure", ""]
    env = {**os.environ, "PYNN_UNI_OUTPUT_DIR": str(out)}
    out_err = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, **out_err)


def _trains(out: Path) -> list:
    trains = []
    for label in ("Excitatory", "Inhibitory"):
        with open(out / f"{label}.pkl", "rb") as f:
            trains.extend(pickle.load(f).segments[0].spiketrains)
    return trains


@pytest.fixture(scope="module")
def va_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("va")
    running = {s: _start(s, base / s) for s in ("nest", "neuron")}
    for s, proc in running.items():
        log, _ = proc.communicate(timeout=900)
        assert proc.returncode == 0, f"{s}: {log[-3000:]}"
    return {s: _trains(base / s) for s in running}


def test_mean_rate_within_5_percent(va_runs):
    nest, neuron = (float(np.mean(firing_rates(va_runs[s]))) for s in ("nest", "neuron"))
    assert nest > 5.0  # self-sustained activity (Brette et al. 2007 report ~10-20 Hz)
    assert abs(neuron - nest) <= 0.05 * nest, (nest, neuron)


def test_mean_cv_isi_within_10_percent(va_runs):
    nest, neuron = (float(np.nanmean(cv_isi(va_runs[s]))) for s in ("nest", "neuron"))
    assert 0.5 < nest < 2.0  # irregular firing, the benchmark's asynchronous irregular state
    assert abs(neuron - nest) <= 0.10 * nest, (nest, neuron)
