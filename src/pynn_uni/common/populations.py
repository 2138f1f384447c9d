"""Population and PopulationView: groups of cells of one type.

A Population owns its description (cell type, standard parameter values, initial values,
structure) and a backend handle.  Views (and assemblies, :mod:`pynn_uni.common.assembly`)
are index arrays over populations: every operation maps to (population, indices) and goes
to the backend in bulk; single cells are :class:`~pynn_uni.common.ids.ID`.
Parameter values are read back from the description, never from the simulator, so a
value round-trips exactly (PyNN's NEST ``tau_m`` 15.0 -> 14.999999999999998 does not).
"""

from __future__ import annotations

import contextlib
import itertools
import math
import numbers
import warnings

import numpy as np

from pynn_uni import errors
from pynn_uni._lazyarray import larray
from pynn_uni.common import budget, describing, validation
from pynn_uni.common.assembly import Assembly
from pynn_uni.common.backend import PopulationSpec
from pynn_uni.common.deprecation import deprecated
from pynn_uni.common.ids import ID
from pynn_uni.common.models import StandardCellType, StandardCurrentSource
from pynn_uni.common.models.native import NativeCellType
from pynn_uni.common.recording import Recorder
from pynn_uni.common.selection import (
    check_index,
    check_sample_size,
    is_single,
    normalise_selector,
)
from pynn_uni.common.simulation import check_live, check_namespace, current_simulation
from pynn_uni.parameters import (
    ArrayParameter,
    ParameterSpace,
    simplify,
    with_private_generators,
)
from pynn_uni.random import NumpyRNG
from pynn_uni.recording import check_writable, write_block
from pynn_uni.recording.files import StandardTextFile
from pynn_uni.space import Grid2D, Grid3D, Line

_population_counter = itertools.count()


