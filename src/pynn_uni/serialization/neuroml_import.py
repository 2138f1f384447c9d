"""Build a NeuroML2 point-neuron network with a pynn_uni backend (see :mod:`.neuroml`).

Read: populations of PyNN cell types (``IF_cond_exp``, ..., ``HH_cond_exp``) and of spike
sources (``SpikeSourcePoisson``, ``spikeGeneratorPoisson``, ``spikeArray``); projections of
``connection`` / ``connectionWD`` elements onto PyNN synapses (``expCondSynapse``, ...);
``inputList`` / ``explicitInput`` of ``pulseGenerator`` and ``compoundInput``.  A NeuroML2
synapse is a component of its own, while a pynn_uni cell owns its synapse time constants: the
synapse's ``tau_syn`` (and ``e_rev``) become the post-synaptic cells' ``tau_syn_E/I``
(``e_rev_E/I``), which is what a NeuroML2 simulator uses (the cell's own ``tau_syn_E``
attribute is documented as unused).  The receptor is the one whose reversal potential the
synapse's ``e_rev`` equals (conductance synapses) or the sign of the weights (current
synapses).  A plain ``<connection>`` has weight 1 and delay 0; a delay below the time step
becomes one time step, the shortest pynn_uni allows.  Anything else raises
:class:`~pynn_uni.errors.NotSupportedError` naming the element.
"""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np

from pynn_uni.common.models import STANDARD_CELL_TYPES
from pynn_uni.common.units import scale
from pynn_uni.errors import NotSupportedError
from pynn_uni.network import Network
from pynn_uni.parameters import Sequence

from . import neuroml_models as models
from .neuroml_bulk import Connections, Instances, read_document
from .neuroml_models import require_libneuroml

TAG, FOREVER_MS = models.TAG, models.FOREVER_MS
_SYNAPSE_CELLS = {m.synapse: set() for m in models.CELLS.values() if m.synapse}
for _name, _m in models.CELLS.items():
    if _m.synapse:
        _SYNAPSE_CELLS[_m.synapse].add(_name)


def import_from_neuroml(path, sim, *, network_id: str | None = None) -> Network:
    """Build the NeuroML2 network in ``path`` (the first, or the one called ``network_id``)
    with the backend module ``sim`` (after ``sim.setup()``); returns the
    :class:`~pynn_uni.network.Network` of what was created."""

    require_libneuroml()
    doc, bulk = read_document(path)
    nets = [n for n in doc.networks if network_id in (None, n.id)]
    if not nets:
        raise ValueError(f"import_from_neuroml(): {path}: no network {network_id or ''}".strip())
    net = nets[0]
    comps = {c.id: c for c in _components(doc)}
    groups = {
        p.id: _Group(p, comps, bulk.get(("population", p.id)) or _instances(p))
        for p in net.populations
    }
    pops = _pynn_populations(groups)
    receptors = {
        p.tag.removeprefix(f"{TAG}projection:"): p.value.split(" ", 1)
        for p in net.properties
        if p.tag.startswith(f"{TAG}projection:")
    }
    plans = [
        _plan_projection(
            prj, groups, comps, receptors.get(prj.id),
            bulk.get(("projection", prj.id)) or _connections(prj),
        )
        for prj in net.projections
    ]  # fmt: skip
    if net.electrical_projections or net.continuous_projections:
        raise NotSupportedError(
            f"network {net.id!r}: electrical and continuous projections "
            "cannot be built (point neurons with spiking synapses only)"
        )
    for plan in plans:  # the synapses' time constants belong to the post-synaptic cells
        plan["post"].set_synapse(plan["receptor"], plan["synapse"], plan["id"])
    built = {key: pop.build(sim) for key, pop in pops.items()}
    projections = _build_projections(sim, plans)
    _build_inputs(sim, net, groups, comps)
    return Network(*built.values(), *projections)


