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
    mean_difference,
    population_statistics,
    smallest_p_value,
    verdicts,
    wasserstein,
)
from pynn_uni.analysis.verdict import cross_and_within, splits


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
    assert mean_difference(x, x + 2.5) == pytest.approx(2.5)
    assert mean_difference(x, x[::-1]) == 0.0  # same mean, whatever the order
    assert ks(x, x + 1000.0) == pytest.approx(1.0)
    assert ks(x, x) == 0.0
    # CDFs of {1, 2, 3} and {2.5}: largest gap 2/3 just below 2.5
    assert ks(np.array([1.0, 2.0, 3.0]), np.array([2.5])) == pytest.approx(2 / 3)
    assert np.isnan(wasserstein(x, np.empty(0))) and np.isnan(mean_difference(x, []))


def test_splits_enumerate_every_labelling_with_the_real_one_first():
    mask = splits(3, 2)
    assert mask.shape == (comb(5, 3), 5)
    assert mask[0].tolist() == [True, True, True, False, False]
    assert (mask.sum(axis=1) == 3).all()
    assert len({tuple(r) for r in mask}) == comb(5, 3)
    drawn = splits(10, 10, limit=500)  # C(20, 10) > 500: the real split + 499 random ones
    assert drawn.shape == (500, 20) and drawn[0, :10].all() and (drawn.sum(axis=1) == 10).all()


def test_smallest_p_value():
    assert smallest_p_value(4, 4) == pytest.approx(2 / 70)  # the real split and its mirror
    assert smallest_p_value(6, 6) == pytest.approx(2 / 924)
    assert smallest_p_value(3, 5) == pytest.approx(1 / 56)
    assert smallest_p_value(10, 10, limit=1000) == pytest.approx(1e-3)


def test_cross_and_within_distances_of_known_runs():
    m = np.array([0.0, 0.0, 3.0, 3.0])  # two runs at 0, two at 3
    d = np.abs(m[:, None] - m[None, :])
    cross, within = cross_and_within(d, splits(2, 2))
    assert (cross[0], within[0]) == (3.0, 0.0)  # the real split: all the difference is cross
    # a mixed split ({0, 3} against {0, 3}): cross pairs 0, 3, 3, 0; within pairs 3 and 3
    mixed = splits(2, 2).tolist().index([True, False, True, False])
    assert (cross[mixed], within[mixed]) == (1.5, 3.0)


def run_matrices(rng, n_a, n_b, n_lines=3, shift=0.0, shifted_line=0):
    """|difference| of run means for lines whose runs scatter with sd 1 between seeds; the
    second simulator's runs are moved by ``shift`` on one line."""
    out = []
    for line in range(n_lines):
        m = rng.normal(0.0, 1.0, n_a + n_b)
        m[n_a:] += shift if line == shifted_line else 0.0
        out.append(np.abs(m[:, None] - m[None, :]))
    return out


def test_false_alarms_stay_below_alpha_when_simulators_are_equivalent():
    # 600 families of 3 lines, 5 runs each (126 distinct splits): under the null the chance
    # of any 'disagree' is at most alpha = 0.1 exactly, so ~60 are expected at most
    rng = np.random.default_rng(4)
    alarms = sum(
        any(v.agree is False for v in verdicts(run_matrices(rng, 5, 5), 5, alpha=0.1))
        for _ in range(600)
    )
    assert alarms <= 78  # P(Binomial(600, 0.1) > 78) < 0.01


def test_p_values_are_uniform_under_the_null():
    # exchangeable runs: P(p <= x) <= x for every x; and the test is not vacuous, it uses its
    # level (a test that never rejects would pass the check above)
    rng = np.random.default_rng(5)
    p = np.array([verdicts(run_matrices(rng, 4, 4, 1), 4, 0.5)[0].p_value for _ in range(400)])
    for x in (2 / 70, 0.1, 0.3, 0.5):
        assert np.mean(p <= x + 1e-12) <= x + 3 * np.sqrt(x * (1 - x) / 400)
    assert np.mean(p <= 0.3 + 1e-12) >= 0.3 - 3 * np.sqrt(0.3 * 0.7 / 400)


def test_a_shift_of_six_seed_sds_is_found_on_its_line():
    # 6 runs each: the difference of the two groups' means scatters with sd sqrt(2/6) ~ 0.58,
    # so a shift of 6 is ~10 of those; two other lines carry no difference
    rng = np.random.default_rng(6)
    for _ in range(20):
        v = verdicts(run_matrices(rng, 6, 6, 3, shift=6.0, shifted_line=1), 6, alpha=0.01)
        assert v[1].agree is False
        assert v[1].distance > v[1].spread and v[1].p_value <= 0.01


def test_too_few_runs_or_undefined_lines_give_no_verdict():
    rng = np.random.default_rng(7)
    # 3 runs each: p >= 2/20 = 0.1 > 0.01, so a 'disagree' could never be shown
    assert {v.agree for v in verdicts(run_matrices(rng, 3, 3, shift=50.0), 3)} == {None}
    assert {v.agree for v in verdicts(run_matrices(rng, 1, 1), 1)} == {None}
    lines = run_matrices(rng, 4, 4, 2, shift=50.0, shifted_line=1)
    lines[0][0, 1] = lines[0][1, 0] = np.nan  # a statistic undefined in run 0
    first, second = verdicts(lines, 4, alpha=0.05)
    assert first.label == "undetermined" and second.agree is False
    with pytest.raises(ValueError, match="alpha"):
        verdicts(lines, 4, alpha=1.5)
    with pytest.raises(ValueError, match="8 x 8"):
        verdicts([lines[1], np.zeros((3, 3))], 4)


