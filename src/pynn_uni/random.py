"""Random number generators and distributions (the ``pyNN.random`` module path).

:class:`NumpyRNG` wraps the legacy :class:`numpy.random.RandomState` (MT19937) on purpose:
a script seeded under PyNN draws the same stream here, in the same order, so parameter
values drawn with :class:`RandomDistribution` are reproducible across the port.

Distribution parameter names follow PyNN (and, mostly, Wikipedia); ``exponential(beta)``
takes the *mean* (scale), not the rate; ``uniform_int(low, high)`` excludes ``high``.

Parallel safety: with ``parallel_safe=True`` (default) every MPI rank draws the numbers for
all cells and keeps its own (``mask``), so results do not depend on the number of
processes; ``parallel_safe=False`` adds the rank to the seed and draws only local values.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from pynn_uni._lazyarray import VectorizedIterable
from pynn_uni.errors import InvalidParameterValueError, NonExistentParameterError

__all__ = [
    "AbstractRNG",
    "WrappedRNG",
    "NumpyRNG",
    "GSLRNG",
    "NativeRNG",
    "RandomDistribution",
    "available_distributions",
]

#: distribution name -> parameter names, in positional order.
available_distributions: dict[str, tuple[str, ...]] = {
    "binomial": ("n", "p"),
    "gamma": ("k", "theta"),
    "exponential": ("beta",),
    "lognormal": ("mu", "sigma"),
    "normal": ("mu", "sigma"),
    "normal_clipped": ("mu", "sigma", "low", "high"),
    "normal_clipped_to_boundary": ("mu", "sigma", "low", "high"),
    "poisson": ("lambda_",),
    "uniform": ("low", "high"),
    "uniform_int": ("low", "high"),
    "vonmises": ("mu", "kappa"),
}

#: rounds of redrawing out-of-range values in ``normal_clipped`` before giving up.
MAX_REDRAWS = 1000


def _mpi_rank() -> int:
    try:
        from pynn_uni.common import mpi
    except ImportError:  # pragma: no cover - the module is optional for this one
        return 0
    return int(mpi.rank())


def _mpi_size() -> int:
    try:
        from pynn_uni.common import mpi
    except ImportError:  # pragma: no cover
        return 1
    return int(mpi.num_processes())


class AbstractRNG:
    """Base of every generator: holds the integer ``seed`` (``None`` = seeded from the OS)."""

    def __init__(self, seed: int | None = None):
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
                raise InvalidParameterValueError(
                    f"{type(self).__name__}: seed must be an int or None, not {seed!r}"
                )
            seed = int(seed)
        self.seed = seed

    def __repr__(self) -> str:
        return f"{type(self).__name__}(seed={self.seed!r})"

    def next(self, n=None, distribution=None, parameters=None, mask=None):
        """Return ``n`` numbers (``n=None``: one scalar) from ``distribution``."""
        raise NotImplementedError

    # PyNN aliases
    def random(self, *args, **kwargs):
        return self.next(*args, **kwargs)

    def sample(self, *args, **kwargs):
        return self.next(*args, **kwargs)

    def describe(self) -> str:
        return f"{type(self).__name__} with seed {self.seed}"


class WrappedRNG(AbstractRNG):
    """A generator implemented in Python, drawing from a wrapped library generator.

    ``next`` handles ``n`` and ``mask`` once for every subclass; subclasses provide
    ``_draw(distribution, n, parameters)`` returning an array of ``n`` values.
    """

    def __init__(self, seed: int | None = None, parallel_safe: bool = True):
        super().__init__(seed)
        self.parallel_safe = bool(parallel_safe)
        self.mpi_rank = _mpi_rank()
        self.num_processes = _mpi_size()
        if self.seed is not None and not self.parallel_safe:
            self.seed += self.mpi_rank  # each rank its own stream

    def next(
        self,
        n: int | None = None,
        distribution: str | None = None,
        parameters: dict[str, Any] | None = None,
        mask: np.ndarray | None = None,
    ):
        """Draw from ``distribution`` (default uniform on [0, 1)).

        ``n=None`` returns one scalar, ``n=0`` an empty array.  ``mask`` (bool of length
        ``n``) selects the values to keep: a parallel-safe generator draws all ``n`` and
        then masks, so the kept values do not depend on how cells are distributed; a
        non-parallel-safe one draws only ``mask.sum()`` values.
        """
        if distribution is None:
            distribution = "uniform"
            if parameters is None:
                parameters = {"low": 0.0, "high": 1.0}
        if parameters is None:
            raise InvalidParameterValueError(f"{distribution}: parameters are required")
        _check_parameters(distribution, parameters)
        if n is None:
            return self._draw(distribution, 1, parameters)[0]
        n = int(n)
        if n < 0:
            raise InvalidParameterValueError(f"number of random values must be >= 0, not {n}")
        if mask is not None:
            mask = np.asarray(mask)
            if mask.dtype == bool:
                if mask.size != n:
                    raise InvalidParameterValueError(
                        f"mask has {mask.size} entries but {n} values were requested"
                    )
                if not self.parallel_safe:
                    return np.asarray(self._draw(distribution, int(mask.sum()), parameters))
            elif not self.parallel_safe:
                return np.asarray(self._draw(distribution, mask.size, parameters))
        if n == 0:
            values = np.empty(0)
        else:
            values = np.asarray(self._draw(distribution, n, parameters))
        return values if mask is None else values[mask]

    def _draw(self, distribution: str, n: int, parameters: dict[str, Any]) -> np.ndarray:
        raise NotImplementedError

    def describe(self) -> str:
        safe = "parallel safe" if self.parallel_safe else "not parallel safe"
        return (
            f"{type(self).__name__} with seed {self.seed} on MPI rank {self.mpi_rank} "
            f"of {self.num_processes}, {safe}"
        )


class NumpyRNG(WrappedRNG):
    """Mersenne Twister generator: :class:`numpy.random.RandomState` (attribute ``rng``).

    Attributes not defined here are forwarded to the RandomState, so
    ``NumpyRNG(1).permutation(10)`` or ``.uniform(0, 1, 5)`` work as in PyNN.
    """

    def __init__(self, seed: int | None = None, parallel_safe: bool = True):
        super().__init__(seed, parallel_safe)
        self.rng = np.random.RandomState(self.seed)

    def __getattr__(self, name: str):
        if name == "rng":  # not yet set (e.g. during unpickling)
            raise AttributeError(name)
        return getattr(self.rng, name)

    def __deepcopy__(self, memo):
        obj = type(self).__new__(type(self))
        obj.__dict__.update(self.__dict__)
        rs = np.random.RandomState()
        rs.set_state(self.rng.get_state())
        obj.rng = rs
        return obj

    def _draw(self, distribution: str, n: int, p: dict[str, Any]) -> np.ndarray:
        rs = self.rng
        if distribution == "binomial":
            return rs.binomial(p["n"], p["p"], size=n)
        if distribution == "gamma":
            return rs.gamma(shape=p["k"], scale=p["theta"], size=n)
        if distribution == "exponential":
            return rs.exponential(scale=p["beta"], size=n)
        if distribution == "lognormal":
            return rs.lognormal(mean=p["mu"], sigma=p["sigma"], size=n)
        if distribution == "normal":
            return rs.normal(loc=p["mu"], scale=p["sigma"], size=n)
        if distribution == "normal_clipped":
            return self._normal_clipped(p["mu"], p["sigma"], p["low"], p["high"], n)
        if distribution == "normal_clipped_to_boundary":
            values = rs.normal(loc=p["mu"], scale=p["sigma"], size=n)
            return np.clip(values, p["low"], p["high"])
        if distribution == "poisson":
            return rs.poisson(lam=p["lambda_"], size=n)
        if distribution == "uniform":
            return rs.uniform(low=p["low"], high=p["high"], size=n)
        if distribution == "uniform_int":
            return rs.randint(p["low"], p["high"], size=n)
        if distribution == "vonmises":
            return rs.vonmises(mu=p["mu"], kappa=p["kappa"], size=n)
        raise _unknown_distribution(distribution)

    def _normal_clipped(self, mu, sigma, low, high, n: int) -> np.ndarray:
        # redraw only the out-of-range values, in index order
        values = self.rng.normal(loc=mu, scale=sigma, size=n)
        bad = np.flatnonzero((values < low) | (values > high))
        rounds = 0
        while bad.size:
            if rounds >= MAX_REDRAWS:
                raise InvalidParameterValueError(
                    f"normal_clipped(mu={mu}, sigma={sigma}, low={low}, high={high}): still "
                    f"{bad.size} values outside [low, high] after {MAX_REDRAWS} redraws; "
                    "the interval holds almost none of the distribution's mass"
                )
            redrawn = self.rng.normal(loc=mu, scale=sigma, size=bad.size)
            values[bad] = redrawn
            bad = bad[(redrawn < low) | (redrawn > high)]
            rounds += 1
        return values


def mt_words(rng: NumpyRNG, n: int) -> np.ndarray:
    """The next ``n`` raw 32-bit words (uint32) of ``rng``'s Mersenne Twister, without
    consuming them.

    With :func:`mt_consume` this lets vectorised code reproduce exactly how a sequence of
    small ``RandomState`` calls (each a masked rejection loop over these words) walks the
    stream, and then advance the stream by as many words as those calls would have used.
    """
    state = rng.rng.get_state()
    bits = np.random.MT19937()
    bits.state = {"bit_generator": "MT19937", "state": {"key": state[1], "pos": state[2]}}
    # the full uint32 range returns the raw words, ~10x faster than random_raw's uint64s
    return np.random.Generator(bits).integers(0, 1 << 32, size=int(n), dtype=np.uint32)


def mt_consume(rng: NumpyRNG, n: int) -> None:
    """Advance ``rng`` by ``n`` raw 32-bit words (the Gaussian cache is kept)."""
    state = rng.rng.get_state()
    bits = np.random.MT19937()
    bits.state = {"bit_generator": "MT19937", "state": {"key": state[1], "pos": state[2]}}
    if n:
        bits.random_raw(int(n), output=False)  # advances without an array of the words
    new = bits.state["state"]
    rng.rng.set_state(("MT19937", new["key"], new["pos"], state[3], state[4]))


#: PyNN's flag "GSLRNG can be used": False, as pynn_uni has no GSL wrapper (yet).
have_gsl = False


class GSLRNG(WrappedRNG):
    """GNU Scientific Library generators, through ``pygsl`` (an optional dependency)."""

    def __init__(
        self,
        seed: int | None = None,
        type: str = "mt19937",  # noqa: A002 - PyNN's name
        parallel_safe: bool = True,
    ):
        try:
            import pygsl.rng  # noqa: F401
        except ImportError as err:
            raise ImportError(
                "GSLRNG needs the 'pygsl' package (pip install pygsl); use NumpyRNG otherwise"
            ) from err
        raise NotImplementedError(  # pragma: no cover - pygsl is not installed here
            "GSLRNG: pygsl was found but pynn_uni has no GSL wrapper yet; use NumpyRNG"
        )


class NativeRNG(AbstractRNG):
    """Marker: let the simulator draw these numbers with its own generator.

    A backend that can draw natively (e.g. NEST for connection rules or synapse values)
    recognises this class; where no backend takes over, pynn_uni falls back to a
    :class:`NumpyRNG` seeded with ``seed`` (connectors and connection values do this), so
    results stay reproducible but differ from the simulator's own stream.  Calling
    :meth:`next` directly raises ``NotImplementedError``.
    """

    def __init__(self, seed: int | None = None):
        super().__init__(seed)
        self.parallel_safe = True

    def next(self, n=None, distribution=None, parameters=None, mask=None):
        raise NotImplementedError(
            "NativeRNG only tells the simulator to draw the numbers itself; it cannot draw in "
            "Python. Use NumpyRNG where values are needed in Python."
        )

    def fallback(self) -> NumpyRNG:
        """The Python generator used where no backend draws natively."""
        return NumpyRNG(seed=self.seed)


def _unknown_distribution(name) -> KeyError:
    return NonExistentParameterError(name, "RandomDistribution", available_distributions)


def _check_parameters(name: str, p: dict[str, Any]) -> None:
    """Raise InvalidParameterValueError if ``p`` are impossible for distribution ``name``."""
    if name not in available_distributions:
        raise _unknown_distribution(name)
    expected = set(available_distributions[name])
    if set(p) != expected:
        raise KeyError(
            f"{name} distribution needs parameters {available_distributions[name]}, got {tuple(p)}"
        )

    def bad(param, why):
        return InvalidParameterValueError(
            f"{name} distribution: parameter {param}={p[param]!r} {why}"
        )

    def arr(param):
        try:
            return np.asarray(p[param], dtype=float)
        except (TypeError, ValueError) as err:
            raise bad(param, "is not a number") from err

    def non_negative(*params):
        for q in params:
            if np.any(arr(q) < 0):
                raise bad(q, "must be >= 0")

    if name == "binomial":
        non_negative("n")
        if np.any(arr("n") != np.round(arr("n"))):
            raise bad("n", "must be an integer")
        prob = arr("p")
        if np.any((prob < 0) | (prob > 1)):
            raise bad("p", "must lie in [0, 1]")
    elif name == "gamma":
        non_negative("k", "theta")
    elif name == "exponential":
        non_negative("beta")
    elif name in ("lognormal", "normal"):
        non_negative("sigma")
    elif name in ("normal_clipped", "normal_clipped_to_boundary"):
        non_negative("sigma")
        if np.any(arr("low") > arr("high")):
            raise bad("low", f"must be <= high={p['high']!r}")
    elif name == "poisson":
        non_negative("lambda_")
    elif name == "uniform":
        if np.any(arr("low") > arr("high")):
            raise bad("low", f"must be <= high={p['high']!r}")
    elif name == "uniform_int":
        if np.any(arr("low") >= arr("high")):
            raise bad("low", f"must be < high={p['high']!r} (high is excluded)")
    elif name == "vonmises":
        non_negative("kappa")
    if any(np.any(np.isnan(arr(q))) for q in p):
        raise InvalidParameterValueError(f"{name} distribution: NaN parameter in {p}")


class RandomDistribution(VectorizedIterable):
    """A named distribution plus the generator that draws from it.

    ``RandomDistribution('normal', (0.5, 0.1))`` or ``RandomDistribution('normal',
    mu=0.5, sigma=0.1, rng=NumpyRNG(42))``: every parameter is required (no defaults),
    given either positionally (order of :data:`available_distributions`) or by name, not
    both.  The default ``rng`` is an unseeded :class:`NumpyRNG`, as in PyNN.  Impossible
    parameters (``sigma < 0``, ``low > high``, ``p`` outside [0, 1], ...) raise
    :class:`InvalidParameterValueError` here, not at the first draw.
    """

    def __init__(
        self,
        distribution: str,
        parameters_pos=None,
        rng: AbstractRNG | None = None,
        **parameters_named,
    ):
        if distribution not in available_distributions:
            raise _unknown_distribution(distribution)
        self.name = distribution
        self.parameters = self._resolve(parameters_pos, parameters_named)
        _check_parameters(self.name, self.parameters)
        if rng is None:
            rng = NumpyRNG()
        elif not isinstance(rng, AbstractRNG):
            raise InvalidParameterValueError(
                f"RandomDistribution rng must be a pynn_uni.random RNG, not {type(rng).__name__}"
            )
        self.rng = rng

    def _resolve(self, positional, named) -> dict[str, Any]:
        names = available_distributions[self.name]
        if positional is not None and named:
            raise InvalidParameterValueError(
                f"{self.name} distribution: give parameters positionally or by name, not both"
            )
        if positional is None:
            if set(named) != set(names):
                raise KeyError(
                    f"{self.name} distribution needs parameters {names}, got {tuple(named)}"
                )
            return {k: named[k] for k in names}
        if isinstance(positional, dict):
            return self._resolve(None, positional)
        positional = tuple(positional)
        if len(positional) != len(names):
            raise InvalidParameterValueError(
                f"{self.name} distribution takes {len(names)} parameters {names}, "
                f"got {len(positional)}: {positional}"
            )
        return dict(zip(names, positional, strict=True))

    def next(self, n: int | None = None, mask: np.ndarray | None = None):
        """``n`` values (``n=None``: one scalar); ``mask`` applies after drawing all ``n``."""
        return self.rng.next(n=n, distribution=self.name, parameters=self.parameters, mask=mask)

    def lazily_evaluate(self, mask=None, shape=None):
        """Values for an array of ``shape``, or for the part of it that ``mask`` addresses.

        Called by lazyarray.  With a mask, only the addressed values are drawn, so the
        result depends on the order in which parts are evaluated (as in PyNN).
        """
        if mask is None:
            if shape is None:
                return self.next()
            n = int(np.prod(shape))
            return np.asarray(self.next(n)).reshape(shape)
        if shape is None:
            raise InvalidParameterValueError("lazily_evaluate needs a shape with a mask")
        part = np.broadcast_to(np.empty((), dtype=bool), shape)[mask].shape  # no allocation
        if part == ():
            return self.next()
        n = int(np.prod(part))
        return np.asarray(self.next(n)).reshape(part)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.parameters.items())
        return f"RandomDistribution({self.name!r}, {params}, rng={self.rng!r})"

    __str__ = __repr__

    def describe(self) -> str:
        return repr(self)
