"""Comparing runs of several simulators, population by population, statistic by statistic.

Input: for each simulator, one entry per seed (the same seeds, in the same order, for
every simulator), each a ``{population label: {statistic: values}}`` dict as made by
:func:`pynn_uni.analysis.statistics.population_statistics`.  Every simulator is compared
with the first (the reference) by the rule of :mod:`pynn_uni.analysis.verdict`, using a
two-sample distance between the value distributions of two runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations, permutations

import numpy as np

from pynn_uni.analysis.statistics import STATISTICS
from pynn_uni.analysis.verdict import Verdict, verdict

RunStats = Mapping[str, Mapping[str, np.ndarray]]  # population -> statistic -> values


def wasserstein(x: np.ndarray, y: np.ndarray) -> float:
    """Earth mover's distance between two samples, in the statistic's units (Hz for rates):
    how far, on average, one distribution must be shifted to become the other."""
    from scipy.stats import wasserstein_distance

    if len(x) == 0 or len(y) == 0:
        return float("nan")
    return float(wasserstein_distance(x, y))


def ks(x: np.ndarray, y: np.ndarray) -> float:
    """Kolmogorov-Smirnov statistic: the largest gap between the two empirical CDFs (0..1)."""
    x, y = np.sort(np.asarray(x, float)), np.sort(np.asarray(y, float))
    if x.size == 0 or y.size == 0:
        return float("nan")
    grid = np.concatenate([x, y])
    cdf_x = np.searchsorted(x, grid, side="right") / x.size
    cdf_y = np.searchsorted(y, grid, side="right") / y.size
    return float(np.abs(cdf_x - cdf_y).max())


def ks_pvalue(x: np.ndarray, y: np.ndarray) -> float:
    """Asymptotic two-sided KS p-value (Kolmogorov distribution): for the reader only, since
    with thousands of values (pair correlations) it rejects even seed-to-seed differences."""
    from scipy.stats import kstwobign

    n, m = len(x), len(y)
    if n == 0 or m == 0:
        return float("nan")
    return float(kstwobign.sf(ks(x, y) * np.sqrt(n * m / (n + m))))


METRICS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "wasserstein": wasserstein,
    "ks": ks,
}


@dataclass(frozen=True)
class Comparison:
    """One line of the comparison table: ``other`` against ``reference`` on ``statistic``
    of ``population``; ``verdict`` by ``metric``; KS figures (median over cross pairs) and
    each simulator's mean value are for the reader."""

    population: str
    statistic: str
    reference: str
    other: str
    metric: str
    verdict: Verdict
    ks: float
    ks_pvalue: float
    means: dict = field(default_factory=dict)


def _values(runs: Sequence[RunStats], population: str, statistic: str) -> list[np.ndarray]:
    return [np.asarray(r.get(population, {}).get(statistic, np.empty(0)), float) for r in runs]


def within_distances(runs: Sequence[np.ndarray], metric) -> list[float]:
    """Distances between every two runs of one simulator (different seeds)."""
    return [metric(a, b) for a, b in combinations(runs, 2)]


def between_distances(a_runs: Sequence[np.ndarray], b_runs: Sequence[np.ndarray], metric):
    """Distances between run i of one simulator and run j != i of the other (seed i != j);
    with one run each, the one same-seed pair (the verdict is undetermined anyway)."""
    n = min(len(a_runs), len(b_runs))
    pairs = list(permutations(range(n), 2)) if n > 1 else [(0, 0)] * n
    return [metric(a_runs[i], b_runs[j]) for i, j in pairs]


def compare(
    runs: Mapping[str, Sequence[RunStats]],
    metric: str = "wasserstein",
    statistics: Sequence[str] = STATISTICS,
) -> list[Comparison]:
    """Compare every simulator in ``runs`` with the first one (see the module docstring)."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; expected one of {sorted(METRICS)}")
    distance = METRICS[metric]
    names = list(runs)
    if len(names) < 2:
        raise ValueError(f"need at least two simulators to compare, got {names}")
    reference = names[0]
    populations = sorted({p for name in names for r in runs[name] for p in r})
    rows = []
    for other in names[1:]:
        for pop in populations:
            for stat in statistics:
                a = _values(runs[reference], pop, stat)
                b = _values(runs[other], pop, stat)
                within = within_distances(a, distance) + within_distances(b, distance)
                between = between_distances(a, b, distance)
                ks_d = between_distances(a, b, ks)
                ks_p = between_distances(a, b, ks_pvalue)
                means = {
                    reference: float(np.mean(np.concatenate(a))) if a else float("nan"),
                    other: float(np.mean(np.concatenate(b))) if b else float("nan"),
                }
                rows.append(
                    Comparison(
                        pop,
                        stat,
                        reference,
                        other,
                        metric,
                        verdict(within, between),
                        _median(ks_d),
                        _median(ks_p),
                        means,
                    )
                )
    return rows


def _median(values) -> float:
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else float("nan")


def all_agree(rows: Sequence[Comparison]) -> bool | None:
    """True when every determined verdict agrees (and at least one is determined); False
    when any disagrees; None when none could be determined."""
    outcomes = [r.verdict.agree for r in rows]
    if any(o is False for o in outcomes):
        return False
    return True if any(o is True for o in outcomes) else None


def format_table(rows: Sequence[Comparison]) -> str:
    """The comparison as a fixed-width text table (also valid Markdown)."""
    header = (
        "| population | statistic | simulators | mean (ref / other) | distance | spread "
        "| KS D | KS p | verdict |"
    )
    lines = [header, "|" + "---|" * 9]
    for r in rows:
        m = r.means
        lines.append(
            f"| {r.population} | {r.statistic} | {r.other} vs {r.reference} "
            f"| {m.get(r.reference, np.nan):.3g} / {m.get(r.other, np.nan):.3g} "
            f"| {r.verdict.distance:.3g} | {r.verdict.spread:.3g} | {r.ks:.3g} "
            f"| {r.ks_pvalue:.3g} | {r.verdict.label} |"
        )
    return "\n".join(lines)
