"""What the NEST backend gave ``nest.Connect`` for a static projection, kept so that reading
(``get``/``save``), writing (``set``) and ``reset()`` need not ask NEST per connection.

PyNEST reads connections only through one status dictionary per connection (5-10 us each:
seconds for a million weights) and has no bulk getter.  A static synapse's values never
change inside the simulator, so they are what was connected or last set: each
``nest.Connect`` call is kept as a :class:`Made` entry, in the smallest exact form (one
value when all are equal, node ids as offsets in the narrowest integer type, delays as
NEST's whole steps), and answered from there.  Plastic synapses are not kept: NEST changes
their values, so they are read from it (in one bulk call per projection).
"""

from __future__ import annotations

import numpy as np

#: NEST synapse models whose connection values the simulation never changes
STATIC_MODELS = frozenset({"static_synapse", "bernoulli_synapse"})


class Packed:
    """An array in its smallest exact form: one value; integers in runs (the targets of a
    connector's block, which come post cell by post cell) or as offsets from their minimum
    in the narrowest type (node ids of one population fit 16 bits); else as given."""

    __slots__ = ("base", "rest", "counts", "n", "dtype")

    def __init__(self, a):
        a = np.asarray(a)
        self.n, self.dtype, self.counts = a.size, a.dtype, None
        if a.size and (a == a.flat[0]).all():
            self.base, self.rest = a.flat[0], None
        elif a.dtype.kind in "iu" and a.size:
            starts = np.flatnonzero(np.diff(a)) + 1
            if starts.size < a.size // 4:  # long runs: one value and one count per run
                self.counts = _narrow(np.diff(starts, prepend=0, append=a.size))
                a = a[np.concatenate([[0], starts])]
            self.base = a.min()
            self.rest = _narrow(a - self.base)
        else:
            self.base, self.rest = 0, np.array(a, copy=True)

    def array(self) -> np.ndarray:
        if self.rest is None:
            return np.full(self.n, self.base, dtype=self.dtype)
        if self.dtype.kind not in "iu":
            return self.rest
        values = self.rest.astype(self.dtype) + self.base
        return values if self.counts is None else np.repeat(values, self.counts)

    def scalar_or_array(self):
        """One value (a 0-d array) when all are equal: broadcasting answers it for free."""
        return np.asarray(self.base, self.dtype) if self.rest is None else self.array()


class Made:
    """One ``nest.Connect`` call of a projection: node ids and native values (delays as whole
    steps).  ``direct``: the source population whose generators it came from directly (its
    connections die when a relay replaces them); ``pre``: the pre indices of a shared
    generator's connections (the node id alone does not tell them)."""

    __slots__ = ("sources", "targets", "values", "direct", "pre", "dead")

    def __init__(self, sources, targets, native: dict, steps_per_ms: float, direct=None, pre=None):
        self.sources, self.targets = Packed(sources), Packed(targets)
        self.values = {}
        self.update(native, steps_per_ms)
        self.direct = direct
        self.pre = None if pre is None else Packed(pre)
        self.dead = False

    def __len__(self) -> int:
        return self.targets.n

    def update(self, native: dict, steps_per_ms: float) -> None:
        """New native values (NEST names and units), one per connection or one for all."""
        n = len(self)
        for k, v in native.items():
            v = np.broadcast_to(np.asarray(v), (n,))
            if k == "delay":  # as NEST stores it (Time::delay_ms_to_steps)
                v = np.floor(v * steps_per_ms + 0.5).astype(np.int64)
            self.values[k] = Packed(v)

    def native(self, ms_per_step: float, keys=None, full=False) -> dict:
        """Native values as NEST reports them (delay in ms from whole steps); a value all
        connections share stays one (0-d) value unless ``full`` (nest.Connect wants arrays)."""
        out = {}
        for k in self.values if keys is None else keys:
            packed = self.values[k]
            v = packed.array() if full else packed.scalar_or_array()
            out[k] = v * ms_per_step if k == "delay" else v
        return out


def _narrow(a: np.ndarray) -> np.ndarray:
    """Non-negative integers in the narrowest unsigned type that holds them."""
    return a.astype(np.min_scalar_type(a.max()) if a.size else np.uint8)


def concatenate(parts: list[dict], sizes: list[int]) -> dict:
    """One dict of arrays from per-entry dicts (0-d values broadcast to their entry's size);
    a key all entries hold one equal value of stays one value."""
    if not parts:
        return {}
    out = {}
    for k in parts[0]:
        values = [np.asarray(p[k]) for p in parts]
        if all(v.ndim == 0 for v in values) and all(v == values[0] for v in values):
            out[k] = values[0]
        else:
            out[k] = np.concatenate(
                [np.broadcast_to(v, (n,)) for v, n in zip(values, sizes, strict=True)]
            )
    return out
