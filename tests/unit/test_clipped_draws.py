"""The bulk ``normal_clipped`` draws of connectors give exactly the numbers of PyNN's
column-by-column calls (one ``rng.next`` per column, redraws before the next column) and
leave the generator where those calls leave it."""

from __future__ import annotations

import numpy as np
import pytest

from pynn_uni.common.connectors.clipped_draws import normal_clipped_by_column
from pynn_uni.errors import InvalidParameterValueError
from pynn_uni.random import NumpyRNG

CASES = [  # (mu, sigma, low, high): no redraws, frequent, most values redrawn
    (87.8, 8.78, 0.0, np.inf),
    (1.5, 0.75, 0.1, np.inf),
    (-0.35, 0.035, -np.inf, 0.0),
    (0.0, 1.0, -0.2, 0.2),
]


def per_column(rng, lengths, params):
    parts = [rng.next(int(k), "normal_clipped", params) for k in lengths]
    return np.concatenate(parts) if parts else np.empty(0)


@pytest.mark.parametrize("mu, sigma, low, high", CASES)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_numbers_and_state_as_per_column_calls(mu, sigma, low, high, seed):
    lengths = np.random.RandomState(seed).randint(1, 300, size=200)
    params = {"mu": mu, "sigma": sigma, "low": low, "high": high}
    a, b = NumpyRNG(seed), NumpyRNG(seed)
    expected = per_column(a, lengths, params)
    got = normal_clipped_by_column(b.rng, lengths, mu, sigma, low, high)
    np.testing.assert_array_equal(got, expected)
    assert a.rng.normal() == b.rng.normal()


def test_long_stream_across_chunks():
    lengths = np.full(3000, 200)  # 600,000 values: more than one chunk of normals
    a, b = NumpyRNG(9), NumpyRNG(9)
    params = {"mu": 0.75, "sigma": 0.375, "low": 0.1, "high": np.inf}
    expected = per_column(a, lengths, params)
    np.testing.assert_array_equal(
        normal_clipped_by_column(b.rng, lengths, 0.75, 0.375, 0.1, np.inf), expected
    )
    assert a.rng.normal() == b.rng.normal()


def test_impossible_interval_refused_like_per_column_draws():
    with pytest.raises(InvalidParameterValueError, match="after 1000 redraws"):
        normal_clipped_by_column(NumpyRNG(1).rng, [5, 5], 10.0, 0.1, -np.inf, 0.0)


@pytest.mark.parametrize("mu, sigma, low, high", CASES + [(0.0, 1.0, -0.12, 0.12)])
def test_empty_columns_and_the_column_walk(mu, sigma, low, high):
    """Columns without values (first, last, in between); (-0.12, 0.12) holds under 1 in 10
    normals, so the columns are walked one by one instead."""
    lengths = np.random.RandomState(4).randint(0, 4, size=300)
    lengths[:3] = lengths[-2:] = 0
    params = {"mu": mu, "sigma": sigma, "low": low, "high": high}
    a, b = NumpyRNG(11), NumpyRNG(11)
    expected = per_column(a, lengths, params)
    np.testing.assert_array_equal(
        normal_clipped_by_column(b.rng, lengths, mu, sigma, low, high), expected
    )
    assert a.rng.normal() == b.rng.normal()


def test_no_values_draw_nothing():
    a, b = NumpyRNG(5), NumpyRNG(5)
    expected = per_column(a, [0, 0, 0], {"mu": 0.0, "sigma": 1.0, "low": -1.0, "high": 1.0})
    got = normal_clipped_by_column(b.rng, [0, 0, 0], 0.0, 1.0, -1.0, 1.0)
    assert got.size == expected.size == 0
    assert a.rng.normal() == b.rng.normal()
