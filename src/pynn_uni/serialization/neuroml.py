"""NeuroML2 export and import of point-neuron networks, through libNeuroML.

``export_to_neuroml(network, "net.nml", duration=1000.0)`` writes the network as a NeuroML2
document (validated by libNeuroML's schema validator in the tests) and a LEMS simulation file
``LEMS_<id>.xml`` beside it (duration, time step, the spikes and ``v`` the model records), which
jNeuroML, NEURON (via pyNeuroML) or NetPyNE can run.  ``import_from_neuroml("net.nml", sim)``
builds a NeuroML2 point-neuron network with any backend and returns a
:class:`~pynn_uni.network.Network`; a file pynn_uni wrote comes back as the same network.

**Per-cell values.**  A NeuroML2 population has exactly one cell component, so cells of one
pynn_uni population whose parameters differ are written as one component and one NeuroML2
population per distinct parameter set (all exact, in every NeuroML2 simulator); projections
are split by (pre group, post group) accordingly.  A homogeneous population stays one
population.  NeuroML2 has no per-cell initial value: with ``initial_values="annotate"`` (the
default) a group's ``v_init`` is its mean and the per-cell values are kept in a
``pynn_uni:initial:v`` property that :func:`import_from_neuroml` restores (a
:class:`NeuroMLExportWarning` says so); ``initial_values="split"`` makes ``v`` part of the
parameter set instead, exact everywhere but with up to one population per cell.
Positions are kept as ``populationList`` instance locations, labels in ``pynn_uni:label``.

libNeuroML builds the document, except for the part that grows with the network: the
``connectionWD`` and ``instance`` elements are written from numpy arrays and read back into
arrays as text, in blocks (:mod:`.neuroml_bulk`), a million connections in seconds.

What NeuroML2 cannot express raises :class:`~pynn_uni.errors.NotSupportedError` naming the
population, projection or source (see :mod:`pynn_uni.serialization.neuroml_models`).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np

from pynn_uni.common.simulation import current_or_none
from pynn_uni.common.units import scale
from pynn_uni.errors import NotSupportedError
from pynn_uni.network import Network

from . import neuroml_models as models
from .neuroml_bulk import Connections, Instances, write_document
from .neuroml_import import import_from_neuroml
from .neuroml_inputs import write_sources
from .neuroml_lems import write_lems
from .neuroml_models import NeuroMLExportWarning, require_libneuroml
from .ranks import written_by_rank0

__all__ = ["NeuroMLExportWarning", "NeuroMLFiles", "export_to_neuroml", "import_from_neuroml"]

TAG = models.TAG


class NeuroMLFiles(NamedTuple):
    """The files :func:`export_to_neuroml` wrote."""

    network: Path
    lems: Path | None


@written_by_rank0()
def export_to_neuroml(
    network,
    path,
    *,
    duration: float | None = None,
    reference: str | None = None,
    initial_values: str = "annotate",
    lems: bool = True,
    simulation_id: str | None = None,
) -> NeuroMLFiles:
    """Write ``network`` (a :class:`~pynn_uni.network.Network`, or populations, views,
    assemblies and projections) to the NeuroML2 file ``path`` and a LEMS simulation file.

    ``duration`` (ms) is the LEMS run length, by default the simulation's current time.
    ``reference`` names the document and network (default: from the file name).
    ``initial_values``: ``"annotate"`` or ``"split"`` (see the module docstring).
    ``simulation_id`` names the LEMS simulation, written to ``LEMS_<simulation_id>.xml``
    (pyNeuroML's convention); by default ``sim_<reference>``, written to ``LEMS_<reference>.xml``.
    """
    neuroml = require_libneuroml()

    if initial_values not in ("annotate", "split"):
        raise ValueError(
            f"export_to_neuroml(): initial_values must be 'annotate' or 'split', "
            f"not {initial_values!r}"
        )
    net = _as_network(network)
    path = Path(path)
    reference = _nml_id(reference or path.name.split(".")[0])
    doc = neuroml.NeuroMLDocument(id=reference)
    nml_net = neuroml.Network(id=reference)
    doc.networks.append(nml_net)
    ids = _Ids()
    populations = sorted(
        set(net.populations) | {_root(g) for prj in net.projections for g in _ends(prj)},
        key=lambda p: p.first_id,
    )
    groups, bulk = {}, {}  # bulk: the instances and connections, written as text
    for pop in populations:  # a loop, not a comprehension: warnings point at the caller
        groups[pop] = _write_population(doc, nml_net, pop, ids, initial_values, bulk)
    synapses: dict = {}
    for prj in sorted(net.projections, key=lambda prj: prj.label or ""):
        _write_projection(doc, nml_net, prj, groups, synapses, ids, bulk)
    write_sources(doc, nml_net, populations, groups, ids)
    write_document(doc, path, bulk)
    lems_path = None
    if lems:
        simulation = populations[0]._simulation if populations else current_or_none()
        if duration is None:
            duration = simulation.t if simulation is not None else 0.0
        if not duration > 0:
            raise ValueError(
                "export_to_neuroml(): give duration= (ms) for the LEMS file; the simulation "
                "has not run yet"
            )
        recorded = [(groups[p], _recorded(p)) for p in populations]
        if simulation_id:
            sim_id = _nml_id(simulation_id)
            lems_path = path.parent / f"LEMS_{sim_id}.xml"
        else:
            sim_id, lems_path = f"sim_{reference}", path.parent / f"LEMS_{reference}.xml"
        dt = simulation.dt if simulation is not None else 0.1
        write_lems(lems_path, path.name, reference, sim_id, duration, dt, recorded)
    return NeuroMLFiles(path, lems_path)


# -- populations -------------------------------------------------------------------------------
class _Group:
    """How one pynn_uni population was written: ``group[i]`` (which NeuroML2 population holds
    cell i), ``local[i]`` (its index there), and each group's population and component ids."""

    def __init__(self, owner, base, group, pop_ids, comp_ids):
        self.owner, self.base = owner, base  # the pynn_uni population, its NeuroML2 name
        self.group = group
        counts = np.bincount(group, minlength=len(pop_ids))
        order = np.argsort(group, kind="stable")
        self.local = np.empty(len(group), dtype=np.int64)
        self.local[order] = np.arange(len(group)) - np.repeat(np.cumsum(counts) - counts, counts)
        self.pop_ids, self.comp_ids = pop_ids, comp_ids
        self.members = [
            order[np.cumsum(counts)[k] - counts[k] : np.cumsum(counts)[k]]
            for k in range(len(pop_ids))
        ]
        self._paths: dict = {}

    def paths(self, k: int) -> np.ndarray:
        """The cell paths of group ``k``'s cells, by local index (an object array)."""
        if k not in self._paths:
            p, c = self.pop_ids[k], self.comp_ids[k]
            paths = [f"../{p}/{i}/{c}" for i in range(len(self.members[k]))]
            self._paths[k] = np.array(paths, dtype=object)
        return self._paths[k]

    def cell_paths(self, idx):
        """NeuroML2 cell paths ``../pop/i/comp`` of the cells ``idx``."""
        g, loc = self.group[idx].tolist(), self.local[idx].tolist()
        return [self.paths(k)[i] for k, i in zip(g, loc, strict=True)]


def _write_population(doc, nml_net, pop, ids, initial_values, bulk) -> _Group:
    import neuroml

    name = type(pop.celltype).__name__
    cmap = models.CELLS.get(name)
    if cmap is None:
        why = models.REFUSED.get(name, "NeuroML2 has no core type for it")
        raise NotSupportedError(
            f"Population {pop.label!r}: {name} cannot be written to NeuroML2 ({why})"
        )
    values = dict(
        zip(
            cmap.parameters,
            pop.get(list(cmap.parameters), gather=True, simplify=False),
            strict=True,
        )
    )
    source = cmap.synapse is None
    v = None if source else np.asarray(pop.initial_values_of("v"), dtype=float)
    others = {} if source else _nonzero_states(pop)
    group, rows = _distinct(values, v if initial_values == "split" else None, name)
    base = ids.new(pop.label or "population")
    many = len(rows) > 1
    pop_ids = [ids.new(f"{base}_{k}") if many else base for k in range(len(rows))]
    comp_ids = [ids.new(f"{p}_cell") for p in pop_ids]
    result = _Group(pop, base, group, pop_ids, comp_ids)
    positions = np.asarray(pop.positions, dtype=float)
    for k, (row, members) in enumerate(zip(rows, result.members, strict=True)):
        props = [
            neuroml.Property(tag=f"{TAG}population", value=base),
            neuroml.Property(tag=f"{TAG}label", value=pop.label),
        ]
        attrs = _cell_attributes(name, row)
        for attr, (ours, theirs) in models.UNIT_CHANGES.get(name, {}).items():
            if attrs[attr] * scale(theirs, ours) != row[attr]:  # the unit change rounded
                props.append(neuroml.Property(tag=f"{TAG}parameter:{attr}", value=repr(row[attr])))
        if many:
            props.append(neuroml.Property(tag=f"{TAG}indices", value=_text(members)))
        if not source:
            group_v = v[members]
            attrs["v_init"] = float(group_v.mean())
            if np.ptp(group_v) > 0:
                props.append(neuroml.Property(tag=f"{TAG}initial:v", value=_text(group_v)))
            for state, values in others.items():
                props.append(
                    neuroml.Property(tag=f"{TAG}initial:{state}", value=_text(values[members]))
                )
        component = _exact(getattr(neuroml, cmap.nml_class))(id=comp_ids[k], **attrs)
        getattr(doc, cmap.doc_list).append(component)
        bulk[("population", pop_ids[k])] = Instances(np.arange(len(members)), positions[:, members])
        nml_net.populations.append(
            neuroml.Population(
                id=pop_ids[k],
                component=comp_ids[k],
                size=len(members),
                type="populationList",
                properties=props,
            )
        )
    if not source:
        _check_initial_values(pop, result, v, others, initial_values)
    return result


def _distinct(values: dict, v, name: str):
    """(group of each cell, one parameter dict per group), groups in order of first cell."""
    if name == "SpikeSourceArray":
        trains = [
            tuple(np.asarray(getattr(s, "value", s), dtype=float).tolist())
            for s in values["spike_times"]
        ]
        keys: dict = {}
        group = np.array([keys.setdefault(t, len(keys)) for t in trains], dtype=np.int64)
        return group, [{"spike_times": list(t)} for t in keys]
    columns = [np.asarray(a, dtype=float) for a in values.values()]
    if v is not None:
        columns.append(v)
    table = np.column_stack(columns)
    _, first, inverse = np.unique(table, axis=0, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    group = rank[inverse.ravel()]
    rows = [dict(zip(values, table[i].tolist(), strict=False)) for i in np.sort(first)]
    return group, rows


def _cell_attributes(name: str, row: dict) -> dict:
    """The NeuroML2 attributes of one cell component (quantities carry units)."""
    import neuroml

    if name == "SpikeSourceArray":
        spikes = [neuroml.Spike(id=i, time=f"{t!r}ms") for i, t in enumerate(row["spike_times"])]
        return {"spikes": spikes}
    if name == "SpikeSourcePoisson":
        return {k: f"{row[k]!r}{u}" for k, u in models.SOURCE_UNITS.items()}
    attrs = dict(row)
    for attr, (ours, theirs) in models.UNIT_CHANGES.get(name, {}).items():
        attrs[attr] = attrs[attr] * scale(ours, theirs)
    return attrs


def _nonzero_states(pop) -> dict:
    """The state variables other than v that start away from 0, where NeuroML2's PyNN cells
    start every one of them (its definitions set only v, from ``v_init``): name -> values."""
    values = {name: np.asarray(pop.initial_values_of(name), dtype=float)
              for name in type(pop.celltype).initial if name != "v"}  # fmt: skip
    return {name: x for name, x in values.items() if np.any(x != 0.0)}


def _check_initial_values(pop, result: _Group, v, others: dict, initial_values: str) -> None:
    """Warn where NeuroML2 simulators will not start where pynn_uni does."""
    varying = [
        p for p, cells in zip(result.pop_ids, result.members, strict=True) if np.ptp(v[cells])
    ]
    if varying and initial_values == "annotate":
        warnings.warn(
            f"Population {pop.label!r}: NeuroML2 has no per-cell initial value; a NeuroML2 "
            f"simulator starts each cell of {', '.join(varying)} at the population's mean v "
            "(pynn_uni's importer restores the per-cell values; initial_values='split' writes "
            "them exactly)",
            NeuroMLExportWarning,
            stacklevel=4,
        )
    if others:
        warnings.warn(
            f"Population {pop.label!r}: NeuroML2's {type(pop.celltype).__name__} starts "
            f"{', '.join(others)} at 0, not where pynn_uni starts them (kept in pynn_uni:initial "
            "properties for pynn_uni's importer)",
            NeuroMLExportWarning,
            stacklevel=4,
        )


# -- projections -------------------------------------------------------------------------------
def _write_projection(doc, nml_net, prj, groups, synapses, ids, bulk) -> None:
    import neuroml

    kind = type(prj.synapse_type).__name__
    if kind != "StaticSynapse":
        why = models.REFUSED.get(kind, "NeuroML2 has no such synapse type")
        raise NotSupportedError(
            f"Projection {prj.label!r}: {kind} cannot be written to NeuroML2 "
            f"({why}); only StaticSynapse can"
        )
    receptor = prj.receptor_type
    if receptor not in models.RECEPTOR_SUFFIX:
        raise NotSupportedError(
            f"Projection {prj.label!r}: receptor type {receptor!r} cannot be written to NeuroML2 "
            "(only 'excitatory' and 'inhibitory' map onto PyNN cell synapses)"
        )
    arrays = prj._connection_arrays(("weight", "delay"))  # canonical order, standard units
    pre_pop, pre_idx = _flatten(prj.pre)
    post_pop, post_idx = _flatten(prj.post)
    pre_pop, pre_idx = pre_pop[arrays.pre], pre_idx[arrays.pre]
    post_pop, post_idx = post_pop[arrays.post], post_idx[arrays.post]
    ends = [_root(g) for g in _members(prj.pre)], [_root(g) for g in _members(prj.post)]
    pre_groups = [groups[p] for p in dict.fromkeys(ends[0])]
    post_groups = [groups[p] for p in dict.fromkeys(ends[1])]
    pre_code = _global_group(pre_pop, pre_idx, pre_groups)
    post_code = _global_group(post_pop, post_idx, post_groups)
    n_post = sum(len(g.pop_ids) for g in post_groups)
    key = pre_code * n_post + post_code
    order = np.argsort(key, kind="stable")
    pairs, starts = np.unique(key[order], return_index=True)
    if not len(pairs):  # an empty projection still names its populations
        pairs, starts = np.array([0]), np.array([0])
    bounds = [*starts.tolist(), len(order)]
    base = ids.new(prj.label or "projection")
    weights = arrays.params["weight"].astype(float)
    delays = arrays.params["delay"].astype(float)
    for m, pair in enumerate(pairs.tolist()):
        sel = order[bounds[m] : bounds[m + 1]]
        pre_g, pre_k = _which(pair // n_post, pre_groups)
        post_g, post_k = _which(pair % n_post, post_groups)
        syn = _synapse(doc, prj, post_g, post_k, receptor, synapses, ids)
        prj_id = base if len(pairs) == 1 else ids.new(f"{base}_{m}")
        nml_prj = neuroml.Projection(
            id=prj_id,
            presynaptic_population=pre_g.pop_ids[pre_k],
            postsynaptic_population=post_g.pop_ids[post_k],
            synapse=syn,
        )
        bulk[("projection", prj_id)] = Connections(
            pre_g.local[pre_idx[sel]],
            post_g.local[post_idx[sel]],
            weights[sel],
            delays[sel],
            pre_g.paths(pre_k),
            post_g.paths(post_k),
        )
        nml_net.projections.append(nml_prj)
        nml_net.properties.append(
            neuroml.Property(tag=f"{TAG}projection:{prj_id}", value=f"{receptor} {prj.label}")
        )


def _synapse(doc, prj, group, k, receptor, synapses, ids) -> str:
    """The id of the synapse component for receptor ``receptor`` of cells in group ``k``,
    one component per distinct (type, tau_syn, e_rev)."""
    import neuroml

    post = group.owner
    cmap = models.CELLS[type(post.celltype).__name__]
    if cmap.synapse is None:
        raise NotSupportedError(
            f"Projection {prj.label!r}: its target, a spike source, takes no synapses"
        )
    s = models.RECEPTOR_SUFFIX[receptor]
    names = [f"tau_syn_{s}", f"e_rev_{s}"] if "Cond" in cmap.synapse else [f"tau_syn_{s}"]
    # the group's parameters are uniform: its first cell's values stand for all of them
    first = group.members[k][0]
    values = [float(a[first]) for a in post.get(names, gather=True, simplify=False)]
    attrs = dict(zip(("tau_syn", "e_rev"), values, strict=False))
    key = (cmap.synapse, tuple(attrs.values()))
    if key not in synapses:
        syn_id = ids.new(f"{group.pop_ids[k]}_{receptor[:3]}_syn")
        getattr(doc, models.SYNAPSE_LISTS[cmap.synapse]).append(
            _exact(getattr(neuroml, cmap.synapse))(id=syn_id, **attrs)
        )
        synapses[key] = syn_id
    return synapses[key]


# -- helpers -----------------------------------------------------------------------------------
def _as_network(network) -> Network:
    if isinstance(network, Network):
        return network
    if isinstance(network, (list, tuple, set, frozenset)):
        return Network(*network)
    return Network(network)


def _root(group):
    return getattr(group, "grandparent", group)


def _members(group) -> list:
    """The populations and views of a population, view or assembly, in its order."""
    return list(group.populations) if hasattr(group, "populations") else [group]


def _ends(prj):
    return [*_members(prj.pre), *_members(prj.post)]


def _flatten(group):
    """(population of each cell, index of each cell in its population), in the group's order."""
    pops, idx = [], []
    for m in _members(group):
        cells = np.arange(len(m))
        if m is not _root(m):
            cells = m.index_in_grandparent(cells)
        pops.append(np.full(len(cells), id(_root(m)), dtype=np.int64))
        idx.append(np.asarray(cells, dtype=np.int64))
    return np.concatenate(pops), np.concatenate(idx)


def _global_group(pop_of, idx, grps) -> np.ndarray:
    """Number of the NeuroML2 population of each (population, index), counted over ``grps``."""
    code = np.empty(len(idx), dtype=np.int64)
    offset = 0
    for g in grps:
        mine = pop_of == id(g.owner)
        code[mine] = offset + g.group[idx[mine]]
        offset += len(g.pop_ids)
    return code


def _which(code: int, grps):
    for g in grps:
        if code < len(g.pop_ids):
            return g, code
        code -= len(g.pop_ids)
    raise IndexError(code)


def _recorded(pop) -> dict:
    """variable -> indices of the cells that record it."""
    recorder = pop.recorder
    return {var: np.nonzero(mask)[0] for var, mask in recorder.recorded.items()}


_EXACT: dict = {}


def _exact(cls):
    """``cls`` writing its float attributes as ``repr`` (the shortest text that reads back as the
    same double), not libNeuroML's fixed 15 decimals, which drop digits of small values."""
    if cls not in _EXACT:
        _EXACT[cls] = type(cls.__name__, (cls,), {"gds_format_float": _format_float})
    return _EXACT[cls]


def _format_float(self, value, input_name="") -> str:
    return repr(float(value))


def _text(values) -> str:
    return " ".join(repr(x) for x in np.asarray(values).tolist())


class _Ids:
    """Unique NeuroML2 ids (``[a-zA-Z_][a-zA-Z0-9_]*``) made from pynn_uni labels."""

    def __init__(self):
        self.taken: set[str] = set()

    def new(self, label: str) -> str:
        base = _nml_id(label)
        name, n = base, 1
        while name in self.taken:
            name, n = f"{base}_{n}", n + 1
        self.taken.add(name)
        return name


def _nml_id(label: str) -> str:
    name = re.sub(r"\W", "_", str(label), flags=re.ASCII)
    return name if re.match(r"[A-Za-z_]", name) else f"_{name}"
