"""Provenance on NEST: what a data file says about how it was made, and that it survives
writing; the pynn-uni run hooks (data dump at end(), seed from the environment); the
tqdm progress bar."""

import json
import pickle

import numpy as np
import pytest

pytest.importorskip("nest", reason="NEST is not installed: pip install pynn_uni[nest]")

from pynn_uni.common.provenance import OUTPUT_DIR_ENV, SEED_ENV, from_block  # noqa: E402


def _network(sim, seed=5):
    src = sim.Population(
        3, sim.SpikeSourceArray(spike_times=[[1.0, 2.0], [3.0], []]), label="input"
    )
    cells = sim.Population(4, sim.IF_cond_exp(tau_m=12.5), label="cells")
    proj = sim.Projection(
        src,
        cells,
        sim.AllToAllConnector(),
        sim.StaticSynapse(weight=0.01, delay=1.0),
        receptor_type="excitatory",
    )
    fixed = sim.Projection(
        cells, cells, sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(seed=seed))
    )
    cells.record("spikes")
    src.record("spikes")
    return src, cells, proj, fixed


def test_block_answers_which_simulator_version_seed_and_time(sim):
    sim.setup(timestep=0.1, rng_seed=7)
    src, cells, proj, fixed = _network(sim, seed=5)
    sim.run(20.0)
    block = cells.get_data()
    a = block.annotations
    assert a["backend"] == "nest"
    assert a["simulator"] == "NEST"
    assert "3." in a["simulator_version"]
    assert a["pynn_uni_version"]
    seeds = json.loads(a["seeds"])
    assert seeds["rng_seed"] == 7
    assert seeds["connectors"][1] == 5
    assert a["build_time"] >= 0 and a["run_time"] > 0
    assert a["host"] and a["mpi_processes"] == 1
    rec = from_block(block)
    assert rec["timestep"] == 0.1 and rec["simulated_time"] == pytest.approx(20.0)
    pops = {p["label"]: p for p in rec["network"]["populations"]}
    assert pops["cells"]["size"] == 4 and pops["cells"]["celltype"] == "IF_cond_exp"
    assert pops["cells"]["parameters"]["tau_m"] == 12.5
    projs = rec["network"]["projections"]
    assert projs[0]["pre"] == "input" and projs[0]["size"] == 12  # all to all, 3 x 4
    assert projs[0]["connector"]["name"] == "AllToAllConnector"
    assert projs[0]["synapse_parameters"]["weight"] == 0.01
    assert projs[0]["receptor_type"] == "excitatory"


def test_default_nest_seed_is_recorded(sim):
    _network(sim)
    sim.run(1.0)
    assert json.loads(sim.provenance())["seeds"]["rng_seed"] == 42  # the backend's default


def test_provenance_is_json_and_matches_the_block(sim):
    _, cells, _, _ = _network(sim)
    sim.run(5.0)
    rec = json.loads(sim.provenance())
    assert rec == {**from_block(cells.get_data()), "created": rec["created"]}


def test_write_data_keeps_provenance(sim, tmp_path):
    from neo.io import PickleIO

    _, cells, _, _ = _network(sim)
    sim.run(5.0)
    cells.write_data(str(tmp_path / "cells.pkl"))
    block = PickleIO(str(tmp_path / "cells.pkl")).read_block()
    assert block.annotations["backend"] == "nest"
    assert from_block(block)["network"]["populations"][1]["label"] == "cells"


def test_assembly_blocks_carry_provenance(sim):
    src, cells, _, _ = _network(sim)
    sim.run(5.0)
    block = (src + cells).get_data()
    assert block.annotations["backend"] == "nest" and "provenance" in block.annotations


def test_run_hooks_dump_data_and_take_the_seed(sim, tmp_path, monkeypatch):
    monkeypatch.setenv(OUTPUT_DIR_ENV, str(tmp_path))
    monkeypatch.setenv(SEED_ENV, "123")
    sim.setup(timestep=0.1)
    src, cells, _, _ = _network(sim)
    sim.Population(2, sim.IF_cond_exp(), label="unrecorded")
    sim.run(10.0)
    sim.end()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cells.pkl",
        "input.pkl",
        "provenance.json",
    ]
    rec = json.loads((tmp_path / "provenance.json").read_text())
    assert rec["seeds"]["rng_seed"] == 123
    with open(tmp_path / "input.pkl", "rb") as f:
        block = pickle.load(f)
    counts = [len(st) for st in block.segments[0].spiketrains]
    assert counts == [2, 1, 0]


def test_progress_bar(sim, capsys):
    sim.setup(timestep=0.1, progress=True)
    cells = sim.Population(1, sim.IF_cond_exp())
    cells.record("v")
    assert sim.run(50.0) == pytest.approx(50.0)
    err = capsys.readouterr().err
    assert "50.0/50.0" in err  # tqdm's final "n/total", in simulated ms
    v = cells.get_data().segments[0].analogsignals[0]
    assert v.shape[0] == 501 and np.isfinite(v.magnitude).all()


def test_large_projection_reports_construction_progress(sim, capsys):
    """With progress=True a projection over >= 1e6 candidate pairs counts its connections
    as they are made; the count it ends on is the projection's size."""
    sim.setup(timestep=0.1, progress=True)
    a, b = sim.Population(1000, sim.IF_cond_exp()), sim.Population(1000, sim.IF_cond_exp())
    prj = sim.Projection(a, b, sim.FixedProbabilityConnector(0.01, rng=sim.NumpyRNG(seed=3)))
    small = sim.Projection(a[:10], b[:10], sim.AllToAllConnector())
    err = capsys.readouterr().err
    assert f"connect {prj.label}" in err and f"connect {small.label}" not in err
    assert f"{prj.size()} connections" in err.replace("\r", "\n").splitlines()[-1]
