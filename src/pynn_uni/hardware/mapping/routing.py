"""Routing: which synapse row of which block carries each connection.

Input is every connection of the network in priority order (projection creation order,
then post, then pre), as parallel arrays; output is a global row index per connection
(``block * rows_per_block + row``), -1 for a lost synapse.  Earlier connections claim rows
first, so when rows run out the last-created projections lose synapses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pynn_uni.hardware.errors import HardwareParameterConflictError
from pynn_uni.hardware.profiles import Profile


@dataclass
class Routing:
    row: np.ndarray  # global row per connection, -1 = lost
    rows_used: np.ndarray  # per block
    external_sources: int

    @property
    def lost(self) -> np.ndarray:
        return self.row < 0


def locate(pops, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(circuit, -1 for a host source; tau_syn_E and tau_syn_I, shape (2, n)) of each cell
    id, given every population handle in creation order (their ids are consecutive)."""
    starts = np.array([p.first_id for p in pops])
    which = np.searchsorted(starts, ids, side="right") - 1
    circuit = np.full(ids.size, -1, np.int64)
    tau = np.zeros((2, ids.size))
    for k in np.unique(which):
        p, sel = pops[k], which == k
        local = ids[sel] - p.first_id
        if p.circuits is not None:
            circuit[sel] = p.circuits[local]
            tau[0, sel], tau[1, sel] = p.lif["tau_syn_E"][local], p.lif["tau_syn_I"][local]
    return circuit, tau


def route_network(profile: Profile, pops, projs, extra=None) -> Routing:
    """Route every connection of the projection handles ``projs`` in creation order, then
    ``extra`` = (handle, pre ids, post ids, STP classes) of a block being added."""
    parts = [(h, h.pre_id, h.post_id, h.stp) for h in projs]
    if extra is not None:
        parts.append(extra)
    if not parts:
        return Routing(np.empty(0, np.int64), np.zeros(profile.blocks, int), 0)
    pre = np.concatenate([p[1] for p in parts])
    post = np.concatenate([p[2] for p in parts])
    receptor = np.concatenate([np.full(p[1].size, p[0].receptor) for p in parts])
    source_circuit, _ = locate(pops, pre)
    post_circuit, tau = locate(pops, post)
    tau = tau[receptor, np.arange(post.size)]
    stp = np.concatenate([p[3] for p in parts])
    return route(profile, pre, source_circuit, post_circuit, receptor, tau, stp)


def split_rows(projs, routing: Routing) -> None:
    """Hand each projection handle its part of the routed rows."""
    offset = 0
    for h in projs:
        h.row = routing.row[offset : offset + h.pre.size]
        offset += h.pre.size


def route(profile: Profile, source, source_circuit, post_circuit, receptor, tau,
          stp=None) -> Routing:  # fmt: skip
    """Route connections.  ``source``: a key per presynaptic cell (its id);
    ``source_circuit``: its circuit, -1 for an external (host) source; ``receptor``: 0 exc,
    1 inh; ``tau``: the post neuron's tau_syn of that receptor and ``stp`` the synapse's
    short-term plasticity class (0: static), both row properties."""
    source = np.asarray(source, np.int64)
    block = np.asarray(post_circuit) // profile.neurons_per_block
    stp = np.zeros(source.size, np.int64) if stp is None else np.asarray(stp, np.int64)
    if profile.labels_per_row == 1:
        return _route_fixed(profile, source, np.asarray(source_circuit), block, receptor, tau,
                            stp)  # fmt: skip
    return _route_labelled(profile, source, block, np.asarray(post_circuit), receptor, tau, stp)


def _first_claim(key: np.ndarray):
    """Index of the first connection carrying each key, broadcast back to every connection."""
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return first[inverse]


