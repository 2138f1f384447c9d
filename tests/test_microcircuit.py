"""examples/microcircuit.py (Potjans & Diesmann 2014) against numbers of the paper,
written out here again: population sizes, synapse counts from the paper's formula
K = log(1 - C) / log(1 - 1 / (Npre Npost)), the 87.8 pA weight of a 0.15 mV PSP; built
at a small scale on NEST, and run as a script."""

from __future__ import annotations

import importlib.util
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("nest", reason="NEST is not installed: pip install pynn_uni[nest]")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "microcircuit.py"
SCALE = 0.02

#: paper, Table 5: cells per population, full scale
N_FULL = {"L23E": 20683, "L23I": 5834, "L4E": 21915, "L4I": 5479,
          "L5E": 4850, "L5I": 1065, "L6E": 14395, "L6I": 2948}  # fmt: skip
#: a few connection probabilities of the paper's Table 5: (source, target) -> C
PROBS = {("L23E", "L23E"): 0.1009, ("L4E", "L23E"): 0.0437, ("L6I", "L6E"): 0.2252,
         ("L5I", "L4E"): 0.0003, ("L23I", "L5E"): 0.0622}  # fmt: skip


@pytest.fixture(scope="module")
def model():
    spec = importlib.util.spec_from_file_location("microcircuit_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def expected_synapses(source: str, target: str, scale: float, k_scale: float) -> int:
    total = math.log(1 - PROBS[source, target]) / math.log(
        1 - 1 / (N_FULL[source] * N_FULL[target])
    )
    return round(total / N_FULL[target] * k_scale * round(N_FULL[target] * scale))


def test_published_numbers(model):
    assert model.psc_for_psp(0.15) * 1000 == pytest.approx(87.8, abs=0.05)  # pA
    assert model.sizes(1.0).sum() == 77169
    # "about 0.3 billion synapses" at full scale
    assert 2.9e8 < model.synapse_counts(1.0, 1.0).sum() < 3.05e8
    # DC background: the mean of K_ext inputs of 8 Hz, w * tau_syn each (L23E: 1600 inputs)
    assert model.offset_currents(1.0, "dc")[0] == pytest.approx(1600 * 8 * 0.0878 * 0.5e-3, 1e-3)
    assert not model.offset_currents(1.0, "poisson").any()


def test_built_network(model):
    import pynn_uni.nest as sim

    sim.setup(timestep=0.1, min_delay=0.1, spike_precision="on_grid")
    pops, projections = model.build(sim, SCALE, seed=3)
    by_label = {p.label: p for p in pops}
    assert {k: p.size for k, p in by_label.items()} == {
        k: round(n * SCALE) for k, n in N_FULL.items()
    }
    sizes = {(p.pre.label, p.post.label): p for p in projections}
    for (source, target), _ in PROBS.items():
        assert sizes[source, target].size() == expected_synapses(source, target, SCALE, SCALE)
    # L4E -> L23E weights: twice 87.8 pA, grown by 1/sqrt(k_scale); SD 10 %
    w = np.asarray(sizes["L4E", "L23E"].get("weight", format="list"))[:, 2]
    assert np.mean(w) == pytest.approx(2 * 0.0878 / math.sqrt(SCALE), rel=0.02)
    assert np.std(w) / np.mean(w) == pytest.approx(0.1, rel=0.15)
    delays = np.asarray(sizes["L23I", "L5E"].get("delay", format="list"))[:, 2]
    assert delays.min() >= 0.1 and np.mean(delays) == pytest.approx(0.75, rel=0.1)
    sim.run(50.0)
    assert sum(len(st) for p in pops for st in p.get_data("spikes").segments[0].spiketrains) > 0
    sim.end()


def test_script_runs():
    env = dict(os.environ, MPLBACKEND="Agg", OMP_WAIT_POLICY="passive", PYNEST_QUIET="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)
    args = ["--scale", "0.01", "--tstop", "150"]
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), *args], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    cells = sum(round(n * 0.01) for n in N_FULL.values())
    assert f"{cells} cells" in done.stdout
    for name in N_FULL:
        assert f"{name:>5}: " in done.stdout
