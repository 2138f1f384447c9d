"""Connections on NEURON: one NetCon per connection, its synapse values in the NetCon's
weight vector (slots: plasticity.py), the standard values kept as arrays for reading back.

With one process a NetCon goes straight from the source cell to the target; under MPI
each rank makes the NetCons onto its own cells from the source's gid (parallel.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pynn_uni import errors
from pynn_uni.common.backend import ConnectionArrays, ProjectionSpec
from pynn_uni.neuron import native as native_types
from pynn_uni.neuron import plasticity
from pynn_uni.neuron import translations as tr
from pynn_uni.neuron.handles import ProjectionHandle
from pynn_uni.neuron.native import NeuronNativeCellType

_CHUNK = 1 << 16  # connections made per batch of Python NetCon wrappers
_TAU_PSC = 3.0  # ms: Tsodyks-Markram's PSC time constant onto cells without tau_syn


class Connections:
    """The backend's projection methods (mixed into NeuronBackend)."""

    def check_synapse(self, spec: ProjectionSpec) -> None:
        st, name = spec.synapse_type, spec.synapse_model
        if name not in tr.SYNAPSES:  # another simulator's native types included
            raise errors.NotSupportedError(
                f"{name} is not available on NEURON (supported: {', '.join(tr.SYNAPSES)})"
            )
        if name == "STDPMechanism":
            reason = plasticity.unsupported_reason(st)
            if reason:
                raise errors.NotSupportedError(reason)
        celltypes = spec.post.celltypes
        if any(isinstance(c, NeuronNativeCellType) for c in celltypes):
            native_types.check_projection(spec, list(celltypes), name)
            return
        names = {type(c).__name__ for c in celltypes}
        if name == "STDPMechanism" and any(
            tr.CELLS[n].mechanism != "PynnIF" or n in tr.JUMP_INPUT for n in names
        ):
            raise errors.NotSupportedError(
                f"Projection {spec.label!r}: STDPMechanism onto "
                f"{', '.join(sorted(names))} is not available on NEURON yet (only onto "
                "IF_curr_exp/alpha, IF_cond_exp/alpha and the other IF_cond_exp types)"
            )

    def new_projection(self, spec: ProjectionSpec) -> ProjectionHandle:
        h = ProjectionHandle(spec, self.h.List())
        celltype = spec.post_celltype
        if spec.receptor_type == "inhibitory":
            h.receptor = 1
        if type(celltype).__name__ == "PointNeuron":  # a named receptor: PynnPoint's g[r]
            h.receptor = tr.POINT_RECEPTOR0 + celltype.receptor_types.index(spec.receptor_type)
        if h.kind != "StaticSynapse":  # a static NetCon has no state to initialise
            self._check_not_running(f"Projection {spec.label!r} ({h.kind})")
            for member in spec.post.members:  # its slots need PynnIF's NET_RECEIVE
                if member.handle.lean:
                    self.make_full(member.handle)
        if h.kind in plasticity.STOCHASTIC:  # release draws: the targets' own streams
            for member in spec.post.members:
                if member.indices.size:
                    member.handle.stochastic = True
        self.projs.append(h)
        return h

    def connect(self, handle: ProjectionHandle, block: ConnectionArrays) -> None:
        h, spec = handle, handle.spec
        n = len(block)
        if n == 0:
            return
        values = {
            k: np.broadcast_to(np.asarray(block.params.get(k, v), float), (n,))
            for k, v in _value_defaults(h, self.dt).items()
        }
        values = tr.resolve_initial(h.kind, values)
        h.shift = self._delay_shift(spec)
        post_ids = spec.post.ids[block.post]
        realisation = native_types.realisation_of(spec.post_celltype)
        if realisation is not None:
            realisation.check_weights(spec, values["weight"])
        mine, pre_ids = values, spec.pre.ids[block.pre]
        if self.mpi.parallel:  # only the connections onto this rank's cells
            self.mpi.export(pre_ids, post_ids)
            local = self.mpi.owns(post_ids)
            mine = {k: v[local] for k, v in values.items()}
            pre_ids, post_ids = pre_ids[local], post_ids[local]
            offset = h.pre.size
            h.local_pos = np.concatenate(
                [h.local_pos if h.local_pos is not None else np.empty(0, np.int64),
                 offset + np.flatnonzero(local)]
            )  # fmt: skip
        targets = self._targets(realisation, post_ids, spec.receptor_type)
        delays, weights = mine["delay"] - h.shift, mine["weight"]
        if self.mpi.parallel:
            # a source on this rank (not a section cell): a NetCon straight from its cell,
            # on the same PreSyn that carries the cell's gid
            here = self.mpi.owns(pre_ids) & ~self.origins[pre_ids - 1].astype(bool)

            def make(sl):
                return self._gid_connect(
                    pre_ids[sl], here[sl], targets[sl], delays[sl], weights[sl]
                )
        else:
            sources = self.objects[pre_ids - 1].tolist()
            origins = self.origins[pre_ids - 1]
            from_sections = origins.astype(bool).any()  # native section cells: v crossings

            def make(sl):
                args = (sources[sl], targets[sl], delays[sl], weights[sl])
                if from_sections:
                    return native_types.netcons(self.h, args[0], origins[sl], *args[1:])
                return self._netcons(*args)

        keep = h.netcons.append
        for lo in range(0, len(targets), _CHUNK):  # Python wrappers of one chunk at a time
            sl = slice(lo, lo + _CHUNK)
            made = make(sl)
            chunk = {k: v[sl] for k, v in mine.items()}
            _configure(h, realisation, made, targets[sl], chunk)
            for nc in made:
                keep(nc)
        h.pre = np.concatenate([h.pre, block.pre])
        h.post = np.concatenate([h.post, block.post])
        for k, v in values.items():
            h.values[k] = np.concatenate([h.values.get(k, np.empty(0)), v])

    def _targets(self, realisation, post_ids, receptor: str) -> list:
        """NetCon targets: the cells, or (native types) the receptor's synapse on each."""
        cells = self.objects[post_ids - 1].tolist()
        return cells if realisation is None else native_types.targets(realisation, cells, receptor)

    def _netcons(self, sources: list, targets: list, delays, weights) -> list:
        """One process: NetCons straight from source to target cell."""
        NetCon = self.h.NetCon
        # a comprehension with NetCon bound locally: ~1.5 us per connection, most of it NEURON's
        return [
            NetCon(s, t, 0.0, d, w)
            for s, t, d, w in zip(sources, targets, delays.tolist(), weights.tolist(), strict=True)
        ]

    def _gid_connect(self, pre_ids, here, targets: list, delays, weights) -> list:
        """MPI: NetCons onto local target cells, in connection order: straight from the
        source cell where it is ``here`` (as fast as one process), else from the source's
        gid (``pc.gid_connect``, in a hoc loop: parallel.py)."""
        made = [None] * len(targets)
        for local in (True, False):
            pick = np.flatnonzero(here == local)
            if not pick.size:
                continue
            chosen = [targets[i] for i in pick.tolist()]
            if local:
                sources = self.objects[pre_ids[pick] - 1].tolist()
                new = self._netcons(sources, chosen, delays[pick], weights[pick])
            else:
                new = self.mpi.connect(pre_ids[pick], chosen, delays[pick], weights[pick])
            for i, nc in zip(pick.tolist(), new, strict=True):
                made[i] = nc
        return made

    def _delay_shift(self, spec: ProjectionSpec) -> float:
        """How much earlier than the delay the NetCon delivers (ms).  A voltage jump must
        land within the step it arrives in, after the cell's update (see
        nmodl/pynn_izh.mod); the other self-stepped cells (ARTIFICIAL_CELLs) integrate the
        same either way, but an input landing after the step's update shows in that step's
        sample, as NEST records it.  PynnIF takes its input unshifted."""
        celltypes = spec.post.celltypes
        if any(isinstance(c, NeuronNativeCellType) for c in celltypes):
            return 0.0
        names = {type(c).__name__ for c in celltypes}
        jumps = {n in tr.JUMP_INPUT for n in names}
        stepped = {n in tr.JUMP_INPUT or tr.CELLS[n].mechanism != "PynnIF" for n in names}
        if stepped == {True}:
            return 0.6 * self.dt
        if True in jumps:
            raise errors.NotSupportedError(
                "a projection onto voltage-jump cells (IF_curr_delta, Izhikevich) and other "
                "cell types at once is not available on NEURON; make one per cell type"
            )
        return 0.0

    def disconnect(self, handle: ProjectionHandle) -> None:
        h = handle
        h.netcons, h.local_pos = self.h.List(), None
        h.pre, h.post = np.empty(0, np.int64), np.empty(0, np.int64)
        h.values = {}

    def remake(self, handle: ProjectionHandle) -> None:
        """The projection's NetCons made again from its arrays (its cells were remade)."""
        pre, post, values = handle.pre, handle.post, handle.values
        self.disconnect(handle)
        self.connect(handle, ConnectionArrays(pre, post, dict(values)))

    def native_connections(self, handle: ProjectionHandle) -> list:
        """The projection's NetCons (this rank's, in creation order)."""
        return list(handle.netcons)

    def native_synapse_model(self, handle: ProjectionHandle) -> str:
        return "NetCon"

    def connection_values(
        self, handle: ProjectionHandle, names: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        h = handle
        values = {}
        known = list(_value_defaults(h, self.dt))
        for name in names:
            if name not in known:
                raise errors.NonExistentParameterError(name, h.kind, sorted(known))
            if name == "weight" and h.kind == "STDPMechanism":  # plastic: ask the NetCons
                local = np.array([nc.weight[0] for nc in h.netcons], dtype=float)
                if h.local_pos is None:
                    values[name] = local
                else:
                    values[name] = self.mpi.gather_positions(h.pre.size, h.local_pos, local)
            else:
                values[name] = h.values.get(name, np.empty(0)).copy()
        return h.pre.copy(), h.post.copy(), values

    def set_connection_values(
        self, handle: ProjectionHandle, values: dict[str, np.ndarray]
    ) -> None:
        h = handle
        n = h.pre.size
        mine = np.arange(n) if h.local_pos is None else h.local_pos  # connections made here
        for name, v in values.items():
            h.values[name] = np.broadcast_to(np.asarray(v, float), (n,)).copy()
        if "delay" in values:
            delays = (h.values["delay"][mine] - h.shift).tolist()
            for nc, d in zip(h.netcons, delays, strict=True):
                nc.delay = d
        if h.kind == "STDPMechanism":  # the rule's slots follow from all its values
            local = {k: v[mine] for k, v in h.values.items()}
            plasticity.fill(h.netcons, plasticity.stdp_columns(h.spec.synapse_type, local))
        columns = {plasticity.SLOT[k]: h.values[k][mine] for k in values
                   if k != "delay" and (k == "weight" or h.kind != "STDPMechanism")}  # fmt: skip
        plasticity.fill(h.netcons, columns)  # takes effect at the connection's next spike


def _value_defaults(h: ProjectionHandle, dt: float) -> dict:
    """Every value a connection of this projection carries, with its default."""
    defaults = {"weight": 0.0, "delay": dt, **tr.SYNAPSES[h.kind]}
    if h.kind == "STDPMechanism":  # the components' parameters (rule-specific)
        declared = h.spec.synapse_type.default_parameters
        defaults.update({k: v for k, v in declared.items() if _is_number(v)})
    return defaults


def _configure(h: ProjectionHandle, realisation, made: list, targets: list, mine: dict) -> None:
    """The synapse values beyond weight and delay, in the new NetCons' weight vectors."""
    receptor = h.receptor if realisation is None else 0  # native targets: weight[0] only
    if receptor:
        for nc in made:
            nc.weight[1] = receptor
    if h.kind == "STDPMechanism":
        _check_dendritic(h.spec, mine)
        plasticity.fill(made, plasticity.stdp_columns(h.spec.synapse_type, mine))
    if h.kind in plasticity.SHORT_TERM:
        if h.kind == "MultiQuantalSynapse":
            _check_sites(h.spec, mine["n"])
        tau = "tau_syn_I" if receptor == 1 else "tau_syn_E"
        # Tsodyks-Markram's PSC time constant: the receptor's (3 ms, NEST's default
        # tau_psc, onto voltage-jump cells, which have none)
        if receptor >= tr.POINT_RECEPTOR0:
            r = receptor - tr.POINT_RECEPTOR0
            tau_psc = np.array([t.tau_decay[r] for t in targets], float)
        else:
            tau_psc = np.array([getattr(t, tau, _TAU_PSC) for t in targets], float)
        plasticity.fill(made, plasticity.short_term_columns(h.kind, mine, tau_psc))


def _check_dendritic(spec: ProjectionSpec, values: dict) -> None:
    if np.any(values["dendritic_delay_fraction"] != 1.0):
        raise errors.NotSupportedError(
            f"Projection {spec.label!r}: dendritic_delay_fraction must be 1 on "
            "NEURON (the whole delay is dendritic, as on NEST)"
        )


def _check_sites(spec: ProjectionSpec, n: np.ndarray) -> None:
    if n.size and (np.any(n < 1) or np.any(n != np.round(n))):
        raise errors.InvalidParameterValueError(
            f"Projection {spec.label!r} (MultiQuantalSynapse): n, the number of release "
            f"sites, must be a whole number >= 1, got values in [{n.min()}, {n.max()}]"
        )


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