def _check_row_attributes(owner, source, block, same, profile, **attributes) -> None:
    """One row has one receptor type (sign), one tau_syn and one short-term plasticity
    setting: all its synapses must agree."""
    nouns = {"receptor": "receptor type (0 exc, 1 inh)", "tau": "tau_syn (ms)",
             "stp": "short-term plasticity class (0 static)"}  # fmt: skip
    for name, values in attributes.items():
        noun = nouns[name]
        bad = np.flatnonzero(same & (values != values[owner]))
        if bad.size:
            i = bad[0]
            raise HardwareParameterConflictError(
                f"source cell {source[i]} reaches block {block[i]} of the {profile.name!r} chip "
                f"through one synapse row, which has one {noun}: {values[owner[i]]} and "
                f"{values[i]} conflict (use a second source cell)"
            )


def _route_fixed(profile, source, source_circuit, block, receptor, tau, stp) -> Routing:
    """Spikey wiring: row r < feedback_rows <- neuron r of either block; external slot e
    (numbered in order of first use, mirrored into both blocks) <- row R-1-e."""
    R, per = profile.rows_per_block, profile.neurons_per_block
    external = source_circuit < 0
    # number external slots by first use; the host can send one train to two addresses, so
    # an external source used on both receptor types takes two slots (a neuron cannot)
    ext_keys = source[external] * 2 + receptor[external]
    _, first = np.unique(ext_keys, return_index=True)
    order = np.argsort(first, kind="stable")
    ranked = np.empty(order.size, np.int64)
    ranked[order] = np.arange(order.size)
    ext_index = np.full(source.size, -1)
    ext_index[external] = ranked[np.unique(ext_keys, return_inverse=True)[1]]
    local_row = np.where(external, R - 1 - ext_index, source_circuit % per)
    row_ok = ~external | (ext_index < profile.max_external_sources)
    key = block * R + local_row
    key = np.where(row_ok, key, -1 - np.arange(source.size))  # unique dummy keys: lost
    owner = _first_claim(key)
    same = (source == source[owner]) & row_ok
    _check_row_attributes(owner, source, block, same, profile, receptor=receptor, tau=tau,
                          stp=stp)  # fmt: skip
    row = np.where(same, key, -1)
    rows_used = np.array([np.unique(row[(row >= 0) & (row // R == b)]).size
                          for b in range(profile.blocks)])  # fmt: skip
    return Routing(row, rows_used, int(min(order.size, profile.max_external_sources)))


def _route_labelled(profile, source, block, post_circuit, receptor, tau, stp) -> Routing:
    """BSS-2-like: a row per (block, source, receptor); sources whose target columns do not
    overlap share a row (up to labels_per_row), greedy first fit in priority order."""
    R, per = profile.rows_per_block, profile.neurons_per_block
    row = np.full(source.size, -1, np.int64)
    rows_used = np.zeros(profile.blocks, np.int64)
    for b in range(profile.blocks):
        sel = np.flatnonzero(block == b)
        if not sel.size:
            continue
        key = source[sel] * 2 + receptor[sel]
        uniq, first, inv = np.unique(key, return_index=True, return_inverse=True)
        owner = np.zeros(source.size, np.int64)
        owner[sel] = sel[first][inv]
        in_block = np.zeros(source.size, bool)
        in_block[sel] = True
        _check_row_attributes(owner, source, block, in_block, profile, tau=tau, stp=stp)
        columns = np.zeros((uniq.size, per), bool)
        columns[inv, post_circuit[sel] % per] = True
        occupied = np.zeros((R, per), bool)
        labels = np.zeros(R, np.int64)
        sign = np.full(R, -1)
        entry_row = np.full(uniq.size, -1)
        for e in np.argsort(first, kind="stable"):  # a loop per source, not per synapse
            rec = receptor[sel[first[e]]]
            fits = (labels < profile.labels_per_row) & ((sign == rec) | (sign < 0))
            fits &= ~(occupied & columns[e]).any(axis=1)
            candidates = np.flatnonzero(fits)
            if candidates.size:
                r = candidates[0]
                entry_row[e] = r
                occupied[r] |= columns[e]
                labels[r] += 1
                sign[r] = rec
        got = entry_row[inv]
        row[sel] = np.where(got >= 0, b * R + got, -1)
        rows_used[b] = int((labels > 0).sum())
    return Routing(row, rows_used, int(np.unique(source).size))