def synthetic_runs(rng, n_seeds, shift=0.0, n_cells=100):
    """Two 'simulators' whose per-cell values come from N(mu, 1), mu drawn per run from
    N(0, 0.3) (seed-to-seed variability), + shift for the second simulator."""
    return {
        name: [
            {"pop": {"rate": rng.normal(rng.normal(offset, 0.3), 1, n_cells)}}
            for _ in range(n_seeds)
        ]
        for name, offset in (("a", 0.0), ("b", shift))
    }


@pytest.mark.parametrize("metric", ["mean", "wasserstein", "ks"])
def test_compare_finds_a_shift_of_one_cell_sd_with_each_metric(metric):
    rng = np.random.default_rng(8)
    for _ in range(5):
        row = compare(synthetic_runs(rng, 6, shift=1.0), metric, statistics=["rate"])[0]
        assert row.verdict.agree is False


def test_compare_rows_table_and_overall_verdict():
    rng = np.random.default_rng(9)
    runs = synthetic_runs(rng, 5, shift=5.0)
    runs["c"] = synthetic_runs(rng, 5)["b"]  # same distribution as the reference
    rows = compare(runs, statistics=["rate"], alpha=0.05)  # each pair at 0.025
    assert [(r.other, r.reference) for r in rows] == [("b", "a"), ("c", "a")]
    assert rows[0].verdict.agree is False
    assert rows[0].means["b"] == pytest.approx(5.0, abs=0.5)
    assert rows[0].sds["b"] == pytest.approx(0.3, abs=0.25)  # seed-to-seed sd of run means
    assert rows[0].verdict.distance == pytest.approx(5.0, abs=0.5)
    assert all_agree(rows) is False
    table = format_table(rows)
    assert "DISAGREE" in table and table.count("\n") == 3
    with pytest.raises(ValueError, match="metric"):
        compare(runs, metric="euclid")
    with pytest.raises(ValueError, match="two simulators"):
        compare({"a": runs["a"]})


def test_alpha_is_shared_among_the_simulators_compared_with_the_reference():
    rng = np.random.default_rng(11)
    runs = synthetic_runs(rng, 4, shift=50.0)
    # 4 seeds: p >= 2/70 = 0.029; alpha 0.05 for one pair can be reached, 0.025 for two not
    assert compare(runs, statistics=["rate"], alpha=0.05)[0].verdict.agree is False
    runs["c"] = runs["b"]
    assert all_agree(compare(runs, statistics=["rate"], alpha=0.05)) is None


def test_identical_simulators_agree_and_one_seed_gives_no_verdict():
    rng = np.random.default_rng(10)
    runs = synthetic_runs(rng, 5)
    # the same runs under two names, against the reference: the cross distances are the
    # within distances, so the real split is an ordinary one
    same = {"a": runs["a"] + runs["b"][:1], "b": runs["b"][1:] + runs["a"][:1]}
    assert all_agree(compare(same, statistics=["rate"], alpha=0.05)) is True
    rows = compare(synthetic_runs(rng, 1), statistics=["rate"])
    assert rows[0].verdict.agree is None and all_agree(rows) is None


def _write_run(directory, v_offset):
    """A run folder as `pynn-uni run` leaves it: one population with spikes and v."""
    import json
    import pickle

    import neo
    import quantities as pq

    directory.mkdir()
    seg = neo.Segment()
    seg.spiketrains = [neo.SpikeTrain([5.0, 20.0], units="ms", t_stop=50.0 * pq.ms),
                       neo.SpikeTrain([12.0], units="ms", t_stop=50.0 * pq.ms)]  # fmt: skip
    v = np.linspace(-65.0, -55.0, 4 * 501).reshape(501, 4) + v_offset
    seg.analogsignals = [neo.AnalogSignal(v * 1e-3, units="V", sampling_period=0.1 * pq.ms,
                                          name="v")]  # fmt: skip
    block = neo.Block(name="cells")
    block.segments.append(seg)
    with open(directory / "cells.pkl", "wb") as f:
        pickle.dump(block, f)
    (directory / "provenance.json").write_text(json.dumps({"backend": "nest"}))
    return v


def test_runs_keep_membrane_traces_and_the_report_overlays_them(tmp_path):
    import struct

    from pynn_uni.analysis.report import _figures
    from pynn_uni.analysis.runs import MAX_TRACES, load_run

    runs = {}
    for name, offset in (("nest", 0.0), ("neuron", 0.5)):
        v = _write_run(tmp_path / name, offset)
        run = load_run(tmp_path / name, name, 1)
        times, values = run.traces["cells"]
        np.testing.assert_allclose(times, 0.1 * np.arange(501))
        np.testing.assert_allclose(values, v[:, :MAX_TRACES].T)  # V -> mV, cells x time
        assert run.spikes["cells"].times.size == 3
        runs[name] = [run]
    [(pop, png)] = _figures(runs, tmp_path)
    width = struct.unpack(">I", (tmp_path / png).read_bytes()[16:20])[0]
    assert pop == "cells" and width == 5 * 4 * 80  # 2 rasters, 2 histograms, the overlay
