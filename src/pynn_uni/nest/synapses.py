"""Synapse types on NEST: applying the translation tables to a projection's connections.

The tables (``translations.py``) say which NEST model and which native names and units;
this module adds what depends on the projection (its :class:`ProjectionSpec`): the post
cell type's weight unit and sign convention, receptor ports of multisynapse models,
parameters NEST reads from the post cell (``tau_psc``) or keeps on it (STDP
``tau_minus``), and values NEST keeps nowhere per connection (remembered on the handle).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from pynn_uni import errors
from pynn_uni.common.backend import ConnectionArrays, ProjectionSpec
from pynn_uni.nest import translations as tr
from pynn_uni.nest.native import NativeCellType, NativeSynapseType, receptor_port


def is_native(spec: ProjectionSpec) -> bool:
    """A NEST synapse model given by name: NEST names and units, passed through."""
    return isinstance(spec.synapse_type, NativeSynapseType)


def translation(spec: ProjectionSpec) -> tr.ModelTranslation:
    """The NEST translation of the projection's synapse type (NotSupportedError if none)."""
    st = spec.synapse_type
    if spec.synapse_model == "STDPMechanism":
        if st.voltage_dependence is not None:
            raise errors.NotSupportedError("voltage-dependent STDP is not available on NEST")
        return tr.stdp_translation(
            type(st.timing_dependence).__name__, type(st.weight_dependence).__name__
        )
    return tr.supported(spec.synapse_model)


def synapse_model(spec: ProjectionSpec) -> str:
    if is_native(spec):
        return spec.synapse_type.nest_model
    return translation(spec).native


def _cell_translation(celltype) -> tr.ModelTranslation | None:
    return None if isinstance(celltype, NativeCellType) else tr.translation_for(celltype)


def _convention_of(celltype, receptor_type: str) -> tuple[str | None, float, int]:
    """(weight unit, sign NEST wants, NEST receptor port) for one post cell type."""
    cell = _cell_translation(celltype)
    if cell is not None and cell.receptor_ports:
        return celltype.weight_unit, 1.0, tr.receptor_port(cell, receptor_type)
    port = receptor_port(celltype, receptor_type)  # a native multi-receptor model
    if port is not None:
        return celltype.weight_unit, 1.0, port
    sign = tr.native_weight_sign(receptor_type, bool(celltype.conductance_based))
    return celltype.weight_unit, sign, 0


def _weight_convention(spec: ProjectionSpec) -> tuple[str | None, float]:
    """(weight unit of the post cell type, sign NEST wants for this receptor)."""
    return _convention_of(spec.post_celltype, spec.receptor_type)[:2]


def _per_member(spec: ProjectionSpec, post_idx: np.ndarray):
    """(sign relative to the first member's, receptor port) per connection onto an Assembly
    whose members differ (e.g. IF_curr_exp and a PointNeuron); None for one cell type."""
    celltypes = spec.post.celltypes
    if len({type(c) for c in celltypes}) <= 1:
        return None
    conventions = [_convention_of(c, spec.receptor_type) for c in celltypes]
    which = spec.post.member_of(post_idx)
    signs = np.array([c[1] for c in conventions]) / conventions[0][1]
    ports = np.array([c[2] for c in conventions], dtype=np.int64)
    return signs[which], ports[which]


def to_native(spec: ProjectionSpec, block: ConnectionArrays) -> dict:
    """NEST ``syn_spec`` arrays (one value per connection) for a block of connections."""
    port = receptor_port(spec.post_celltype, spec.receptor_type)
    routed = {} if port is None else {"receptor_type": np.full(len(block), port, np.int64)}
    if is_native(spec):
        return {k: np.asarray(v, float) for k, v in block.params.items()} | routed
    t = translation(spec)
    _one_per_neuron(t, block)
    unit, sign = _weight_convention(spec)
    # a post-neuron parameter stays when the synapse needs it too (Vogels2011Rule's tau)
    needed = set(t.params) | {k for c in t.computed for k in c.inputs}
    std = {k: v for k, v in block.params.items() if k not in t.post_params or k in needed}
    native = tr.to_native(t, std, unit, sign)
    n = len(block)
    out = {k: np.broadcast_to(np.asarray(v, float), (n,)) for k, v in native.items()}
    for native_name, by_receptor in t.from_post.items():
        out[native_name] = spec.post.parameter(by_receptor[spec.receptor_type])[block.post]
    cell = _cell_translation(spec.post_celltype)
    mixed = _per_member(spec, np.asarray(block.post))
    if mixed is not None:
        if "weight" in out:
            out["weight"] = out["weight"] * mixed[0]
        if mixed[1].any():
            out["receptor_type"] = mixed[1]
    elif cell is not None and cell.receptor_ports:
        port = tr.receptor_port(cell, spec.receptor_type)
        out["receptor_type"] = np.full(n, port, dtype=np.int64)
    else:
        out.update(routed)
    for key in ("n", "a"):  # release sites: NEST keeps them as integers
        if key in out:
            out[key] = np.rint(out[key]).astype(np.int64)
    return out


