"""Spike-train statistics and cross-simulator comparison (``pynn-uni compare``).

:mod:`.statistics` computes per-population distributions (firing rates, CV of ISIs,
pairwise correlations); :mod:`.compare` measures distances between runs (difference of
means, Wasserstein, KS); :mod:`.verdict` holds the permutation test that turns them into
agree / disagree; :mod:`.runs` runs scripts in child processes and reads their data;
:mod:`.report` writes the Markdown report.
"""

from pynn_uni.analysis.compare import (
    Comparison,
    all_agree,
    compare,
    format_table,
    ks,
    mean_difference,
    wasserstein,
)
from pynn_uni.analysis.statistics import (
    STATISTICS,
    SpikeColumns,
    binned_counts,
    correlation_coefficients,
    cv_isi,
    firing_rates,
    population_statistics,
)
from pynn_uni.analysis.verdict import DEFAULT_ALPHA, Verdict, smallest_p_value, verdicts

__all__ = [
    "DEFAULT_ALPHA",
    "STATISTICS",
    "Comparison",
    "SpikeColumns",
    "Verdict",
    "all_agree",
    "binned_counts",
    "compare",
    "correlation_coefficients",
    "cv_isi",
    "firing_rates",
    "format_table",
    "ks",
    "mean_difference",
    "population_statistics",
    "smallest_p_value",
    "verdicts",
    "wasserstein",
]
