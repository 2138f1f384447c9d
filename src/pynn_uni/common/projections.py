"""Projection: the connections from one group of cells to another, made in bulk.

The connector yields blocks of :class:`ConnectionArrays` (indices plus standard-unit
synapse values); each block is validated (delays, weight signs) and handed to the
backend in one call.  The canonical connection order, used by ``get``/``save`` and by
``Connection`` indices, is sorted by (post index, pre index): the same on every backend.
1-D value arrays given to ``set`` follow PyNN's order instead: by (pre index, post index).
"""

from __future__ import annotations

import copy
import itertools

import numpy as np

from pynn_uni import errors
from pynn_uni.common import budget, describing, mpi, validation
from pynn_uni.common.assembly import Assembly
from pynn_uni.common.backend import ConnectionArrays, Member, ProjectionSpec, Side
from pynn_uni.common.connection_replay import ConnectionReplay
from pynn_uni.common.connectors import ConnectionContext, Connector
from pynn_uni.common.control import construction_bar
from pynn_uni.common.deprecation import deprecated
from pynn_uni.common.ids import ID
from pynn_uni.common.models import (
    StandardModelType,
    StandardSynapseType,
    StaticSynapse,
    STDPMechanism,
)
from pynn_uni.common.models.native import NativeCellType
from pynn_uni.common.populations import BasePopulation
from pynn_uni.common.simulation import check_live, check_namespace, current_simulation
from pynn_uni.parameters import _draw, is_random
from pynn_uni.recording.files import StandardTextFile
from pynn_uni.space import Space

_projection_counter = itertools.count()
_MULTI = {"min": np.fmin, "max": np.fmax}


