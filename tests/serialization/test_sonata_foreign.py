"""Circuits written by other tools: bmtk's NetworkBuilder (nest: templates, NEST units, nsyns,
signed weights) runs on nest and neuron as under bmtk's PointNet; one node group mixing cell
models and one edge group mixing receptor types load (PyNN 0.13 refuses both)."""

import os
import subprocess
import sys

import h5py
import numpy as np
import pytest

from pynn_uni.serialization import import_from_sonata, load_sonata_simulation_plan
from pynn_uni.serialization.sonata import read_spikes
from pynn_uni.serialization.sonata_format import mark_file, write_json, write_types

HERE = os.path.dirname(__file__)
#: inhibitory weights onto current-based cells are negative (the PyNN convention)
WEIGHTS = [0.1, -0.2, 0.3, 0.4, 0.5, -0.6]


@pytest.fixture(scope="module")
def bmtk_circuit(tmp_path_factory):
    pytest.importorskip("bmtk")
    pytest.importorskip("nest")
    base = tmp_path_factory.mktemp("bmtk")
    subprocess.run([sys.executable, os.path.join(HERE, "bmtk_circuit.py"), str(base), "--run"],
                   check=True, capture_output=True, timeout=300)  # fmt: skip
    return base


def test_bmtk_circuit_runs_as_under_pointnet(sim, bmtk_circuit, tmp_path):
    plan = load_sonata_simulation_plan(bmtk_circuit / "simulation_config.json")
    plan.output["output_dir"] = str(tmp_path)
    plan.setup(sim)
    net = import_from_sonata(bmtk_circuit / "circuit_config.json", sim)
    kinds = {(p.label, type(p.celltype).__name__) for p in net.populations}
    assert kinds == {("v1", "IF_curr_alpha"), ("lgn", "SpikeSourceArray")}
    receptors = {prj.receptor_type for prj in net.projections}
    assert receptors == {"excitatory", "inhibitory"}
    plan.execute(net)
    ids, times = read_spikes(tmp_path / "spikes.h5")["v1"]
    bmtk_ids, bmtk_times = read_spikes(bmtk_circuit / "output" / "spikes.h5")["v1"]
    assert bmtk_times.size > 200  # about 3.5 spikes/s per cell
    if sim.__name__.endswith("nest"):  # the same simulator: the same spikes
        a, b = np.lexsort((times, ids)), np.lexsort((bmtk_times, bmtk_ids))
        np.testing.assert_array_equal(ids[a], bmtk_ids[b])
        np.testing.assert_allclose(times[a], bmtk_times[b], atol=1e-9)
    else:  # NEURON integrates the same model with another method: rates agree
        assert abs(times.size - bmtk_times.size) <= 0.05 * bmtk_times.size


def _hand_written(base):
    """Node group 0 mixes IF_curr_exp and IF_cond_exp cells; edge group 0 mixes receptors."""
    os.makedirs(base / "c", exist_ok=True)
    write_types(base / "nodes.csv", "node_type_id", [
        {"node_type_id": 1, "model_type": "point_neuron", "model_template": "pynn:IF_curr_exp",
         "dynamics_params": "curr.json"},
        {"node_type_id": 2, "model_type": "point_neuron", "model_template": "pynn:IF_cond_exp",
         "dynamics_params": "cond.json"},
    ])  # fmt: skip
    write_json(base / "c" / "curr.json", {"tau_m": 15.0})
    write_json(base / "c" / "cond.json", {"tau_m": 25.0})
    write_types(base / "edges.csv", "edge_type_id", [
        {"edge_type_id": 10, "model_template": "pynn:StaticSynapse", "receptor_type": "excitatory"},
        {"edge_type_id": 11, "model_template": "pynn:StaticSynapse", "receptor_type": "inhibitory"},
    ])  # fmt: skip
    types = np.array([1, 2, 1, 2, 2], dtype=np.uint64)
    with h5py.File(base / "nodes.h5", "w") as f:
        mark_file(f)
        g = f.create_group("nodes/cells")
        g["node_type_id"] = types
        g["node_group_id"] = np.zeros(5, np.uint32)
        g["node_group_index"] = np.arange(5, dtype=np.uint64)
        g.create_group("0")
    src = np.array([0, 1, 2, 3, 4, 0], np.uint64)
    tgt = np.array([1, 2, 3, 4, 0, 2], np.uint64)
    with h5py.File(base / "edges.h5", "w") as f:
        mark_file(f)
        g = f.create_group("edges/cells_cells")
        g["source_node_id"] = src
        g["source_node_id"].attrs["node_population"] = "cells"
        g["target_node_id"] = tgt
        g["target_node_id"].attrs["node_population"] = "cells"
        g["edge_type_id"] = np.array([10, 11, 10, 11, 10, 11], np.uint64)
        g["edge_group_id"] = np.zeros(6, np.uint32)
        g["edge_group_index"] = np.arange(6, dtype=np.uint64)
        g["0/syn_weight"] = np.array(WEIGHTS)
        g["0/delay"] = np.full(6, 1.0)
    write_json(base / "circuit_config.json", {
        "manifest": {"$BASE_DIR": "."},
        "components": {"point_neuron_models_dir": "$BASE_DIR/c",
                       "synaptic_models_dir": "$BASE_DIR/c"},
        "networks": {"nodes": [{"nodes_file": "$BASE_DIR/nodes.h5",
                                "node_types_file": "$BASE_DIR/nodes.csv"}],
                     "edges": [{"edges_file": "$BASE_DIR/edges.h5",
                                "edge_types_file": "$BASE_DIR/edges.csv"}]},
    })  # fmt: skip
    return types, src, tgt


def test_mixed_models_and_receptors_load(tmp_path):
    import pynn_uni.nest as sim

    types, src, tgt = _hand_written(tmp_path)
    sim.setup(timestep=0.1)
    try:
        net = import_from_sonata(tmp_path / "circuit_config.json", sim)
        (assembly,) = net.assemblies
        assert assembly.label == "cells"
        by_model = {type(p.celltype).__name__: p for p in assembly.populations}
        assert by_model["IF_curr_exp"].size == 2 and by_model["IF_cond_exp"].size == 3
        assert by_model["IF_curr_exp"].get("tau_m") == 15.0
        assert by_model["IF_cond_exp"].get("tau_m") == 25.0
        found = []
        for prj in net.projections:
            pre_ids = prj.pre.annotations["sonata_node_ids"]
            post_ids = prj.post.annotations["sonata_node_ids"]
            for i, j, w in prj.get("weight", format="list"):
                found.append((int(pre_ids[int(i)]), int(post_ids[int(j)]), prj.receptor_type, w))
    finally:
        sim.end()
    receptors = np.where(np.arange(6) % 2 == 0, "excitatory", "inhibitory")
    want = {(int(s), int(t), r, w) for s, t, r, w in
            zip(src, tgt, receptors, WEIGHTS, strict=True)}  # fmt: skip
    assert set(found) == want
