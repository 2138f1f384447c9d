"""Reading a SONATA circuit into pynn_uni populations, assemblies and projections.

A SONATA node population becomes an Assembly labelled with its name holding one Population
per cell model it contains (node groups and node types may mix models); an edge population
becomes one Projection per (synapse model, receptor type, source and target Population)
found in it, so mixed excitatory/inhibitory edge groups load.  Parameters come, per cell
(edge), from the HDF5 group first, then from the type's CSV row and its ``dynamics_params``
JSON.  Templates ``pynn:<model>`` name standard models in PyNN units; ``nest:<model>`` name
NEST models in NEST units (translated with pynn_uni's NEST tables; NEST's defaults fill
what the file leaves out; a weight's sign picks the receptor, as NEST does).
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass

import numpy as np

from pynn_uni.common.units import scale
from pynn_uni.nest import translations
from pynn_uni.nest.translations import NATIVE_WEIGHT_UNIT
from pynn_uni.network import Network
from pynn_uni.parameters import ArrayParameter

from . import sonata_format as fmt
from .sonata_nest_defaults import NEST_DEFAULTS

_PYNN_PREFIXES = ("pynn", "pyNN", "PyNN")
_SOURCE_KINDS = ("virtual",)
#: node-type columns that describe the type rather than set a parameter
_NODE_COLUMNS = (
    "node_type_id", "model_type", "model_template", "dynamics_params", "pop_name", "model_name",
    "ei", "location", "population", "morphology", "model_processing", "rotation_angle_xaxis",
    "rotation_angle_yaxis", "rotation_angle_zaxis",
)  # fmt: skip


@dataclass
class _NodeMap:
    """Where each SONATA node of one node population went."""

    name: str
    populations: list  # Population objects, in creation order
    code: np.ndarray  # node row -> index into populations
    local: np.ndarray  # node row -> index in that population
    row_of_id: dict | np.ndarray  # node id -> row (identity when ids are 0..n-1)

    def rows(self, node_ids: np.ndarray) -> np.ndarray:
        if self.row_of_id is None:
            return node_ids.astype(np.int64)
        return np.asarray(self.row_of_id)[node_ids]


def import_from_sonata(config_file, sim):
    """Build the circuit of ``config_file`` (a circuit or simulation config) with backend
    ``sim`` (e.g. ``pynn_uni.nest``); returns a :class:`~pynn_uni.network.Network` of one
    Assembly per node population and the projections.  ``sim.setup()`` must have run.
    Virtual nodes become SpikeSourceArrays without spikes: a simulation plan's ``inputs``
    (:func:`load_sonata_simulation_plan`) fill them."""

    h5py = fmt.require_h5py()
    config = fmt.load_config(config_file)
    components = config.get("components", {})
    networks = config.get("networks", {})
    net = Network()
    node_maps: dict[str, _NodeMap] = {}
    for entry in networks.get("nodes", []):
        types = fmt.read_types(entry["node_types_file"], "node_type_id")
        with h5py.File(entry["nodes_file"], "r") as f:
            fmt.check_file(f, entry["nodes_file"])
            for name, group in f["nodes"].items():
                node_map = _build_nodes(sim, name, group, types, components)
                node_maps[name] = node_map
                net.add(sim.Assembly(*node_map.populations, label=name))
    for entry in networks.get("edges", []):
        types = fmt.read_types(entry["edge_types_file"], "edge_type_id")
        with h5py.File(entry["edges_file"], "r") as f:
            fmt.check_file(f, entry["edges_file"])
            for name, group in f["edges"].items():
                net.add(*_build_edges(sim, name, group, types, components, node_maps))
    return net


# -- per-type and per-row values --------------------------------------------------------------


def _type_values(type_ids, types: dict, folder: str | None) -> dict[int, dict]:
    """{type id: its CSV row merged with its dynamics_params JSON (JSON wins)}."""
    out = {}
    for tid in np.unique(type_ids).tolist():
        if tid not in types:
            raise ValueError(f"type id {tid} is not in the types table")
        row = dict(types[tid])
        dyn = row.get("dynamics_params")
        if isinstance(dyn, str) and dyn.endswith(".json"):
            path = dyn if os.path.isabs(dyn) else os.path.join(folder or "", dyn)
            with open(path) as fp:
                row.update(json.load(fp))
        out[tid] = row
    return out


def _column(name, rows_type: np.ndarray, per_type: dict, h5values: dict, default=None):
    """One value per row: the HDF5 dataset if present, else each row's type value."""
    if name in h5values:
        return h5values[name]
    values = {tid: v.get(name, default) for tid, v in per_type.items()}
    distinct = {json.dumps(v, sort_keys=True, default=str) for v in values.values()}
    if len(distinct) == 1:
        return next(iter(values.values()))
    keys = np.array(sorted(values))
    pos = np.searchsorted(keys, rows_type)
    table = np.empty(len(keys), dtype=object)
    table[:] = [values[k] for k in keys.tolist()]
    picked = table[pos]
    try:
        return picked.astype(float)
    except (TypeError, ValueError):
        return picked