class BasePopulation:
    """What Population, PopulationView share: everything addressed through indices."""

    def _check_live(self, action: str) -> None:
        """Refuse ``action`` once the simulation of these cells has ended or been replaced."""
        check_live(
            self._owner_population()._simulation,
            f"{type(self).__name__} {self.label!r} ({action})",
        )

    # -- containers ---------------------------------------------------------
    def __len__(self) -> int:
        return self.size

    def __iter__(self):
        return iter(self.all_cells)

    def all(self):
        return iter(self.all_cells)

    @property
    def local_size(self) -> int:
        return int(self._local_mask.sum())

    @property
    def local_cells(self) -> np.ndarray:
        return self.all_cells[self._local_mask]

    @property
    def _local_mask(self) -> np.ndarray:
        """Which cells this MPI rank simulates (a backend that distributes says so)."""
        pop, idx = self._population_and_indices()
        return np.asarray(pop._simulation.backend.local_mask(pop._handle), bool)[idx]

    @property
    def all_cells(self) -> np.ndarray:
        cells = np.empty(self.size, dtype=object)
        owner = self._owner_population()
        cells[:] = [ID(v, owner) for v in self._ids]
        return cells

    def __getitem__(self, index):
        """A cell (int index) or a view (slice, integer array, boolean mask of the size)."""
        if is_single(index):
            i = check_index(index, self.size, f"{type(self).__name__} {self.label!r}")
            return ID(self._ids[i], self._owner_population())
        return PopulationView(self, index)

    def __add__(self, other):
        return Assembly(self, other)

    @property
    def first_id(self) -> ID:
        return self[0]

    @property
    def last_id(self) -> ID:
        return self[self.size - 1]

    def id_to_index(self, id):
        """Index (or indices) of cell ID(s) in this group; IndexError for foreign IDs."""
        ids = np.asarray(id, dtype=np.int64)
        order = self._id_order()
        pos = np.searchsorted(self._ids, ids, sorter=order)
        pos = np.clip(pos, 0, self.size - 1)
        found = order[pos]
        if np.any(self._ids[found] != ids):
            raise IndexError(f"ID(s) {ids[self._ids[found] != ids]} not in {self.label!r}")
        return int(found) if np.ndim(id) == 0 else found

    def id_to_local_index(self, id):
        return self.id_to_index(id)

    def is_local(self, id):
        return self._local_mask[self.id_to_index(id)]

    def _id_order(self) -> np.ndarray:
        if getattr(self, "_id_sorter", None) is None:
            self._id_sorter = np.argsort(self._ids, kind="stable")
        return self._id_sorter

    @property
    def conductance_based(self) -> bool:
        return bool(self.celltype.conductance_based)

    @property
    def receptor_types(self) -> list[str]:
        return list(self.celltype.receptor_types)

    @property
    def injectable(self) -> bool:
        return bool(self.celltype.injectable)

    def can_record(self, variable: str) -> bool:
        return self.celltype.can_record(variable)

    def find_units(self, variable):
        """Unit string of a recordable or parameter (PyNN raised AttributeError: fixed)."""
        if isinstance(variable, str):
            return self.celltype.units.get(variable, "dimensionless")
        return [self.find_units(v) for v in variable]

    # -- parameters ---------------------------------------------------------
    def get(self, parameter_names, gather=False, simplify=True):
        """Parameter value(s) in standard units: a scalar when homogeneous and ``simplify``."""
        call = f"{type(self).__name__} {self.label!r}.get()"
        names = validation.names_argument(call, "parameter_names", parameter_names)
        pop, idx = self._population_and_indices()
        values = []
        for name in names:
            if name not in pop._parameters:
                raise errors.NonExistentParameterError(
                    name, type(pop.celltype).__name__, pop.celltype.get_parameter_names()
                )
            values.append(pop._parameter_values(name, idx, simplify))
        return values[0] if isinstance(parameter_names, str) else values

    def set(self, **parameters) -> None:
        """Set parameters: scalars, arrays, RandomDistributions, callables ``f(i)``, Sequences."""
        self._check_live("set")
        pop, idx = self._population_and_indices()
        pop._set_parameters(idx, parameters)

    def initialize(self, **initial_values) -> None:
        """Set initial values of state variables (applied now and at every ``reset()``)."""
        self._check_live("initialize")
        pop, idx = self._population_and_indices()
        pop._initialize(idx, initial_values)

    def initial_values_of(self, variable: str) -> np.ndarray:
        pop, idx = self._population_and_indices()
        return np.broadcast_to(pop._initial[variable], (pop.size,))[idx]

    def rset(self, parametername, rand_distr):
        deprecated("rset", "set()")
        self.set(**{parametername: rand_distr})

    def tset(self, parametername, value_array):
        deprecated("tset", "set()")
        self.set(**{parametername: value_array})

    # -- current injection -------------------------------------------------
    def inject(self, current_source) -> None:
        if not isinstance(current_source, StandardCurrentSource):
            raise TypeError(
                f"{type(self).__name__} {self.label!r}.inject(): expects a current source "
                f"(e.g. DCSource()), got {current_source!r} ({type(current_source).__name__})"
            )
        self._check_live("inject")
        if not self.celltype.injectable:
            raise TypeError(f"{self.label!r}: cells of type {self.celltype} cannot take current")
        current_source.inject_into(self)

    # -- recording ----------------------------------------------------------
    def record(self, variables, to_file=None, sampling_interval=None, locations=None):
        """Record ``variables`` ('spikes', 'v', ...; a list, or None to stop) from these cells.
        ``to_file``: written at ``end()``; its folder must be writable now."""
        self._check_live("record")
        pop, idx = self._population_and_indices()
        to_file = None if to_file is False else to_file  # PyNN: False is 'no file'
        if to_file is not None:
            check_writable(to_file, f"{self.label!r}.record(to_file=...)")
        pop.recorder.record(variables, idx, sampling_interval)
        if to_file is not None:
            current_simulation().write_on_end.append((self, variables, to_file))

    def record_v(self, to_file=True):
        deprecated("record_v", "record('v')")
        self.record("v", to_file=None if to_file is True else to_file)

    def record_gsyn(self, to_file=True):
        deprecated("record_gsyn")
        self.record(["gsyn_exc", "gsyn_inh"], to_file=None if to_file is True else to_file)

    def get_data(self, variables="all", gather=True, clear=False, annotations=None, locations=None):
        """Recorded data as a ``neo.Block`` (one Segment per run between resets)."""
        annotations = validation.annotations_argument("get_data()", annotations)
        pop, idx = self._population_and_indices()
        block = pop.recorder.get_block(variables, idx, clear=clear, group=self)
        if annotations:
            block.annotate(**annotations)
        return block

    def write_data(
        self, io, variables="all", gather=True, clear=False, annotations=None, locations=None
    ):
        """Write recorded data to a Neo IO or a file name (format from the extension).

        A file is written atomically; ``clear`` forgets the data only once it is written."""
        write_block(io, self.get_data(variables, gather, False, annotations), gather)
        if clear:
            self._owner_population().recorder.clear()

    def get_spike_counts(self, gather=True) -> dict:
        """Spike count per cell whose spikes are recorded, keyed by ID."""
        pop, idx = self._population_and_indices()
        idx, counts = pop.recorder.spike_counts(idx)
        return {ID(pop._ids[i], pop): int(c) for i, c in zip(idx, counts, strict=True)}

    def mean_spike_count(self, gather=True) -> float:
        """Mean spike count over the cells whose spikes are recorded (NaN if none)."""
        pop, idx = self._population_and_indices()
        counts = pop.recorder.spike_counts(idx)[1]
        return float(np.mean(counts)) if len(counts) else float("nan")

    def meanSpikeCount(self, gather=True):
        deprecated("meanSpikeCount")
        return self.mean_spike_count(gather)

    def printSpikes(self, file, gather=True, compatible_output=True):
        deprecated("printSpikes", "write_data()")
        self.write_data(file, "spikes", gather)

    def getSpikes(self, gather=True, compatible_output=True):
        deprecated("getSpikes", "get_data()")
        seg = self.get_data("spikes", gather).segments[-1]
        rows = [(st.annotations["source_index"], t) for st in seg.spiketrains for t in st.magnitude]
        return np.array(rows).reshape(-1, 2)

    def print_v(self, file, gather=True, compatible_output=True):
        deprecated("print_v", "write_data()")
        self.write_data(file, "v", gather)

    def get_v(self, gather=True, compatible_output=True):
        deprecated("get_v", "get_data()")
        return self.get_data("v", gather).segments[-1].analogsignals

    def print_gsyn(self, file, gather=True, compatible_output=True):
        deprecated("print_gsyn", "write_data()")
        self.write_data(file, ["gsyn_exc", "gsyn_inh"], gather)

    def get_gsyn(self, gather=True, compatible_output=True):
        deprecated("get_gsyn", "get_data()")
        return self.get_data(["gsyn_exc", "gsyn_inh"], gather).segments[-1].analogsignals

    # -- space --------------------------------------------------------------
    def nearest(self, position) -> ID:
        pos = np.asarray(position, dtype=float).reshape(3, 1)
        return self[int(np.argmin(((self.positions - pos) ** 2).sum(axis=0)))]

    def sample(self, n: int, rng=None) -> PopulationView:
        """A random view of ``n`` cells (rng: a NumpyRNG; unseeded by default, as in PyNN)."""
        n = check_sample_size(n, self.size, f"{type(self).__name__} {self.label!r}")
        rng = rng or NumpyRNG()
        indices = rng.permutation(np.arange(self.size))[:n]
        return PopulationView(self, np.sort(indices), label=f"sample of {self.label!r}")

    def save_positions(self, file) -> None:
        f = StandardTextFile(file, mode="w") if isinstance(file, str) else file
        data = np.column_stack([np.arange(self.size), self.positions.T])
        f.write(data, {"population": self.label})
        f.close()

    # -- annotations / description -----------------------------------------
    def annotate(self, **annotations) -> None:
        self.annotations.update(annotations)

    def describe(self, template="population_default.txt", engine="default"):
        context = {
            "label": self.label,
            "size": self.size,
            "celltype": self.celltype.describe(template=None),
            "first_id": int(self._ids[0]) if self.size else None,
            "last_id": int(self._ids[-1]) if self.size else None,
            "structure": getattr(getattr(self, "structure", None), "describe", lambda **k: None)(
                template=None
            ),
            "annotations": dict(self.annotations),
        }
        return describing.render(template, context)