class Projection:
    """Connections from ``presynaptic_population`` to ``postsynaptic_population``.

    All connections are created in the constructor.  Weights are in µS for
    conductance-based targets, nA for current-based ones (mV for delta-synapse models);
    delays in ms (``None`` means the minimum delay).
    """

    #: the backend module whose ``Projection`` this is (set on its subclass there)
    _namespace: str | None = None

    MULTI_SYNAPSE_OPERATIONS = ("sum", "first", "last", "min", "max")
    FORMATS = ("list", "array")

    def __init__(
        self,
        presynaptic_population,
        postsynaptic_population,
        connector,
        synapse_type=None,
        source=None,
        receptor_type=None,
        space=None,
        label=None,
    ):
        if self._namespace is not None:  # built through a backend module: that backend's
            check_namespace(self._namespace, "Projection()")
        sim = current_simulation()
        for role, group in (("presynaptic", presynaptic_population),
                            ("postsynaptic", postsynaptic_population)):  # fmt: skip
            _check_group(group, role)
            _check_group_live(group, f"Projection: the {role} ")
        _check_connector(connector)
        if synapse_type is not None:
            _check_synapse_type(synapse_type)
        self._simulation = sim
        self.pre = presynaptic_population
        self.post = postsynaptic_population
        self.source = source
        self._connector = connector
        self.synapse_type = synapse_type if synapse_type is not None else StaticSynapse()
        self.space = space if space is not None else Space()
        self.annotations = {}
        if label is None:
            label = (
                f"{self.pre.label}→{self.post.label}"
                if self.pre.label and self.post.label
                else f"projection{next(_projection_counter)}"
            )
        self.label = label
        self._check_post_kind()
        self.receptor_type = self._resolve_receptor_type(receptor_type)
        self._spec = ProjectionSpec(
            self.label, _side(self.pre), _side(self.post), self.synapse_type,
            self.receptor_type, self._conductance_based,
        )  # fmt: skip
        sim.backend.check_synapse(self._spec)
        self._check_size()
        self._handle = sim.backend.new_projection(self._spec)
        self._size = self._local_size = 0
        # under MPI, on a backend that holds each connection on its target's rank: this
        # rank evaluates and passes only the connections onto its own cells
        self._local_only = mpi.num_processes() > 1 and sim.backend.local_blocks(self._spec)
        ctx = self._context(self._synapse_values())
        replay, replayed = ConnectionReplay.of(connector, self._context, ctx), False
        made = []
        bar = construction_bar(sim, self.label, self.pre.size * self.post.size)
        try:
            blocks = connector.connect(ctx)
            if _has_value_lists(ctx.synapse_values):
                # values in connection order: check their number before connecting anything
                # (such a list costs as much memory as the blocks)
                blocks = list(blocks)
            if self._local_only:
                blocks = self._agreed_blocks(blocks)
            for block in blocks:
                if not self._local_only:
                    self._validate(block)
                if replay is not None and len(block) >= replay.MIN_BLOCK:
                    block.origin = (replay, len(made))
                    replayed = True
                sim.backend.connect(self._handle, block)
                made.append(len(block))
                if bar is not None:
                    bar.update(len(block))
        except BaseException:  # also Ctrl-C in a connector's callback: keep nothing
            if made:
                sim.backend.disconnect(self._handle)
            raise
        finally:
            if bar is not None:
                bar.close()
        if replayed:
            replay.seal(ctx, len(made))
        self._local_size = int(sum(made))
        if not self._local_only:
            self._size = self._local_size
        sim.projections.append(self)

    # -- construction helpers ------------------------------------------------
    @property
    def connector(self):
        return self._connector

    @property
    def shape(self):
        return (self.pre.size, self.post.size)

    def _check_size(self) -> None:
        """Refuse, before anything is drawn or created, a projection whose expected number
        of connections would not fit in memory (when the connector fixes it in advance;
        others evaluate the pre x post candidates in bounded blocks)."""
        expected = self._connector.expected_connections(self.pre.size, self.post.size)
        if expected is None:
            return
        n_values = len(self.synapse_type.get_parameter_names())
        budget.check_memory(
            budget.connection_bytes(expected, n_values),
            f"Projection {self.label!r} ({type(self._connector).__name__}, "
            f"{self.pre.size} x {self.post.size} cells): {expected:.3g} connections",
            "connect fewer cells or use a sparser connector",
        )

    def _post_celltypes(self):
        if isinstance(self.post, Assembly):
            return [p.celltype for p in self.post.populations]
        return [self.post.celltype]

    def _check_post_kind(self):
        kinds = {bool(c.conductance_based) for c in self._post_celltypes()}
        if len(kinds) > 1:
            raise errors.ConnectionError(
                f"{self.label}: the target mixes conductance- and current-based cells"
            )
        for c in self._post_celltypes():
            if getattr(c, "is_spike_source", False):
                raise errors.ConnectionError(
                    f"{self.label}: {type(c).__name__} cannot receive synapses"
                )

    def _resolve_receptor_type(self, receptor_type):
        receptors = list(self.post.receptor_types)
        if receptor_type in (None, "default"):
            if len(receptors) == 0:
                raise errors.ConnectionError(f"{self.label}: the target has no receptor types")
            sample = _last_weight(self.synapse_type.parameter_space["weight"], self.shape)
            if len(receptors) > 1 and sample is not None and sample < 0:
                return receptors[1]
            return receptors[0]
        if receptor_type not in receptors:
            raise errors.ConnectionError(
                f"{self.label}: receptor_type {receptor_type!r} is not one of {receptors}"
            )
        return receptor_type

    def _synapse_values(self) -> dict:
        values = dict(self.synapse_type.parameter_space.items())
        if values.get("delay") is None:
            values["delay"] = self._simulation.default_delay
        return values

    def _agreed_blocks(self, blocks) -> list[ConnectionArrays]:
        """Under MPI: this rank's blocks, checked, once every rank has checked its own.

        A value refused on one rank must be refused on all before any connection exists:
        NEST's connection lookups are collective, so one rank cannot undo a projection
        alone.  Only this rank's part of one projection is held at a time.  The same
        collective gives the projection's global size."""
        refused = None
        try:
            blocks = list(blocks)
            for block in blocks:
                self._validate(block)
        except Exception as err:
            refused = err
        local = 0 if refused is not None else sum(len(b) for b in blocks)
        self._size, failed = mpi.allreduce_sum((local, refused is not None))
        if refused is not None:
            raise refused
        if failed:
            raise errors.ConnectionError(
                f"Projection {self.label!r}: refused on another MPI rank (see its error)"
            )
        return blocks

    def _context(self, synapse_values, local=True) -> ConnectionContext:
        """What the connector sees; ``local=False``: every connection, even where this rank
        keeps only its own (``set`` evaluates values for the gathered connections)."""
        return ConnectionContext(
            self.pre.size,
            self.post.size,
            self.pre._ids,
            self.post._ids,
            lambda: self.pre.positions,
            lambda: self.post.positions,
            self.space,
            synapse_values,
            local_post_mask=self._local_post_mask() if local else None,
            label=self.label,
            projection=self,
        )

    def _local_post_mask(self):
        """The postsynaptic cells on this rank when it keeps only their connections (else
        None).  Every rank still draws every column (the same random streams on any
        number of ranks), but evaluates synapse values only for its own cells."""
        return self.post._local_mask if self._local_only else None

    @property
    def _conductance_based(self) -> bool:
        return bool(self._post_celltypes()[0].conductance_based)

    def _validate(self, block: ConnectionArrays, unchanged=None) -> None:
        """The common checks of connection values, before the backend sees them: each
        parameter's declared range (finite; ``U`` in [0, 1], time constants > 0), the
        relations (``w_min <= w_max``, an STDP weight within them; ``unchanged``: the values
        a ``set`` leaves as they are, to check against), delays and weight signs."""
        where = f"Projection {self.label!r}"
        synapse = self.synapse_type
        standard = isinstance(synapse, StandardSynapseType)
        for name, values in block.params.items():
            if name in ("weight", "delay"):
                continue  # checked below, with their own rules
            values = np.asarray(values)
            if standard:
                try:
                    synapse.check_parameter_value(name, values)
                except errors.InvalidParameterValueError as err:
                    raise validation.relabel(err, where) from None
            elif values.dtype.kind == "f" and not np.isfinite(values).all():
                raise errors.InvalidParameterValueError(
                    f"{where}: parameter {name!r} must be a finite number, "
                    f"got {values[~np.isfinite(values)][:3].tolist()}"
                )
        if standard:
            known = {**(unchanged or {}), **block.params}
            validation.check_relations(where, self._relations(), known)
        if "delay" in block.params:
            self._simulation.check_delays(
                block.params["delay"], f"Projection {self.label!r}", self.post.size
            )
        if "weight" in block.params:
            self._check_weights(block.params["weight"])

    def _relations(self) -> tuple:
        """The synapse type's relations, and those each connection's values must keep."""
        synapse = self.synapse_type
        return (*synapse.relations, *synapse.connection_relations)

    def _check_weights(self, w) -> None:
        """Finite weights, and PyNN's sign rule: >= 0, except current-based inhibitory
        weights, which are <= 0 (the connector's ``safe=False`` skips the sign rule only)."""
        w = np.asarray(w, dtype=float)
        if w.size == 0:
            return
        if not np.isfinite(w).all():
            raise errors.InvalidWeightError(f"Projection {self.label!r}: weights must be finite")
        if not self._connector.safe:
            return
        if getattr(self._post_celltypes()[0], "weight_unit", None) in ("mV", "native"):
            return  # delta synapses and native models: the sign is the effect
        if not self._conductance_based and self.receptor_type not in ("excitatory", "inhibitory"):
            return  # a named current receptor (PointNeuron): the sign is the effect, as in PyNN
        negative_expected = not self._conductance_based and self.receptor_type == "inhibitory"
        bad = w.max() > 0 if negative_expected else w.min() < 0
        if bad:
            raise errors.InvalidWeightError(
                f"Projection {self.label!r}: weights on receptor {self.receptor_type!r} of "
                f"{'current' if not self._conductance_based else 'conductance'}-based cells "
                f"must be {'<= 0' if negative_expected else '>= 0'} "
                f"(got values in [{w.min()}, {w.max()}])"
            )

    # -- size and iteration ----------------------------------------------------
    def __len__(self) -> int:
        return self._size

    def size(self, gather=True) -> int:
        """The number of connections; ``gather=False``: those on this MPI rank, where the
        backend holds each connection on its target's rank."""
        return self._size if gather else self._local_size

    def _connection_arrays(self, names=(), canonical=True) -> ConnectionArrays:
        """All connections with the named synapse values (standard units), in canonical
        order (``canonical=False``: in the backend's, which a pre x post array does not need)."""
        self._check_live("read", reading=True)
        pre, post, values = self._simulation.backend.connection_values(self._handle, list(names))
        if not canonical:
            return ConnectionArrays(pre, post, values)
        order = np.lexsort((pre, post))
        return ConnectionArrays(pre[order], post[order], {k: v[order] for k, v in values.items()})

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(f"connection {i} out of range for {self.label!r} ({len(self)})")
        return Connection(self, i % len(self))

    def __iter__(self):
        for i in range(len(self)):
            yield Connection(self, i)

    @property
    def connections(self):
        return iter(self)

    # -- get / set ---------------------------------------------------------------
    def get(self, attribute_names, format, gather=True, with_address=True, multiple_synapses="sum"):
        """Synapse attributes as a list of tuples ``(i, j, v...)`` or as pre x post arrays."""
        single = isinstance(attribute_names, str)
        names = self._attribute_names(attribute_names, "get")
        _check_choice(f"Projection {self.label!r}.get()", "format", format, self.FORMATS)
        if format == "array":
            _check_choice(
                f"Projection {self.label!r}.get()", "multiple_synapses", multiple_synapses,
                self.MULTI_SYNAPSE_OPERATIONS,
            )  # fmt: skip
        arrays = self._connection_arrays(names, canonical=format == "list")
        if format == "list":
            values = [arrays.params[n].astype(float).tolist() for n in names]
            if with_address:
                return list(zip(arrays.pre.tolist(), arrays.post.tolist(), *values, strict=True))
            return list(zip(*values, strict=True)) if len(values) > 1 else values[0]
        # the backend's order keeps the canonical order among a pair's multiple synapses
        # (lexsort is stable), which is all that 'first' and 'last' look at
        flat = arrays.pre * self.shape[1] + arrays.post
        out = [_as_array(flat, arrays.params[n], self.shape, multiple_synapses) for n in names]
        return out[0] if single else out

    def _attribute_names(self, attribute_names, call: str) -> list[str]:
        """The names ``get``/``save`` were given (a name or a list of names; ``'all'``:
        every attribute), each known to the synapse type."""
        call = f"Projection {self.label!r}.{call}()"
        names = self._expand_names(
            validation.names_argument(call, "attribute_names", attribute_names)
        )
        known = set(self.synapse_type.get_parameter_names()) | {"weight", "delay"}
        for name in names:
            if name not in known:
                raise errors.NonExistentParameterError(
                    name, type(self.synapse_type).__name__, sorted(known)
                )
        return names

    def _expand_names(self, names):
        if names in (["all"], ["connections"]):
            return ["weight", "delay"] + [
                n for n in self.synapse_type.get_parameter_names() if n not in ("weight", "delay")
            ]
        return names

    def set(self, **attributes) -> None:
        """Set synapse attributes on every connection.

        A value may be a scalar, a RandomDistribution, a pre x post array (as returned by
        ``get(name, format='array')``; entries where there is no connection are ignored),
        a 1-D array or list with one value per connection, in the order of the connections
        sorted by (pre index, post index) (PyNN's: the non-NaN entries of that array, row by
        row), a function ``f(d)`` of distance, or a string expression in ``d``.
        """
        known = set(self.synapse_type.get_parameter_names()) | {"weight", "delay"}
        known |= set(self.synapse_type.default_initial_values)  # state, for initialize()
        for name in attributes:
            if name not in known:
                raise errors.NonExistentParameterError(
                    name, type(self.synapse_type).__name__, sorted(known)
                )
        self._check_live("set")
        for name, value in attributes.items():
            if value is None:  # the synapse type's default, as at construction (PyNN's rule)
                value = self.synapse_type.default_parameters.get(name)
                if value is None and name == "delay":
                    value = self._simulation.default_delay
                if value is None:
                    raise errors.InvalidParameterValueError(
                        f"Projection {self.label!r}: set({name}=None): {name!r} has no default"
                    )
                attributes[name] = value
        pre, post, _ = self._simulation.backend.connection_values(self._handle, [])
        order = np.lexsort((pre, post))  # canonical: by post, then pre
        by_pre = np.lexsort((post, pre))  # the order of 1-D values given to set()
        to_canonical = np.empty(len(pre), dtype=np.int64)
        to_canonical[by_pre] = np.arange(len(pre))
        to_canonical = to_canonical[order]
        for name, value in attributes.items():
            if isinstance(value, (list, tuple, np.ndarray)) and np.ndim(value) == 1:
                value = np.asarray(value, dtype=float)
                if len(value) == len(pre):
                    attributes[name] = value[to_canonical]
        self._set_canonical(attributes, pre, post, order)

    def _set_canonical(self, attributes: dict, pre, post, order) -> None:
        """Set values; 1-D arrays are in canonical order (``order`` sorts native to canonical)."""
        ctx = self._context(attributes, local=False)
        canonical = ctx.finish(pre[order], post[order])
        ctx.check_complete()
        values = {}
        for name, v in canonical.params.items():
            native_order = np.empty_like(v)
            native_order[order] = v
            values[name] = native_order
        block = ConnectionArrays(pre, post, values)
        self._validate(block, self._partners(values))
        self._check_live("set")
        self._simulation.backend.set_connection_values(self._handle, values)

    def _partners(self, values: dict) -> dict:
        """Current values (native order) of the parameters related to those being set, so
        that ``set(w_min=...)`` is checked against the stored ``w_max``."""
        if not isinstance(self.synapse_type, StandardSynapseType):
            return {}
        names = {
            other
            for left, _, right in self._relations()
            if left in values or right in values
            for other in (left, right)
        } - set(values)
        if not names:
            return {}
        return self._simulation.backend.connection_values(self._handle, sorted(names))[2]

    def initialize(self, **initial_values) -> None:
        """Set initial values of synapse state variables (e.g. ``u`` of Tsodyks-Markram)."""
        self.set(**initial_values)

    # -- saving ------------------------------------------------------------------------
    def save(self, attribute_names, file, format="list", gather=True, with_address=True):
        """Write connections as text readable by FromFileConnector (``'all'`` = every attribute)."""
        names = self._attribute_names(attribute_names, "save")
        _check_choice(f"Projection {self.label!r}.save()", "format", format, self.FORMATS)
        f = StandardTextFile(file, mode="w") if isinstance(file, str) else file
        if format == "list":
            arrays = self._connection_arrays(names)
            cols = ([arrays.pre, arrays.post] if with_address else []) + [
                arrays.params[n] for n in names
            ]
            data = np.column_stack(cols) if cols else np.empty((0, 0))
            columns = (["i", "j"] if with_address else []) + names
            f.write(data, {"columns": columns})
        else:
            for name in names:
                f.write(np.nan_to_num(self.get(name, "array"), nan=0.0), {"attribute": name})
        f.close()

    # -- annotations / description ---------------------------------------------------
    def annotate(self, **annotations) -> None:
        self.annotations.update(annotations)

    def describe(self, template="projection_default.txt", engine="default"):
        context = {
            "label": self.label,
            "pre": self.pre.label,
            "post": self.post.label,
            "size": len(self),
            "receptor_type": self.receptor_type,
            "connector": self._connector.describe(template=None)
            if hasattr(self._connector, "describe")
            else repr(self._connector),
            "synapse_type": self.synapse_type.describe(template=None),
        }
        return describing.render(template, context)

    # -- native handles ------------------------------------------------------------------
    @property
    def nest_connections(self):
        self._check_live("nest_connections", reading=True)
        return self._simulation.backend.native_connections(self._handle)

    @property
    def nest_synapse_model(self):
        self._check_live("nest_synapse_model", reading=True)
        return self._simulation.backend.native_synapse_model(self._handle)

    def _check_live(self, action: str, reading: bool = False) -> None:
        check_live(self._simulation, f"Projection {self.label!r} ({action})", reading)

    def __repr__(self):
        return f"Projection({self.label!r}, {len(self)} connections)"

    # -- deprecated API -----------------------------------------------------------------
    def setWeights(self, w):
        deprecated("Projection.setWeights", "set(weight=...)")
        self.set(weight=w)

    def randomizeWeights(self, rand_distr):
        deprecated("Projection.randomizeWeights", "set(weight=...)")
        self.set(weight=rand_distr)

    def setDelays(self, d):
        deprecated("Projection.setDelays", "set(delay=...)")
        self.set(delay=d)

    def randomizeDelays(self, rand_distr):
        deprecated("Projection.randomizeDelays", "set(delay=...)")
        self.set(delay=rand_distr)

    def setSynapseDynamics(self, param, value):
        deprecated("Projection.setSynapseDynamics", "set(...)")
        self.set(**{param: value})

    def randomizeSynapseDynamics(self, param, rand_distr):
        deprecated("Projection.randomizeSynapseDynamics", "set(...)")
        self.set(**{param: rand_distr})

    def getWeights(self, format="list", gather=True):
        deprecated("Projection.getWeights", "get('weight', format)")
        return self._legacy_get("weight", format)

    def getDelays(self, format="list", gather=True):
        deprecated("Projection.getDelays", "get('delay', format)")
        return self._legacy_get("delay", format)

    def getSynapseDynamics(self, parameter_name, format="list", gather=True):
        deprecated("Projection.getSynapseDynamics", "get(name, format)")
        return self._legacy_get(parameter_name, format)

    def _legacy_get(self, name, format):
        if format == "list":
            return [v for *_, v in self.get(name, "list")]
        return self.get(name, format)

    def saveConnections(self, file, gather=True, compatible_output=True):
        deprecated("Projection.saveConnections", "save('all', file)")
        self.save("all", file)

    def printWeights(self, file, format="list", gather=True):
        deprecated("Projection.printWeights", "save('weight', file)")
        self.save("weight", file, format)

    def printDelays(self, file, format="list", gather=True):
        deprecated("Projection.printDelays", "save('delay', file)")
        self.save("delay", file, format)

    def weightHistogram(self, min=None, max=None, nbins=10):
        deprecated("Projection.weightHistogram", "numpy.histogram(get('weight', 'list'))")
        w = np.array(self._legacy_get("weight", "list"))
        return np.histogram(w, bins=nbins, range=(min, max) if min is not None else None)


