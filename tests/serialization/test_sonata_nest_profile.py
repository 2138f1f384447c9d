"""target='NEST': the profile NEST's own SonataNetwork reader takes (NEST model names and
units, parameters per node/edge type in JSON files NEST accepts, one edge group, a spike file
per virtual population, target_simulator 'NEST'), and it still reads back exactly.

``nest.SonataNetwork`` itself needs a NEST built with HDF5 (the PyPI wheel is not) and pandas:
that test skips without them, and fails instead under ``PYNN_UNI_REQUIRE_NEST_MPI=1`` (set by
``.ci/run`` for its MPI+HDF5 NEST venv, where it must run)."""

import json
import os

import h5py  # before NEST: NEST's reader imports h5py once NEST's own HDF5 is loaded
import numpy as np
import pytest
from sonata_network import build_nest_network, build_network, spikes_by_cell

from pynn_uni.serialization import export_to_sonata, import_from_sonata, load_sonata_simulation_plan
from pynn_uni.serialization.sonata import read_spikes
from pynn_uni.serialization.sonata_format import load_config, population_name, read_types


def test_nest_profile_is_what_nest_reads(tmp_path):
    nest = pytest.importorskip("nest")
    import pynn_uni.nest as sim

    sim.setup(timestep=0.1)
    net = build_network(sim, n_in=30, n_exc=40, n_inh=10)
    exc = next(p for p in net.populations if p.label == "exc")
    inh = next(p for p in net.populations if p.label == "inh")
    for p in (exc, inh):
        p.record("spikes")
    export_to_sonata(net, tmp_path / "n", target="NEST", tstop=100.0)
    sim.run(100.0)
    original = spikes_by_cell([exc, inh])
    sim.end()

    config = load_config(tmp_path / "n" / "simulation_config.json")
    assert config["target_simulator"] == "NEST" and config["run"]["dt"] == 0.1
    models_dir = config["components"]["point_neuron_models_dir"]
    for entry in config["networks"]["nodes"]:
        types = read_types(entry["node_types_file"], "node_type_id")
        assert len({t["model_type"] for t in types.values()}) == 1  # one per CSV file
        with h5py.File(entry["nodes_file"]) as f:
            (name,) = f["nodes"]
        for t in types.values():
            if t["model_type"] == "virtual":
                assert any(i["node_set"] == name for i in config["inputs"].values())
                continue
            model = t["model_template"].removeprefix("nest:")
            with open(f"{models_dir}/{t['dynamics_params']}") as fp:
                params = json.load(fp)
            assert set(params) <= set(nest.GetDefaults(model))  # names NEST knows
    # exc cells differ (random tau_m, v_thresh, V_m): one node type each
    assert len(read_types(tmp_path / "n" / "network" / "exc_node_types.csv",
                          "node_type_id")) == 40  # fmt: skip
    syn_dir = config["components"]["synaptic_models_dir"]
    for entry in config["networks"]["edges"]:
        for t in read_types(entry["edge_types_file"], "edge_type_id").values():
            assert t["model_template"] in nest.synapse_models  # a bare NEST synapse model
            with open(f"{syn_dir}/{t['dynamics_params']}") as fp:
                params = json.load(fp)
            assert set(params) <= set(nest.GetDefaults(t["model_template"]))
        with h5py.File(entry["edges_file"]) as f:
            (group,) = f["edges"].values()
            assert not group["edge_group_id"][()].any()  # one edge group
            weights = group["0/syn_weight"][()]
            assert group["0/syn_weight"].attrs["units"] == "nS"
            # NEST routes inhibition on conductance cells by a negative weight
            assert (weights < 0).all() if "inh-exc" in entry["edges_file"] else (weights > 0).all()

    plan = load_sonata_simulation_plan(tmp_path / "n" / "simulation_config.json")
    plan.setup(sim)
    try:
        plan.execute(import_from_sonata(tmp_path / "n" / "circuit_config.json", sim))
    finally:
        sim.end()
    output = read_spikes(tmp_path / "n" / "output" / "spikes.h5")
    for label, trains in original.items():
        ids, times = output[label]
        for i, train in enumerate(trains):
            np.testing.assert_array_equal(np.sort(times[ids == i]), train)


