"""Distributed NEST runs: the same network, spikes and recorded data on 1 and 2 MPI processes.

These need a NEST built with MPI (tools/install-nest-mpi.sh; the PyPI wheel has none):
elsewhere they skip, except under ``PYNN_UNI_REQUIRE_NEST_MPI=1`` (`.ci/run`, which builds
one), where a missing MPI build fails.  Each case launches real ``mpirun`` processes and
compares what rank 0 wrote.  Connections are drawn by pynn_uni's block-seeded connectors,
so they never depend on the number of ranks; NEST draws Poisson trains per virtual process,
so a network with Poisson sources gives the same spikes for the same number of processes x
threads (NEST's own guarantee), and networks without them on any number.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from mpi_launch import HAVE_MPI4PY, MPIRUN, mpirun
from pynn_uni.nest import parallel

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).parent / "scripts" / "mpi_network.py"
_MISSING = [
    why
    for why, missing in (
        ("no mpirun (apt-get install openmpi-bin libopenmpi-dev)", MPIRUN is None),
        ("no mpi4py (pip install mpi4py)", not HAVE_MPI4PY),
        (f"the installed NEST has no MPI: {parallel.INSTALL_HINT}", not parallel.built_with("MPI")),
    )
    if missing
]
if _MISSING:
    if os.environ.get("PYNN_UNI_REQUIRE_NEST_MPI"):  # set by .ci/run: CI must run these
        raise RuntimeError("NEST MPI tests required but: " + "; ".join(_MISSING))
    pytest.skip("; ".join(_MISSING), allow_module_level=True)


def _run(n: int, out: Path, *flags: str) -> dict:
    """mpi_network.py on n processes; what rank 0 saved."""
    mpirun(n, [str(SCRIPT), str(out), *flags], cwd=ROOT)
    with np.load(f"{out}.npz") as data:
        return {k: data[k] for k in data.files}


def _assert_same(one: dict, two: dict) -> None:
    keys = ("spikes", "counts", "written", "v", "weights", "static", "rewritten", "sizes")
    for key in (*keys, "all_ids"):
        np.testing.assert_array_equal(one[key], two[key], err_msg=key)


def test_network_identical_on_one_and_two_processes(tmp_path):
    one, two = _run(1, tmp_path / "np1"), _run(2, tmp_path / "np2")
    assert int(one["processes"]) == 1 and int(two["processes"]) == 2
    assert one["counts"].sum() > 100  # the network is active: the comparison means something
    _assert_same(one, two)
    # STDP changed the weights (same on both), within the weight dependence's bounds
    w = one["weights"][one["weights"] >= 0]
    assert np.any(np.abs(w - 0.02) > 1e-4) and w.min() >= 0.0 and w.max() <= 0.05
    # Projection.set of one value per connection: each rank wrote its own connections
    r = one["rewritten"]
    expected = np.arange(900.0).reshape(30, 30) / 1e5
    np.testing.assert_allclose(r[r >= 0], expected[r >= 0], rtol=1e-12)  # (unit scaling)
    # every cell lives on exactly one rank; local_size, local_cells and ID.local agree
    for run in (one, two):
        assert bool(run["local_ok"])
        np.testing.assert_array_equal(np.sort(run["local"][:, 1]), run["all_ids"])
    assert set(two["local"][:, 0]) == {0, 1}
    # each rank evaluated and holds only the connections onto its own cells
    n = int(one["sizes"][1])
    assert one["held"].tolist() == [n]
    assert two["held"].sum() == n and two["held"].min() > 0 and two["held"].max() < n


def test_processes_and_threads_together(tmp_path):
    """2 processes x 2 threads: the same network as one process, one thread."""
    one, four = _run(1, tmp_path / "np1"), _run(2, tmp_path / "np2t2", "--threads", "2")
    _assert_same(one, four)


def test_poisson_identical_for_the_same_virtual_processes(tmp_path):
    """1 process x 2 threads and 2 processes x 1 thread: two virtual processes both."""
    threads = _run(1, tmp_path / "np1t2", "--threads", "2", "--poisson")
    procs = _run(2, tmp_path / "np2", "--poisson")
    _assert_same(threads, procs)


def test_poisson_identical_with_fixed_virtual_processes(tmp_path):
    """setup(virtual_processes=2): 2 threads on one process, 1 on each of two."""
    one = _run(1, tmp_path / "np1", "--virtual-processes", "2", "--poisson")
    two = _run(2, tmp_path / "np2", "--virtual-processes", "2", "--poisson")
    _assert_same(one, two)


def test_a_value_one_rank_refuses_is_refused_on_every_rank(tmp_path):
    """The rank holding the bad connection raises its own error, the others a
    ConnectionError naming the projection; none waits for the others, none keeps a part."""
    out = tmp_path / "refusal"
    mpirun(2, [str(Path(__file__).parent / "scripts" / "mpi_refusal.py"), str(out)], cwd=ROOT)
    seen = [json.loads(Path(f"{out}.{r}.json").read_text()) for r in (0, 1)]
    for s in seen:
        expected = "InvalidWeightError" if s["owns_cell_3"] else "ConnectionError"
        assert s["error"] == expected
        assert s["size"] == 16 and s["t"] == 5.0
    assert sorted(s["owns_cell_3"] for s in seen) == [False, True]
    assert sum(s["held"] for s in seen) == 16