class Connection:
    """One connection of a projection, read (and written) through the projection."""

    def __init__(self, projection: Projection, index: int):
        self._projection = projection
        self._index = index

    def _arrays(self, names=()):
        return self._projection._connection_arrays(names)

    @property
    def presynaptic_index(self) -> int:
        return int(self._arrays().pre[self._index])

    @property
    def postsynaptic_index(self) -> int:
        return int(self._arrays().post[self._index])

    @property
    def presynaptic_cell(self) -> ID:
        return self._projection.pre[self.presynaptic_index]

    @property
    def postsynaptic_cell(self) -> ID:
        return self._projection.post[self.postsynaptic_index]

    source = presynaptic_cell
    target = postsynaptic_cell

    def __getattr__(self, name):
        prj = object.__getattribute__(self, "_projection")
        if name in ("weight", "delay") or name in prj.synapse_type.get_parameter_names():
            return float(self._arrays([name]).params[name][self._index])
        raise AttributeError(name)

    def __setattr__(self, name, value):
        """``c.weight = w`` writes to the simulator (as PyNN's Connection does), through the
        projection so the usual checks apply; other attributes are plain ones."""
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        prj = self._projection
        if name in ("weight", "delay") or name in prj.synapse_type.get_parameter_names():
            values = self._arrays([name]).params[name].astype(float)
            values[self._index] = value
            pre, post, _ = prj._simulation.backend.connection_values(prj._handle, [])
            prj._set_canonical({name: values}, pre, post, np.lexsort((pre, post)))
        else:
            raise AttributeError(f"a Connection has no attribute {name!r} to set")

    def as_tuple(self, *attribute_names):
        arrays = self._arrays(attribute_names)
        return (
            int(arrays.pre[self._index]),
            int(arrays.post[self._index]),
            *(float(arrays.params[n][self._index]) for n in attribute_names),
        )


