"""pynn_uni.analysis on synthetic spike trains with known statistics, and the verdict rule
on synthetic distances and distributions with known outcomes."""

from __future__ import annotations

from math import comb

import neo
import numpy as np
import pytest
import quantities as pq

from pynn_uni.analysis import (
    SpikeColumns,
    all_agree,
    binned_counts,
    compare,
    correlation_coefficients,
    cv_isi,
    firing_rates,
    format_table,
    ks,
    null_false_alarm_probability,
    population_statistics,
    verdict,
    wasserstein,
)
from pynn_uni.analysis.compare import ks_pvalue


def columns(trains, t_stop=1000.0, t_start=0.0):
    cells = np.repeat(np.arange(len(trains)), [len(t) for t in trains])
    times = np.concatenate([np.asarray(t, float) for t in trains]) if trains else []
    return SpikeColumns.from_arrays(cells, times, len(trains), t_start, t_stop)


def poisson(rng, rate_hz, t_stop_ms, n):
    """n independent Poisson trains (ms)."""
    out = []
    for _ in range(n):
        k = rng.poisson(rate_hz * t_stop_ms / 1000.0)
        out.append(np.sort(rng.uniform(0, t_stop_ms, k)))
    return out


# -- statistics ---------------------------------------------------------------------------


def test_rates_are_counts_over_duration_in_hz():
    s = columns([[1.0, 2.0, 3.0], [], [500.0]], t_start=0.0, t_stop=500.0)
    np.testing.assert_allclose(firing_rates(s), [6.0, 0.0, 2.0])


def test_neo_spiketrains_in_seconds_are_read_in_ms():
    trains = [
        neo.SpikeTrain([0.1, 0.2] * pq.s, t_start=0 * pq.s, t_stop=2 * pq.s),
        neo.SpikeTrain([] * pq.s, t_start=0 * pq.s, t_stop=2 * pq.s),
    ]
    s = SpikeColumns.from_spiketrains(trains)
    assert (s.t_start, s.t_stop, s.n_cells) == (0.0, 2000.0, 2)
    np.testing.assert_allclose(s.times, [100.0, 200.0])
    np.testing.assert_allclose(firing_rates(trains), [1.0, 0.0])


def test_cv_of_known_intervals():
    # ISIs 10, 30: mean 20, population std 10 -> 0.5; a clock -> 0; 2 spikes -> left out
    s = columns([[0.0, 10.0, 40.0], np.arange(0, 100, 5.0), [1.0, 2.0]])
    np.testing.assert_allclose(cv_isi(s), [0.5, 0.0], atol=1e-12)


def test_cv_of_poisson_trains_is_one():
    rng = np.random.default_rng(1)
    cv = cv_isi(columns(poisson(rng, 50.0, 20000.0, 20), t_stop=20000.0))
    # each CV from ~1000 exponential ISIs: sd ~ 0.03; the mean of 20 ~ 0.007
    assert cv.size == 20
    assert abs(cv.mean() - 1.0) < 0.03


def test_binned_counts_drop_the_partial_last_bin():
    s = columns([[0.0, 4.9, 5.0, 12.0], [9.99]], t_stop=12.5)
    np.testing.assert_array_equal(binned_counts(s, 5.0), [[2, 1], [0, 1]])


def test_identical_trains_correlate_fully_and_independent_ones_not():
    rng = np.random.default_rng(2)
    train = poisson(rng, 40.0, 10000.0, 1)[0]
    np.testing.assert_allclose(
        correlation_coefficients(columns([train, train, train], t_stop=10000.0)), 1.0
    )
    c = correlation_coefficients(columns(poisson(rng, 40.0, 10000.0, 30), t_stop=10000.0))
    assert c.size == 30 * 29 // 2
    # independent: each coefficient ~ N(0, 1/sqrt(2000 bins)); the mean of 435 of them
    # (dependent through shared cells) stays well inside 0.01
    assert abs(c.mean()) < 0.01
    assert 0.5 / np.sqrt(2000) < c.std() < 1.5 / np.sqrt(2000)


def test_silent_cells_are_left_out_of_correlations_and_max_cells_caps_pairs():
    rng = np.random.default_rng(3)
    trains = [[], *poisson(rng, 20.0, 2000.0, 10)]
    assert correlation_coefficients(columns(trains, t_stop=2000.0), max_cells=4).size == 6
    assert correlation_coefficients(columns([[], []])).size == 0


