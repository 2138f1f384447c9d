"""What the NEST backend made for each object of the description, and NEST array helpers.

Every handle is logged in creation order; ``reset()`` replays the log in a fresh kernel,
so a handle keeps what it was made from (the spec and the latest values).
"""

from __future__ import annotations

import numpy as np

from pynn_uni.common.backend import PopulationSpec, ProjectionSpec, SourceSpec


class PopHandle:
    def __init__(self, spec: PopulationSpec, model: str, params: dict):
        self.celltype = spec.celltype
        self.label = spec.label
        self.model = model
        self.n = spec.size
        self.params = params
        self.initial: dict = {}
        # None (undecided), 'direct', 'shared', 'relay'; 'none' for cells that are no source
        self.relay = None if spec.celltype.is_spike_source else "none"
        self.nodes = self.parrots = self.relay_gens = self.shared = None
        self.pending: list = []  # direct connections waiting for the first run
        self.shared_pairs: dict = {}  # projection label -> (pre index, target id) of shared
        self.silenced = False  # True once its direct connections were replaced by a relay
        #: a Poisson source whose cells have ids of their own and no NEST node until one is
        #: needed (source_routing.py); ``own``: node ids of the cells' own nodes, if any
        self.deferred = False
        self.ids = self.senders = self.own = None
        self.recorders: dict = {}
        self.recorded_idx: dict[str, np.ndarray] = {}
        self.interval = None


class ProjHandle:
    """A projection's connections are found without a per-synapse label (``*_lbl`` models
    cost 8 bytes more per synapse): through a copy of its NEST synapse model of its own, or,
    for static synapses, a copy shared with projections between other nodes
    (:class:`SharedModels`)."""

    def __init__(self, label: int, spec: ProjectionSpec, synapse_model: str):
        self.label = label
        self.spec = spec
        self.synapse_model = synapse_model
        self.nest_model = f"{synapse_model}__pynn_uni_{label}"
        self.labelled = False  # NEST wants one synapse model for all of a device's targets
        self.shared = False  # its model is shared: its connections are those pre -> post
        self.direct_from: list[PopHandle] = []
        self.snapshot = None
        #: static synapses: what each nest.Connect was given (connection_store.py), from
        #: which the projection is read, written and replayed; None: read from NEST
        self.made: list | None = None
        self.redrawn = None  # connection_store.Redrawn: where its random weights come from
        self.nest_order = None  # (backend._order_key, positions of NEST's connections)
        self.first_run = None  # the backend's run count at its first connection
        self.mixed = False  # connections made between runs: NEST sorted part of them first
        #: homogeneous standard values NEST keeps nowhere per connection (STDP tau_minus)
        self.described: dict[str, float] = {}


class SharedModels:
    """One copy of a static NEST synapse model for all static projections whose boxes of
    (pre, post) node ids do not overlap, so that a projection's connections are those of
    the model from its pre to its post nodes.  NEST routes a spike once per synapse model
    its source has connections of: a model per projection cost the microcircuit ~20 % run
    time and 24 MB (docs/microcircuit.md)."""

    def __init__(self):
        self.boxes: dict[str, list[tuple]] = {}
        #: models whose NEST order a reset's replay may not repeat (``_order_key``): their
        #: projections connected in different runs, or one resumed after another
        self.mixed: set[str] = set()
        self.last: dict[str, tuple[int, int]] = {}  # model -> (label, run) of the latest

    def claim(self, model: str, pre: np.ndarray, post: np.ndarray) -> bool:
        """Whether a projection from ``pre`` to ``post`` (node ids) may share ``model``."""
        if not (pre.size and post.size):
            return False
        box = (pre.min(), pre.max(), post.min(), post.max())
        taken = self.boxes.setdefault(model, [])
        if any(a <= box[1] and box[0] <= b and c <= box[3] and box[2] <= d
               for a, b, c, d in taken):  # fmt: skip
            return False
        taken.append(box)
        return True

    def connected(self, model: str, label: int, run: int, first: bool) -> None:
        last = self.last.get(model)
        if last is not None and (last[1] != run or (last[0] != label and not first)):
            self.mixed.add(model)
        self.last[model] = (label, run)


