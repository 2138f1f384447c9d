"""NEURON's ``h``, loaded on first use with pynn_uni's mechanisms.

Importing pynn_uni.neuron must stay cheap (no NEURON, no compiling), so NEURON itself is
imported here, inside :func:`neuron_h`, the first time a simulation or a native cell type
needs it.
"""

from __future__ import annotations

from pynn_uni.neuron.compile import load
from pynn_uni.neuron.parallel import join_mpi


def neuron_h():
    """NEURON's HocObject with pynn_uni's mechanisms and ``stdrun.hoc`` loaded."""
    join_mpi()  # before NEURON loads (a no-op outside mpirun)
    from neuron import h  # noqa: PLC0415 - NEURON loads on first use, not at import

    load(h)
    h.load_file("stdrun.hoc")
    return h
