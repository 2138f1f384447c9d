"""PyNN's ``pyNN.neuron.random`` path: the random-number module, plus a ``NativeRNG`` that
draws with NEURON's own generator (``h.Random``).

Everything in :mod:`pynn_uni.random` is re-exported, so ``sim.random`` stays complete when
this sub-module is imported.  Where pynn_uni itself needs numbers in Python (connectors,
parameter values) a ``NativeRNG`` is treated like the generic one (see
:class:`pynn_uni.random.NativeRNG`); calling :meth:`NativeRNG.next` draws from NEURON.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pynn_uni import random as _random
from pynn_uni.errors import InvalidParameterValueError, NotSupportedError
from pynn_uni.neuron.hoc import neuron_h
from pynn_uni.random import *  # noqa: F403 - the whole pyNN.random namespace
from pynn_uni.random import WrappedRNG
from pynn_uni.random import __all__ as _random_all

__all__ = list(_random_all)


def _lognormal_moments(mu: float, sigma: float) -> tuple[float, float]:
    """Mean and variance of exp(N(mu, sigma^2)), which is how NEURON parameterises it."""
    s2 = sigma * sigma
    return float(np.exp(mu + s2 / 2)), float((np.exp(s2) - 1) * np.exp(2 * mu + s2))


def _native(distribution: str, p: dict[str, Any]) -> tuple[str, tuple[float, ...]]:
    """(h.Random method, its arguments) for a pyNN distribution; NEURON uses variances."""
    if distribution == "uniform":
        return "uniform", (p["low"], p["high"])
    if distribution == "uniform_int":  # pyNN excludes high, NEURON's discunif includes it
        return "discunif", (p["low"], p["high"] - 1)
    if distribution in ("normal", "normal_clipped", "normal_clipped_to_boundary"):
        return "normal", (p["mu"], p["sigma"] ** 2)
    if distribution == "lognormal":
        return "lognormal", _lognormal_moments(p["mu"], p["sigma"])
    if distribution == "exponential":
        return "negexp", (p["beta"],)
    if distribution == "poisson":
        return "poisson", (p["lambda_"],)
    if distribution == "binomial":
        return "binomial", (p["n"], p["p"])
    if distribution == "gamma" and float(p["k"]).is_integer():
        k, theta = p["k"], p["theta"]
        return "erlang", (k * theta, k * theta * theta)
    raise NotSupportedError(
        f"NativeRNG on NEURON cannot draw {distribution}{tuple(p.items())}: h.Random has no "
        "such distribution (gamma needs an integer k); use NumpyRNG"
    )


class NativeRNG(_random.NativeRNG, WrappedRNG):
    """Random numbers from NEURON's ``h.Random(seed)`` (``seed=None``: NEURON's default).

    Normal distributions are drawn with NEURON's (mean, variance) parameterisation; a
    clipped normal is redrawn (or clipped) in Python.  NEURON loads on the first draw.
    """

    next = WrappedRNG.next

    def __init__(self, seed: int | None = None, parallel_safe: bool = True):
        WrappedRNG.__init__(self, seed, parallel_safe)
        self._h_random = None
        self._selected: tuple | None = None

    def _generator(self):
        if self._h_random is None:
            h = neuron_h()
            self._h_random = h.Random() if self.seed is None else h.Random(self.seed)
        return self._h_random

    def _pick(self, method: str, args: tuple, n: int) -> np.ndarray:
        from neuron import h

        rng = self._generator()
        values = np.empty(n)
        first = 0
        if self._selected != (method, args):  # selecting a distribution draws one value
            values[0] = getattr(rng, method)(*args)
            self._selected = (method, args)
            first = 1
        if n > first:
            vec = h.Vector(n - first)
            vec.setrand(rng)
            values[first:] = vec.as_numpy()
        return values

    def _draw(self, distribution: str, n: int, p: dict[str, Any]) -> np.ndarray:
        if n == 0:
            return np.empty(0)
        method, args = _native(distribution, p)
        args = tuple(float(a) for a in args)
        values = self._pick(method, args, n)
        if distribution == "normal_clipped_to_boundary":
            return np.clip(values, p["low"], p["high"])
        if distribution == "normal_clipped":
            bad = np.flatnonzero((values < p["low"]) | (values > p["high"]))
            for _ in range(_random.MAX_REDRAWS):
                if not bad.size:
                    return values
                values[bad] = self._pick(method, args, bad.size)
                bad = bad[(values[bad] < p["low"]) | (values[bad] > p["high"])]
            if bad.size:
                raise InvalidParameterValueError(
                    f"normal_clipped{tuple(p.items())}: values still outside [low, high] after "
                    f"{_random.MAX_REDRAWS} redraws"
                )
        return values
