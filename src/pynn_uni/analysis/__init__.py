"""Spike-train statistics and cross-simulator comparison (``pynn-uni compare``).

:mod:`.statistics` computes per-population distributions (firing rates, CV of ISIs,
pairwise correlations); :mod:`.compare` measures two-sample distances (Wasserstein, KS)
between runs; :mod:`.verdict` holds the rule that turns them into agree / disagree;
:mod:`.runs` runs scripts in child processes and reads their data; :mod:`.report` writes
the Markdown report.
"""

from pynn_uni.analysis.compare import Comparison, all_agree, compare, format_table, ks, wasserstein
from pynn_uni.analysis.statistics import (
    STATISTICS,
    SpikeColumns,
    binned_counts,
    correlation_coefficients,
    cv_isi,
    firing_rates,
    population_statistics,
)
from pynn_uni.analysis.verdict import Verdict, null_false_alarm_probability, verdict

__all__ = [
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
    "null_false_alarm_probability",
    "population_statistics",
    "verdict",
    "wasserstein",
]
