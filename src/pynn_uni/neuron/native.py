"""NEURON-native cell types: a NEURON ``ARTIFICIAL_CELL`` mechanism, or a Python class whose
instances build their own sections, as the cell type of a Population.

Names, units and weights are NEURON's own (no translation).  Unlike pynn_uni's standard
cells, which advance on NEST's time grid, these cells are integrated by NEURON itself:
sections by its fixed-step (or CVODE) solver, artificial cells by their own NET_RECEIVE.
The backend hands every population of a :class:`NeuronNativeCellType` to the functions
below (create, set, initialise, record, connect).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pynn_uni import errors
from pynn_uni.common.models.native import NativeCellType
from pynn_uni.neuron.hoc import neuron_h

#: built-in artificial cells on which a positive NetCon weight excites and a negative one inhibits
SIGNED = frozenset({"IntFire1", "IntFire2", "IntFire4"})
#: initial values of NEURON's built-in artificial cells (their state, 0 after INITIAL)
ARTIFICIAL_STATES = {"IntFire1": ("m",), "IntFire2": ("m", "i"), "IntFire4": ("m", "e", "i1", "i2")}


class NeuronNativeCellType(NativeCellType):
    """Base of the classes made by :func:`native_cell_type` (NEURON names and units):
    ``native_model`` is the mechanism or class name, ``realisation`` how the backend
    builds and wires the cells (an _Artificial or a _Template)."""

    realisation: _Artificial | _Template


def realisation_of(celltype):
    """How the backend builds a native type's cells; None for any other cell type."""
    return celltype.realisation if isinstance(celltype, NeuronNativeCellType) else None


def native_cell_type(model) -> type:
    """A cell type class for NEURON ``model``, usable in ``Population`` like a standard type.

    ``model`` is the name of an ``ARTIFICIAL_CELL`` mechanism (``'IntFire1'``, ``'IntFire4'``,
    or one loaded with ``h.nrn_load_dll``): its PARAMETERs with their NEURON defaults are the
    parameters, its RANGE variables the recordables; or a class whose instances build their
    own sections, declaring ``default_parameters`` (passed to the constructor, one instance
    per cell), optionally ``recordable`` (``'v'`` of the spike source section, or names of
    ``_ref_`` attributes: ``'x'`` is ``cell._ref_x``, ``'syn.i'`` is ``cell.syn._ref_i``),
    ``receptor_types`` (receptor name -> attribute holding a synapse point process),
    ``spike_source`` (attribute holding the section whose v is watched; ``'soma'``) and
    ``default_initial_values`` (only ``'v'``; -65 mV).  A ``threshold`` parameter, if
    declared, is the spike threshold (mV; 0 otherwise).  See docs/neuron.md.
    """
    if isinstance(model, str):
        return _artificial_type(model)
    if isinstance(model, type):
        return _template_type(model)
    raise TypeError(f"native_cell_type() takes a mechanism name or a class, not {model!r}")


# -- the two kinds of native cell -------------------------------------------------------
@dataclass(frozen=True)
class _Artificial:
    """Instances of an ARTIFICIAL_CELL: NetCons go from and to the cell object itself."""

    mechanism: str
    signed: bool  # receptors 'excitatory' / 'inhibitory' are the weight's sign
    templated = False

    def build(self, h, params: dict):
        cell = getattr(h, self.mechanism)()
        for name, value in params.items():
            setattr(cell, name, value)
        return cell

    def check(self, cell, celltype) -> None:
        pass

    def target(self, cell, receptor: str):
        return cell

    def ref(self, cell, variable: str):
        return getattr(cell, f"_ref_{variable}")

    def check_weights(self, projection, weights) -> None:
        """Signed cells: excitatory weights >= 0, inhibitory <= 0 (the sign is the effect)."""
        w = np.asarray(weights, float)
        if not self.signed or w.size == 0:
            return
        inhibitory = projection.receptor_type == "inhibitory"
        if projection.receptor_type == "default":  # the weight's sign decides
            return
        if (w.max() > 0) if inhibitory else (w.min() < 0):
            raise errors.InvalidWeightError(
                f"Projection {projection.label!r}: {self.mechanism} weights on receptor "
                f"{projection.receptor_type!r} must be {'<= 0' if inhibitory else '>= 0'} "
                f"(got values in [{w.min()}, {w.max()}])"
            )


