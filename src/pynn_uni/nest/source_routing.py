"""How spike sources reach their targets on NEST: directly, through one shared generator,
or through parrot neurons.

NEST's Poisson-like generators send an independent train to each target, while a PyNN
cell is one train.  Such a population is relayed through parrot neurons as soon as one
cell must feed two targets or be recorded.  While every cell has at most one target and
nothing is recorded, its connections wait for the first run and then come from ONE
generator (homogeneous parameters) or the cells' own generators: the lean structure of
native NEST scripts, statistically identical.  NEST accepts devices only as sources of
static synapses, so a ``SpikeSourceArray`` feeding plastic synapses is relayed too.
Generators left idle (silenced ones behind a relay) are also frozen.

A ``SpikeSourcePoisson`` population is *deferred*: its cells get ids of their own, from
``VIRTUAL_IDS`` on, and no NEST node until one is needed (parrots to feed, cells that
differ, ``native_handle()``).  Behind a shared generator the cells' own generators would
only idle, and NEST still visits every node, each device once per thread, in every
min_delay slice: 7,717 of them cost the 2-thread microcircuit at scale 0.1 a third of its
run time and 34 MB (docs/microcircuit.md).
"""

from __future__ import annotations

import warnings

import numpy as np

from pynn_uni.common.backend import index_of
from pynn_uni.nest.connection_store import concatenate
from pynn_uni.nest.handles import (
    OwnHandle,
    PopHandle,
    ProjHandle,
    RelayHandle,
    ShareHandle,
    add_counts,
    projection_size,
    snapshot_of,
)
from pynn_uni.nest.native import NativeCellType
from pynn_uni.nest.node_status import node_ids, set_status

#: generators that send one train to all their targets: no relay needed
SHARED_TRAIN_GENERATORS = {"spike_generator"}
#: what turns a Poisson-like generator off for good
IDLE = {"rate": 0.0, "frozen": True}
#: generators whose cells are deferred; their standard values are checked by the common
#: layer, so NEST's own check at creation is not missed
DEFERRED_GENERATORS = {"poisson_generator", "poisson_generator_ps"}
#: the first id of a deferred population's cells: far above any NEST node id
VIRTUAL_IDS = 10**12


def defers(h: PopHandle) -> bool:
    """Whether the cells of ``h`` wait for their NEST nodes (see the module doc)."""
    return h.n > 0 and h.model in DEFERRED_GENERATORS and not isinstance(h.celltype, NativeCellType)


