"""Export to SONATA, read back with libsonata (an independent reader) and with
import_from_sonata: every value kept, and the re-imported network spikes exactly as the
original on the same simulator."""

import gc
import json
import os

import numpy as np
import pytest
from sonata_network import build_network, spikes_by_cell

from pynn_uni.serialization import export_to_sonata, import_from_sonata, load_sonata_simulation_plan
from pynn_uni.serialization.sonata import read_report, read_spikes

TSTOP = 100.0


def _by_label(net, label):
    return next(p for p in net.populations if p.label == label)


def test_reimported_network_spikes_as_the_original(sim, tmp_path):
    net = build_network(sim)
    exc, inh = _by_label(net, "exc"), _by_label(net, "inh")
    for p in (exc, inh):
        p.record("spikes")
    exc[::20].record("v")  # a partial recording: a report on a node set
    export_to_sonata(net, tmp_path / "circuit", tstop=TSTOP)
    sim.run(TSTOP)
    original = spikes_by_cell([exc, inh])
    (v,) = exc.get_data("v").segments[0].analogsignals
    assert sum(t.size for t in original["exc"]) > 50 and sum(t.size for t in original["inh"]) > 5
    sim.end()

    plan = load_sonata_simulation_plan(tmp_path / "circuit" / "simulation_config.json")
    plan.setup(sim)
    net2 = import_from_sonata(tmp_path / "circuit" / "circuit_config.json", sim)
    assert net2.count_connections() == net.count_connections()
    assert net2.count_neurons() == net.count_neurons()
    plan.execute(net2)
    output = read_spikes(tmp_path / "circuit" / "output" / "spikes.h5")
    assert set(output) == {"exc", "inh"}  # simulated nodes only, one group per population
    for label, trains in original.items():
        ids, times = output[label]
        for i, train in enumerate(trains):
            np.testing.assert_array_equal(np.sort(times[ids == i]), train)
    report = read_report(tmp_path / "circuit" / "output" / "exc_v.h5")["exc"]
    np.testing.assert_array_equal(report["node_ids"], np.arange(0, 200, 20))
    np.testing.assert_allclose(report["data"], v.magnitude, rtol=1e-6)  # stored as float32


def test_libsonata_reads_every_node_and_edge(tmp_path):
    libsonata = pytest.importorskip("libsonata")
    import h5py

    import pynn_uni.nest as sim

    sim.setup(timestep=0.1)
    try:
        net = build_network(sim)
        exc = _by_label(net, "exc")
        big = next(p for p in net.projections if p.label == "input→exc")
        circuit = export_to_sonata(net, tmp_path / "c")
        tau_m, v_thresh = exc.get(["tau_m", "v_thresh"], gather=True)
        v_init = exc.initial_values["v"].evaluate()
        edges = np.array(big.get(["weight", "delay"], format="list"))
    finally:
        sim.end()
    assert big.size() > 40_000

    config = libsonata.CircuitConfig.from_file(circuit)
    assert config.node_populations == {"input", "exc", "inh"}
    assert config.edge_populations == {"input-exc", "exc-inh", "inh-exc"}
    nodes = config.node_population("exc")
    every = libsonata.Selection([[0, nodes.size]])
    np.testing.assert_array_equal(nodes.get_dynamics_attribute("tau_m", every), tau_m)
    np.testing.assert_array_equal(nodes.get_dynamics_attribute("v_thresh", every), v_thresh)
    np.testing.assert_array_equal(nodes.get_dynamics_attribute("v", every), v_init)

    pop = config.edge_population("input-exc")
    assert (pop.source, pop.target, pop.size) == ("input", "exc", edges.shape[0])
    sel = libsonata.Selection([[0, pop.size]])
    got = np.column_stack(
        [
            pop.source_nodes(sel),
            pop.target_nodes(sel),
            pop.get_attribute("syn_weight", sel),
            pop.get_attribute("delay", sel),
        ]
    )
    order = np.lexsort((got[:, 1], got[:, 0]))
    want = edges[np.lexsort((edges[:, 1], edges[:, 0]))]
    np.testing.assert_array_equal(got[order], want)
    # the indices answer connectivity queries: every input reaches cell 7
    assert pop.afferent_edges([7]).flat_size == 210
    assert pop.efferent_edges([3]).flat_size == 200
    n_edges = pop.size
    # libsonata keeps its files open while these objects live; when it shares
    # h5py's HDF5 library, a second open with other locking flags is refused
    del pop, nodes, config
    gc.collect()

    with h5py.File(tmp_path / "c" / "network" / "input-exc_edges.h5") as f:
        assert f.attrs["magic"] == 0x0A7A and list(f.attrs["version"]) == [0, 1]
        group = f["edges/input-exc"]
        assert group["edge_group_index"].dtype == np.uint64  # no wrap past 32,767 edges
        np.testing.assert_array_equal(group["edge_group_index"][()], np.arange(n_edges))
        assert group["0/syn_weight"].attrs["units"] == "uS"
        assert group["0/delay"].attrs["units"] == "ms"
    with h5py.File(tmp_path / "c" / "network" / "exc_nodes.h5") as f:
        assert f["nodes/exc/0/dynamics_params/tau_m"].attrs["units"] == "ms"
        assert f["nodes/exc/0/dynamics_params"].attrs["units:cm"] == "nF"

    spikes = libsonata.SpikeReader(str(tmp_path / "c" / "inputs" / "input_spikes.h5"))
    assert spikes["input"].sorting == "by_id"
    sim_config = json.loads((tmp_path / "c" / "simulation_config.json").read_text())
    assert sim_config["run"]["dt"] == 0.1
    assert sim_config["inputs"]["input_spikes"]["node_set"] == "input"
    assert os.path.isfile(tmp_path / "c" / "node_sets.json")


def test_refuses_to_overwrite_unless_asked(tmp_path):
    import pynn_uni.nest as sim

    sim.setup(timestep=0.1)
    try:
        p = sim.Population(3, sim.IF_curr_exp(), label="p")
        from pynn_uni.network import Network

        export_to_sonata(Network(p), tmp_path / "x")
        with pytest.raises(FileExistsError, match="overwrite=True"):
            export_to_sonata(Network(p), tmp_path / "x")
        export_to_sonata(Network(p), tmp_path / "x", overwrite=True)
        with pytest.raises(ValueError, match="target"):
            export_to_sonata(Network(p), tmp_path / "y", target="brian")
    finally:
        sim.end()