def _h5_values(group, rows: np.ndarray) -> dict:
    """The datasets of a node/edge group (and its dynamics_params subgroup), at ``rows``."""
    import h5py

    out = {}
    for key, item in group.items():
        if isinstance(item, h5py.Dataset) and item.ndim == 1:
            out[key] = item[()][rows]
    if "dynamics_params" in group:
        for key, item in group["dynamics_params"].items():
            if isinstance(item, h5py.Dataset):
                out[key] = item[()][rows]
    return out


def _simplify(value):
    if isinstance(value, np.ndarray) and value.dtype != object and value.size:
        if np.all(value == value.flat[0]):
            return value.flat[0].item()
    return value


def _split_template(template) -> tuple[str, str]:
    template = str(template or "")
    if ":" in template:
        prefix, model = template.split(":", 1)
        return prefix.strip(), model.strip()
    return "", template.strip()


# -- nodes ------------------------------------------------------------------------------------


def _cell_model(row: dict) -> tuple[str, str]:
    """("pynn" | "nest", model name) of one node type."""
    kind = row.get("model_type", "point_neuron")
    prefix, model = _split_template(row.get("model_template"))
    if kind in _SOURCE_KINDS:
        return "pynn", "SpikeSourceArray"
    if kind not in ("point_neuron", "point_process"):
        raise NotImplementedError(
            f"SONATA model_type {kind!r} is not a point model: only point_neuron, "
            "point_process and virtual nodes can be simulated by pynn_uni"
        )
    if prefix in _PYNN_PREFIXES:
        return "pynn", model
    if prefix.lower() == "nest" or (prefix == "" and model):
        return "nest", model
    raise NotImplementedError(
        f"model_template {row.get('model_template')!r}: only 'pynn:<model>' and "
        "'nest:<model>' templates are understood"
    )


def _nest_standard(native: str) -> str:
    """The standard model that maps to NEST model ``native`` (first in table order)."""

    for std, t in translations.CELL_TYPES.items():
        if t.native == native and std != "IF_facets_hardware1":
            return std
    precise = {v: k for k, v in translations.PRECISE_MODELS.items()}
    if native in precise:
        return _nest_standard(precise[native])
    raise NotImplementedError(
        f"NEST model {native!r} has no standard pynn_uni equivalent; supported: "
        f"{sorted({t.native for t in translations.CELL_TYPES.values() if t.native})}"
    )