def test_nest_profile_plastic_synapses(tmp_path):
    """tsodyks_synapse takes tau_psc from the post cell and stdp_synapse's tau_minus lives on
    the post neuron, as pynn_uni's NEST backend sets them; a short-term plastic projection
    reads back with its parameters."""
    nest = pytest.importorskip("nest")
    import pynn_uni.nest as sim
    from pynn_uni.network import Network

    sim.setup(timestep=0.1)
    try:
        pre = sim.Population(10, sim.SpikeSourcePoisson(rate=5.0), label="pre")
        post = sim.Population(5, sim.IF_cond_exp(tau_syn_E=3.0), label="post")
        tm = sim.Projection(pre, post, sim.AllToAllConnector(),
                            sim.TsodyksMarkramSynapse(U=0.3, tau_rec=400.0, weight=0.01),
                            label="tm")  # fmt: skip
        stdp = sim.Projection(
            pre, post, sim.AllToAllConnector(),
            sim.STDPMechanism(timing_dependence=sim.SpikePairRule(tau_minus=25.0),
                              weight_dependence=sim.AdditiveWeightDependence(w_max=0.02),
                              weight=0.01),
            label="stdp",
        )  # fmt: skip
        export_to_sonata(Network(pre, post, tm, stdp), tmp_path / "p", target="NEST")
        want = sorted(tm.get(["weight", "U", "tau_rec"], format="list"))
    finally:
        sim.end()
    comps = tmp_path / "p" / "components"
    (tm_json,) = comps.glob("synaptic_models/tm_*.json")
    (stdp_json,) = comps.glob("synaptic_models/stdp_*.json")
    tm_params, stdp_params = json.loads(tm_json.read_text()), json.loads(stdp_json.read_text())
    assert tm_params["tau_psc"] == 3.0 and tm_params["U"] == 0.3
    assert set(stdp_params) <= set(nest.GetDefaults("stdp_synapse"))
    assert stdp_params["Wmax"] == pytest.approx(20.0)  # nS
    (post_json,) = comps.glob("point_neuron_models/post_*.json")
    assert json.loads(post_json.read_text())["tau_minus"] == 25.0
    with h5py.File(tmp_path / "p" / "network" / "tm_edges.h5") as f:
        np.testing.assert_allclose(f["edges/tm/0/syn_weight"][()], 10.0)  # nS

    # the short-term plastic part reads back (stdp_synapse from NEST circuits is not read)
    config = json.loads((tmp_path / "p" / "circuit_config.json").read_text())
    config["networks"]["edges"] = [e for e in config["networks"]["edges"]
                                   if "stdp" not in e["edges_file"]]  # fmt: skip
    (tmp_path / "p" / "tm_only.json").write_text(json.dumps(config))
    sim.setup(timestep=0.1)
    try:
        with pytest.warns(UserWarning, match="tau_minus"):
            net = import_from_sonata(tmp_path / "p" / "tm_only.json", sim)
        (prj,) = net.projections
        assert type(prj.synapse_type).__name__ == "TsodyksMarkramSynapse"
        np.testing.assert_allclose(sorted(prj.get(["weight", "U", "tau_rec"], format="list")),
                                   want)  # fmt: skip
    finally:
        sim.end()


def _nest_sonata_reader():
    """The nest module where ``nest.SonataNetwork`` can run, else skip (or fail where CI
    requires it) saying what is missing."""
    nest = pytest.importorskip("nest")
    missing = []
    if not nest.build_info.get("have_hdf5"):
        missing.append("NEST was built without HDF5 (as the PyPI wheel is): no nest.SonataNetwork")
    try:
        import pandas  # noqa: F401  (SonataNetwork reads the type tables with it)
    except ImportError:
        missing.append("nest.SonataNetwork needs pandas, which is not installed")
    if missing:
        if os.environ.get("PYNN_UNI_REQUIRE_NEST_MPI"):
            pytest.fail("NEST's SONATA reader required but: " + "; ".join(missing))
        pytest.skip("; ".join(missing))
    return nest


#: what NEST numbers or places itself, so differs between two kernels holding the same
#: network, and synapse_label (pynn_uni's NEST backend labels projections sharing a model)
_KERNEL_KEYS = {"global_id", "local_id", "node_uid", "thread", "vp", "thread_local_id",
                "model_id", "synapse_id", "port", "sizeof", "target_thread",
                "synapse_label"}  # fmt: skip


