"""Ctrl-C during ``run()``: what the backends share to honour it within a second.

NEST and NEURON advance in C; Python sees SIGINT only when control returns, and a
``KeyboardInterrupt`` raised at an arbitrary bytecode could leave a backend half-way
between two consistent states (events queued but not run, time not updated).  So a run
advances in slices whose wall time stays well under a second (:class:`Pacer`), and while
it runs SIGINT only raises a flag (:func:`deferred_sigint`), which the backend reads between
slices, where its state is whole; the ``KeyboardInterrupt`` is raised when it stops.
"""

from __future__ import annotations

import contextlib
import math
import signal
import threading
import time
from collections.abc import Iterator

#: wall time (s) a slice aims at: short enough to stop within a second even when the
#: network grows several times busier within a slice, long enough that the per-slice
#: overhead (a simulator call, queueing inputs; well under a millisecond) stays negligible
TARGET_WALL = 0.1
#: the first slice of a backend with no measured speed yet (steps, before rounding)
FIRST_STEPS = 10
#: a slice is at most this many times longer than the one before (the speed may vary)
GROWTH = 4


class Flag:
    """Set by SIGINT during a run."""

    def __init__(self):
        self.raised = False

    def __bool__(self) -> bool:
        return self.raised

    def set(self, *_) -> None:
        self.raised = True


@contextlib.contextmanager
def deferred_sigint() -> Iterator[Flag]:
    """While the block runs, SIGINT sets the yielded flag instead of raising; on leaving
    the block (normally) a flag that was set raises ``KeyboardInterrupt``.

    Only Python's default handler is replaced, and only in the main thread (where Python
    runs signal handlers); a handler of the user's own stays in charge."""
    flag = Flag()
    mine = (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    )
    if mine:
        signal.signal(signal.SIGINT, flag.set)
    try:
        yield flag
    finally:
        if mine:
            signal.signal(signal.SIGINT, signal.default_int_handler)
    if flag:
        raise KeyboardInterrupt


class Pacer:
    """Slice lengths (in steps) whose wall time stays near :data:`TARGET_WALL`.

    It starts small, measures the wall time per step of each slice and sizes the next one
    from it (growing at most :data:`GROWTH` times a slice); the speed is kept for the next
    run, so a short run is one slice.  Slices are whole multiples of ``quantum`` steps (NEST:
    its min_delay); only the last slice of a run may be shorter.

    ``reduce(x)``, under MPI, returns the largest x over the ranks: every rank must cut the
    same slices and stop after the same one, so the slowest rank sets the speed and a
    Ctrl-C on any rank stops them all.  ``whole=True``: one slice per run (ranks that
    cannot agree)."""

    def __init__(self, reduce=None, whole: bool = False):
        self.reduce, self.whole = reduce, whole
        self.per_step: float | None = None  # measured wall seconds per step
        self.last = FIRST_STEPS  # the previous full slice (steps)

    def _length(self, quantum: int) -> int:
        if self.per_step is None:
            steps = FIRST_STEPS
        else:
            steps = min(TARGET_WALL / max(self.per_step, 1e-12), GROWTH * self.last)
        return max(1, int(steps) // quantum) * quantum

    def slices(self, first: int, last: int, flag: Flag, quantum: int = 1) -> Iterator[int]:
        """The end steps of the slices from step ``first`` to ``last``; stops early once
        ``flag`` is set (after the slice in progress)."""
        if self.whole:
            yield last
            return
        now = first
        while now < last:
            length = self._length(quantum)
            end = min((now + length) // quantum * quantum, last)  # on NEST's slice grid
            start = time.perf_counter()
            yield end
            if end < last or self.per_step is None:  # not a run's (short) remainder
                self.per_step, self.last = (time.perf_counter() - start) / (end - now), length
            stop = bool(flag)
            if self.reduce is not None:
                self.per_step = float(self.reduce(self.per_step))
                stop = bool(self.reduce(float(stop)))
            if stop:
                flag.set()
                return
            now = end


def steps_of(t: float, dt: float) -> int:
    """The grid step of time ``t`` (ms)."""
    return int(math.floor(t / dt + 0.5))
