"""Writing a :class:`~pynn_uni.network.Network` as a SONATA circuit plus its simulation config.

Layout under ``output_path`` (every path in the configs is relative to the config's folder)::

    circuit_config.json  simulation_config.json  node_sets.json
    network/<population>_nodes.h5, <population>_node_types.csv
    network/<projection>_edges.h5, <projection>_edge_types.csv
    components/point_neuron_models/*.json   components/synaptic_models/*.json
    inputs/<population>_spikes.h5           (SpikeSourceArray times)
    output/                                  (where a simulation writes spikes and reports)

One node population per Population (one node group), one edge population per Projection and
pair of pre/post populations (one edge group).  Values every cell (edge) shares go into the
type's ``dynamics_params`` JSON; values that differ go, one per cell (edge), into HDF5
datasets with a ``units`` attribute, so random values survive exactly.  ``target='NEST'``
writes NEST's own names and units in the form NEST's ``SonataNetwork`` reads: parameters per
node (edge) type only, so cells (edges) with different values get different types.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field

import numpy as np

from pynn_uni.nest import translations
from pynn_uni.nest.translations import NATIVE_WEIGHT_UNIT
from pynn_uni.network import Network
from pynn_uni.parameters import ArrayParameter

from . import sonata_format as fmt
from .ranks import written_by_rank0
from .sonata_io import write_spikes

TARGETS = ("pynn", "nest")
#: spike sources whose spikes SONATA readers take from an input file, not from parameters
_ARRAY_SOURCES = ("SpikeSourceArray",)


@dataclass
class _Nodes:
    """What the writer keeps about one exported population."""

    name: str
    population: object
    virtual: bool
    weight_unit: str = "uS"
    conductance: bool = True
    types: list = field(default_factory=list)


def _refuse_existing(output_path, target="PyNN", overwrite=False, **_) -> None:
    """FileExistsError for a path that is a file, or a non-empty folder without ``overwrite``."""
    root = os.path.abspath(os.fspath(output_path))
    if os.path.exists(root):
        if not os.path.isdir(root):
            raise FileExistsError(f"export_to_sonata(): {root!r} exists and is not a folder")
        if os.listdir(root) and not overwrite:
            raise FileExistsError(
                f"export_to_sonata(): {root!r} is not empty; pass overwrite=True to replace it"
            )


@written_by_rank0(check=_refuse_existing)
def export_to_sonata(network, output_path, target="PyNN", overwrite=False, *, tstop=None):
    """Write ``network`` to ``output_path`` as a SONATA circuit and simulation config.

    ``target``: ``'PyNN'`` (model templates ``pynn:<standard model>``, PyNN units; any
    pynn_uni backend reads it back) or ``'NEST'`` (``nest:<model>``, NEST units, one edge
    group and parameters per type: the profile NEST's ``SonataNetwork`` accepts; the models
    are those pynn_uni's NEST backend runs, precise-timing twins under ``off_grid``).
    ``overwrite``: replace an existing folder (else a non-empty one is refused).
    ``tstop`` (ms) goes into ``simulation_config.json``; default the simulator's current time
    if it has run, else 1000 ms.  Returns the path of ``circuit_config.json``.  Under MPI,
    every rank calls it (reading the network gathers from all) and rank 0 writes.
    """
    h5py = fmt.require_h5py()
    profile = str(target).lower()
    if profile not in TARGETS:
        raise ValueError(f"export_to_sonata(): target must be 'PyNN' or 'NEST', got {target!r}")
    root = os.path.abspath(os.fspath(output_path))
    _prepare(root, overwrite)
    dirs = {k: os.path.join(root, k) for k in ("network", "components", "inputs", "output")}
    dirs["cells"] = os.path.join(dirs["components"], "point_neuron_models")
    dirs["synapses"] = os.path.join(dirs["components"], "synaptic_models")
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)

    populations = _populations(network)
    taken: set = set()
    nodes = {}
    inputs = {}
    circuit_nodes, circuit_edges = [], []
    type_ids = iter(range(100, 2**62))
    on_post = _post_cell_params(network) if profile == "nest" else {}
    precision = _spike_precision(populations) if profile == "nest" else None
    for pop in populations:
        entry = _Nodes(fmt.population_name(pop.label, taken), pop,
                       type(pop.celltype).__name__ in _ARRAY_SOURCES)  # fmt: skip
        entry.weight_unit = getattr(pop.celltype, "weight_unit", "uS")
        entry.conductance = bool(getattr(pop.celltype, "conductance_based", False))
        nodes[id(pop)] = entry
        _write_population(h5py, entry, profile, dirs, type_ids, inputs, on_post.get(id(pop)),
                          precision)  # fmt: skip
        circuit_nodes.append({
            "nodes_file": f"$NETWORK_DIR/{entry.name}_nodes.h5",
            "node_types_file": f"$NETWORK_DIR/{entry.name}_node_types.csv",
            "populations": {entry.name: {"type": "virtual" if entry.virtual else "point_neuron"}},
        })  # fmt: skip

    edge_type_ids = iter(range(100, 2**62))
    for prj in sorted(network.projections, key=_projection_order):
        for name in _write_projection(h5py, prj, nodes, profile, dirs, taken, edge_type_ids):
            circuit_edges.append({
                "edges_file": f"$NETWORK_DIR/{name}_edges.h5",
                "edge_types_file": f"$NETWORK_DIR/{name}_edge_types.csv",
                "populations": {name: {"type": "chemical"}},
            })  # fmt: skip

    _write_configs(root, network, nodes, inputs, circuit_nodes, circuit_edges, profile, tstop)
    return os.path.join(root, "circuit_config.json")


def _prepare(root: str, overwrite: bool) -> None:
    _refuse_existing(root, overwrite=overwrite)
    if os.path.isdir(root) and os.listdir(root):
        shutil.rmtree(root)
    os.makedirs(root, exist_ok=True)


def _populations(network) -> list:
    """Every population the network holds or its projections touch, in creation order (so
    that an import creates them, and numbers their cells, in the same order)."""
    found = {id(p): p for p in network.populations}
    for prj in network.projections:
        for group in (prj.pre, prj.post):
            for p in _members(group):
                found.setdefault(id(p), p)
    return sorted(found.values(), key=lambda p: int(p.first_id))


def _members(group) -> list:
    """The populations a population, view or assembly is drawn from."""
    if hasattr(group, "populations"):  # an Assembly
        return [m for g in group.populations for m in _members(g)]
    return [getattr(group, "grandparent", group)]


def _projection_order(prj):
    return (int(prj.pre.first_id), int(prj.post.first_id), prj.label)


# -- nodes ------------------------------------------------------------------------------------


def _cell_values(pop) -> tuple[dict, dict]:
    """(parameters, initial values) of every cell: scalars where all cells agree."""
    celltype = pop.celltype
    names = list(celltype.default_parameters)
    params = dict(zip(names, pop.get(names, gather=True, simplify=True), strict=True)) if names \
        else {}  # fmt: skip
    initial = {}
    for name, lazy in pop.initial_values.items():
        value = lazy.evaluate(simplify=True)
        initial[name] = value
    return params, initial


def _is_varying(value) -> bool:
    return isinstance(value, np.ndarray) and value.ndim >= 1


def _plain(value):
    """A JSON-ready value: Sequences and arrays become lists, numpy scalars Python ones."""
    if isinstance(value, ArrayParameter):
        value = value.value
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _type_codes(varying: dict, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(type code of each cell, one representative index per code): cells with equal values
    of every ``varying`` array share a code."""
    if not varying:
        return np.zeros(n, dtype=np.int64), np.zeros(1 if n else 0, dtype=np.int64)
    columns = []
    for a in varying.values():
        if a.dtype == object:
            keys = [tuple(np.ravel(_plain(x))) for x in a]
            lookup: dict = {}
            columns.append(np.array([lookup.setdefault(k, len(lookup)) for k in keys]))
        else:
            columns.append(np.unique(a, return_inverse=True)[1].ravel())
    return fmt.row_codes(columns)


def _post_cell_params(network) -> dict:
    """{id(population): NEST parameters a plastic synapse keeps on its post cells} (STDP's
    tau_minus): NEST's reader sets neuron parameters only, so they go into the node types."""

    out: dict = {}
    for prj in network.projections:
        model, parts = _synapse_description(prj)
        t = _nest_translation(model, parts)
        if not t.post_params:
            continue
        std = {}
        for name in t.post_params:
            values = np.unique(np.asarray(prj.get(name, format="list", with_address=False)))
            if values.size > 1:
                raise ValueError(
                    f"export_to_sonata(target='NEST'): {name} of {prj.label!r} differs between "
                    "connections; NEST keeps it on the post-synaptic neuron (one value each)"
                )
            if values.size:
                std[name] = values[0].item()
        for pop in _members(prj.post):
            native = out.setdefault(id(pop), {})
            for key, value in translations.post_to_native(t, std).items():
                if native.get(key, value) != value:
                    raise ValueError(
                        f"export_to_sonata(target='NEST'): projections onto {pop.label!r} "
                        f"need different {key} values; NEST keeps one per neuron"
                    )
                native[key] = value
    return out


def _write_population(h5py, entry: _Nodes, profile, dirs, type_ids, inputs, on_post=None,
                      precision=None):  # fmt: skip
    pop = entry.population
    n = pop.size
    celltype = pop.celltype
    model = type(celltype).__name__
    params, initial = _cell_values(pop)
    spike_times = params.pop("spike_times", None) if entry.virtual else None
    values = {**params, **initial}
    units = {k: celltype.units.get(k, "dimensionless") for k in values}
    varying = {k: v for k, v in values.items() if _is_varying(v)}
    if profile == "nest":
        per_type, per_cell = varying, {}
    else:  # numbers per cell in HDF5; lists (Sequences) differing between cells: per type
        per_type = {k: v for k, v in varying.items() if v.dtype == object}
        per_cell = {k: v for k, v in varying.items() if v.dtype != object}
    shared = {k: v for k, v in values.items() if k not in varying}
    codes, first = _type_codes(per_type, n)

    rows = []
    ids = []
    for rep in first.tolist():
        tid = next(type_ids)
        ids.append(tid)
        row = {"node_type_id": tid, "pop_name": entry.name}
        if entry.virtual:
            row.update(model_type=fmt.VIRTUAL, model_template=f"pynn:{model}")
        else:
            std = {**shared, **{k: v[rep] for k, v in per_type.items()}}
            kind = "point_neuron" if celltype.injectable else "point_process"
            template, dyn = _cell_template(model, std, profile, precision)
            dyn.update(on_post or {})
            dyn_file = f"{entry.name}_{tid}.json"
            fmt.write_json(os.path.join(dirs["cells"], dyn_file), dyn)
            row.update(model_type=kind, model_template=template, dynamics_params=dyn_file)
        rows.append(row)
    entry.types = ids
    fmt.write_types(os.path.join(dirs["network"], f"{entry.name}_node_types.csv"),
                    "node_type_id", rows)  # fmt: skip

    with h5py.File(os.path.join(dirs["network"], f"{entry.name}_nodes.h5"), "w") as f:
        fmt.mark_file(f)
        group = f.create_group("nodes").create_group(entry.name)
        group.create_dataset("node_id", data=np.arange(n, dtype=fmt.ID))
        group.create_dataset("node_type_id", data=np.asarray(ids, dtype=fmt.ID)[codes])
        group.create_dataset("node_group_id", data=np.zeros(n, dtype=fmt.GROUP_ID))
        group.create_dataset("node_group_index", data=np.arange(n, dtype=fmt.ID))
        g0 = group.create_group("0")
        x, y, z = np.asarray(pop.positions, dtype=float)
        for axis, data in zip("xyz", (x, y, z), strict=True):
            fmt.dataset(g0, axis, data, np.float64, "um")
        dyn = g0.create_group("dynamics_params")
        for k, v in per_cell.items():
            fmt.dataset(dyn, k, v, np.float64, units[k])
        if profile == "pynn":  # the units of every dynamics parameter, wherever it is stored
            for k, unit in units.items():
                dyn.attrs[f"units:{k}"] = unit

    if entry.virtual:
        path = os.path.join(dirs["inputs"], f"{entry.name}_spikes.h5")
        _write_input_spikes(h5py, path, entry.name, spike_times, n)
        inputs[f"{entry.name}_spikes"] = {
            "input_type": "spikes",
            "module": "sonata",
            "input_file": f"$INPUT_DIR/{entry.name}_spikes.h5",
            "node_set": entry.name,
        }


def _spike_precision(populations) -> str:
    """The exporting simulation's ``setup(spike_precision=...)`` where its backend has one,
    else PyNN's NEST default (``off_grid``): the NEST models written are those pynn_uni's
    NEST backend runs the network with, so that NEST's reader gives the same spikes."""
    if not populations:
        return "off_grid"
    settings = populations[0]._simulation.backend.settings()
    return str(settings.get("spike_precision", "off_grid"))


def _cell_template(model: str, std: dict, profile: str, precision=None) -> tuple[str, dict]:
    """(model_template, dynamics_params) of one node type."""
    std = {k: _plain(v) for k, v in std.items()}
    if profile == "pynn":
        return f"pynn:{model}", std

    native = translations.precise_model(translations.supported(model).native, precision)
    values = translations.to_native(model, std)
    return f"nest:{native}", {k: _plain(v) for k, v in values.items()}


def _write_input_spikes(h5py, path, name, spike_times, n) -> None:
    """The SpikeSourceArray times as a SONATA spike file sorted by node id."""
    if isinstance(spike_times, np.ndarray):
        trains = [np.asarray(_plain(s), dtype=float).ravel() for s in spike_times]
    else:
        one = np.asarray(_plain(spike_times), dtype=float).ravel()
        trains = [one] * n
    counts = np.fromiter((t.size for t in trains), dtype=np.int64, count=n)
    times = np.concatenate(trains) if n else np.zeros(0)
    node_ids = np.repeat(np.arange(n, dtype=fmt.ID), counts)

    with h5py.File(path, "w") as f:
        write_spikes(f, name, node_ids, times, "by_id")


# -- edges ------------------------------------------------------------------------------------


def _locate(group, indices: np.ndarray) -> tuple[list, np.ndarray, np.ndarray]:
    """(populations, population code, index in that population) of each group index."""
    if hasattr(group, "populations"):  # an Assembly: members side by side
        offsets = np.cumsum([0] + [m.size for m in group.populations])
        member = np.searchsorted(offsets, indices, side="right") - 1
        pops: list = []
        code = np.empty(indices.size, dtype=np.int64)
        local = np.empty(indices.size, dtype=np.int64)
        for k, m in enumerate(group.populations):
            sel = member == k
            sub_pops, sub_code, sub_local = _locate(m, indices[sel] - offsets[k])
            for p in sub_pops:
                if not any(p is q for q in pops):
                    pops.append(p)
            remap = np.array([next(i for i, q in enumerate(pops) if q is p) for p in sub_pops])
            code[sel] = remap[sub_code] if sub_pops else 0
            local[sel] = sub_local
        return pops, code, local
    if hasattr(group, "grandparent"):  # a view
        return [group.grandparent], np.zeros(indices.size, np.int64), \
            np.asarray(group.index_in_grandparent(indices), dtype=np.int64)  # fmt: skip
    return [group], np.zeros(indices.size, np.int64), indices.astype(np.int64)


def _edge_arrays(prj) -> tuple[np.ndarray, np.ndarray, dict]:
    """(pre index, post index, {name: values}) of every connection, in one bulk read."""
    names = ["weight", "delay"] + [
        n for n in prj.synapse_type.get_parameter_names() if n not in ("weight", "delay")
    ]
    rows = prj.get(names, format="list", gather=True, with_address=True)
    table = np.array(rows, dtype=np.float64).reshape(-1, len(names) + 2)
    pre, post = table[:, 0].astype(np.int64), table[:, 1].astype(np.int64)
    return pre, post, {n: table[:, 2 + k] for k, n in enumerate(names)}


def _synapse_description(prj) -> tuple[str, dict]:
    """(model name, {component slot: component class name}) of the projection's synapse."""
    st = prj.synapse_type
    parts = {}
    for slot in ("timing_dependence", "weight_dependence", "voltage_dependence"):
        component = getattr(st, slot, None)
        if component is not None:
            parts[slot] = type(component).__name__
    return type(st).__name__, parts


def _write_projection(h5py, prj, nodes, profile, dirs, taken, type_ids) -> list[str]:
    pre_idx, post_idx, values = _edge_arrays(prj)
    pre_pops, pre_code, pre_local = _locate(prj.pre, pre_idx)
    post_pops, post_code, post_local = _locate(prj.post, post_idx)
    model, parts = _synapse_description(prj)
    names = []
    pair_code, first = fmt.row_codes([pre_code, post_code])
    if first.size == 0:
        first = np.zeros(1, dtype=np.int64)
        pre_code = post_code = pair_code = np.zeros(1, dtype=np.int64)
    for k, row in enumerate(first.tolist()):
        a, b = int(pre_code[row]), int(post_code[row])
        sel_idx = np.flatnonzero(pair_code == k) if first.size > 1 else slice(None)
        src, tgt = nodes[id(pre_pops[a])], nodes[id(post_pops[b])]
        label = prj.label if first.size == 1 else f"{prj.label}-{src.name}-{tgt.name}"
        name = fmt.population_name(label, taken)
        part = {k: v[sel_idx] for k, v in values.items()}
        _write_edges(h5py, prj, name, src, tgt, pre_local[sel_idx], post_local[sel_idx], part,
                     model, parts, profile, dirs, type_ids)  # fmt: skip
        names.append(name)
    return names


def _write_edges(h5py, prj, name, src, tgt, source, target, values, model, parts, profile,
                 dirs, type_ids) -> None:  # fmt: skip
    n = source.size
    weight_unit, receptor = tgt.weight_unit, prj.receptor_type
    units = {k: prj.synapse_type.units.get(k, "dimensionless") for k in values}
    units = {k: (weight_unit if u == "weight" else u) for k, u in units.items()}
    units["delay"] = "ms"
    edge_values = {k: v for k, v in values.items() if k not in ("weight", "delay")}
    varying = {k: v for k, v in edge_values.items() if v.size and np.any(v != v[0])}
    shared = {k: (v[0].item() if v.size else None) for k, v in edge_values.items()
              if k not in varying}  # fmt: skip
    weight, delay = values["weight"], values["delay"]
    if profile == "nest":
        post = _from_post(prj, model, parts, tgt, target)
        shared.update({k: v for k, v in post.items() if not _is_varying(v)})
        varying.update({k: v for k, v in post.items() if _is_varying(v)})
        per_type, per_edge = varying, {}
    else:
        per_type, per_edge = {}, varying
    codes, first = _type_codes(per_type, n)
    if n == 0:
        first = np.zeros(1, dtype=np.int64)

    rows, ids = [], []
    for rep in first.tolist():
        tid = next(type_ids)
        ids.append(tid)
        std = {**shared, **{k: v[rep] for k, v in per_type.items()}}
        std = {k: v for k, v in std.items() if v is not None}
        dyn_file = f"{name}_{tid}.json"
        if profile == "pynn":
            dyn = {**{k: _plain(v) for k, v in std.items()}, **parts}
            row = {"edge_type_id": tid, "model_template": f"pynn:{model}",
                   "receptor_type": receptor, "dynamics_params": dyn_file}  # fmt: skip
        else:
            native, dyn, port = _nest_synapse(prj, model, parts, std, tgt)
            row = {"edge_type_id": tid, "model_template": native, "dynamics_params": dyn_file}
            if port:
                row["receptor_type"] = port
        fmt.write_json(os.path.join(dirs["synapses"], dyn_file), dyn)
        rows.append(row)
    fmt.write_types(os.path.join(dirs["network"], f"{name}_edge_types.csv"), "edge_type_id", rows)

    if profile == "nest":
        factor = _nest_weight_factor(receptor, tgt)
        weight = weight * factor
    with h5py.File(os.path.join(dirs["network"], f"{name}_edges.h5"), "w") as f:
        fmt.mark_file(f)
        group = f.create_group("edges").create_group(name)
        s = group.create_dataset("source_node_id", data=source.astype(fmt.ID))
        s.attrs["node_population"] = src.name
        t = group.create_dataset("target_node_id", data=target.astype(fmt.ID))
        t.attrs["node_population"] = tgt.name
        group.create_dataset("edge_type_id", data=np.asarray(ids, dtype=fmt.ID)[codes])
        group.create_dataset("edge_group_id", data=np.zeros(n, dtype=fmt.GROUP_ID))
        group.create_dataset("edge_group_index", data=np.arange(n, dtype=fmt.ID))
        g0 = group.create_group("0")
        w_unit = _nest_weight_unit(tgt) if profile == "nest" else weight_unit
        fmt.dataset(g0, "syn_weight", weight, np.float64, w_unit)
        fmt.dataset(g0, "delay", delay, np.float64, "ms")
        if profile == "pynn":
            dyn = g0.create_group("dynamics_params")
            for k, v in per_edge.items():
                fmt.dataset(dyn, k, v, np.float64, units[k])
            for k, unit in units.items():
                dyn.attrs[f"units:{k}"] = unit
        indices = group.create_group("indices")
        fmt.write_index(indices.create_group("source_to_target"), source, src.population.size)
        fmt.write_index(indices.create_group("target_to_source"), target, tgt.population.size)


def _nest_weight_unit(tgt: _Nodes) -> str:

    return NATIVE_WEIGHT_UNIT[tgt.weight_unit]


def _nest_weight_factor(receptor: str, tgt: _Nodes) -> float:

    return translations.weight_factor(tgt.weight_unit) * translations.native_weight_sign(
        receptor, tgt.conductance
    )


def _nest_translation(model, parts):

    if parts.get("timing_dependence"):
        return translations.stdp_translation(parts["timing_dependence"], parts["weight_dependence"])
    return translations.supported(model)


#: prefix of the edge values that NEST takes from the post cell (tsodyks_synapse's tau_psc)
_FROM_POST = "from_post:"


def _from_post(prj, model, parts, tgt: _Nodes, target: np.ndarray) -> dict:
    """NEST synapse parameters pynn_uni's NEST backend copies from the post cell, per edge."""
    out = {}
    for native, by_receptor in _nest_translation(model, parts).from_post.items():
        value = tgt.population.get(by_receptor[prj.receptor_type], gather=True)
        out[_FROM_POST + native] = value[target] if _is_varying(value) else value
    return out


def _nest_synapse(prj, model, parts, std, tgt) -> tuple[str, dict, int]:
    """(NEST synapse model, its parameters in NEST units, receptor port) of one edge type."""

    t = _nest_translation(model, parts)
    sign = translations.native_weight_sign(prj.receptor_type, tgt.conductance)
    keep = {k: v for k, v in std.items() if k in t.standard_names}
    native = translations.to_native(t, keep, tgt.weight_unit, sign)
    native = {k: _plain(v) for k, v in native.items() if k not in ("weight", "delay")}
    native.update({k[len(_FROM_POST):]: _plain(v) for k, v in std.items()
                   if k.startswith(_FROM_POST)})  # fmt: skip
    cell = type(tgt.population.celltype).__name__
    try:
        port = translations.receptor_port(cell, prj.receptor_type)
    except Exception:  # a cell model outside the tables (composed PointNeuron): port 0
        port = 0
    return t.native, native, port


# -- configs ----------------------------------------------------------------------------------


def _write_configs(root, network, nodes, inputs, circuit_nodes, circuit_edges, profile, tstop):
    target = "NEST"
    circuit = {
        "manifest": {
            "$BASE_DIR": ".",
            "$NETWORK_DIR": "$BASE_DIR/network",
            "$COMPONENTS_DIR": "$BASE_DIR/components",
        },
        "components": {
            "point_neuron_models_dir": "$COMPONENTS_DIR/point_neuron_models",
            "synaptic_models_dir": "$COMPONENTS_DIR/synaptic_models",
        },
        "node_sets_file": "$BASE_DIR/node_sets.json",
        "networks": {"nodes": circuit_nodes, "edges": circuit_edges},
    }
    fmt.write_json(os.path.join(root, "circuit_config.json"), circuit)
    node_sets = {e.name: {"population": e.name} for e in nodes.values()}
    fmt.write_json(os.path.join(root, "node_sets.json"), node_sets)

    pops = list(nodes.values())

    sim = Network(*(e.population for e in pops)).sim if pops else None  # the backend module
    dt = float(sim.get_time_step()) if sim is not None else 0.1
    if tstop is None:
        now = float(sim.get_current_time()) if sim is not None else 0.0
        tstop = now if now > 0 else 1000.0
    reports = {}
    for entry in pops:
        recorder = getattr(entry.population, "recorder", None)
        recorded = getattr(recorder, "recorded", {}) or {}
        for variable, mask in recorded.items():
            if variable == "spikes":
                continue
            node_ids = np.flatnonzero(mask).tolist()
            set_name = entry.name
            if len(node_ids) != entry.population.size:
                set_name = f"{entry.name}__{variable}"
                node_sets[set_name] = {"population": entry.name, "node_id": node_ids}
            reports[f"{entry.name}_{variable}"] = {
                "cells": set_name,
                "variable_name": variable,
                "type": "compartment",
                "module": "membrane_report" if variable == "v" else "multimeter_report",
                "sections": "soma",
                "dt": float(getattr(recorder, "sampling_interval", None) or dt),
                "start_time": 0.0,
                "end_time": float(tstop),
                "file_name": f"{entry.name}_{variable}.h5",
                "units": entry.population.celltype.units.get(variable, "dimensionless"),
            }
    fmt.write_json(os.path.join(root, "node_sets.json"), node_sets)
    simulation = {
        # libsonata accepts only NEURON/CORENEURON here; NEST's reader insists on "NEST"
        **({"target_simulator": target} if profile == "nest" else {}),
        "manifest": {
            "$BASE_DIR": ".",
            "$INPUT_DIR": "$BASE_DIR/inputs",
            "$OUTPUT_DIR": "$BASE_DIR/output",
        },
        "run": {"tstop": float(tstop), "dt": dt, "random_seed": 0},
        "conditions": {},
        "inputs": inputs,
        "reports": reports,
        "output": {
            "output_dir": "$OUTPUT_DIR",
            "spikes_file": "spikes.h5",
            "spikes_sort_order": "by_time",
        },
        "network": "$BASE_DIR/circuit_config.json",
        "node_sets_file": "$BASE_DIR/node_sets.json",
    }
    fmt.write_json(os.path.join(root, "simulation_config.json"), simulation)