def _build_nodes(sim, name, group, types, components) -> _NodeMap:
    n = group["node_type_id"].shape[0]
    type_ids = group["node_type_id"][()].astype(np.int64)
    group_ids = group["node_group_id"][()].astype(np.int64) if "node_group_id" in group \
        else np.zeros(n, np.int64)  # fmt: skip
    group_index = group["node_group_index"][()].astype(np.int64) if "node_group_index" in group \
        else np.arange(n)  # fmt: skip
    row_of_id = None
    if "node_id" in group:
        ids = group["node_id"][()].astype(np.int64)
        if not np.array_equal(ids, np.arange(n)):
            row_of_id = np.full(int(ids.max()) + 1, -1, dtype=np.int64)
            row_of_id[ids] = np.arange(n)
    per_type = _type_values(type_ids, types, components.get("point_neuron_models_dir"))
    models = {tid: _cell_model(row) for tid, row in per_type.items()}
    row_model = np.array([f"{p}:{m}" for p, m in (models[t] for t in type_ids.tolist())]) \
        if n else np.zeros(0, dtype=str)  # fmt: skip
    code = np.zeros(n, dtype=np.int64)
    local = np.zeros(n, dtype=np.int64)
    populations = []
    distinct = list(dict.fromkeys(row_model.tolist()))
    for k, key in enumerate(distinct):
        rows = np.flatnonzero(row_model == key)
        code[rows], local[rows] = k, np.arange(rows.size)
        label = name if len(distinct) == 1 else f"{name}_{key.split(':', 1)[1]}"
        h5values = {}
        for gid in np.unique(group_ids[rows]).tolist():
            sel = rows[group_ids[rows] == gid]
            if str(gid) in group:
                part = _h5_values(group[str(gid)], group_index[sel])
                for key2, v in part.items():
                    full = h5values.setdefault(key2, np.full(rows.size, np.nan, dtype=v.dtype)
                                               if v.dtype.kind == "f" else
                                               np.empty(rows.size, dtype=v.dtype))  # fmt: skip
                    full[np.searchsorted(rows, sel)] = v
        prefix, model = key.split(":", 1)
        pop = _make_population(sim, prefix, model, rows, type_ids[rows], per_type, h5values,
                               label)  # fmt: skip
        node_ids = rows if row_of_id is None else ids[rows]
        pop.annotate(sonata_population=name, sonata_node_ids=node_ids)
        populations.append(pop)
    return _NodeMap(name, populations, code, local, row_of_id)


def _make_population(sim, prefix, model, rows, rows_type, per_type, h5values, label):
    if prefix == "nest":
        std_model = _nest_standard(model)
    else:
        std_model = model
    celltype_cls = getattr(sim, std_model, None)
    if celltype_cls is None:
        raise NotImplementedError(f"{sim.__name__} has no cell type {std_model!r}")
    defaults = celltype_cls.default_parameters
    initial_names = list(getattr(celltype_cls, "default_initial_values", {}))
    if prefix == "nest":
        values = _from_nest(model, std_model, rows_type, per_type, h5values)
    else:
        values = {}
        for pname in [*defaults, *initial_names]:
            v = _column(pname, rows_type, per_type, h5values)
            if v is not None:
                values[pname] = v
    params = {k: _simplify(v) for k, v in values.items() if k in defaults and k != "spike_times"}
    initial = {k: _simplify(v) for k, v in values.items() if k in initial_names}
    params = {k: _parameter(v, defaults[k]) for k, v in params.items()}
    pop = sim.Population(rows.size, celltype_cls(**params), initial_values=initial or None,
                         label=label)  # fmt: skip
    if all(axis in h5values for axis in "xyz"):
        pop.positions = np.stack([h5values[a].astype(float) for a in "xyz"])
    notes = {}
    for k in ("pop_name", "model_name", "model_type", "model_template", "ei", "location"):
        v = _column(k, rows_type, per_type, {})
        if isinstance(v, str | int | float):
            notes[k] = v
    pop.annotate(**notes)
    return pop


def _parameter(value, default):
    """Lists become Sequences (for Sequence-valued parameters), numbers stay numbers."""

    if isinstance(default, ArrayParameter):
        if isinstance(value, np.ndarray) and value.dtype == object:
            return [type(default)(np.asarray(v, dtype=float)) for v in value]
        return type(default)(np.asarray(value, dtype=float))
    return value