@dataclass(frozen=True)
class _Template:
    """Instances of a user's class that builds sections and synapse point processes."""

    cls: type
    spike_source: str  # attribute holding the section whose v is watched for spikes
    receptors: dict  # receptor name -> attribute holding the synapse point process
    templated = True

    def build(self, h, params: dict):
        return self.cls(**params)

    def section(self, cell):
        return getattr(cell, self.spike_source)

    def check(self, cell, celltype) -> None:
        """The instance has what the class declares (before anything is connected or run)."""
        from neuron import nrn

        where = f"native cell class {self.cls.__name__}"
        if not isinstance(getattr(cell, self.spike_source, None), nrn.Section):
            raise TypeError(
                f"{where}: spike_source {self.spike_source!r} is not a section of its instances"
            )
        for receptor, attr in self.receptors.items():
            if not hasattr(getattr(cell, attr, None), "get_loc"):
                raise TypeError(
                    f"{where}: receptor_types[{receptor!r}] = {attr!r} is not a point "
                    "process of its instances"
                )
        for variable in celltype.recordable:
            if variable != "spikes":
                try:
                    self.ref(cell, variable)
                except AttributeError:
                    raise TypeError(
                        f"{where}: recordable {variable!r} is not reachable "
                        f"(expected cell._ref_{variable}, or 'obj.var' for cell.obj._ref_var)"
                    ) from None

    def target(self, cell, receptor: str):
        return getattr(cell, self.receptors[receptor])

    def ref(self, cell, variable: str):
        if variable == "v":
            return self.section(cell)(0.5)._ref_v
        owner, _, name = variable.rpartition(".")
        obj = cell
        for part in owner.split(".") if owner else ():
            obj = getattr(obj, part)
        return getattr(obj, f"_ref_{name}")

    def check_weights(self, projection, weights) -> None:
        pass


@dataclass(frozen=True)
class Origin:
    """Where a section-based cell's spikes come from: v of a section, watched by a NetCon."""

    ref: object
    sec: object
    detector: object  # NetCon(ref, None): holds the threshold, records spikes, feeds MPI


# -- cell type classes ----------------------------------------------------------------
def _artificial_type(name: str) -> type:
    h = neuron_h()
    kinds = _point_processes(h)
    if name not in kinds:
        raise errors.NoModelAvailableError(
            f"NEURON has no point process {name!r} (compiled mechanisms are loaded with "
            "h.nrn_load_dll before native_cell_type)"
        )
    if not kinds[name]:
        raise errors.NotSupportedError(
            f"{name} is a POINT_PROCESS, not an ARTIFICIAL_CELL: place it in a section of a "
            "native cell class (native_cell_type(SomeClass))"
        )
    params = _values(h, name, 1)
    recordables = sorted({*_values(h, name, 2), *_values(h, name, 3)})
    signed = name in SIGNED
    return type(
        name,
        (NeuronNativeCellType,),
        {
            "native_model": name,
            "default_parameters": params,
            "default_initial_values": {k: 0.0 for k in ARTIFICIAL_STATES.get(name, ())},
            "recordable": ["spikes", *recordables],
            "receptor_types": ["excitatory", "inhibitory", "default"] if signed else ["default"],
            "conductance_based": False,
            "injectable": False,
            "units": {k: "dimensionless" for k in recordables},
            "realisation": _Artificial(name, signed),
        },
    )