def _node_values(nodes) -> dict:
    """Every number NEST holds for each node of ``nodes`` (parameters and state)."""
    values = nodes.get()
    return {k: np.asarray(v) for k, v in sorted(values.items())
            if k not in _KERNEL_KEYS and np.asarray(v).dtype.kind in "biuf"}  # fmt: skip


def _connection_table(conns, pre, post) -> tuple[list, np.ndarray]:
    """(column names, rows sorted): every number NEST holds for each connection, with source
    and target as indices into the ``pre`` and ``post`` NodeCollections."""
    values = conns.get()
    keys = ["source", "target"] + sorted(
        k for k, v in values.items()
        if k not in _KERNEL_KEYS | {"source", "target"} and np.asarray(v).dtype.kind in "biuf"
    )  # fmt: skip
    table = np.array([np.asarray(values[k], dtype=float) for k in keys]).T.reshape(-1, len(keys))
    for col, nodes in ((0, pre), (1, post)):
        table[:, col] = np.searchsorted(np.asarray(nodes.tolist()), table[:, col])
    return keys, table[np.lexsort(table.T[::-1])]


@pytest.mark.parametrize("precision", ["off_grid", "on_grid"])
def test_nest_sonata_network_runs_the_export_as_pynn_uni_does(tmp_path, precision):
    """NEST's own reader builds, from a target='NEST' export, the very network pynn_uni's NEST
    backend built: the same nodes (the precise-timing twins under off_grid) with the same
    parameters and initial state, the same connections with the same weight, delay, receptor
    and synapse parameters (static, tsodyks_synapse, stdp_synapse), and, run, the same spikes
    to the bit (the input times are on the time grid: NEST's reader moves others)."""
    nest = _nest_sonata_reader()
    import pynn_uni.nest as sim

    cells = ("exc", "inh")
    sim.setup(timestep=0.1, spike_precision=precision)
    try:
        net = build_nest_network(sim)
        pops = {p.label: p for p in net.populations}
        for label in cells:  # not the input: recording it relays it through parrot neurons
            pops[label].record("spikes")
        export_to_sonata(net, tmp_path / "n", target="NEST", tstop=150.0)
        nodes = {label: _node_values(pops[label].node_collection) for label in cells}
        edges = {
            population_name(prj.label, set()): _connection_table(
                prj.nest_connections, prj.pre.node_collection, prj.post.node_collection
            )
            for prj in net.projections
        }
        sim.run(150.0)
        spikes = spikes_by_cell([pops[label] for label in cells])
    finally:
        sim.end()
    assert sum(len(t) for trains in spikes.values() for t in trains) > 500  # it is active

    nest.ResetKernel()
    try:
        folder = tmp_path / "n"
        sonata = nest.SonataNetwork(folder / "circuit_config.json",
                                    sim_config=folder / "simulation_config.json")  # fmt: skip
        built = sonata.BuildNetwork()
        assert sorted(built) == ["exc", "inh", "input"]
        for label in cells:
            got = _node_values(built[label])
            assert got.keys() == nodes[label].keys()
            for key, want in nodes[label].items():
                np.testing.assert_array_equal(got[key], want, err_msg=f"{label}: {key}")
        config = load_config(tmp_path / "n" / "simulation_config.json")
        assert len(config["networks"]["edges"]) == len(edges)
        for entry in config["networks"]["edges"]:
            types = read_types(entry["edge_types_file"], "edge_type_id")
            (model,) = {t["model_template"] for t in types.values()}
            with h5py.File(entry["edges_file"]) as f:
                ((name, group),) = f["edges"].items()
                pre = group["source_node_id"].attrs["node_population"]
                post = group["target_node_id"].attrs["node_population"]
            conns = nest.GetConnections(built[pre], built[post], synapse_model=model)
            keys, table = _connection_table(conns, built[pre], built[post])
            want_keys, want = edges[name]
            assert keys == want_keys, name
            assert table.shape == want.shape, f"{name}: {len(table)} connections, not {len(want)}"
            np.testing.assert_array_equal(table, want, err_msg=name)

        recorders = {}
        for label in cells:
            recorders[label] = nest.Create("spike_recorder")
            nest.Connect(built[label], recorders[label])
        sonata.Simulate()
        for label in cells:
            events = recorders[label].events
            first = built[label][0].global_id
            for i, train in enumerate(spikes[label]):
                got = np.sort(events["times"][events["senders"] == first + i])
                np.testing.assert_array_equal(got, train, err_msg=f"{label}[{i}]")
    finally:
        nest.ResetKernel()
