"""The verdict rule: do two simulators agree?  A permutation test on the runs' labels.

A network driven by random input gives different statistics with every seed, so a fixed
threshold on the difference between two simulators means nothing.  The yardstick is the
network's own variability, measured by running each simulator with several seeds (a
different seed for every run, so that all runs are independent):

    two simulators **agree** when the distances between a run of one and a run of the
    other (*distance*: the mean over cross pairs) are no larger than the distances between
    two runs of the same simulator (*spread*: the mean over within pairs) by more than
    relabelling the runs at random produces.

Precisely: for each line (a population and a statistic, with a distance between two runs)
the test statistic is ``distance - spread``.  It is recomputed for every way of splitting
the runs into two groups of the same sizes, and standardised by its mean and standard
deviation over those splits; the largest standardised value over all lines is compared with
its distribution over the splits (Westfall-Young max-T), which gives each line a p-value
adjusted for the number of lines.  The simulators disagree on a line when its p-value is at
most ``alpha``.

False-alarm bound: if the simulators are equivalent, the runs are exchangeable, every split
is as likely as the real one, and the chance that *any* line says "disagree" is at most
``alpha`` (exactly, not asymptotically; whatever the distances, the number of lines and
their correlations).  A p-value cannot be below ``2 / C(2n, n)`` with ``n`` runs each
(:func:`smallest_p_value`: 0.029 for 4 seeds, 0.0022 for 6, 0.00016 for 8); when that
exceeds ``alpha`` no disagreement could ever be shown, and the verdict is ``None``
(undetermined) rather than a vacuous "agree".  More seeds make smaller differences visible;
the rule never says "disagree" because of a difference that the seeds alone explain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from math import comb

import numpy as np

#: default false-alarm probability of ``pynn-uni compare`` (per pair of simulators)
DEFAULT_ALPHA = 0.01
#: splits enumerated exhaustively up to this many; beyond, this many are drawn at random
MAX_SPLITS = 20_000


@dataclass(frozen=True)
class Verdict:
    """Outcome for one line: ``agree`` is True, False or None (undetermined); ``distance``
    and ``spread`` the mean cross and within distances (the metric's units); ``p_value``
    the chance, if the simulators are equivalent, that some line of the family stands out
    at least this much."""

    agree: bool | None
    distance: float
    spread: float
    p_value: float

    @property
    def label(self) -> str:
        return {True: "agree", False: "DISAGREE", None: "undetermined"}[self.agree]


def splits(n_a: int, n_b: int, limit: int = MAX_SPLITS, seed: int = 0) -> np.ndarray:
    """Boolean array (splits x runs): True marks the runs put in the first group; row 0 is
    the real labelling (the first ``n_a`` runs).  Every split when there are at most
    ``limit``, otherwise row 0 and ``limit - 1`` random ones (seeded: reproducible)."""
    n = n_a + n_b
    if comb(n, n_a) <= limit:
        chosen = np.array(list(combinations(range(n), n_a)), np.int64).reshape(-1, n_a)
    else:
        rng = np.random.default_rng(seed)
        drawn = np.argsort(rng.random((limit - 1, n)), axis=1)[:, :n_a]
        chosen = np.vstack([np.arange(n_a)[None, :], drawn])
    mask = np.zeros((len(chosen), n), bool)
    mask[np.repeat(np.arange(len(chosen)), n_a), chosen.ravel()] = True
    return mask


def smallest_p_value(n_a: int, n_b: int, limit: int = MAX_SPLITS) -> float:
    """The smallest p-value the test can give with ``n_a`` and ``n_b`` runs (the real split
    and, for equal groups, its mirror image are always among the most extreme)."""
    total = comb(n_a + n_b, n_a)
    if total > limit:
        return 1.0 / limit
    return (2.0 if n_a == n_b else 1.0) / total


def cross_and_within(distances: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean cross distance and mean within distance (pooled over both groups, pairs of
    different runs) for every split in ``mask``; ``distances`` is runs x runs, symmetric."""
    a = mask.astype(float)
    b = 1.0 - a
    n_a, n_b = a[0].sum(), b[0].sum()
    a_d, b_d = a @ distances, b @ distances
    cross = (a_d * b).sum(axis=1) / (n_a * n_b)
    within = ((a_d * a).sum(axis=1) + (b_d * b).sum(axis=1)) / (n_a * (n_a - 1) + n_b * (n_b - 1))
    return cross, within


def verdicts(
    distances: Sequence[np.ndarray], n_a: int, alpha: float = DEFAULT_ALPHA
) -> list[Verdict]:
    """Apply the rule above to a family of lines at once.

    ``distances``: one runs x runs matrix per line, the first ``n_a`` runs from the first
    simulator, the rest from the second (at least 2 each).  A line whose matrix holds a NaN
    (a statistic undefined in some run) is left out of the family and is undetermined.
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be a probability strictly between 0 and 1, got {alpha}")
    matrices = [np.asarray(d, float) for d in distances]
    n = matrices[0].shape[0] if matrices else 0
    if any(d.shape != (n, n) for d in matrices):
        raise ValueError(f"distance matrices must all be {n} x {n} (one row per run)")
    undetermined = [Verdict(None, float("nan"), float("nan"), float("nan")) for _ in matrices]
    if n_a < 2 or n - n_a < 2:
        return undetermined  # the spread of a simulator with one run is unknown
    mask = splits(n_a, n - n_a)
    defined = [i for i, d in enumerate(matrices) if np.isfinite(d).all()]
    z = np.zeros((len(defined), len(mask)))
    observed = {}
    for row, i in enumerate(defined):
        cross, within = cross_and_within(matrices[i], mask)
        t = cross - within
        sd = t.std()
        if sd > 0:
            z[row] = (t - t.mean()) / sd
        observed[i] = (float(cross[0]), float(within[0]), z[row, 0])
    largest = z.max(axis=0) if defined else np.zeros(len(mask))
    decidable = smallest_p_value(n_a, n - n_a) <= alpha
    out = list(undetermined)
    for i, (cross, within, z_obs) in observed.items():
        p = float(np.mean(largest >= z_obs - 1e-9))
        out[i] = Verdict(p > alpha if decidable else None, cross, within, p)
    return out