def _point_processes(h) -> dict[str, bool]:
    """Every point process NEURON knows now: name -> whether it is an ARTIFICIAL_CELL."""
    kinds, name, out = h.MechanismType(1), h.ref(""), {}
    for i in range(int(kinds.count())):
        kinds.select(i)
        kinds.selected(name)
        out[name[0]] = bool(kinds.is_artificial(i))
    return out


def _values(h, mechanism: str, vartype: int) -> dict[str, float]:
    """Scalar variables of one kind (1 PARAMETER, 2 ASSIGNED, 3 STATE) with their defaults."""
    standard, name, out = h.MechanismStandard(mechanism, vartype), h.ref(""), {}
    for j in range(int(standard.count())):
        if int(standard.name(name, j)) == 1:  # array variables have no single default
            out[name[0]] = float(standard.get(name[0]))
    return out


def _template_type(cls: type) -> type:
    where = f"native cell class {cls.__name__}"
    params = getattr(cls, "default_parameters", None)
    if not isinstance(params, dict) or not all(isinstance(k, str) for k in params):
        raise TypeError(f"{where} needs a dict default_parameters {{name: default}}")
    receptors = getattr(cls, "receptor_types", None) or {}
    if not isinstance(receptors, dict):
        raise TypeError(f"{where}: receptor_types maps receptor names to attribute names")
    spike_source = getattr(cls, "spike_source", "soma")
    if not isinstance(spike_source, str):
        raise TypeError(f"{where}: spike_source is the name of the attribute holding a section")
    initial = dict(getattr(cls, "default_initial_values", {"v": -65.0}))
    if set(initial) - {"v"}:
        raise errors.NonExistentParameterError(
            sorted(set(initial) - {"v"})[0], f"{where} (initial values)", ["v"]
        )
    recordable = [str(v) for v in getattr(cls, "recordable", ["v"])]
    return type(
        cls.__name__,
        (NeuronNativeCellType,),
        {
            "native_model": cls.__name__,
            "default_parameters": dict(params),
            "default_initial_values": initial,
            "recordable": ["spikes", *recordable],
            "receptor_types": list(receptors),
            "conductance_based": bool(getattr(cls, "conductance_based", True)),
            "injectable": False,
            "units": {"v": "mV", **getattr(cls, "units", {})},
            "realisation": _Template(cls, spike_source, dict(receptors)),
        },
    )


# -- backend hooks --------------------------------------------------------------------
def create(backend, pop) -> list:
    """Build the population's local cells (and, for sections, their spike detectors);
    returns the cells' Origins (None where there is none) in index order."""
    h, r, n = backend.h, pop.native, pop.n
    if backend.mpi.parallel:
        pop.local = backend.mpi.owns(pop.ids)
    columns = {k: _column(v, n) for k, v in pop.params.items()}
    pop.cells = [
        r.build(h, {k: c[i] for k, c in columns.items()}) if mine else None
        for i, mine in enumerate(pop.local.tolist())
    ]
    local = [c for c in pop.cells if c is not None]
    if local:
        r.check(local[0], pop.celltype)
    origins = [None] * n
    if r.templated:
        threshold = columns.get("threshold", [0.0] * n)
        for i, cell in enumerate(pop.cells):
            if cell is not None:
                sec = r.section(cell)
                ref = sec(0.5)._ref_v
                origins[i] = Origin(ref, sec, h.NetCon(ref, None, threshold[i], 0.0, 0.0, sec=sec))
        pop.trees = [None if c is None else _tree(h, r.section(c)) for c in pop.cells]
        _install_initializer(backend)
    if backend.mpi.parallel:
        found = iter(o.detector for o in origins if o is not None)
        detector = (lambda cell: next(found)) if r.templated else None  # None: the cell itself
        pop.exchange = backend.mpi.register(pop.ids[pop.local], local, detector)
    return origins