def _from_nest(native, std_model, rows_type, per_type, h5values) -> dict:
    """Standard values of a ``nest:<model>`` node type, NEST defaults filling gaps."""

    grid = {v: k for k, v in translations.PRECISE_MODELS.items()}  # same parameters
    defaults = NEST_DEFAULTS.get(native, NEST_DEFAULTS.get(grid.get(native), {}))
    keys = set(defaults)
    ignored = set()
    for v in per_type.values():
        ignored.update(k for k in v if k not in keys and k not in _NODE_COLUMNS)
    if ignored:
        warnings.warn(
            f"nest:{native}: parameters {sorted(ignored)} have no standard equivalent in "
            f"{std_model}; they are ignored",
            stacklevel=4,
        )
    native_values = {}
    for key in keys:
        v = _column(key, rows_type, per_type, h5values, defaults.get(key))
        if v is not None and not isinstance(v, str):
            native_values[key] = np.asarray(v, dtype=float) if isinstance(v, list | np.ndarray) \
                else v  # fmt: skip
    std = translations.from_native(std_model, native_values)
    return std


# -- edges ------------------------------------------------------------------------------------


def _build_edges(sim, name, group, types, components, node_maps) -> list:
    src_ds, tgt_ds = group["source_node_id"], group["target_node_id"]
    src_map = node_maps[_attr(src_ds, "node_population")]
    tgt_map = node_maps[_attr(tgt_ds, "node_population")]
    source = src_map.rows(src_ds[()].astype(np.int64))
    target = tgt_map.rows(tgt_ds[()].astype(np.int64))
    n = source.size
    type_ids = group["edge_type_id"][()].astype(np.int64)
    group_ids = group["edge_group_id"][()].astype(np.int64) if "edge_group_id" in group \
        else np.zeros(n, np.int64)  # fmt: skip
    group_index = group["edge_group_index"][()].astype(np.int64) if "edge_group_index" in group \
        else np.arange(n)  # fmt: skip
    per_type = _type_values(type_ids, types, components.get("synaptic_models_dir"))
    h5values: dict = {}
    for gid in np.unique(group_ids).tolist():
        sel = np.flatnonzero(group_ids == gid)
        if str(gid) not in group:
            continue
        for key, v in _h5_values(group[str(gid)], group_index[sel]).items():
            full = h5values.setdefault(key, np.full(n, np.nan) if v.dtype.kind in "fiu"
                                       else np.empty(n, dtype=v.dtype))  # fmt: skip
            full[sel] = v
    weight = _column("syn_weight", type_ids, per_type, h5values, 0.0)
    weight = np.broadcast_to(np.asarray(weight, dtype=float), (n,)).copy()
    nsyns = _column("nsyns", type_ids, per_type, h5values, None)
    if nsyns is not None:  # bmtk's rule: one edge stands for nsyns synapses
        weight *= np.asarray(nsyns, dtype=float)
    delay = _column("delay", type_ids, per_type, h5values, None)
    tkeys = np.array(sorted(per_type), dtype=np.int64)
    kinds = [(str(per_type[t].get("model_template", "pynn:StaticSynapse")),
              per_type[t].get("receptor_type")) for t in tkeys.tolist()]  # fmt: skip
    kind_codes = {kind: k for k, kind in enumerate(dict.fromkeys(map(str, kinds)))}
    type_kind = np.array([kind_codes[str(kind)] for kind in kinds], dtype=np.int64)
    row_kind = type_kind[np.searchsorted(tkeys, type_ids)] if n else np.zeros(0, np.int64)
    nest = any(_split_template(t)[0] not in _PYNN_PREFIXES for t, _ in kinds)
    sign = (weight < 0).astype(np.int64) if nest else np.zeros(n, np.int64)
    src_pop, tgt_pop = src_map.code[source], tgt_map.code[target]
    inverse, first = fmt.row_codes([row_kind, src_pop, tgt_pop, sign])
    by_code = {c: kind for kind, c in zip(kinds, type_kind.tolist(), strict=True)}
    projections = []
    for k, row in enumerate(first.tolist()):
        sel = np.flatnonzero(inverse == k) if first.size > 1 else np.arange(n)
        template, receptor = by_code[int(row_kind[row])]
        label = f"{name}-{k}"  # PyNN 0.13 names them <edge population>-<number>
        projections.append(_make_projection(
            sim, label, src_map.populations[src_pop[row]], tgt_map.populations[tgt_pop[row]],
            src_map.local[source[sel]], tgt_map.local[target[sel]], template, receptor,
            weight[sel],
            None if delay is None else np.broadcast_to(np.asarray(delay, float), (n,))[sel],
            type_ids[sel], per_type, {k2: v[sel] for k2, v in h5values.items()},
        ))  # fmt: skip
    return projections