class SourceRouting:
    """Mixin of NestBackend: the spike-source strategies above."""

    def _own_generators(self, h: PopHandle) -> None:
        """Give a deferred population's cells their generators (logged at this point, so
        a replay makes the same node ids)."""
        if h.deferred and h.own is None:
            self._log.append(OwnHandle(h))
            self._realise_own(h)

    def _realise_own(self, h: PopHandle) -> None:
        h.nodes = self._create_cells(h)
        h.own = node_ids(h.nodes)
        if h.silenced or h.relay == "shared":  # made only to be handed out: they idle
            set_status(h.nodes, IDLE)
        if h.parrots is None:
            h.senders = h.own

    def _make_relay(self, h: PopHandle) -> None:
        """Create the parrots; logged at this point so a replay makes the same node ids."""
        if not any(isinstance(x, RelayHandle) and x.pop is h for x in self._log):
            self._log.append(RelayHandle(h))
        feed, shift_times = h.nodes, None
        if h.silenced or feed is None:  # old generators silenced, or none: fresh ones
            h.relay_gens = feed = self._create(h.model, h.n)
            self._set_nodes(feed, self._native_params(h.celltype, h.params), h.n, h.model)
        elif h.model in SHARED_TRAIN_GENERATORS:
            # a copy of the generators, one relay delay early: parrots fire at the given times
            h.relay_gens = feed = self._create(h.model, h.n)

            def shift_times(delay, h=h):
                h.relay_delay = delay
                self._set_spike_times(h, h.relay_gens, h.params.get("spike_times"), h.n, delay)

        h.parrots = self._create("parrot_neuron", h.n)
        self._device_connect(feed, h.parrots, "one_to_one", before=shift_times)
        h.senders = node_ids(h.parrots)

    def _ensure_relay(self, h: PopHandle) -> None:
        """Put parrots behind a source population and move its direct connections onto them.

        Before the first run the direct connections are still pending: they simply start
        from the parrots.  After it, NEST cannot delete a device's connections, so the old
        generators are silenced (rate 0) and fresh ones feed the parrots.
        """
        if h.relay in ("relay", "none"):
            return
        made = self._fixed is not None and h.model not in SHARED_TRAIN_GENERATORS
        if made:
            h.silenced = True
            for old in (h.nodes, h.shared):
                if old is not None:
                    set_status(old, IDLE)
        self._make_relay(h)
        h.relay = "relay"
        for p in self._direct_projections(h):
            if made:
                source, target, params = self._live_snapshot(p, h)
                if target.size:
                    self._connect_native(p, h.senders[source], target, params)
            p.direct_from.remove(h)
        for p, pre, target, native in h.pending:
            self._connect_native(p, h.senders[pre], target, native)
        h.pending = []

    def _live_snapshot(self, p: ProjHandle, h: PopHandle):
        """(pre index, target, params) of the connections ``p`` has from direct source ``h``
        (which die: their generators are silenced)."""
        if p.made is not None:
            return self._kept_snapshot(p, h)
        source_nodes = h.shared if h.shared is not None else h.nodes
        conns = self.nest.GetConnections(source=source_nodes, synapse_label=p.label)
        if not len(conns):
            return np.empty(0, np.int64), np.empty(0, np.int64), {}
        source, target, params = snapshot_of(conns)
        if h.shared is not None:
            return (*self._shared_pre(h, p.label, target), params)
        return index_of(h.own, source), target, params

    def _kept_snapshot(self, p: ProjHandle, h: PopHandle):
        """``_live_snapshot`` from what the static projection ``p`` kept."""
        mine = [m for m in p.made if m.direct is h and not m.dead]
        pre = [m.pre.array() if m.pre is not None else index_of(h.own, m.sources.array())
               for m in mine]  # fmt: skip
        params = concatenate(
            [m.native(self._ms_per_step, full=True) for m in mine], [len(m) for m in mine]
        )
        n = sum(len(m) for m in mine)
        for m in mine:
            m.dead = True
        if not n:
            return np.empty(0, np.int64), np.empty(0, np.int64), {}
        targets = np.concatenate([m.targets.array() for m in mine])
        return np.concatenate(pre), targets, params

    def _shared_pre(self, h: PopHandle, label: int, target: np.ndarray):
        """Pre indices of a shared generator's connections, which NEST returns in the order
        they were made (by target); checked against the targets recorded then."""
        pre, expected = h.shared_pairs[label]
        order = np.argsort(target, kind="stable")
        if not np.array_equal(target[order], expected):
            raise RuntimeError(f"lost track of the shared-generator connections of {label}")
        out = np.empty_like(pre)
        out[order] = pre
        return out, target

    def _direct_projections(self, h: PopHandle) -> list:
        return [p for p in self._log if isinstance(p, ProjHandle) and h in p.direct_from]

    def _connect_direct_sources(self) -> None:
        """At the first run, make the pending direct connections of Poisson-like sources.

        A homogeneous population feeds all its targets from ONE NEST generator: NEST draws
        an independent train per target, so this is the same process as one generator per
        cell (each cell has one target and is not recorded) and much cheaper to simulate.
        """
        for pop in self._pops:
            if pop.relay != "direct" or not pop.pending:
                continue
            homogeneous = not any(
                np.ndim(v) for v in self._native_params(pop.celltype, pop.params).values()
            )
            if homogeneous:
                share = ShareHandle(pop)
                pop.relay = "shared"
                self._realise_share(share)
                self._log.append(share)
            for p, pre, target, native in pop.pending:
                if homogeneous:
                    order = np.argsort(target, kind="stable")
                    pairs = pop.shared_pairs.get(p.label, (np.empty(0, np.int64),) * 2)
                    pop.shared_pairs[p.label] = tuple(
                        np.concatenate([a, b])
                        for a, b in zip(pairs, (pre[order], target[order]), strict=True)
                    )
                    sources = np.full(target.size, pop.shared.tolist()[0], dtype=np.int64)
                    self._connect_native(
                        p, sources, target[order], {k: v[order] for k, v in native.items()},
                        direct=pop, pre=pre[order],
                    )  # fmt: skip
                else:
                    self._own_generators(pop)
                    self._connect_native(p, pop.own[pre], target, native, direct=pop)
            pop.pending = []

    def _realise_share(self, h: ShareHandle) -> None:
        pop = h.pop
        pop.shared = self._create(pop.model, 1, self._native_params(pop.celltype, pop.params))
        if pop.relay == "shared":
            if pop.nodes is not None:
                set_status(pop.nodes, IDLE)
        else:  # replaced by a relay later on
            set_status(pop.shared, IDLE)

    def _set_spike_times(self, h: PopHandle, nodes, spike_times, n: int, shift: float = 0.0):
        """Give spike generators their times, ``shift`` ms early (the relay delay).

        on_grid moves each time up to the end of its step (where NEST's grid models see it,
        as PyNN's NEST backend does); off_grid keeps it exact (precise_times).
        NEST cannot emit a spike at or before t = 0 (after the shift): such spikes are
        dropped with a warning, as PyNN's NEST backend drops them (silently)."""
        dt = self.nest.resolution
        now = self.nest.biological_time
        precise = self.spike_precision == "off_grid"
        values = spike_times if isinstance(spike_times, np.ndarray) else [spike_times] * n
        dicts, dropped = [], []
        for seq in values:
            t = np.asarray(getattr(seq, "value", seq), dtype=float).ravel()
            t = (t if precise else np.ceil(t / dt - 1e-9) * dt) - shift  # up to its step's end
            early = t <= (1e-9 * dt if precise else dt / 2)
            if early.any():
                dropped.extend((t[early] + shift).tolist())
            t = t[~early]
            dicts.append({"spike_times": t[t > now + (1e-9 * dt if precise else dt / 2)]})
        if dropped:
            warnings.warn(
                f"Population {h.label!r} (SpikeSourceArray): NEST cannot send spikes at or "
                f"before {shift} ms"
                + (" (the delay of its relay through parrot neurons)" if shift else "")
                + f"; dropped the spikes at {sorted(set(dropped))} ms",
                stacklevel=2,
            )
        set_status(nodes, dicts)

    def _choose_relay(self, pop: PopHandle, h: ProjHandle, block, single: bool) -> None:
        """Direct generator connections where they keep PyNN's semantics, else parrots.

        NEST accepts devices only as sources of static synapses; a Poisson-like generator
        may feed each of its cells' targets directly only while every cell has one target.
        """
        static = h.synapse_model == "static_synapse"
        if pop.model in SHARED_TRAIN_GENERATORS:
            if not static:
                self._ensure_relay(pop)
            return
        if pop.relay == "relay":
            return
        counts = np.bincount(block.pre, minlength=projection_size(block))
        if pop.relay is None and static and single and not h.direct_from:
            pop.relay = "direct"
            h.direct_from.append(pop)
            h.direct_counts = np.zeros(0, np.int64)
        if pop in h.direct_from:
            total = add_counts(h.direct_counts, counts)
            h.direct_counts = total
            if total.max() <= 1:
                return
        self._ensure_relay(pop)

    def _to_senders(self, pop: PopHandle, ids: np.ndarray) -> np.ndarray:
        inside = (ids >= pop.ids[0]) & (ids <= pop.ids[-1])
        out = ids.copy()
        out[inside] = pop.senders[index_of(pop.ids, ids[inside])]
        return out

    def _live_sources(self, pops: tuple[PopHandle, ...]):
        """Node ids that currently send spikes of a projection from ``pops`` (None: no
        filter needed)."""
        if not any(p.silenced for p in pops):
            return None
        ids = [
            p.senders
            if p.relay in ("relay", "none")
            else (p.shared.tolist() if p.relay == "shared" else p.own)
            for p in pops
            if p.relay == "shared" or p.senders is not None
        ]
        return self.nest.NodeCollection(np.unique(np.concatenate(ids)).tolist())

    def _from_senders(self, pops: tuple[PopHandle, ...], senders: np.ndarray) -> np.ndarray:
        """The cells' ids for the node ids that sent spikes (a relay's parrots, a deferred
        population's own generators)."""
        for pop in pops:
            nodes = [pop.senders] if pop.parrots is not None else []
            if pop.deferred and pop.own is not None:
                nodes.append(pop.own)
            for node in nodes:
                inside = (senders >= node[0]) & (senders <= node[-1])
                senders = senders.copy()
                senders[inside] = pop.ids[index_of(node, senders[inside])]
        return senders
