"""pynn_uni.random: parameter handling, streams (legacy MT19937), masks, statistics."""

import copy
import math

import numpy as np
import pytest
from lazyarray import larray
from scipy import stats

from pynn_uni.errors import InvalidParameterValueError
from pynn_uni.random import (
    GSLRNG,
    NativeRNG,
    NumpyRNG,
    RandomDistribution,
    available_distributions,
)

N = 20_000


def within(sample_mean, mean, sd, n, k=5.0):
    return abs(sample_mean - mean) <= k * sd / math.sqrt(n)


def test_available_distributions_names():
    assert available_distributions["exponential"] == ("beta",)
    assert available_distributions["normal_clipped"] == ("mu", "sigma", "low", "high")
    assert available_distributions["poisson"] == ("lambda_",)
    assert set(available_distributions) == {
        "binomial", "gamma", "exponential", "lognormal", "normal", "normal_clipped",
        "normal_clipped_to_boundary", "poisson", "uniform", "uniform_int", "vonmises",
    }  # fmt: skip


def test_positional_and_named_are_equivalent():
    a = RandomDistribution("normal", (0.5, 0.1), rng=NumpyRNG(3))
    b = RandomDistribution("normal", mu=0.5, sigma=0.1, rng=NumpyRNG(3))
    assert a.parameters == b.parameters == {"mu": 0.5, "sigma": 0.1}
    np.testing.assert_array_equal(a.next(5), b.next(5))


@pytest.mark.parametrize(
    "args, kwargs, exc",
    [
        (("normal", (0.5, 0.1)), {"mu": 0.5, "sigma": 0.1}, ValueError),  # both
        (("normal",), {"mu": 0.5}, KeyError),  # missing
        (("normal", (0.5,)), {}, ValueError),  # too few positional
        (("nonsense", (1,)), {}, KeyError),
    ],
)
def test_bad_parameterisation(args, kwargs, exc):
    with pytest.raises(exc):
        RandomDistribution(*args, **kwargs)


@pytest.mark.parametrize(
    "name, params, bad",
    [
        ("normal", (0.0, -1.0), "sigma"),
        ("uniform", (2.0, 1.0), "low"),
        ("binomial", (10, 1.5), "p"),
        ("uniform_int", (3, 3), "low"),
        ("normal_clipped", (0, 1, 2, 1), "low"),
        ("gamma", (-1, 1), "k"),
    ],
)
def test_invalid_values_raise_at_construction(name, params, bad):
    with pytest.raises(InvalidParameterValueError, match=f"{name}.*{bad}"):
        RandomDistribution(name, params)


def test_numpy_rng_is_legacy_random_state_stream():
    rd = RandomDistribution("normal", (0.5, 0.1), rng=NumpyRNG(seed=42))
    np.testing.assert_array_equal(rd.next(7), np.random.RandomState(42).normal(0.5, 0.1, 7))
    rd = RandomDistribution("uniform_int", (0, 10), rng=NumpyRNG(seed=42))
    np.testing.assert_array_equal(rd.next(7), np.random.RandomState(42).randint(0, 10, 7))
    # unknown attributes are forwarded to the RandomState
    np.testing.assert_array_equal(
        NumpyRNG(1).permutation(6), np.random.RandomState(1).permutation(6)
    )
    assert isinstance(NumpyRNG(1).rng, np.random.RandomState)


def test_scalar_empty_and_negative_n():
    rd = RandomDistribution("uniform", (0, 1), rng=NumpyRNG(1))
    assert np.ndim(rd.next()) == 0
    assert rd.next(0).shape == (0,)
    with pytest.raises(InvalidParameterValueError):
        rd.next(-1)


def test_mask_applies_after_drawing_all_values():
    mask = np.array([True, False, True, False, False, True])
    full = RandomDistribution("normal", (0, 1), rng=NumpyRNG(9)).next(6)
    masked = RandomDistribution("normal", (0, 1), rng=NumpyRNG(9)).next(6, mask=mask)
    np.testing.assert_array_equal(masked, full[mask])


def test_not_parallel_safe_draws_only_local_values():
    rng = NumpyRNG(9, parallel_safe=False)
    assert rng.seed == 9  # rank 0 of a single process
    mask = np.array([True, False, True, False])
    values = RandomDistribution("normal", (0, 1), rng=rng).next(4, mask=mask)
    np.testing.assert_array_equal(values, np.random.RandomState(9).normal(0, 1, 2))