def _is_array(value) -> bool:
    return isinstance(value, np.ndarray) and value.ndim >= 1


def _attr(ds, key) -> str:
    v = ds.attrs[key]
    return v.decode() if isinstance(v, bytes) else str(v)


def _synapse_type(sim, template):
    """(synapse type class, standard model name if the template is NEST's, else None)."""
    prefix, model = _split_template(template)
    if prefix in _PYNN_PREFIXES:
        cls = getattr(sim, model, None)
        if cls is None:
            raise NotImplementedError(f"{sim.__name__} has no synapse type {model!r}")
        return cls, None

    for std, t in translations.SYNAPSE_TYPES.items():
        if t.native == model and std != "STDPMechanism":
            return getattr(sim, std), std
    raise NotImplementedError(
        f"NEST synapse model {model!r} has no standard pynn_uni equivalent here (only "
        "static_synapse and the short-term plasticity models are read from NEST circuits)"
    )


def _make_projection(sim, label, pre, post, i, j, template, receptor, weight, delay,
                     rows_type, per_type, h5values):  # fmt: skip
    cls, nest = _synapse_type(sim, template)
    weight_unit = getattr(post.celltype, "weight_unit", "uS")
    if nest:  # NEST units and NEST's sign convention
        weight = weight * scale(NATIVE_WEIGHT_UNIT[weight_unit], weight_unit)
        negative = bool(weight.size and weight[0] < 0)
        receptor = "inhibitory" if negative else "excitatory"
        if post.celltype.conductance_based:
            weight = np.abs(weight)
    elif receptor is None:
        receptor = "excitatory"
    columns = {"weight": weight}
    if delay is not None and not np.all(np.isnan(delay)):
        columns["delay"] = delay
    parts = {}
    component_params = {}
    if nest:  # the synapse's NEST parameters (per type), translated
        t = translations.supported(nest)
        natives = {p.native for k, p in t.params.items() if k not in ("weight", "delay")}
        for c in t.computed:
            natives.update(c.inverse_inputs)
        found = {}
        for key in natives:
            v = _column(key, rows_type, per_type, h5values, None)
            if v is not None:
                found[key] = v
        std = translations.from_native(nest, found)
        component_params.update({k: v for k, v in std.items() if not _is_array(v)})
        columns.update({k: np.asarray(v, float) for k, v in std.items() if _is_array(v)})
    else:
        for slot in ("timing_dependence", "weight_dependence", "voltage_dependence"):
            cname = _column(slot, rows_type, per_type, {}, None)
            if isinstance(cname, str):
                parts[slot] = getattr(sim, cname)
        names = set(cls.default_parameters)
        for comp in parts.values():
            names.update(comp.default_parameters)
        for pname in names - {"weight", "delay"}:
            v = _column(pname, rows_type, per_type, h5values, None)
            if v is None:
                continue
            v = _simplify(v)
            if isinstance(v, np.ndarray):
                columns[pname] = v.astype(float)
            else:
                component_params[pname] = v
    kwargs = {k: v for k, v in component_params.items() if k in cls.default_parameters}
    for slot, comp in parts.items():
        sub = {k: v for k, v in component_params.items() if k in comp.default_parameters}
        kwargs[slot] = comp(**sub)
    for k, v in list(columns.items()):
        s = _simplify(v)
        if not isinstance(s, np.ndarray) and k != "weight":
            kwargs[k] = s
            del columns[k]
    synapse = cls(**kwargs)
    names = list(columns)
    table = np.column_stack([i.astype(float), j.astype(float), *[columns[c] for c in names]])
    connector = sim.FromListConnector(table, column_names=names)
    return sim.Projection(pre, post, connector, synapse, receptor_type=str(receptor),
                          label=label)  # fmt: skip
