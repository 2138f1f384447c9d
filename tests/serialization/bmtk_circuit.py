"""Build a small PointNet circuit with bmtk's NetworkBuilder (its own writer, not ours) and,
with ``--run``, simulate it with bmtk's PointNet; ``python bmtk_circuit.py FOLDER [--run]``.

v1: 80 excitatory + 20 inhibitory ``nest:iaf_psc_alpha`` cells (parameters in JSON files, NEST
units, one node group); lgn: 40 virtual cells with Poisson spikes; edges with per-type
weights, ``nsyns`` per edge and a negative weight for inhibition (NEST's convention).
"""

import json
import os
import sys

import numpy as np


def build(base: str) -> None:
    from bmtk.builder import NetworkBuilder
    from bmtk.utils.reports.spike_trains import PoissonSpikeGenerator

    cells, synapses = f"{base}/components/point_neuron_models", f"{base}/components/synaptic_models"
    os.makedirs(cells, exist_ok=True)
    os.makedirs(synapses, exist_ok=True)
    exc = {"I_e": 0.0, "tau_m": 20.0, "C_m": 250.0, "t_ref": 2.0, "E_L": -70.0, "V_th": -55.0,
           "V_reset": -70.0, "tau_syn_ex": 2.0, "tau_syn_in": 5.0}  # fmt: skip
    inh = {"I_e": 0.0, "tau_m": 10.0, "C_m": 200.0, "t_ref": 1.0, "E_L": -70.0, "V_th": -52.0,
           "V_reset": -65.0}  # fmt: skip
    for name, params in (("exc.json", exc), ("inh.json", inh)):
        with open(f"{cells}/{name}", "w") as fp:
            json.dump(params, fp)
    with open(f"{synapses}/static.json", "w") as fp:
        json.dump({}, fp)
    rng = np.random.default_rng(1)

    def rule(source, target, p, n=1):
        return int(rng.random() < p) * n

    v1 = NetworkBuilder("v1")
    for pop, ei, n, params in (("exc", "e", 80, "exc.json"), ("inh", "i", 20, "inh.json")):
        v1.add_nodes(N=n, pop_name=pop, ei=ei, model_type="point_neuron",
                     model_template="nest:iaf_psc_alpha", dynamics_params=params)  # fmt: skip
    for source, target, p, w, d in (({"ei": "e"}, {"pop_name": "exc"}, 0.1, 30.0, 1.5),
                                    ({"ei": "e"}, {"pop_name": "inh"}, 0.1, 40.0, 1.5),
                                    ({"ei": "i"}, {"ei": "e"}, 0.2, -80.0, 1.0)):  # fmt: skip
        v1.add_edges(source=source, target=target, connection_rule=rule,
                     connection_params={"p": p}, syn_weight=w, delay=d,
                     dynamics_params="static.json", model_template="static_synapse")  # fmt: skip
    v1.build()
    v1.save_nodes(output_dir=f"{base}/network")
    v1.save_edges(output_dir=f"{base}/network")
    lgn = NetworkBuilder("lgn")
    lgn.add_nodes(N=40, pop_name="tON", model_type="virtual")
    lgn.add_edges(source=lgn.nodes(), target=v1.nodes(), connection_rule=rule,
                  connection_params={"p": 0.2, "n": 2}, syn_weight=60.0, delay=2.0,
                  dynamics_params="static.json", model_template="static_synapse")  # fmt: skip
    lgn.build()
    lgn.save_nodes(output_dir=f"{base}/network")
    lgn.save_edges(output_dir=f"{base}/network")
    os.makedirs(f"{base}/inputs", exist_ok=True)
    psg = PoissonSpikeGenerator(population="lgn", seed=3)
    psg.add(node_ids=range(40), firing_rate=20.0, times=(0.0, 1.0))
    psg.to_sonata(f"{base}/inputs/lgn_spikes.h5")

    files = {"nodes": [{"nodes_file": f"$NETWORK_DIR/{n}_nodes.h5",
                        "node_types_file": f"$NETWORK_DIR/{n}_node_types.csv"}
                       for n in ("v1", "lgn")],
             "edges": [{"edges_file": f"$NETWORK_DIR/{a}_v1_edges.h5",
                        "edge_types_file": f"$NETWORK_DIR/{a}_v1_edge_types.csv"}
                       for a in ("v1", "lgn")]}  # fmt: skip
    circuit = {
        "manifest": {"$BASE_DIR": ".", "$NETWORK_DIR": "$BASE_DIR/network",
                     "$COMPONENTS_DIR": "$BASE_DIR/components"},
        "components": {"point_neuron_models_dir": "$COMPONENTS_DIR/point_neuron_models",
                       "synaptic_models_dir": "$COMPONENTS_DIR/synaptic_models"},
        "networks": files,
    }  # fmt: skip
    simulation = {
        "manifest": {"$BASE_DIR": ".", "$OUTPUT_DIR": "$BASE_DIR/output",
                     "$INPUT_DIR": "$BASE_DIR/inputs"},
        "target_simulator": "NEST",
        "run": {"tstop": 1000.0, "dt": 0.1, "overwrite_output_dir": True,
                "quiet_simulator": True},
        "inputs": {"lgn_spikes": {"input_type": "spikes", "module": "sonata",
                                  "input_file": "$INPUT_DIR/lgn_spikes.h5", "node_set": "lgn"}},
        "output": {"log_file": "log.txt", "output_dir": "$OUTPUT_DIR",
                   "spikes_file": "spikes.h5", "spikes_sort_order": "time"},
        "reports": {},
        "network": "$BASE_DIR/circuit_config.json",
    }  # fmt: skip
    for name, config in (("circuit_config.json", circuit), ("simulation_config.json", simulation)):
        with open(f"{base}/{name}", "w") as fp:
            json.dump(config, fp, indent=1)


def run_pointnet(base: str) -> None:
    from bmtk.simulator import pointnet

    os.chdir(base)
    config = pointnet.Config.from_json("simulation_config.json")
    config.build_env()
    network = pointnet.PointNetwork.from_config(config)
    pointnet.PointSimulator.from_config(config, network).run()


if __name__ == "__main__":
    build(sys.argv[1])
    if "--run" in sys.argv:
        run_pointnet(sys.argv[1])
