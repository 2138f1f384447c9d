"""Connectors that connect each pair independently with some probability: fixed, a
function of distance, of displacement, or of the indices."""

from __future__ import annotations

import copy

import numpy as np

from pynn_uni.common.connectors.base import MapConnector, check_allow_self
from pynn_uni.common.connectors.context import check_rng, connector_rng
from pynn_uni.common.expressions import (
    IndexBasedExpression,
    as_floats,
    compile_distance_expression,
    described,
    first_bad,
    shown,
)
from pynn_uni.common.units import is_number
from pynn_uni.errors import InvalidDimensionsError, InvalidParameterValueError


class _ProbabilisticMap(MapConnector):
    """A map connector whose probabilities come from a user's function: its values are
    checked where they are used (numbers, the block's shape, in [0, 1]), naming the
    connector, the argument (``_argument``), the pair and the value."""

    _random = True
    _argument = ""

    def _init_common(self, allow_self_connections, rng):
        self.allow_self_connections = check_allow_self(type(self).__name__, allow_self_connections)
        check_rng(type(self).__name__, rng)
        self.rng = connector_rng(rng)

    def _probabilities(self, ctx, cols):
        raise NotImplementedError

    def _where(self, ctx) -> str:
        given = described(getattr(self, self._argument))
        return f"{type(self).__name__} in {ctx.name}: {self._argument} {given}"

    def _pair(self, ctx, cols, k: int) -> str:
        """The (pre, post) pair of the k-th value of a (cols, pre) block."""
        return f"{k % ctx.pre_size} -> {cols[k // ctx.pre_size]}"

    def _map(self, ctx, u, cols):
        p = as_floats(self._probabilities(ctx, cols), self._where(ctx), "probabilities")
        try:
            p = np.broadcast_to(p, u.shape)
        except ValueError:
            raise InvalidDimensionsError(
                f"{self._where(ctx)} returned shape {p.shape}, expected {u.shape} "
                "(post cells x pre cells) or a shape that broadcasts to it"
            ) from None
        k = first_bad(p, 0.0, 1.0)
        if k is not None:
            value, pair = float(p.flat[k]), self._pair(ctx, cols, k)
            raise InvalidParameterValueError(
                f"{self._where(ctx)} gives {value!r} for the pair {pair}; "
                "a connection probability must lie in [0, 1]"
            )
        return u < p


class FixedProbabilityConnector(_ProbabilisticMap):
    """Connect each (pre, post) pair independently with probability ``p_connect``."""

    parameter_names = ("allow_self_connections", "p_connect")

    def __init__(
        self,
        p_connect: float,
        allow_self_connections=True,
        rng=None,
        location_selector=None,
        safe=True,
        callback=None,
    ):
        super().__init__(location_selector, safe, callback)
        if (
            not is_number(p_connect)
            or isinstance(p_connect, (bool, np.bool_))
            or not 0.0 <= float(p_connect) <= 1.0
        ):
            raise InvalidParameterValueError(
                "FixedProbabilityConnector: p_connect must be a probability in [0, 1], "
                f"not {p_connect!r}"
            )
        self.p_connect = float(p_connect)
        self._init_common(allow_self_connections, rng)

    def expected_connections(self, pre_size, post_size):
        return self.p_connect * pre_size * post_size

    def _map(self, ctx, u, cols):
        return u < self.p_connect


class DistanceDependentProbabilityConnector(_ProbabilisticMap):
    """Connect each pair with a probability that is a function of their distance.

    ``d_expression``: a string in ``d`` (distance in the projection's ``space``, µm by
    convention), e.g. ``"exp(-d/100)"`` or ``"d < 50"``, or a callable ``f(d)`` on arrays.
    Values must lie in [0, 1].
    """

    parameter_names = ("allow_self_connections", "d_expression")
    _argument = "d_expression"

    def __init__(
        self,
        d_expression,
        allow_self_connections=True,
        rng=None,
        location_selector=None,
        safe=True,
        callback=None,
    ):
        super().__init__(location_selector, safe, callback)
        if isinstance(d_expression, str):
            f = compile_distance_expression(d_expression)
            probe = np.asarray(f(np.array([0.0, 1e12])), dtype=float)
            if np.any(probe < 0):
                raise InvalidParameterValueError(
                    f"DistanceDependentProbabilityConnector: d_expression {shown(d_expression)} "
                    "is negative at d=0 or d=1e12; a probability must be >= 0"
                )
            self.distance_function = f
        elif callable(d_expression):
            self.distance_function = d_expression
        else:
            raise InvalidParameterValueError(
                "DistanceDependentProbabilityConnector: d_expression must be a string in d or "
                f"a callable, not {d_expression!r}"
            )
        self.d_expression = d_expression
        self._init_common(allow_self_connections, rng)

    def _probabilities(self, ctx, cols):
        return self.distance_function(ctx.distances_block(cols))

    def _pair(self, ctx, cols, k):
        d = ctx.distances_block(cols).flat[k]  # only when refusing: computed again
        return f"{super()._pair(ctx, cols, k)} (d = {d:g})"


class IndexBasedProbabilityConnector(_ProbabilisticMap):
    """Connect each pair with probability ``index_expression(i, j)`` (pre i, post j)."""

    parameter_names = ("allow_self_connections", "index_expression")
    _argument = "index_expression"

    def __init__(
        self,
        index_expression,
        allow_self_connections=True,
        rng=None,
        location_selector=None,
        safe=True,
        callback=None,
    ):
        super().__init__(location_selector, safe, callback)
        if not isinstance(index_expression, IndexBasedExpression):
            raise InvalidParameterValueError(
                "IndexBasedProbabilityConnector: index_expression must be an "
                f"IndexBasedExpression, not {type(index_expression).__name__}"
            )
        self.index_expression = index_expression
        self._init_common(allow_self_connections, rng)

    def _probabilities(self, ctx, cols):
        expr = copy.copy(self.index_expression)
        expr.projection, expr.context = ctx.projection, ctx
        # full index arrays of shape (pre, post-chunk), as PyNN's lazy arrays give them
        i = np.repeat(np.arange(ctx.pre_size)[:, None], cols.size, axis=1)
        j = np.repeat(np.asarray(cols)[None, :], ctx.pre_size, axis=0)
        p = np.asarray(expr(i, j), dtype=float)
        return p.T if p.ndim == 2 else p


class DisplacementDependentProbabilityConnector(_ProbabilisticMap):
    """Connect each pair with probability ``disp_function(disp)``.

    ``disp`` = post position - pre position, shape (3, n_post_chunk, n_pre) (one
    displacement per column of the flattened trailing axes); ``space`` is not applied.
    """

    parameter_names = ("allow_self_connections", "disp_function")
    _argument = "disp_function"

    def __init__(
        self,
        disp_function,
        allow_self_connections=True,
        rng=None,
        location_selector=None,
        safe=True,
        callback=None,
    ):
        super().__init__(location_selector, safe, callback)
        if not callable(disp_function):
            raise InvalidParameterValueError(
                "DisplacementDependentProbabilityConnector: disp_function must be callable"
            )
        self.disp_function = disp_function
        self._init_common(allow_self_connections, rng)

    def _probabilities(self, ctx, cols):
        disp = ctx.post_positions[:, cols, None] - ctx.pre_positions[:, None, :]
        return self.disp_function(disp)
