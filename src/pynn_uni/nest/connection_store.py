"""What the NEST backend gave ``nest.Connect`` for a static projection, kept so that reading
(``get``/``save``), writing (``set``) and ``reset()`` need not ask NEST per connection.

PyNEST reads connections only through one status dictionary per connection (5-10 us each:
seconds for a million weights) and has no bulk getter.  A static synapse's values never
change inside the simulator, so they are what was connected or last set: each
``nest.Connect`` call is kept as a :class:`Made` entry, in the smallest exact form (one
value when all are equal, node ids as offsets in the narrowest integer type, delays as
NEST's whole steps, random weights and delays as the seeds they were drawn from: see
:mod:`pynn_uni.common.connection_replay`), and answered from there.  Plastic synapses
are not kept: NEST changes their values, so they are read from it (in one bulk call per
projection).
"""

from __future__ import annotations

import numpy as np

#: NEST synapse models whose connection values the simulation never changes
STATIC_MODELS = frozenset({"static_synapse", "bernoulli_synapse"})
#: values drawn again rather than kept, where they can be (see :class:`Redrawn`)
REDRAWN = ("weight", "delay")


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

    def __init__(
        self, sources, targets, native: dict, steps_per_ms: float, direct=None, pre=None,
        origin=None,
    ):  # fmt: skip
        self.sources, self.targets = Packed(sources), Packed(targets)
        self.values = {}
        self.update(native, steps_per_ms, origin)
        self.direct = direct
        self.pre = None if pre is None else Packed(pre)
        self.dead = False

    def __len__(self) -> int:
        return self.targets.n

    def update(self, native: dict, steps_per_ms: float, origin=None) -> None:
        """New native values (NEST names and units), one per connection or one for all.
        ``origin`` (:class:`Redrawn`, block number): weights and delays that differ from
        connection to connection (9 of the 11 bytes a connection takes here) are drawn
        again from there when asked for instead of kept."""
        n = len(self)
        for k, v in native.items():
            v = np.broadcast_to(np.asarray(v), (n,))
            if k == "delay":
                v = steps(v, steps_per_ms)
            if k in REDRAWN and origin is not None and n and (v != v[0]).any():
                self.values[k] = Redrawn.Values(*origin, k, v.dtype, n, steps_per_ms)
            else:
                self.values[k] = Packed(v)

    def native(self, ms_per_step: float, keys=None, full=False) -> dict:
        """Native values as NEST reports them (delay in ms from whole steps); a value all
        connections share stays one (0-d) value unless ``full`` (nest.Connect wants arrays)."""
        out, redrawn = {}, None
        for k in self.values if keys is None else keys:
            packed = self.values[k]
            if isinstance(packed, Redrawn.Values):  # one draw for all of the block's values
                redrawn = packed.source.native(packed.index) if redrawn is None else redrawn
                v = packed.from_native(redrawn)
            else:
                v = packed.array() if full else packed.scalar_or_array()
            out[k] = v * ms_per_step if k == "delay" else v
        return out


class Redrawn:
    """The native values of a projection's blocks, drawn again through its
    :class:`~pynn_uni.common.connection_replay.ConnectionReplay` and translated as
    ``to_native`` translated them at connect time.  Each block is checked against its size
    and targets as connected.  Nothing drawn is held between reads."""

    def __init__(self, replay, to_native):
        self.replay, self.to_native = replay, to_native
        self.checks: dict[int, tuple[int, int]] = {}  # block -> (size, sum of post indices)

    def expect(self, index: int, block) -> None:
        self.checks[index] = (len(block), int(block.post.sum()))

    def native(self, index: int) -> dict:
        block = self.replay.block(index)
        if (len(block), int(block.post.sum())) != self.checks[index]:
            raise RuntimeError(
                f"block {index} of a projection came out differently when drawn again"
            )
        return self.to_native(block)

    class Values:
        """One value name of one block, in place of a :class:`Packed` array."""

        __slots__ = ("source", "index", "key", "dtype", "n", "steps_per_ms")

        def __init__(self, source, index: int, key: str, dtype, n: int, steps_per_ms: float):
            self.source, self.index, self.key = source, index, key
            self.dtype, self.n, self.steps_per_ms = dtype, n, steps_per_ms

        def from_native(self, native: dict) -> np.ndarray:
            """This value's array (delays in whole steps) from the block's native values."""
            v = np.broadcast_to(np.asarray(native[self.key]), (self.n,))
            if self.key == "delay":
                v = steps(v, self.steps_per_ms)
            return v.astype(self.dtype, copy=False)

        def array(self) -> np.ndarray:
            return self.from_native(self.source.native(self.index))

        scalar_or_array = array


def steps(delays, steps_per_ms: float) -> np.ndarray:
    """Delays in ms as NEST keeps them, in whole steps (Time::delay_ms_to_steps)."""
    return np.floor(np.asarray(delays) * steps_per_ms + 0.5).astype(np.int64)


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