class Population(BasePopulation):
    """A group of cells of one type, created in the simulator at once.

    ``Population(size, cellclass, cellparams=None, structure=None, initial_values={},
    label=None)``: ``cellclass`` is a cell type instance (a class plus ``cellparams`` is
    accepted with a DeprecationWarning); a tuple ``size`` implies a Line/Grid2D/Grid3D.
    ``placement`` (an extension, e.g. ``{"block": 1}``) is handed to backends that place
    cells on hardware; the others never see it.  A size is a non-negative int; one whose
    cells would not fit in memory (:mod:`~pynn_uni.common.budget`) is refused with
    ``ResourceLimitError`` before anything is created.
    """

    #: the backend module whose ``Population`` this is (set on its subclass there)
    _namespace: str | None = None

    def __init__(
        self,
        size,
        cellclass,
        cellparams=None,
        structure=None,
        initial_values=None,
        label=None,
        placement=None,
    ):
        if self._namespace is not None:  # built through a backend module: that backend's
            check_namespace(self._namespace, "Population()")
        sim = current_simulation()
        if isinstance(size, tuple):
            if structure is not None:
                raise errors.InvalidDimensionsError(
                    "give either a tuple size or a structure, not both"
                )
            for extent in size:
                _check_size(extent, f"Population({size!r})")
            structure = _structure_for_shape(size)
            size = math.prod(int(extent) for extent in size)  # no int64 overflow
        size = _check_size(size, "Population()")
        if isinstance(cellclass, type):
            warnings.warn(
                "passing a cell type class plus cellparams is deprecated; pass an instance",
                DeprecationWarning,
                stacklevel=2,
            )
            celltype = _check_celltype(cellclass)(**(cellparams or {}))
        else:
            if cellparams:
                raise TypeError("cellparams is only allowed with a cell type class")
            celltype = _check_celltype(cellclass)
        n_values = len(celltype.default_parameters) + len(celltype.default_initial_values)
        budget.check_memory(
            budget.population_bytes(size, n_values),
            f"Population({size}, {type(celltype).__name__}"
            + (f", label={label!r})" if label else ")"),
            "create fewer cells",
        )
        self.size = size
        self.celltype = celltype
        self.label = label or f"population{next(_population_counter)}"
        self.annotations = {}
        self._structure = structure
        self._positions = None
        self._simulation = sim
        ps = ParameterSpace(  # a seeded generator is not advanced (PyNN's rule)
            with_private_generators(dict(celltype.parameter_space.items())),
            celltype.get_schema(),
            shape=(self.size,),
            component=type(celltype),
        )
        ps.evaluate(simplify=True)
        self._parameters = dict(ps.items())
        self._check_values(self._parameters)
        options = {} if placement is None else {"placement": placement}
        spec = PopulationSpec(self.label, celltype, self.size, options)
        self._handle = sim.backend.create(spec, self._parameters)
        self._ids = np.asarray(sim.backend.ids(self._handle), dtype=np.int64)
        self._initial = dict(celltype.default_initial_values)
        if initial_values:  # drawn in the cell type's order of state variables, as PyNN does
            order = list(celltype.default_initial_values)
            ordered = sorted(initial_values, key=lambda k: order.index(k) if k in order else -1)
            self._store_initial(np.arange(self.size), {k: initial_values[k] for k in ordered})
        self._apply_initial_values()
        self.recorder = Recorder(self, sim)
        sim.populations.append(self)

    def _owner_population(self):
        return self

    def _population_and_indices(self):
        return self, np.arange(self.size)

    @property
    def _mask(self):
        return slice(None)

    # -- native handle ------------------------------------------------------
    @property
    def node_collection(self):
        """The NEST NodeCollection of this population (NEST backend only)."""
        return self._simulation.backend.native_handle(self._handle)

    # -- structure ----------------------------------------------------------
    @property
    def structure(self):
        return self._structure

    @structure.setter
    def structure(self, structure):
        self._structure = structure
        self._positions = None

    @property
    def position_generator(self):
        return lambda i: self.positions[:, i]

    @property
    def positions(self) -> np.ndarray:
        """3 x N array of cell positions (µm by convention)."""
        if self._positions is None:
            structure = self._structure or Line()
            self._positions = np.asarray(structure.generate_positions(self.size), dtype=float)
        return self._positions

    @positions.setter
    def positions(self, pos):
        pos = np.asarray(pos, dtype=float)
        if pos.shape != (3, self.size):
            raise errors.InvalidDimensionsError(
                f"positions of {self.label!r} must have shape (3, {self.size}), got {pos.shape}"
            )
        self._positions = pos.copy()
        self._structure = None

    def _set_position(self, index, pos):
        positions = self.positions.copy()
        positions[:, index] = pos
        self.positions = positions

    @property
    def initial_values(self) -> dict:
        """Each state variable's initial values as a lazy array over the cells, as in PyNN
        (``.evaluate(simplify=True)`` gives one number when every cell shares it)."""
        return {name: larray(value, shape=(self.size,)) for name, value in self._initial.items()}

    # -- parameters (called with indices by views and IDs) ------------------
    def _parameter_values(self, name, idx, simplify_):
        value = self._parameters[name]
        if isinstance(value, np.ndarray) and value.shape == (self.size,):
            selected = value[idx]
            return simplify(selected) if simplify_ else selected
        if simplify_:
            return value
        return _filled(len(idx), value)

    def _get_one(self, id, name):
        return self._parameter_values(name, np.array([self.id_to_index(id)]), True)

    def _set_parameters(self, idx, parameters) -> None:
        celltype = self.celltype
        for name in parameters:
            if name not in self._parameters:
                raise errors.NonExistentParameterError(
                    name, type(celltype).__name__, celltype.get_parameter_names()
                )
        # values are relative to the selection, as in PyNN: an array has one value per
        # selected cell and a function f(i) gets the index within the view; a random
        # distribution draws len(idx) values from a copy of its generator (see
        # with_private_generators), so the generator itself is not advanced
        call = f"set({', '.join(parameters)})"
        with self._named(call):
            ps = ParameterSpace(
                with_private_generators(parameters),
                celltype.get_schema(),
                shape=(len(idx),),
                component=type(celltype),
            )
            ps.evaluate(simplify=True)
        updates = dict(ps.items())
        self._check_values(updates, call)
        new = dict(self._parameters)
        whole = len(idx) == self.size
        for name, value in updates.items():
            new[name] = value if whole else _assign(new[name], idx, value, self.size)
        related = {k: new[k] for k in new if k in updates or _related(celltype, k)}
        self._check_values(related, call)
        # the description changes only once the backend has taken the values: a refused set
        # leaves get() and the simulator agreeing on the old ones
        backend, changed = self._simulation.backend, list(updates)
        try:
            backend.set(self._handle, idx, new, changed)
        except Exception:
            with contextlib.suppress(Exception):  # undo what a partial set applied
                backend.set(self._handle, idx, self._parameters, changed)
            raise
        self._parameters = new

    def _check_values(self, values, call: str = "") -> None:
        """The common checks (finite, ranges, ``v_reset < v_thresh``, spike times), named
        after this population; run before the backend sees the values."""
        check = getattr(self.celltype, "check_values", None)
        if check is not None:
            with self._named(call):
                check(values)

    @contextlib.contextmanager
    def _named(self, call: str = ""):
        """Put this population's label (and the call) in front of a refused value's message."""
        try:
            yield
        except errors.InvalidParameterValueError as err:
            where = f"Population {self.label!r}" + (f" {call}" if call else "")
            raise validation.relabel(err, where) from None

    def _store_initial(self, idx, values) -> None:
        celltype = self.celltype
        for name, value in values.items():
            if name not in celltype.default_initial_values:
                raise errors.NonExistentParameterError(
                    name,
                    f"{type(celltype).__name__} (initial values)",
                    celltype.default_initial_values,
                )
            with self._named(f"initialize({name})"):
                if isinstance(value, str):  # no expression: only synapse values have one
                    validation.check_initial_value(type(celltype).__name__, name, value)
                ps = ParameterSpace(
                    {name: value}, None, shape=(len(idx),), component=type(celltype)
                )
                ps.evaluate(simplify=True)  # relative to the selection, like _set_parameters
                new = ps[name]
                validation.check_initial_value(type(celltype).__name__, name, new)
            if len(idx) == self.size:
                self._initial[name] = new
            else:
                full = np.array(np.broadcast_to(self._initial[name], (self.size,)), dtype=float)
                full[idx] = new
                self._initial[name] = full

    def _initialize(self, idx, values) -> None:
        self._store_initial(idx, values)
        self._apply_initial_values(list(values))

    def _apply_initial_values(self, names=None) -> None:
        values = {k: v for k, v in self._initial.items() if names is None or k in names}
        if values and self.size:
            self._simulation.backend.initialize(self._handle, values)

    def __repr__(self):
        return f"Population({self.size}, {self.celltype!r}, label={self.label!r})"


