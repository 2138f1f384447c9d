"""SONATA and NeuroML2 export under MPI: every rank calls the export (reading a distributed
network gathers from every rank), rank 0 alone writes, and the files are the same as those
of a single process."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from mpi_launch import HAVE_MPI4PY, MPIRUN, mpirun

pytest.importorskip("neuron")
h5py = pytest.importorskip("h5py")
pytest.importorskip("neuroml")
if MPIRUN is None or not HAVE_MPI4PY:
    if os.environ.get("PYNN_UNI_REQUIRE_MPI"):  # set by .ci/run: CI must run these
        raise RuntimeError("MPI tests required but mpirun or mpi4py is missing")
    pytest.skip("MPI is not installed (openmpi-bin, mpi4py)", allow_module_level=True)

SCRIPT = Path(__file__).parent / "scripts" / "export_mpi.py"


def _export(n: int, out: Path) -> None:
    mpirun(n, [str(SCRIPT), str(out)])


def _datasets(path: Path) -> dict:
    found = {}
    with h5py.File(path, "r") as f:
        f.visititems(
            lambda name, obj: (
                found.update({name: obj[()]}) if isinstance(obj, h5py.Dataset) else None
            )
        )
    return found


def test_export_on_two_processes_writes_what_one_does(tmp_path):
    _export(1, tmp_path / "np1")
    _export(2, tmp_path / "np2")
    one = sorted(
        p.relative_to(tmp_path / "np1") for p in (tmp_path / "np1").rglob("*") if p.is_file()
    )
    two = sorted(
        p.relative_to(tmp_path / "np2") for p in (tmp_path / "np2").rglob("*") if p.is_file()
    )
    assert one == two and any(p.suffix == ".h5" for p in one)
    for rel in one:
        a, b = tmp_path / "np1" / rel, tmp_path / "np2" / rel
        if rel.suffix == ".h5":
            da, db = _datasets(a), _datasets(b)
            assert da.keys() == db.keys(), rel
            for key in da:
                np.testing.assert_array_equal(da[key], db[key], err_msg=f"{rel}:{key}")
        elif rel.suffix == ".json":
            text_a = a.read_text().replace(str(tmp_path / "np1"), "")
            text_b = b.read_text().replace(str(tmp_path / "np2"), "")
            assert json.loads(text_a) == json.loads(text_b), rel
        else:
            assert a.read_bytes() == b.read_bytes(), rel
    edges = _datasets(tmp_path / "np2" / "sonata" / "network" / "input-exc_edges.h5")
    assert edges["edges/input-exc/source_node_id"].size == 40 * 60  # every edge, from both ranks