# -- populations -------------------------------------------------------------------------------
class _Group:
    """One NeuroML2 population: its cell type, parameter values and where its cells go."""

    def __init__(self, pop, comps, instances):
        self.id = pop.id
        comp = comps.get(pop.component)
        if comp is None:
            raise NotSupportedError(
                f"population {pop.id!r}: component {pop.component!r} is "
                "not defined in the file or its includes"
            )
        self.celltype, self.params, self.v_init = _cell(comp, pop.id)
        self.size = int(pop.size) if instances is None else len(instances.ids)
        props = {p.tag: p.value for p in pop.properties}
        for tag, value in props.items():  # exact values where a unit change rounded
            if tag.startswith(f"{TAG}parameter:"):
                self.params[tag.removeprefix(f"{TAG}parameter:")] = float(value)
        self.key = props.get(f"{TAG}population", pop.id)
        self.label = props.get(f"{TAG}label", pop.id)
        index = props.get(f"{TAG}indices")
        self.indices = None if index is None else np.array(index.split(), dtype=np.int64)
        v = props.get(f"{TAG}initial:v")
        self.v = np.full(self.size, self.v_init) if v is None else np.array(v.split(), float)
        # the other state variables start at 0 in NeuroML2 unless pynn_uni wrote where they start
        self.initial = {
            tag.removeprefix(f"{TAG}initial:"): np.array(value.split(), float)
            for tag, value in props.items()
            if tag.startswith(f"{TAG}initial:") and tag != f"{TAG}initial:v"
        }
        self.positions = None
        if instances is not None:
            self.positions = np.empty((3, self.size))
            self.positions[:, instances.ids] = instances.positions
        self.synapses: dict = {}  # receptor -> (synapse component, projection id)
        self.owner = None  # the pynn_uni population it becomes part of

    def set_synapse(self, receptor, synapse, prj_id) -> None:
        values = {"tau_syn": float(synapse.tau_syn)}
        if hasattr(synapse, "e_rev"):
            values["e_rev"] = float(synapse.e_rev)
        allowed = models.CELLS[self.celltype].synapse
        if type(synapse).__name__ != allowed:
            raise NotSupportedError(
                f"projection {prj_id!r}: a {type(synapse).__name__} onto {self.celltype} cells "
                f"(population {self.id!r}) has no pynn_uni equivalent; they take {allowed}"
            )
        previous = self.synapses.setdefault(receptor, (values, prj_id))
        if previous[0] != values:
            raise NotSupportedError(
                f"projections {previous[1]!r} and {prj_id!r}: {receptor} synapses with different "
                f"parameters ({previous[0]} and {values}) onto the cells of population "
                f"{self.id!r}; a pynn_uni cell has one {receptor} synapse"
            )
        for name, value in values.items():
            self.params[f"{name}_{models.RECEPTOR_SUFFIX[receptor]}"] = value


class _Population:
    """The NeuroML2 populations that make one pynn_uni population (several when pynn_uni split
    its cells by parameter set on export)."""

    def __init__(self, members):
        self.members = members
        self.label = members[0].label
        self.celltype = members[0].celltype
        if any(m.celltype != self.celltype for m in members):
            raise NotSupportedError(f"populations of {self.label!r}: different cell types")
        self.size = sum(m.size for m in members)
        start = 0
        for m in members:
            if m.indices is None:
                m.indices = np.arange(start, start + m.size)
            start += m.size

    def build(self, sim):
        values: dict = {}
        for m in self.members:
            for name, value in m.params.items():
                column = values.setdefault(name, np.empty(self.size, dtype=object))
                column[m.indices] = [value] * m.size
        params = {
            k: (list(v) if k == "spike_times" else v.astype(float)) for k, v in values.items()
        }
        pop = sim.Population(
            self.size, STANDARD_CELL_TYPES[self.celltype](**params), label=self.label
        )
        if self.members[0].v_init is not None:
            initial = {}
            for name in STANDARD_CELL_TYPES[self.celltype].initial:
                initial[name] = np.zeros(self.size)
                for m in self.members:
                    given = m.v if name == "v" else m.initial.get(name)
                    if given is not None:
                        initial[name][m.indices] = given
            pop.initialize(**initial)
        if all(m.positions is not None for m in self.members):
            positions = np.empty((3, self.size))
            for m in self.members:
                positions[:, m.indices] = m.positions
            pop.positions = positions
        for m in self.members:
            m.owner = pop
        return pop


def _pynn_populations(groups) -> dict:
    by_key = defaultdict(list)
    for g in groups.values():
        by_key[g.key].append(g)
    return {key: _Population(members) for key, members in by_key.items()}


