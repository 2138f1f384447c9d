"""Assembly: an ordered union of populations and views, addressable as one group.

Every operation is delegated to the members (each goes to the backend in bulk); the
assembly only keeps their order and the index offsets between them.  ``pop1 + pop2``
builds one, so populations.py imports this module, not the other way round: members are
recognised by what they do (``_owner_population``), and views of them are made with
``member[indices]``.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np

from pynn_uni.common import describing, validation
from pynn_uni.common.deprecation import deprecated
from pynn_uni.common.recording import merge_blocks
from pynn_uni.common.selection import (
    check_index,
    check_sample_size,
    is_single,
    normalise_selector,
)
from pynn_uni.common.simulation import current_simulation
from pynn_uni.random import NumpyRNG
from pynn_uni.recording import check_writable, write_block
from pynn_uni.recording.files import StandardTextFile

_assembly_counter = itertools.count()


class Assembly:
    """An ordered union of populations and views, addressable as one group."""

    def __init__(self, *populations, label=None):
        self.populations = []
        self.label = label or f"assembly{next(_assembly_counter)}"
        self.annotations = {}
        for p in populations:
            self._insert(p)

    def _insert(self, p):
        if isinstance(p, Assembly):
            for q in p.populations:
                self._insert(q)
            return
        if not hasattr(p, "_owner_population"):  # a Population or PopulationView
            raise TypeError(f"an Assembly holds populations and views, not {type(p).__name__}")
        sim = p._owner_population()._simulation
        if self.populations and sim is not self.populations[0]._owner_population()._simulation:
            for q in (p, self.populations[0]):  # one of them is from a finished simulation
                q._check_live(f"added to Assembly {self.label!r}")
        existing = np.concatenate([q._ids for q in self.populations]) if self.populations else []
        if np.intersect1d(existing, p._ids).size:
            warnings.warn(f"{p.label!r} overlaps {self.label!r}: not added", stacklevel=3)
            return
        self.populations.append(p)

    @property
    def _ids(self) -> np.ndarray:
        if not self.populations:
            return np.empty(0, dtype=np.int64)
        return np.concatenate([p._ids for p in self.populations])

    @property
    def size(self) -> int:
        return sum(p.size for p in self.populations)

    @property
    def local_size(self) -> int:
        return sum(p.local_size for p in self.populations)

    def __len__(self):
        return self.size

    @property
    def all_cells(self) -> np.ndarray:
        if not self.populations:
            return np.empty(0, dtype=object)
        return np.concatenate([p.all_cells for p in self.populations])

    @property
    def local_cells(self) -> np.ndarray:
        """The cells this MPI rank simulates, population by population."""
        if not self.populations:
            return np.empty(0, dtype=object)
        return np.concatenate([p.local_cells for p in self.populations])

    @property
    def _local_mask(self) -> np.ndarray:
        """Which cells this MPI rank simulates, in the assembly's order."""
        if not self.populations:
            return np.empty(0, dtype=bool)
        return np.concatenate([p._local_mask for p in self.populations])

    def __iter__(self):
        return iter(self.all_cells)

    def all(self):
        return iter(self.all_cells)

    @property
    def first_id(self):
        return self.populations[0].first_id

    @property
    def last_id(self):
        return self.populations[-1].last_id

    @property
    def _offsets(self) -> np.ndarray:
        return np.cumsum([0] + [p.size for p in self.populations])

    def _locate(self, indices):
        """Split assembly indices into (member, indices-in-member) pairs."""
        indices = np.asarray(indices)
        offsets = self._offsets
        member = np.searchsorted(offsets, indices, side="right") - 1
        for k, p in enumerate(self.populations):
            sel = member == k
            if sel.any():
                yield p, indices[sel] - offsets[k]

    def __getitem__(self, index):
        """A cell (int index) or an assembly of views (slice, integer array, boolean mask)."""
        if is_single(index):
            index = check_index(index, self.size, f"Assembly {self.label!r}")
            ((p, i),) = self._locate([index])
            return p[int(i[0])]
        mask = normalise_selector(index, self.size, f"Assembly {self.label!r}")
        return Assembly(*[p[i] for p, i in self._locate(mask)], label=f"view of {self.label}")

    def __add__(self, other):
        return Assembly(*self.populations, other)

    def __iadd__(self, other):
        self._insert(other)
        return self

    def get_population(self, label):
        for p in self.populations:
            if p.label == label:
                return p
        raise KeyError(f"{self.label!r} has no population labelled {label!r}")

    def id_to_index(self, id):
        ids = self._ids
        order = np.argsort(ids, kind="stable")
        pos = np.clip(np.searchsorted(ids, np.asarray(id), sorter=order), 0, max(ids.size - 1, 0))
        found = order[pos]
        if np.any(ids[found] != np.asarray(id)):
            raise IndexError(f"ID(s) {id} not in {self.label!r}")
        return int(found) if np.ndim(id) == 0 else found

    # -- shared-kind properties --------------------------------------------
    @property
    def conductance_based(self) -> bool:
        return all(p.conductance_based for p in self.populations)

    @property
    def receptor_types(self) -> list[str]:
        sets = [set(p.receptor_types) for p in self.populations]
        common = set.intersection(*sets) if sets else set()
        return [r for r in self.populations[0].receptor_types if r in common] if sets else []

    @property
    def injectable(self) -> bool:
        return all(p.injectable for p in self.populations)

    @property
    def positions(self) -> np.ndarray:
        return np.hstack([p.positions for p in self.populations])

    @property
    def position_generator(self):
        return lambda i: self.positions[:, i]

    # -- delegated operations ------------------------------------------------
    def get(self, parameter_names, gather=False, simplify=True):
        names = [parameter_names] if isinstance(parameter_names, str) else list(parameter_names)
        values = []
        for name in names:
            parts = [np.atleast_1d(p.get(name, gather, simplify=False)) for p in self.populations]
            v = np.concatenate(parts)
            values.append(_simplify_array(v) if simplify else v)
        return values[0] if isinstance(parameter_names, str) else values

    def set(self, **parameters):
        offsets = self._offsets
        for k, p in enumerate(self.populations):
            p.set(**{n: _slice_value(v, offsets[k], offsets[k + 1]) for n, v in parameters.items()})

    def initialize(self, **values):
        offsets = self._offsets
        for k, p in enumerate(self.populations):
            p.initialize(
                **{n: _slice_value(v, offsets[k], offsets[k + 1]) for n, v in values.items()}
            )

    def rset(self, parametername, rand_distr):
        deprecated("rset", "set()")
        self.set(**{parametername: rand_distr})

    def record(self, variables, to_file=None, sampling_interval=None):
        to_file = None if to_file is False else to_file  # PyNN: False is 'no file'
        if to_file is not None:
            check_writable(to_file, f"{self.label!r}.record(to_file=...)")
        for p in self.populations:
            p.record(variables, sampling_interval=sampling_interval)
        if to_file is not None:
            current_simulation().write_on_end.append((self, variables, to_file))

    def inject(self, current_source):
        if not self.injectable:
            raise TypeError(f"{self.label!r} contains cells that cannot take current")
        current_source.inject_into(self)

    def get_data(self, variables="all", gather=True, clear=False, annotations=None):
        """Merge the members' blocks: one Segment per run, channel indices offset per member."""
        annotations = validation.annotations_argument("get_data()", annotations)
        blocks = [p.get_data(variables, gather, clear) for p in self.populations]
        block = merge_blocks(blocks, self.label, self._offsets)
        if annotations:
            block.annotate(**annotations)
        return block

    def write_data(self, io, variables="all", gather=True, clear=False, annotations=None):
        """As :meth:`Population.write_data`: atomic, and ``clear`` only after the write."""
        write_block(io, self.get_data(variables, gather, False, annotations), gather)
        if clear:
            for p in self.populations:
                p._owner_population().recorder.clear()

    def get_spike_counts(self, gather=True):
        counts = {}
        for p in self.populations:
            counts.update(p.get_spike_counts(gather))
        return counts

    def mean_spike_count(self, gather=True):
        counts = list(self.get_spike_counts().values())
        return float(np.mean(counts)) if counts else float("nan")

    def sample(self, n, rng=None):
        n = check_sample_size(n, self.size, f"Assembly {self.label!r}")
        rng = rng or NumpyRNG()
        indices = np.sort(rng.permutation(np.arange(self.size))[:n])
        return self[indices]

    def save_positions(self, file):
        f = StandardTextFile(file, mode="w") if isinstance(file, str) else file
        f.write(np.column_stack([np.arange(self.size), self.positions.T]), {"assembly": self.label})
        f.close()

    def find_units(self, variable):
        units = {p.find_units(variable) for p in self.populations}
        if len(units) > 1:
            raise ValueError(f"{variable!r} has different units in {self.label!r}: {units}")
        return units.pop()

    def annotate(self, **annotations):
        self.annotations.update(annotations)

    def get_annotations(self, annotation_keys, simplify=True):
        keys = [annotation_keys] if isinstance(annotation_keys, str) else annotation_keys
        return {k: [p.annotations.get(k) for p in self.populations] for k in keys}

    def describe(self, template="assembly_default.txt", engine="default"):
        context = {
            "label": self.label,
            "populations": [p.describe(template=None) for p in self.populations],
        }
        return describing.render(template, context)

    def __repr__(self):
        return f"Assembly({', '.join(repr(p.label) for p in self.populations)})"


def _simplify_array(v: np.ndarray):
    if v.dtype != object and v.size and np.all(v == v[0]):
        return v[0]
    return v


def _slice_value(value, start, stop):
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype != object:
        return value[start:stop]
    return value
