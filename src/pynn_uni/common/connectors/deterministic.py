"""Connectors that draw nothing: all to all, one to one."""

from __future__ import annotations

import numpy as np

from pynn_uni.common.connectors.base import Connector, MapConnector, check_allow_self


class AllToAllConnector(MapConnector):
    """Connect every presynaptic cell to every postsynaptic cell.

    ``allow_self_connections=False`` drops pairs of the same cell (compared by identity,
    so it works for views and assemblies); ``'NoMutual'`` keeps one direction of each
    pair of cells present on both sides (the one from the higher ID).
    """

    parameter_names = ("allow_self_connections",)

    def __init__(
        self, allow_self_connections=True, location_selector=None, safe=True, callback=None
    ):
        super().__init__(location_selector, safe, callback)
        self.allow_self_connections = check_allow_self(type(self).__name__, allow_self_connections)

    def expected_connections(self, pre_size, post_size):
        return pre_size * post_size

    def _map(self, ctx, u, cols):
        return None


class OneToOneConnector(Connector):
    """Connect pre cell i to post cell i, for i below the smaller of the two sizes.

    Populations of different sizes are connected along the diagonal, as PyNN does (its
    map is ``i == j`` over pre x post), not refused."""

    def expected_connections(self, pre_size, post_size):
        return min(pre_size, post_size)

    def _connect(self, ctx):
        idx = np.arange(min(ctx.pre_size, ctx.post_size), dtype=np.int64)
        yield from self._yield_sorted(ctx, idx, idx.copy())
