"""GIF_cond_exp on NEST: the recorded threshold v_t against its closed form.

NEST 3.10 records the whole threshold as ``E_sfa`` (V_T_star plus the gamma kernels), so
v_t is V_T_star while the cell is silent and V_T_star + sum_j a_gamma_j exp(-age / tau_j)
after a spike.  One-cell populations are included: NEST answers a one-node query with a
scalar, the case that once broke recording.
"""

import numpy as np
import pytest

pytest.importorskip("nest", reason="NEST is not installed: pip install pynn_uni[nest]")

from pynn_uni.parameters import ArrayParameter  # noqa: E402

DT = 0.1

#: at v0 = -30 mV, lambda0 = 1e9 Hz and delta_v = 0.5 mV make a spike in the first step
#: certain; afterwards v <= -60 mV and v_t >= -35 mV keep the escape rate below 1e-12 / step
FORCED = dict(lambda0=1e9, v_t_star=-35.0, delta_v=0.5, v_reset=-60.0, v_rest=-70.0, cm=0.08,
              tau_m=20.0, tau_refrac=0.3, tau_gamma=ArrayParameter([20.0, 200.0]),
              a_gamma=ArrayParameter([3.0, 1.0]))  # fmt: skip


def _signal(pop, name):
    return pop.get_data().segments[0].filter(name=name)[0].magnitude


@pytest.mark.parametrize("n", [1, 3])
def test_v_t_of_a_silent_cell_is_v_t_star(sim, n):
    """lambda0 = 1e-30 Hz: no spike, so the threshold never leaves v_t_star."""
    cells = sim.Population(n, sim.GIF_cond_exp(lambda0=1e-30, v_t_star=-52.0, i_offset=0.5))
    cells.record(["v_t", "v", "spikes"])
    sim.run(20.0)
    v_t = _signal(cells, "v_t")
    assert v_t.shape == (201, n)
    # t = 0 is the declared initial value (NEST cannot set it); every step after is NEST's
    np.testing.assert_allclose(v_t[1:], -52.0, atol=1e-12)
    assert np.ptp(_signal(cells, "v")) > 1.0, "the membrane should move"
    assert all(len(s) == 0 for s in cells.get_data().segments[0].spiketrains)


@pytest.mark.parametrize("n", [1, 2])
def test_v_t_after_a_forced_spike_follows_the_gamma_kernels(sim, n):
    cells = sim.Population(n, sim.GIF_cond_exp(**FORCED), initial_values={"v": -30.0})
    cells.record(["v_t", "spikes"])
    sim.run(100.0)
    for train in cells.get_data().segments[0].spiketrains:
        np.testing.assert_allclose(train.magnitude, [DT], atol=1e-9)
    v_t = _signal(cells, "v_t")
    t = DT * np.arange(v_t.shape[0])
    # the spike step still sees the threshold at rest; the kernels start one step later
    np.testing.assert_allclose(v_t[1], -35.0, atol=1e-12)
    age = t[2:] - 2 * DT
    expected = -35.0 + 3.0 * np.exp(-age / 20.0) + 1.0 * np.exp(-age / 200.0)
    np.testing.assert_allclose(v_t[2:], np.repeat(expected[:, None], n, axis=1), atol=1e-9)
