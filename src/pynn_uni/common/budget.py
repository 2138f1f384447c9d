"""Bounded work: refuse a request whose memory would exceed the machine, before allocating.

A mistyped size (``Population(10**12)``), connection count, delay or duration should fail at
once with the estimate, not after minutes of swapping or inside numpy or the simulator with
a bare ``MemoryError``.  Estimates are lower bounds of what the request needs (the arrays
pynn_uni and any simulator must hold: per cell, per connection, per buffered delay step,
per recorded sample or drawn spike), compared with the memory the machine has, and are the
same on every backend; a run is also bounded in time steps (:data:`MAX_STEPS`).
"""

from __future__ import annotations

import os

from pynn_uni import errors

#: environment variable overriding the memory limit (bytes), e.g. for tests or a cgroup
LIMIT_ENV = "PYNN_UNI_MEMORY_LIMIT"

#: bytes of one stored number (float64 / int64)
VALUE_BYTES = 8
#: per-cell floor: the simulator's node object, its state and input buffers, the cell's id
#: and position in pynn_uni (NEST's smallest neuron takes more than 1 KiB)
CELL_FLOOR_BYTES = 1024
#: a recorded or generated spike: a time and a cell index
SPIKE_BYTES = 16
#: receptors whose input a simulator buffers per cell and time step (excitatory, inhibitory)
BUFFERED_RECEPTORS = 2
#: time steps a simulator can count exactly (NEST counts steps in int64 tics, NEURON and
#: numpy in float64: beyond 2**53 a step no longer changes the time)
MAX_STEPS = 2**53


def population_bytes(size: int, n_values: int) -> float:
    """Lower bound for ``size`` cells with ``n_values`` parameters and state variables each:
    one float per value plus the per-cell floor."""
    return float(size) * (n_values * VALUE_BYTES + CELL_FLOOR_BYTES)


def connection_bytes(count: float, n_values: int) -> float:
    """Lower bound for ``count`` connections: pre and post index plus ``n_values`` synapse
    values (weight, delay, ...) each."""
    return float(count) * (2 + n_values) * VALUE_BYTES


def delay_buffer_bytes(delay: float, dt: float, cells: int) -> float:
    """Lower bound for the input ring buffers of ``cells`` cells under the longest ``delay``
    (ms): one slot per time step up to the delay, per buffered receptor (NEST and the
    reference backend size every cell's buffers by the network's longest delay)."""
    return (delay / dt + 1.0) * cells * VALUE_BYTES * BUFFERED_RECEPTORS


def memory_limit() -> int:
    """Bytes a request may need at most: $PYNN_UNI_MEMORY_LIMIT, else the physical memory."""
    if os.environ.get(LIMIT_ENV):
        return int(float(os.environ[LIMIT_ENV]))
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # not POSIX: no limit known
        return 2**63 - 1


def check_memory(nbytes: float, what: str, hint: str = "") -> None:
    """Raise :class:`~pynn_uni.errors.ResourceLimitError` when ``nbytes`` exceed the limit;
    ``what`` names the request (label, parameter and value), ``hint`` how to shrink it."""
    limit = memory_limit()
    if nbytes > limit:
        where = f"${LIMIT_ENV}" if os.environ.get(LIMIT_ENV) else "this machine's memory"
        raise errors.ResourceLimitError(
            f"{what} would need at least {_human(nbytes)} of memory, more than the "
            f"{_human(limit)} allowed ({where}){'; ' + hint if hint else ''}"
        )


def check_steps(steps: float, what: str, hint: str = "") -> None:
    """Raise :class:`~pynn_uni.errors.ResourceLimitError` when a run would need more than
    :data:`MAX_STEPS` time steps (the simulators' clocks stop counting exactly there)."""
    if steps > MAX_STEPS:
        raise errors.ResourceLimitError(
            f"{what} would need {steps:.3g} time steps, more than the 2**53 "
            f"({MAX_STEPS:.3g}) a simulator counts exactly{'; ' + hint if hint else ''}"
        )


def _human(nbytes: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if nbytes < 1024 or unit == "PiB":
            return f"{nbytes:.3g} {unit}"
        nbytes /= 1024
    return f"{nbytes:.3g} PiB"