def _cell(comp, pop_id):
    """(pynn_uni cell type name, parameter dict, initial v or None) of a cell component."""
    kind = type(comp).__name__
    if kind == "SpikeGeneratorPoisson":
        return "SpikeSourcePoisson", {"rate": _quantity(comp.average_rate, "Hz")}, None
    name = models.CELL_TYPES_BY_CLASS.get(kind)
    if name is None:
        raise NotSupportedError(
            f"population {pop_id!r}: cell component {comp.id!r} is a "
            f"{kind}, which pynn_uni cannot build"
        )
    if name == "SpikeSourceArray":
        times = sorted(_quantity(s.time, "ms") for s in comp.spikes)
        return name, {"spike_times": Sequence(times)}, None
    if name == "SpikeSourcePoisson":
        units = models.SOURCE_UNITS
        return name, {k: _quantity(getattr(comp, k), u) for k, u in units.items()}, None
    params = {k: float(getattr(comp, k)) for k in models.CELLS[name].parameters}
    for attr, (ours, theirs) in models.UNIT_CHANGES.get(name, {}).items():
        params[attr] = params[attr] * scale(theirs, ours)
    return name, params, float(comp.v_init)


# -- projections -------------------------------------------------------------------------------
def _plan_projection(prj, groups, comps, ours, conns):
    pre, post = groups[prj.presynaptic_population], groups[prj.postsynaptic_population]
    synapse = comps.get(prj.synapse)
    if synapse is None or type(synapse).__name__ not in models.SYNAPSE_LISTS:
        kind = type(synapse).__name__ if synapse is not None else "undefined component"
        raise NotSupportedError(
            f"projection {prj.id!r}: synapse {prj.synapse!r} ({kind}) has "
            "no pynn_uni equivalent (PyNN synapses only)"
        )
    i, j, w, d = conns.pre, conns.post, conns.weight, conns.delay
    if ours is not None:
        receptor, label = ours
    else:
        receptor, label = _receptor(prj.id, synapse, post, w), prj.id
    return {
        "id": prj.id,
        "pre": pre,
        "post": post,
        "synapse": synapse,
        "receptor": receptor,
        "label": label,
        "i": i,
        "j": j,
        "w": w,
        "d": d,
    }


def _receptor(prj_id, synapse, post, weights) -> str:
    if hasattr(synapse, "e_rev"):
        e_rev = float(synapse.e_rev)
        gaps = {
            r: abs(e_rev - post.params[f"e_rev_{s}"]) for r, s in models.RECEPTOR_SUFFIX.items()
        }
        return min(gaps, key=gaps.get)
    if np.all(weights >= 0):
        return "excitatory"
    if np.all(weights <= 0):
        return "inhibitory"
    raise NotSupportedError(
        f"projection {prj_id!r}: current synapse with weights of both signs "
        "(pynn_uni takes the receptor from the sign)"
    )


def _build_projections(sim, plans) -> list:
    merged: dict = {}
    for plan in plans:
        pre, post = plan["pre"], plan["post"]
        key = (plan["label"], id(pre.owner), id(post.owner), plan["receptor"])
        entry = merged.setdefault(key, {"pre": pre.owner, "post": post.owner, "rows": []})
        entry["rows"].append(
            np.column_stack([pre.indices[plan["i"]], post.indices[plan["j"]], plan["w"], plan["d"]])
        )
    dt = sim.get_time_step()
    projections = []
    for (label, _, _, receptor), entry in merged.items():
        rows = np.concatenate(entry["rows"])
        rows[:, 3] = np.maximum(rows[:, 3], dt)
        projections.append(
            sim.Projection(
                entry["pre"],
                entry["post"],
                sim.FromListConnector(rows, column_names=["weight", "delay"]),
                sim.StaticSynapse(),
                receptor_type=receptor,
                label=label,
            )
        )
    return projections


def _connections(prj) -> Connections:
    """The connections of a projection that libNeuroML read (one the bulk scanner left)."""
    conns = [*prj.connection_wds, *prj.connections]
    n = len(conns)
    w, d = np.ones(n), np.zeros(n)
    k = len(prj.connection_wds)
    w[:k] = [float(c.weight) for c in prj.connection_wds]
    d[:k] = [_quantity(c.delay, "ms") for c in prj.connection_wds]
    return Connections(
        np.fromiter((c.get_pre_cell_id() for c in conns), dtype=np.int64, count=n),
        np.fromiter((c.get_post_cell_id() for c in conns), dtype=np.int64, count=n),
        w,
        d,
    )


def _instances(pop) -> Instances | None:
    """The instances of a population that libNeuroML read, or None (a size only)."""
    if not pop.instances:
        return None
    ids = np.array([int(i.id) for i in pop.instances], dtype=np.int64)
    xyz = [[i.location.x, i.location.y, i.location.z] for i in pop.instances]
    return Instances(ids, np.array(xyz, dtype=float).T)