class PopulationView(BasePopulation):
    """A subset of a population (or of another view): slice, index array or boolean mask."""

    def __init__(self, parent, selector, label=None):
        self.parent = parent
        self.mask = normalise_selector(
            selector, parent.size, f"{type(parent).__name__} {parent.label!r}"
        )
        self.size = int(self.mask.size)
        self.label = label or f"view of {parent.label!r} with size {self.size}"
        self.annotations = {}
        self._ids = parent._ids[self.mask]
        self.celltype = parent.celltype

    @property
    def grandparent(self) -> Population:
        return self.parent if isinstance(self.parent, Population) else self.parent.grandparent

    def _owner_population(self):
        return self.grandparent

    def _population_and_indices(self):
        return self.grandparent, self.index_in_grandparent(np.arange(self.size))

    def index_in_grandparent(self, indices):
        idx = self.mask[np.asarray(indices)]
        if isinstance(self.parent, PopulationView):
            return self.parent.index_in_grandparent(idx)
        return idx

    def index_from_parent_index(self, indices):
        """Indices in this view of the given parent indices."""
        return np.searchsorted(self.mask, indices)

    @property
    def structure(self):
        return self.parent.structure

    @property
    def positions(self) -> np.ndarray:
        return self.parent.positions[:, self.mask]

    @property
    def position_generator(self):
        return lambda i: self.positions[:, i]

    @property
    def recorder(self):
        return self.grandparent.recorder

    @property
    def initial_values(self):
        raise NotImplementedError("initial_values is available on the parent Population")

    def _get_one(self, id, name):
        return self.grandparent._get_one(id, name)

    def __eq__(self, other):
        return isinstance(other, PopulationView) and np.array_equal(self._ids, other._ids)

    def __ne__(self, other):
        return not self == other

    __hash__ = object.__hash__

    def describe(self, template="populationview_default.txt", engine="default"):
        context = {
            "label": self.label,
            "parent": self.parent.label,
            "size": self.size,
            "mask": self.mask.tolist() if self.size < 50 else f"{self.size} indices",
        }
        return describing.render(template, context)

    def __repr__(self):
        return f"PopulationView({self.parent.label!r}, size={self.size})"