def _as_array(flat, v, shape, multiple_synapses: str) -> np.ndarray:
    """A pre x post array of the values ``v`` of the connections at flat positions ``flat``
    (NaN where there is none), ``multiple_synapses`` combining those of one pair."""
    size = shape[0] * shape[1]
    v = np.asarray(v, dtype=float)
    if multiple_synapses == "sum":  # bincount: one pass, unlike ufunc.at
        present = np.bincount(flat, minlength=size) > 0
        a = np.bincount(flat, weights=v, minlength=size).astype(float)  # int when empty
        a[~present] = np.nan
        return a.reshape(shape)
    a = np.full(size, np.nan)
    if multiple_synapses in ("first", "last"):
        # numpy leaves the winner among repeated fancy indices unspecified
        if multiple_synapses == "last":
            flat, v = flat[::-1], v[::-1]
        _, pick = np.unique(flat, return_index=True)
        a[flat[pick]] = v[pick]
    else:
        _MULTI[multiple_synapses].at(a, flat, v)  # fmin/fmax ignore the initial NaN
    return a.reshape(shape)


def _last_weight(weight, shape):
    """The weight of connection (pre.size - 1, post.size - 1), whose sign PyNN uses to guess
    the receptor type; a random weight is sampled from a copy, so the real stream is untouched.
    None when it cannot be known before connecting (e.g. a function of distance)."""
    scalar = _scalar(weight)
    if scalar is not None or not all(shape):
        return scalar
    base = getattr(weight, "base_value", weight)
    try:
        if is_random(base):
            return float(_draw(copy.deepcopy(base), 1)[0])
        if isinstance(base, np.ndarray) and not getattr(weight, "operations", None):
            return float(np.asarray(base, dtype=float).reshape(-1)[-1])
        return None
    except Exception:  # only a guess: an uncopyable RNG must not break the projection
        return None


