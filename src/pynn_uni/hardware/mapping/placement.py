"""Placement: greedy and deterministic, in creation order, blocks filled low to high."""

from __future__ import annotations

import numpy as np

from pynn_uni.hardware.errors import HardwareCapacityError
from pynn_uni.hardware.profiles import Profile


def place(n: int, used: np.ndarray, profile: Profile, label: str, block=None) -> np.ndarray:
    """Circuit indices for ``n`` new neurons, given the boolean ``used`` mask of circuits.

    ``block`` pins the population to one block.  Raises HardwareCapacityError (and changes
    nothing) when the free circuits do not suffice."""
    per = profile.neurons_per_block
    free = np.flatnonzero(~used)
    where = f"the {profile.name!r} chip"
    if block is not None:
        if not 0 <= int(block) < profile.blocks:
            raise HardwareCapacityError(f"block {block} does not exist on {where}")
        free = free[free // per == int(block)]
        where = f"block {block} of {where} ({per} circuits)"
    if free.size < n:
        raise HardwareCapacityError(
            f"population {label!r} needs {n} neuron circuits but only {free.size} of "
            f"{where} are free ({int(used.sum())} of {profile.neurons} used)"
        )
    return free[:n]
