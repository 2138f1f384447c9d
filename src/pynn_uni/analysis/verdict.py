"""The verdict rule: do two backends agree on a statistic?

A network driven by random input gives different spike statistics with every seed, so a
fixed threshold on the difference between two simulators means nothing.  The yardstick is
the network's own variability, measured by running each backend with several seeds:

    two backends **agree** on a statistic when the typical distance between a run of one
    and a run of the other (the *median* over cross pairs with *different* seeds) is no
    larger than the largest distance between two runs of the *same* backend with
    different seeds (the *spread*).

Cross pairs use different seeds so that, if the backends are equivalent, every distance
compared is a distance between two exchangeable runs; same-seed cross pairs share their
connectivity and would flatter the comparison.  Under that null hypothesis, with ``n``
seeds per backend, a false "disagree" needs the upper half of the cross distances to lie
above all the within distances; for independent distances that has probability at most
``C(m, m/2) / C(2m, m/2)`` with ``m = n (n-1)`` (0.09 for n = 3, 0.007 for n = 4), which
is why ``pynn-uni compare`` defaults to 4 seeds.  At least 2 seeds per backend are needed:
with fewer the spread is unknown and the verdict is ``None`` (undetermined).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Verdict:
    """Outcome of :func:`verdict`: ``agree`` is True, False or None (undetermined);
    ``distance`` the median cross distance, ``spread`` the largest within distance."""

    agree: bool | None
    distance: float
    spread: float

    @property
    def label(self) -> str:
        return {True: "agree", False: "DISAGREE", None: "undetermined"}[self.agree]


def verdict(within: Sequence[float], between: Sequence[float]) -> Verdict:
    """Apply the rule above to distances already computed (any metric, same units).

    ``within``: distances between runs of the same backend with different seeds (both
    backends pooled); ``between``: distances between a run of each backend, different
    seeds.  NaN distances (a statistic undefined in a run) are ignored.
    """
    w = np.asarray(within, float)
    b = np.asarray(between, float)
    w, b = w[np.isfinite(w)], b[np.isfinite(b)]
    if w.size == 0 or b.size == 0:
        return Verdict(None, float(np.median(b)) if b.size else float("nan"), float("nan"))
    distance, spread = float(np.median(b)), float(w.max())
    return Verdict(bool(distance <= spread), distance, spread)


def null_false_alarm_probability(n_seeds: int) -> float:
    """Upper bound on the chance of a false 'disagree' with ``n_seeds`` per backend when all
    distances are independent and identically distributed (see the module docstring)."""
    from math import comb

    m = n_seeds * (n_seeds - 1)
    if m == 0:
        return float("nan")
    return comb(m, m // 2) / comb(2 * m, m // 2)  # the top m/2 of all 2m are all cross