class SourceHandle:
    def __init__(self, spec: SourceSpec, target: PopHandle, idx: np.ndarray):
        self.spec = spec
        self.target = target
        self.idx = idx
        self.device = None
        self.meter = None
        self.delay: float | None = None  # of its connections (ms), chosen when first made


class RelayHandle:
    def __init__(self, pop: PopHandle):
        self.pop = pop


class OwnHandle:
    """The generators of a deferred source's cells, made when first needed."""

    def __init__(self, pop: PopHandle):
        self.pop = pop


class ShareHandle:
    """The one generator that feeds all targets of a homogeneous, directly connected source."""

    def __init__(self, pop: PopHandle):
        self.pop = pop


class GapHandle:
    """Nodes NEST made for a population it then refused: the replay after reset() makes as
    many placeholders, so every later node keeps its id."""

    def __init__(self, n: int):
        self.n = n


class RecordHandle:
    def __init__(self, pop: PopHandle, variable: str):
        self.pop = pop
        self.variable = variable


def projection_size(block) -> int:
    return int(block.pre.max()) + 1 if len(block) else 0


def add_counts(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    n = max(a.size, b.size)
    return np.pad(a, (0, n - a.size)) + np.pad(b, (0, n - b.size))


def listify(params: dict) -> dict | list[dict]:
    """NodeCollection.set's form of per-node values: one dict per node (what NEST makes of
    a dict of lists itself, except under MPI, where only that form is accepted)."""
    n = max((np.size(v) for v in params.values() if np.ndim(v)), default=0)
    if not n:
        return dict(params)
    cols = {k: np.asarray(v).tolist() if np.ndim(v) else [v] * n for k, v in params.items()}
    return [dict(zip(cols, row, strict=True)) for row in zip(*cols.values(), strict=True)]


_ARRAY_VALUED: dict[str, frozenset] = {}


def array_valued(nest, model: str) -> frozenset:
    """Parameters of a NEST model whose single value is an array."""
    if model not in _ARRAY_VALUED:
        defaults = nest.GetDefaults(model)
        _ARRAY_VALUED[model] = frozenset(
            k
            for k, v in defaults.items()
            if isinstance(v, (list, tuple, np.ndarray))
            and k not in ("recordables",)
            and np.asarray(v).dtype.kind == "f"
        )
    return _ARRAY_VALUED[model]


#: connections read from NEST per call: PyNEST builds one dictionary per connection (~2.5 kB
#: each), so a million read at once would hold ~2.5 GB
READ_CHUNK = 100_000


def read_connections(conns, keys=None) -> dict[str, np.ndarray]:
    """NEST's values of the connections ``conns`` (every key if None), in chunks."""
    parts = []
    for start in range(0, len(conns), READ_CHUNK):
        data = conns[start : start + READ_CHUNK].get(keys)
        parts.append({k: np.atleast_1d(np.asarray(v)) for k, v in data.items()})
    if not parts:
        return {k: np.empty(0) for k in keys or ()}
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def write_connections(conns, values: dict[str, np.ndarray]) -> None:
    """Set one value per connection of ``conns`` (one call when all are equal), in chunks."""
    same = {k: v.flat[0].item() for k, v in values.items() if v.size and (v == v.flat[0]).all()}
    if len(same) == len(values):
        conns.set(same)
        return
    for start in range(0, len(conns), READ_CHUNK):
        stop = start + READ_CHUNK
        # one dict per connection: what NEST makes of a dict of lists itself, except under
        # MPI, where it accepts only this form
        conns[start:stop].set(listify({k: same.get(k, v[start:stop]) for k, v in values.items()}))


def snapshot_of(conns):
    """(source, target, params) of NEST connections, everything numeric kept."""
    data = read_connections(conns)
    skip = {
        "synapse_model",
        "synapse_id",
        "port",
        "target_thread",
        "sizeof",
        "source",
        "target",
        "synapse_label",
        "synapse_modelid",
    }
    params = {k: v for k, v in data.items() if k not in skip and v.dtype.kind in "fi"}
    if "receptor" in params:
        receptor = params.pop("receptor")
        if receptor.any():
            params["receptor_type"] = receptor
    return data["source"].astype(np.int64), data["target"].astype(np.int64), params