# -- helpers -------------------------------------------------------------------
def _check_celltype(cellclass):
    """A cell type instance (or, with ``cellparams``, class): standard or native."""
    kinds = (StandardCellType, NativeCellType)
    is_class = isinstance(cellclass, type)
    ok = issubclass(cellclass, kinds) if is_class else isinstance(cellclass, kinds)
    if not ok:
        name = cellclass.__name__ if is_class else repr(cellclass)
        raise TypeError(
            f"Population(): the cell type must be a cell type instance such as "
            f"IF_cond_exp(), got {name} ({type(cellclass).__name__})"
        )
    return cellclass


def _check_size(size, call: str) -> int:
    """A number of cells: an int or numpy integer >= 0 (a bool, float or string is not)."""
    if isinstance(size, (bool, np.bool_)) or not isinstance(size, numbers.Integral) or size < 0:
        raise errors.InvalidDimensionsError(
            f"{call}: a size must be a non-negative int, got {size!r} ({type(size).__name__})"
        )
    return int(size)


def _structure_for_shape(shape: tuple):
    if len(shape) == 1:
        return Line()
    if len(shape) == 2:
        return Grid2D(aspect_ratio=shape[0] / shape[1])
    if len(shape) == 3:
        return Grid3D(shape[0] / shape[1], shape[0] / shape[2])
    raise errors.InvalidDimensionsError(f"a Population shape has 1 to 3 dimensions, got {shape}")


def _filled(n: int, value) -> np.ndarray:
    """``n`` copies of one parameter value: an object array for array-valued parameters."""
    out = np.empty(n, dtype=object if isinstance(value, ArrayParameter) else float)
    out.fill(value)
    return out


def _related(celltype, name: str) -> bool:
    return any(name in relation for relation in getattr(celltype, "relations", ()))


def _assign(current, idx, value, size: int) -> np.ndarray:
    """A new per-cell array: ``current`` (one value or per cell) with ``value`` at ``idx``."""
    out = current.copy() if isinstance(current, np.ndarray) else _filled(size, current)
    out[idx] = value
    return out