def _scalar(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _shown(value) -> str:
    """A value as a message names it: its repr (shortened) and its type."""
    text = repr(value)
    text = text if len(text) <= 80 else f"{text[:77]}..."
    return f"{text} ({type(value).__name__})"


def _check_choice(call: str, argument: str, value, choices: tuple) -> None:
    if not isinstance(value, str) or value not in choices:
        raise errors.InvalidParameterValueError(
            f"{call}: {argument} must be one of {', '.join(map(repr, choices))}, got {value!r}"
        )


def _check_group(group, role: str) -> None:
    """Refuse a side that is not a group of cells (a single ID, a list, None)."""
    if not isinstance(group, (BasePopulation, Assembly)):
        hint = " (select cells with a view, e.g. p[0:1])" if isinstance(group, ID) else ""
        raise TypeError(
            f"Projection: the {role} population must be a Population, PopulationView or "
            f"Assembly, got {_shown(group)}{hint}"
        )


def _check_connector(connector) -> None:
    if isinstance(connector, type) and issubclass(connector, Connector):
        raise TypeError(
            f"Projection: connector must be a connector instance, got the class "
            f"{connector.__name__} (call it: {connector.__name__}(...))"
        )
    if not isinstance(connector, Connector):
        raise TypeError(
            "Projection: connector must be a connector (e.g. AllToAllConnector()), "
            f"got {_shown(connector)}"
        )


def _check_synapse_type(synapse_type) -> None:
    """A synapse type instance: a standard one, or a backend's native one (whose class says
    ``is_native``); a class, a cell type or anything else is refused naming what it got."""
    if isinstance(synapse_type, type):
        raise TypeError(
            f"Projection: synapse_type must be a synapse type instance, got the class "
            f"{synapse_type.__name__} (call it: {synapse_type.__name__}(...))"
        )
    native = getattr(type(synapse_type), "is_native", False) and not isinstance(
        synapse_type, (StandardModelType, NativeCellType)
    )
    if not (isinstance(synapse_type, StandardSynapseType) or native):
        raise TypeError(
            f"Projection: synapse_type must be a synapse type (e.g. StaticSynapse()), "
            f"got {_shown(synapse_type)}"
        )
    if isinstance(synapse_type, STDPMechanism):
        for slot in ("timing_dependence", "weight_dependence"):
            if getattr(synapse_type, slot) is None:
                raise errors.InvalidModelError(
                    f"Projection: an STDPMechanism needs a {slot} (it has none)"
                )


def _check_group_live(group, what: str) -> None:
    """Refuse a population, view or assembly whose simulation has ended or been replaced."""
    members = getattr(group, "populations", None)
    for member in members if members is not None else [group]:
        owner = getattr(member, "_owner_population", None)
        if owner is not None:
            check_live(owner()._simulation, f"{what}{type(member).__name__} {member.label!r}")


def _has_value_lists(values) -> bool:
    """True if a synapse value is a 1-D list or array (one value per connection)."""
    for spec in values.values():
        spec = getattr(spec, "base_value", spec)
        if isinstance(spec, (np.ndarray, list, tuple)) and np.ndim(spec) == 1:
            return True
    return False


def _side(group) -> Side:
    """The data a backend needs about one side of a projection (see common/backend.py)."""
    members = group.populations if isinstance(group, Assembly) else [group]
    parts = []
    for m in members:
        pop, idx = m._population_and_indices()
        parts.append(Member(pop._handle, np.asarray(idx, np.int64), pop.celltype, pop.size,
                            pop._parameters))  # fmt: skip
    return Side(np.asarray(group._ids, np.int64), tuple(parts))
