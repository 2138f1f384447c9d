"""Distributed NEURON runs: the same network and the same spikes on 1 and 2 MPI processes.

Each case launches real ``mpirun`` processes (OpenMPI from Debian, mpi4py from PyPI; `.ci/run`
installs both) and compares what rank 0 wrote.  Equality is exact: cells, connections and
random sources do not depend on the number of ranks (connectors are block-seeded, Poisson
sources are drawn per population from the seed, noise per cell from its global id).
"""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import numpy as np
import pytest

from mpi_launch import HAVE_MPI4PY, HINT, MPIRUN, mpirun

pytest.importorskip("neuron")
ROOT = Path(__file__).resolve().parents[2]
if MPIRUN is None or not HAVE_MPI4PY:
    if os.environ.get("PYNN_UNI_REQUIRE_MPI"):  # set by .ci/run: CI must run these
        raise RuntimeError(f"MPI tests required but MPI is missing: {HINT}")
    pytest.skip(f"MPI is not installed: {HINT}", allow_module_level=True)


#: simultaneous inputs may be summed in another order across ranks: last-bit differences
_ROUNDING_MV = 1e-9


def _mpirun(n: int, args: list[str], env: dict | None = None):
    return mpirun(n, args, env, cwd=ROOT)


def _va_run(n: int, out: Path) -> dict:
    """The README's VA example on n processes; returns spike trains per population."""
    _mpirun(
        n,
        ["examples/va_benchmark.py", "neuron", "--n", "800", "--tstop", "250",
         "--plot-figure", ""],
        env={"PYNN_UNI_OUTPUT_DIR": str(out)},
    )  # fmt: skip
    data = {}
    for label in ("Excitatory", "Inhibitory"):
        with open(out / f"{label}.pkl", "rb") as f:
            seg = pickle.load(f).segments[0]
        data[label] = [st.magnitude for st in seg.spiketrains]
        data[label + ".v"] = [np.asarray(s) for s in seg.analogsignals]
    data["provenance"] = json.loads((out / "provenance.json").read_text())
    return data


def test_va_benchmark_identical_on_one_and_two_processes(tmp_path):
    one, two = _va_run(1, tmp_path / "np1"), _va_run(2, tmp_path / "np2")
    assert two["provenance"]["mpi_processes"] == 2
    assert one["provenance"]["mpi_processes"] == 1
    for label in ("Excitatory", "Inhibitory"):
        counts = [len(s) for s in one[label]]
        assert sum(counts) > 100  # the network is active: the comparison means something
        assert counts == [len(s) for s in two[label]]
        for a, b in zip(one[label], two[label], strict=True):
            np.testing.assert_array_equal(a, b)
    for a, b in zip(one["Excitatory.v"], two["Excitatory.v"], strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=_ROUNDING_MV)


def test_plastic_network_identical_on_one_and_two_processes(tmp_path):
    script = str(Path(__file__).parent / "scripts" / "mpi_network.py")
    results = []
    for n in (1, 2):
        _mpirun(n, [script, str(tmp_path / f"np{n}.npz")])
        results.append(np.load(tmp_path / f"np{n}.npz"))
    one, two = results
    assert int(one["processes"]) == 1 and int(two["processes"]) == 2
    assert one["counts"].sum() > 10
    for key in ("spikes", "counts", "noise"):
        np.testing.assert_array_equal(one[key], two[key], err_msg=key)
    np.testing.assert_allclose(one["v"], two["v"], rtol=0, atol=_ROUNDING_MV)
    # STDP changed the weights (same on both), within the weight dependence's bounds
    w = one["weights"][one["weights"] >= 0]
    assert np.any(np.abs(w - 0.02) > 1e-4) and w.min() >= 0.0 and w.max() <= 0.05
    np.testing.assert_array_equal(one["weights"], two["weights"])
    # every cell lives on exactly one rank, round-robin by id (Population and Assembly)
    for run, n in ((one, 1), (two, 2)):
        assert bool(run["local_sizes_ok"])
        ranks, ids = run["local"][:, 0], run["local"][:, 1]
        np.testing.assert_array_equal(np.sort(ids), np.sort(run["all_ids"]))
        np.testing.assert_array_equal(ranks, ids % n)


def test_voltage_jump_inputs_identical_on_one_and_two_processes(tmp_path):
    """Izhikevich and IF_curr_delta targets (NetCons 0.6 step early, so the exchange
    interval is below the minimum delay): the same spikes and traces."""
    script = str(Path(__file__).parent / "scripts" / "mpi_jumps.py")
    one, two = (_run_script(script, n, tmp_path / f"np{n}.npz") for n in (1, 2))
    assert int(one["count"]) > 50
    np.testing.assert_array_equal(one["spikes"], two["spikes"])
    np.testing.assert_allclose(one["v"], two["v"], rtol=0, atol=_ROUNDING_MV)


def _run_script(script: str, n: int, out: Path):
    _mpirun(n, [script, str(out)])
    return np.load(out)


def test_single_process_backend_refuses_mpirun(tmp_path):
    """NEST and the chip emulator would simulate the whole network on every rank: each rank
    gets the error (written to its own file: mpirun may interleave the ranks' output)."""
    code = (
        "import os, sys\n"
        "import pynn_uni.hardware as sim\n"
        "rank = os.environ.get('OMPI_COMM_WORLD_RANK', os.environ.get('PMI_RANK', '0'))\n"
        "try:\n    sim.setup()\nexcept Exception as e:\n"
        "    open(os.path.join(sys.argv[1], rank), 'w').write(f'{type(e).__name__}: {e}')\n"
    )
    _mpirun(2, ["-c", code, str(tmp_path)])
    messages = sorted(p.read_text() for p in tmp_path.iterdir())
    assert len(messages) == 2, messages
    for message in messages:
        assert message.startswith("NotSupportedError: hardware runs in one process")
        assert "started on 2 MPI processes" in message
