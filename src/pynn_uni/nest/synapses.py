"""Synapse types on NEST: applying the translation tables to a projection's connections.

The tables (``translations.py``) say which NEST model and which native names and units;
this module adds what depends on the projection: the post cell type's weight unit and
sign convention, receptor ports of multisynapse models, parameters NEST reads from the
post cell (``tau_psc``) or keeps on it (STDP ``tau_minus``), and values that live only in
the description.
"""

from __future__ import annotations

import numpy as np

from pynn_uni import errors
from pynn_uni.nest import translations as tr


def _post_celltype(projection):
    members = getattr(projection.post, "populations", None)
    return members[0].celltype if members else projection.post.celltype


def translation(projection) -> tr.ModelTranslation:
    """The NEST translation of the projection's synapse type (NotSupportedError if none)."""
    st = projection.synapse_type
    name = type(st).__name__
    if name == "STDPMechanism":
        if getattr(st, "voltage_dependence", None) is not None:
            raise errors.NotSupportedError("voltage-dependent STDP is not available on NEST")
        return tr.stdp_translation(
            type(st.timing_dependence).__name__, type(st.weight_dependence).__name__
        )
    return tr._supported(name)


def synapse_model(projection) -> str:
    st = projection.synapse_type
    if getattr(st, "is_native", False):
        return st.nest_model
    return translation(projection).native


def _cell_translation(projection):
    celltype = _post_celltype(projection)
    return None if getattr(celltype, "is_native", False) else tr.translation_for(celltype)


def _convention_of(celltype, receptor_type: str) -> tuple[str | None, float, int]:
    """(weight unit, sign NEST wants, NEST receptor port) for one post cell type."""
    if not getattr(celltype, "is_native", False):
        cell = tr.translation_for(celltype)
        if cell.receptor_ports:
            return celltype.weight_unit, 1.0, tr.receptor_port(cell, receptor_type)
    sign = tr.native_weight_sign(receptor_type, bool(celltype.conductance_based))
    return getattr(celltype, "weight_unit", None), sign, 0


def _weight_convention(projection) -> tuple[str | None, float]:
    """(weight unit of the post cell type, sign NEST wants for this receptor)."""
    return _convention_of(_post_celltype(projection), projection.receptor_type)[:2]


def _per_member(projection, post_idx: np.ndarray):
    """(sign relative to the first member's, receptor port) per connection onto an Assembly
    whose members differ (e.g. IF_curr_exp and a PointNeuron); None for one cell type."""
    members = getattr(projection.post, "populations", None)
    if not members or len({type(m.celltype) for m in members}) == 1:
        return None
    conventions = [_convention_of(m.celltype, projection.receptor_type) for m in members]
    which = np.searchsorted(np.cumsum([m.size for m in members]), post_idx, side="right")
    signs = np.array([c[1] for c in conventions]) / conventions[0][1]
    ports = np.array([c[2] for c in conventions], dtype=np.int64)
    return signs[which], ports[which]


def to_native(projection, block) -> dict:
    """NEST ``syn_spec`` arrays (one value per connection) for a block of connections."""
    st = projection.synapse_type
    if getattr(st, "is_native", False):
        return {k: np.asarray(v, float) for k, v in block.params.items()}
    t = translation(projection)
    unit, sign = _weight_convention(projection)
    # a post-neuron parameter stays when the synapse needs it too (Vogels2011Rule's tau)
    needed = set(t.params) | {k for c in t.computed for k in c.inputs}
    std = {k: v for k, v in block.params.items() if k not in t.post_params or k in needed}
    native = tr.to_native(t, std, unit, sign)
    n = len(block)
    out = {k: np.broadcast_to(np.asarray(v, float), (n,)) for k, v in native.items()}
    for native_name, by_receptor in t.from_post.items():
        out[native_name] = _post_values(projection, by_receptor[projection.receptor_type])[
            block.post
        ]
    cell = _cell_translation(projection)
    mixed = _per_member(projection, np.asarray(block.post))
    if mixed is not None:
        if "weight" in out:
            out["weight"] = out["weight"] * mixed[0]
        if mixed[1].any():
            out["receptor_type"] = mixed[1]
    elif cell is not None and cell.receptor_ports:
        port = tr.receptor_port(cell, projection.receptor_type)
        out["receptor_type"] = np.full(n, port, dtype=np.int64)
    for key in ("n", "a"):  # release sites: NEST keeps them as integers
        if key in out:
            out[key] = np.rint(out[key]).astype(np.int64)
    return out


def _post_values(projection, name: str) -> np.ndarray:
    values = projection.post.get(name, simplify=False)
    return np.asarray(np.broadcast_to(values, (projection.post.size,)), float)


def prepare_targets(projection, block, nest) -> None:
    """Set the parameters NEST keeps on the post neuron (STDP ``tau_minus``)."""
    st = projection.synapse_type
    if getattr(st, "is_native", False):
        return
    t = translation(projection)
    if not t.post_params:
        return
    described = _described_values(st)
    native = tr.post_to_native(t, {k: described[k] for k in t.post_params})
    targets = np.unique(projection.post._ids[block.post])
    nest.NodeCollection(targets.tolist()).set(native)


def native_names(projection, names) -> list[str]:
    """NEST connection keys needed to answer ``get`` for standard ``names``."""
    st = projection.synapse_type
    if getattr(st, "is_native", False):
        return list(names)
    t = translation(projection)
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


def from_native(projection, native: dict, names, post_idx) -> dict:
    """Standard values of ``names`` from NEST connection data (plastic state included);
    values NEST does not keep per connection come from the description."""
    st = projection.synapse_type
    if getattr(st, "is_native", False):
        return {k: native[k] for k in names}
    t = translation(projection)
    unit, sign = _weight_convention(projection)
    mixed = _per_member(projection, np.asarray(post_idx))
    if mixed is not None and "weight" in native:
        native = dict(native, weight=native["weight"] * mixed[0])  # signs are +-1: self-inverse
    std = tr.from_native(t, native, unit, sign) if native else {}
    described = _described_values(st)
    n = len(post_idx)
    out = {}
    for name in names:
        if name in std:
            out[name] = np.broadcast_to(np.asarray(std[name], float), (n,))
        elif name in described:
            out[name] = np.full(n, described[name])
        else:
            raise errors.NonExistentParameterError(name, type(st).__name__, sorted(described))
    return out


def _described_values(st) -> dict:
    """Homogeneous parameters kept in the description (synapse and STDP components)."""
    values = {}
    for part in (
        st,
        getattr(st, "timing_dependence", None),
        getattr(st, "weight_dependence", None),
    ):
        if part is None:
            continue
        for k, v in part.parameter_space.items():
            s = _scalar(v)
            if s is not None:
                values[k] = s
    return values


def _scalar(value):
    """A homogeneous lazy or plain value as float, else None."""
    if value is None:
        return None
    if hasattr(value, "is_homogeneous"):
        if not value.is_homogeneous:
            return None
        value = value.evaluate(simplify=True)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
