"""Comparing runs of several simulators, population by population, statistic by statistic.

Input: for each simulator, one entry per run (each run with its own seed), each a
``{population label: {statistic: values}}`` dict as made by
:func:`pynn_uni.analysis.statistics.population_statistics`.  Every simulator is compared
with the first (the reference) by the rule of :mod:`pynn_uni.analysis.verdict`: the lines
(population x statistic) of one pair of simulators form one family, tested at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from pynn_uni.analysis.statistics import STATISTICS
from pynn_uni.analysis.verdict import DEFAULT_ALPHA, Verdict, verdicts

RunStats = Mapping[str, Mapping[str, np.ndarray]]  # population -> statistic -> values


def mean_difference(x: np.ndarray, y: np.ndarray) -> float:
    """Difference of the two samples' means, in the statistic's units (Hz for rates): the
    most sensitive distance to a shift (a simulator firing faster, more regularly...)."""
    if len(x) == 0 or len(y) == 0:
        return float("nan")
    return float(abs(np.mean(x) - np.mean(y)))


def wasserstein(x: np.ndarray, y: np.ndarray) -> float:
    """Earth mover's distance between two samples, in the statistic's units: how far, on
    average, one distribution must be shifted to become the other (sees shape changes)."""
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


#: distances between two runs' values of one statistic, by ``--metric`` name
METRICS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "mean": mean_difference,
    "wasserstein": wasserstein,
    "ks": ks,
}


@dataclass(frozen=True)
class Comparison:
    """One line of the comparison table: ``other`` against ``reference`` on ``statistic``
    of ``population``, judged with ``metric``; ``means`` and ``sds`` give, per simulator,
    the mean and the seed-to-seed standard deviation of the runs' mean values."""

    population: str
    statistic: str
    reference: str
    other: str
    metric: str
    verdict: Verdict
    means: dict = field(default_factory=dict)
    sds: dict = field(default_factory=dict)


def _values(runs: Sequence[RunStats], population: str, statistic: str) -> list[np.ndarray]:
    """The finite values of one statistic in each run (empty where undefined)."""
    out = []
    for r in runs:
        v = np.asarray(r.get(population, {}).get(statistic, np.empty(0)), float)
        out.append(v[np.isfinite(v)])
    return out


def distance_matrix(values: Sequence[np.ndarray], metric) -> np.ndarray:
    """runs x runs matrix of ``metric`` between every two runs (0 on the diagonal)."""
    n = len(values)
    d = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            d[i, j] = d[j, i] = metric(values[i], values[j])
    return d


def _run_means(values: Sequence[np.ndarray]) -> np.ndarray:
    return np.array([v.mean() if v.size else np.nan for v in values])


def per_pair_alpha(alpha: float, n_simulators: int) -> float:
    """Level of each test against the reference, so that ``alpha`` bounds the chance of any
    false 'disagree' in the whole table (Bonferroni over the pairs)."""
    return alpha / max(n_simulators - 1, 1)


def compare(
    runs: Mapping[str, Sequence[RunStats]],
    metric: str = "mean",
    statistics: Sequence[str] = STATISTICS,
    alpha: float = DEFAULT_ALPHA,
) -> list[Comparison]:
    """Compare every simulator in ``runs`` with the first one (see the module docstring),
    each at :func:`per_pair_alpha`."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; expected one of {sorted(METRICS)}")
    distance = METRICS[metric]
    names = list(runs)
    if len(names) < 2:
        raise ValueError(f"need at least two simulators to compare, got {names}")
    reference, others = names[0], names[1:]
    populations = sorted({p for name in names for r in runs[name] for p in r})
    rows = []
    for other in others:
        lines, matrices, summaries = [], [], []
        for pop in populations:
            for stat in statistics:
                a = _values(runs[reference], pop, stat)
                b = _values(runs[other], pop, stat)
                lines.append((pop, stat))
                matrices.append(distance_matrix(a + b, distance))
                summaries.append((_run_means(a), _run_means(b)))
        outcome = verdicts(matrices, len(runs[reference]), per_pair_alpha(alpha, len(names)))
        for (pop, stat), v, (ma, mb) in zip(lines, outcome, summaries, strict=True):
            (m_a, s_a), (m_b, s_b) = _mean_sd(ma), _mean_sd(mb)
            means, sds = {reference: m_a, other: m_b}, {reference: s_a, other: s_b}
            rows.append(Comparison(pop, stat, reference, other, metric, v, means, sds))
    return rows


def _mean_sd(values: np.ndarray) -> tuple[float, float]:
    """Mean and sample standard deviation of the defined values (NaN where there are too
    few): table cells, never a numpy warning."""
    v = values[np.isfinite(values)]
    mean = float(v.mean()) if v.size else float("nan")
    return mean, float(v.std(ddof=1)) if v.size > 1 else float("nan")


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
        "| population | statistic | simulators | reference (mean ± sd) | other (mean ± sd) "
        "| distance | spread | p | verdict |"
    )
    lines = [header, "|" + "---|" * 9]
    for r in rows:
        ref = f"{r.means.get(r.reference, np.nan):.3g} ± {r.sds.get(r.reference, np.nan):.2g}"
        oth = f"{r.means.get(r.other, np.nan):.3g} ± {r.sds.get(r.other, np.nan):.2g}"
        v = r.verdict
        lines.append(
            f"| {r.population} | {r.statistic} | {r.other} vs {r.reference} | {ref} | {oth} "
            f"| {v.distance:.3g} | {v.spread:.3g} | {v.p_value:.2g} | {v.label} |"
        )
    return "\n".join(lines)
