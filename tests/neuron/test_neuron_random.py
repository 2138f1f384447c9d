"""``pyNN.neuron.random.NativeRNG``: numbers drawn by NEURON's ``h.Random``.

The expected values are what PyNN 0.13.0's ``pyNN.neuron.random.NativeRNG(seed=321245)``
returned on NEURON 9.0.2 for the same calls (the seed of PyNN's random_distributions.py).
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("neuron")

from pynn_uni.errors import NotSupportedError  # noqa: E402
from pynn_uni.neuron.random import NativeRNG, RandomDistribution  # noqa: E402


def test_same_stream_as_pynn():
    rng = NativeRNG(seed=321245)
    uniform = RandomDistribution("uniform", rng=rng, low=-65, high=-55).next(5)
    normal = RandomDistribution("normal", rng=rng, mu=-1.0, sigma=0.5).next(5)
    np.testing.assert_allclose(
        uniform, [-59.23086361, -59.73553893, -57.87990813, -60.63256175, -64.78131355]
    )
    np.testing.assert_allclose(
        normal, [-1.79928042, -1.12746749, -1.5627046, -0.04921016, -0.25933609], rtol=1e-7
    )


def test_distribution_moments_and_bounds():
    rng = NativeRNG(seed=7)
    n = 20000
    gamma = RandomDistribution("gamma", rng=rng, k=2.0, theta=0.5).next(n)
    assert gamma.mean() == pytest.approx(1.0, rel=0.03)  # k * theta
    assert gamma.var() == pytest.approx(0.5, rel=0.06)  # k * theta**2
    clipped = RandomDistribution(
        "normal_clipped", rng=rng, mu=0.5, sigma=0.5, low=0.0, high=10.0
    ).next(n)
    assert clipped.min() >= 0.0 and clipped.size == n
    ints = RandomDistribution("uniform_int", rng=rng, low=0, high=3).next(n)
    assert set(np.unique(ints)) == {0, 1, 2}  # high excluded, as in pyNN.random
    lognormal = RandomDistribution("lognormal", rng=rng, mu=0.0, sigma=0.5).next(n)
    assert np.log(lognormal).std() == pytest.approx(0.5, rel=0.05)
    with pytest.raises(NotSupportedError):
        RandomDistribution("gamma", rng=rng, k=2.5, theta=1.0).next(3)