def set_params(backend, pop, idx, params: dict, changed) -> None:
    """New values as attributes of the NEURON objects (a class may make them properties)."""
    idx = np.asarray(idx, np.int64)
    idx = idx[pop.local[idx]]
    for name in changed:
        values = _column(params[name], pop.n)
        for i in idx.tolist():
            setattr(pop.cells[i], name, values[i])
            if name == "threshold" and pop.origins[i] is not None:
                pop.origins[i].detector.threshold = values[i]


def initialize(backend, pop, values: dict) -> None:
    """Initial v of section-based cells, the state of artificial ones (IntFire1's m, ...):
    applied at every finitialize, and now mid-run."""
    for name, v in values.items():
        pop.initial[name] = np.broadcast_to(np.asarray(v, dtype=float), (pop.n,)).copy()
    _install_initializer(backend)
    if not backend.need_init:
        _apply_v(pop)
        _apply_states(pop)
        if backend.cvode.active():
            backend.cvode.re_init()


def ref(pop, i: int, variable: str):
    return pop.native.ref(pop.cells[i], variable)


def spike_detector(h, pop, i: int):
    """The NetCon whose ``record`` collects cell i's spikes."""
    origin = pop.origins[i]
    return h.NetCon(pop.cells[i], None) if origin is None else origin.detector


def check_projection(projection, celltypes: list, synapse: str) -> None:
    """Native targets take plain NetCons, and one kind of cell per projection."""
    names = sorted({type(c).__name__ for c in celltypes})
    if synapse != "StaticSynapse":
        raise errors.NotSupportedError(
            f"{synapse} onto native cells ({', '.join(names)}) is not available on NEURON "
            "(StaticSynapse only: plasticity belongs in the native model)"
        )
    if len({type(c) for c in celltypes}) > 1:
        raise errors.NotSupportedError(
            f"Projection {projection.label!r}: a projection onto native cells and other cell "
            f"types at once ({', '.join(names)}) is not available on NEURON; make one per type"
        )


def targets(realisation, cells: list, receptor: str) -> list:
    return [realisation.target(c, receptor) for c in cells]


def netcons(h, sources: list, origins: np.ndarray, targets: list, delays, weights) -> list:
    """NetCons from cells some of which are sections (threshold on v, shared per cell)."""
    NetCon = h.NetCon
    origins = origins.tolist()
    return [
        NetCon(s, t, 0.0, d, w)
        if o is None
        else NetCon(o.ref, t, o.detector.threshold, d, w, sec=o.sec)
        for s, o, t, d, w in zip(
            sources, origins, targets, delays.tolist(), weights.tolist(), strict=True
        )
    ]


def _column(value, n: int) -> list:
    """One value per cell, as Python objects (a NEURON attribute or constructor argument)."""
    if isinstance(value, np.ndarray) and value.shape == (n,):
        return value.tolist()
    return [value] * n


def _tree(h, section) -> list:
    tree = h.SectionList()
    tree.wholetree(sec=section)
    return list(tree)


def _install_initializer(backend) -> None:
    """Two FInitializeHandlers: type 0 (after v = v_init, before the INITIAL blocks, so
    channels start in equilibrium with each cell's own initial v) and type 1 (after the
    INITIAL blocks, which zero an artificial cell's state)."""
    if backend.native_init is None:
        pops, handler = backend.pops, backend.h.FInitializeHandler
        backend.native_init = (
            handler(0, lambda: [_apply_v(p) for p in pops if p.native is not None]),
            handler(1, lambda: [_apply_states(p) for p in pops if p.native is not None]),
        )


def _apply_states(pop) -> None:
    if pop.native.templated:
        return
    for name, values in pop.initial.items():
        for cell, x in zip(pop.cells, values.tolist(), strict=True):
            if cell is not None:
                setattr(cell, name, x)


def _apply_v(pop) -> None:
    v = pop.initial.get("v")
    if v is None or pop.trees is None:
        return
    for tree, x in zip(pop.trees, v.tolist(), strict=True):
        for sec in tree or ():
            sec.v = x