def _one_per_neuron(t: tr.ModelTranslation, block: ConnectionArrays) -> None:
    """NEST keeps ``post_params`` (STDP ``tau_minus``) once per post neuron: refuse values
    that differ between connections onto one neuron (a ValueError, as in PyNN)."""
    post = np.asarray(block.post)
    for name in t.post_params:
        if name not in block.params or len(post) < 2:
            continue
        values = np.broadcast_to(np.asarray(block.params[name], float), post.shape)
        order = np.argsort(post, kind="stable")
        p, v = post[order], values[order]
        if np.any((p[1:] == p[:-1]) & (v[1:] != v[:-1])):
            raise errors.InvalidParameterValueError(
                f"{name} differs between connections onto one neuron; NEST keeps one "
                f"{name} per post-synaptic neuron (give one value, or one per neuron)"
            )


def unstored(spec: ProjectionSpec, values: Mapping[str, np.ndarray]) -> dict[str, float]:
    """The homogeneous values among ``values`` that NEST keeps nowhere per connection (STDP
    ``tau_minus``, ``w_min``): ``connection_values`` answers them from the handle."""
    if is_native(spec):
        return {}
    t = translation(spec)
    stored = set(t.params) | set(t.state) | {k for c in t.computed for k in c.inputs}
    out = {}
    for k, v in values.items():
        v = np.asarray(v, float)
        if k not in stored and v.size and np.all(v == v.flat[0]):
            out[k] = float(v.flat[0])
    return out


def prepare_targets(spec: ProjectionSpec, values: Mapping[str, np.ndarray], targets, nest):
    """Set the parameters NEST keeps on the post neurons (STDP ``tau_minus``): ``values``
    and ``targets`` (node ids) one per connection; a neuron takes its last connection's."""
    if is_native(spec):
        return
    t = translation(spec)
    names = [k for k in t.post_params if k in values]
    if not names or len(targets) == 0:
        return
    targets = np.asarray(targets, np.int64)
    homogeneous = all(np.all(values[k] == np.asarray(values[k]).flat[0]) for k in names)
    if homogeneous:
        std = {k: np.asarray(values[k]).flat[0] for k in names}
        nodes = np.unique(targets)
    else:  # np.unique on the reversed ids: each neuron's last connection
        nodes, last = np.unique(targets[::-1], return_index=True)
        std = {k: np.asarray(values[k])[::-1][last] for k in names}
    native = tr.post_to_native(t, std)
    nest.NodeCollection(nodes.tolist()).set(
        {k: (v.tolist() if np.ndim(v) else v) for k, v in native.items()}
    )


def native_names(spec: ProjectionSpec, names) -> list[str]:
    """NEST connection keys needed to answer ``get`` for standard ``names``."""
    if is_native(spec):
        return list(names)
    t = translation(spec)
    keys = set()
    for name in names:
        if name in t.params:
            keys.add(t.params[name].native)
        elif name in t.state:
            keys.add(t.state[name].native)
        for c in t.computed:
            if name in c.inputs:
                keys.update(c.inverse_inputs)
    return sorted(keys)


def from_native(
    spec: ProjectionSpec, native: dict, names, post_idx, described: Mapping[str, float]
) -> dict:
    """Standard values of ``names`` from NEST connection data (plastic state included);
    values NEST does not keep per connection come from ``described`` (see :func:`unstored`)."""
    if is_native(spec):
        return {k: native[k] for k in names}
    t = translation(spec)
    unit, sign = _weight_convention(spec)
    mixed = _per_member(spec, np.asarray(post_idx))
    if mixed is not None and "weight" in native:
        native = dict(native, weight=native["weight"] * mixed[0])  # signs are +-1: self-inverse
    std = tr.from_native(t, native, unit, sign) if native else {}
    n = len(post_idx)
    out = {}
    for name in names:
        if name in std:
            out[name] = np.broadcast_to(np.asarray(std[name], float), (n,))
        elif name in described:
            out[name] = np.full(n, described[name])
        else:
            known = sorted(t.standard_names | set(described))
            raise errors.NonExistentParameterError(name, spec.synapse_model, known)
    return out