def test_population_statistics_keys():
    stats = population_statistics(columns([[1.0, 5.0, 9.0], [2.0]], t_stop=10.0))
    assert set(stats) == {"rate", "cv_isi", "correlation"}


# -- distances and the verdict rule -------------------------------------------------------


def test_distances_of_known_samples():
    x = np.arange(100.0)
    assert wasserstein(x, x + 2.5) == pytest.approx(2.5)
    assert ks(x, x + 1000.0) == pytest.approx(1.0)
    assert ks(x, x) == 0.0
    # CDFs of {1, 2, 3} and {2.5}: largest gap 2/3 just below 2.5
    assert ks(np.array([1.0, 2.0, 3.0]), np.array([2.5])) == pytest.approx(2 / 3)
    assert ks_pvalue(x, x) == pytest.approx(1.0)
    assert ks_pvalue(x, x + 1000.0) < 1e-20
    assert np.isnan(wasserstein(x, np.empty(0)))


def test_verdict_rule_on_known_distances():
    assert verdict([1.0, 2.0, 3.0], [0.5, 1.0, 2.0]).agree is True
    assert verdict([1.0, 2.0, 3.0], [2.0, 3.0, 3.0]).agree is True  # equal to spread: agree
    v = verdict([1.0, 2.0, 3.0], [2.0, 4.0, 5.0])
    assert (v.agree, v.distance, v.spread, v.label) == (False, 4.0, 3.0, "DISAGREE")
    assert verdict([np.nan, 1.0], [0.5, np.nan]).agree is True  # NaNs ignored
    assert verdict([], [1.0]).agree is None  # no spread: one seed per backend
    assert verdict([np.nan], [1.0]).label == "undetermined"


def test_false_alarm_bound():
    assert null_false_alarm_probability(3) == pytest.approx(comb(6, 3) / comb(12, 3))
    assert null_false_alarm_probability(4) == pytest.approx(924 / 134596)
    assert np.isnan(null_false_alarm_probability(1))


def synthetic_runs(rng, n_seeds, shift=0.0, n_cells=100):
    """Two 'simulators' whose per-cell values come from N(0, 1) (+ shift for the second)."""
    return {
        "a": [{"pop": {"rate": rng.normal(0, 1, n_cells)}} for _ in range(n_seeds)],
        "b": [{"pop": {"rate": rng.normal(shift, 1, n_cells)}} for _ in range(n_seeds)],
    }


@pytest.mark.parametrize("metric", ["wasserstein", "ks"])
def test_same_distribution_rarely_disagrees(metric):
    # under the null the bound for 4 seeds is 0.007 per verdict; 300 trials -> expect ~2
    rng = np.random.default_rng(4)
    false_alarms = sum(
        compare(synthetic_runs(rng, 4), metric, statistics=["rate"])[0].verdict.agree is False
        for _ in range(300)
    )
    assert false_alarms <= 9  # P(Binomial(300, 0.007) > 9) < 1e-3


@pytest.mark.parametrize("metric", ["wasserstein", "ks"])
def test_a_shift_of_one_sd_always_disagrees(metric):
    # within distances ~ 0.15 sd for 100 cells; a 1 sd shift is ~7 times that
    rng = np.random.default_rng(5)
    for _ in range(20):
        row = compare(synthetic_runs(rng, 4, shift=1.0), metric, statistics=["rate"])[0]
        assert row.verdict.agree is False


def test_compare_rows_table_and_overall_verdict():
    rng = np.random.default_rng(6)
    runs = synthetic_runs(rng, 3, shift=5.0)
    runs["c"] = runs["a"]  # identical to the reference: distances equal the within ones
    rows = compare(runs, statistics=["rate"])
    assert [(r.other, r.reference) for r in rows] == [("b", "a"), ("c", "a")]
    assert [r.verdict.agree for r in rows] == [False, True]
    assert rows[0].means["b"] == pytest.approx(5.0, abs=0.3)
    assert all_agree(rows) is False
    assert all_agree(rows[1:]) is True
    table = format_table(rows)
    assert "DISAGREE" in table and table.count("\n") == 3
    with pytest.raises(ValueError, match="metric"):
        compare(runs, metric="euclid")
    with pytest.raises(ValueError, match="two simulators"):
        compare({"a": runs["a"]})


def test_one_seed_gives_no_verdict():
    rows = compare(synthetic_runs(np.random.default_rng(7), 1), statistics=["rate"])
    assert rows[0].verdict.agree is None and all_agree(rows) is None
