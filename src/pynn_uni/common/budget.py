"""Bounded work: refuse a request whose memory would exceed the machine, before allocating.

A mistyped size (``Population(10**12)``), connection count, delay or duration should fail at
once with the estimate, not after minutes of swapping or inside numpy or the simulator with
a bare ``MemoryError``.  Estimates are lower bounds of what the request needs (the bytes of
the arrays pynn_uni itself must hold), compared with the memory the machine has.
"""

from __future__ import annotations

import os

from pynn_uni import errors

#: environment variable overriding the memory limit (bytes), e.g. for tests or a cgroup
LIMIT_ENV = "PYNN_UNI_MEMORY_LIMIT"


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
        raise errors.ResourceLimitError(
            f"{what} would need at least {_human(nbytes)} of memory, more than this machine "
            f"has ({_human(limit)}){'; ' + hint if hint else ''}"
        )


def _human(nbytes: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if nbytes < 1024 or unit == "PiB":
            return f"{nbytes:.3g} {unit}"
        nbytes /= 1024
    return f"{nbytes:.3g} PiB"