def test_exponential_takes_the_mean():
    x = RandomDistribution("exponential", (4.0,), rng=NumpyRNG(1)).next(N)
    assert within(x.mean(), 4.0, 4.0, N)


def test_gamma_lognormal_poisson_binomial_moments():
    g = RandomDistribution("gamma", k=2.0, theta=3.0, rng=NumpyRNG(2)).next(N)
    assert within(g.mean(), 6.0, math.sqrt(2) * 3.0, N)
    ln = RandomDistribution("lognormal", mu=1.0, sigma=0.5, rng=NumpyRNG(3)).next(N)
    # the median of a lognormal is exp(mu); sample median has sd ~ 1.2533 sd/sqrt(N) of log
    assert abs(np.log(np.median(ln)) - 1.0) < 5 * 1.2533 * 0.5 / math.sqrt(N)
    p = RandomDistribution("poisson", lambda_=3.5, rng=NumpyRNG(4)).next(N)
    assert within(p.mean(), 3.5, math.sqrt(3.5), N)
    b = RandomDistribution("binomial", n=20, p=0.3, rng=NumpyRNG(5)).next(N)
    assert within(b.mean(), 6.0, math.sqrt(20 * 0.3 * 0.7), N)


def test_uniform_int_excludes_high():
    x = RandomDistribution("uniform_int", low=2, high=5, rng=NumpyRNG(1)).next(3000)
    assert set(np.unique(x)) == {2, 3, 4}


def test_vonmises_range():
    x = RandomDistribution("vonmises", mu=0.0, kappa=1.0, rng=NumpyRNG(1)).next(1000)
    assert np.all((x >= -np.pi) & (x <= np.pi))


def test_normal_clipped_redraws_to_truncated_normal():
    mu, sigma, low, high = 0.0, 1.0, -0.5, 2.0
    x = RandomDistribution("normal_clipped", (mu, sigma, low, high), rng=NumpyRNG(6)).next(N)
    assert x.min() >= low and x.max() <= high
    tn = stats.truncnorm((low - mu) / sigma, (high - mu) / sigma, loc=mu, scale=sigma)
    assert within(x.mean(), tn.mean(), tn.std(), N)


def test_normal_clipped_gives_up_after_max_redraws():
    rd = RandomDistribution("normal_clipped", (0.0, 1.0, 50.0, 51.0), rng=NumpyRNG(1))
    with pytest.raises(InvalidParameterValueError, match="normal_clipped"):
        rd.next(1)


def test_normal_clipped_to_boundary_piles_up_at_bounds():
    x = RandomDistribution("normal_clipped_to_boundary", (0, 1, -1, 1), rng=NumpyRNG(7)).next(N)
    assert x.min() == -1.0 and x.max() == 1.0
    p = stats.norm.cdf(-1.0)
    frac = np.mean(x == -1.0)
    assert abs(frac - p) < 5 * math.sqrt(p * (1 - p) / N)


def test_lazily_evaluate_and_lazyarray():
    rd = RandomDistribution("uniform", (0, 1), rng=NumpyRNG(1))
    assert rd.lazily_evaluate(shape=(3, 4)).shape == (3, 4)
    assert rd.lazily_evaluate(mask=(slice(None), 1), shape=(3, 4)).shape == (3,)
    assert larray(rd, shape=(2, 5)).evaluate().shape == (2, 5)


def test_repr_names_distribution_parameters_and_rng():
    r = repr(RandomDistribution("normal", (0.5, 0.1), rng=NumpyRNG(3)))
    assert r == "RandomDistribution('normal', mu=0.5, sigma=0.1, rng=NumpyRNG(seed=3))"


def test_deepcopy_continues_the_same_stream():
    rng = NumpyRNG(11)
    rng.next(3)
    clone = copy.deepcopy(rng)
    np.testing.assert_array_equal(rng.next(4), clone.next(4))


def test_seed_must_be_int():
    with pytest.raises(InvalidParameterValueError):
        NumpyRNG(seed=1.5)


def test_native_and_gsl():
    with pytest.raises(NotImplementedError, match="NativeRNG"):
        NativeRNG(seed=1).next(3)
    assert NativeRNG(seed=4).fallback().seed == 4
    with pytest.raises(ImportError, match="pygsl"):
        GSLRNG(seed=1)


def test_aliases_and_describe():
    rng = NumpyRNG(2)
    assert rng.sample(3).shape == (3,) and rng.random(2).shape == (2,)
    assert "seed 2" in rng.describe()