# -- inputs ------------------------------------------------------------------------------------
def _build_inputs(sim, net, groups, comps) -> None:
    targets = defaultdict(list)  # component id -> [(group, local index)]
    for lst in net.input_lists:
        group = groups[lst.populations]
        for inp in [*lst.input, *lst.input_ws]:
            targets[lst.component].append((group, inp.get_target_cell_id()))
    for inp in net.explicit_inputs:
        match = re.fullmatch(r"(\w+)\[(\d+)\]", inp.target) or re.fullmatch(
            r"(?:\.\./)?(\w+)/(\d+)(?:/\w+)?", inp.target
        )
        targets[inp.input].append((groups[match[1]], int(match[2])))
    for comp_id, cells in targets.items():
        source = _source(sim, comps.get(comp_id), comp_id)
        by_pop = defaultdict(list)
        for group, local in cells:
            by_pop[id(group.owner)].append((group.owner, group.indices[local]))
        for entries in by_pop.values():
            pop = entries[0][0]
            source.inject_into(pop[np.unique([i for _, i in entries])])


def _source(sim, comp, comp_id):
    kind = type(comp).__name__
    if kind == "PulseGenerator":
        start, length = _quantity(comp.delay, "ms"), _quantity(comp.duration, "ms")
        return sim.DCSource(
            amplitude=_quantity(comp.amplitude, "nA"), start=start, stop=start + length
        )
    if kind == "CompoundInput" and not comp.sine_generators and comp.pulse_generators:
        pulses = sorted(comp.pulse_generators, key=lambda p: _quantity(p.delay, "ms"))
        times = [_quantity(p.delay, "ms") for p in pulses]
        ends = [t + _quantity(p.duration, "ms") for t, p in zip(times, pulses, strict=True)]
        if all(np.isclose(e, t) for e, t in zip(ends[:-1], times[1:], strict=True)):
            amps = [_quantity(p.amplitude, "nA") for p in pulses]
            if ends[-1] < FOREVER_MS:  # the current stops: one more step, to zero
                times, amps = [*times, ends[-1]], [*amps, 0.0]
            return sim.StepCurrentSource(times=times, amplitudes=amps)
    if kind == "CompoundInput" and len(comp.sine_generators) == 1:
        sine = comp.sine_generators[0]
        offsets = comp.pulse_generators
        start = _quantity(sine.delay, "ms")
        stop = start + _quantity(sine.duration, "ms")
        same = all(
            np.isclose(_quantity(p.delay, "ms"), start)
            and np.isclose(_quantity(p.duration, "ms"), stop - start)
            for p in offsets
        )
        if len(offsets) <= 1 and same:
            return sim.ACSource(
                amplitude=_quantity(sine.amplitude, "nA"),
                start=start,
                stop=stop,
                frequency=1000.0 / _quantity(sine.period, "ms"),
                phase=float(np.rad2deg(float(sine.phase))),
                offset=_quantity(offsets[0].amplitude, "nA") if offsets else 0.0,
            )
    raise NotSupportedError(
        f"input component {comp_id!r} ({kind}) has no pynn_uni current source equivalent"
    )


# -- helpers -----------------------------------------------------------------------------------
def _components(doc):
    """Every cell, synapse and input component of the document (includes already merged)."""
    lists = [
        *models.SYNAPSE_LISTS.values(),
        *(m.doc_list for m in models.CELLS.values()),
        "spike_generator_poissons",
        "pulse_generators",
        "compound_inputs",
        "sine_generators",
    ]
    for name in dict.fromkeys(lists):
        yield from getattr(doc, name)
    for name in (
        "izhikevich_cells",
        "izhikevich2007_cells",
        "iaf_cells",
        "iaf_ref_cells",
        "ad_ex_ia_f_cells",
        "cells",
        "exp_two_synapses",
        "exp_one_synapses",
        "alpha_synapses",
        "blocking_plastic_synapses",
    ):
        yield from getattr(doc, name)  # known, refused by name where used


_QUANTITY = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z_]*)\s*")


def _quantity(text, unit: str) -> float:
    """A NeuroML2 quantity (``"5ms"``, ``"0.05 kHz"``, ``"100pA"``) in ``unit``."""
    match = _QUANTITY.fullmatch(str(text))
    if match is None:
        raise ValueError(f"not a NeuroML2 quantity: {text!r}")
    value, symbol = float(match[1]), match[2]
    symbol = models.UNIT_ALIASES.get(symbol, symbol)
    return value * scale(symbol, unit) if symbol != unit else value
