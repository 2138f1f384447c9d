"""The chip's Poisson sources are common.spike_trains' trains: one seed, the same draws as
the software backends (NEURON), each rounded up to its own grid."""

from __future__ import annotations

import numpy as np
import pytest

import pynn_uni.hardware as hw
from pynn_uni.common.spike_trains import Trains
from pynn_uni.hardware.profiles import load_profile

RATES = np.array([20.0, 50.0, 80.0, 0.0, 120.0])  # Hz
START, DURATION, T = 100.0, 1500.0, 2000.0  # ms: the trains cross the 1 s block edge


def _chip_trains(profile: str, runs=(T,)):
    hw.setup(profile=profile, timestep=0.1, rng_seed=7)
    hw.Population(3, hw.IF_facets_hardware1())  # the sources' first id is not 1
    src = hw.Population(5, hw.SpikeSourcePoisson(rate=RATES, start=START, duration=DURATION))
    src.record("spikes")
    for t in runs:
        hw.run_until(t)
    return src, _spikes(src, 0)


def _spikes(src, segment: int) -> list[np.ndarray]:
    return [np.asarray(s.magnitude) for s in src.get_data().segments[segment].spiketrains]


def _common(first_id: int, dt: float):
    """(cell index, time) of common.spike_trains' trains in (0, T] on the time grid ``dt``."""
    params = dict(rate=RATES, start=START, duration=DURATION)
    idx, t = Trains("SpikeSourcePoisson", params, RATES.size, 7, first_id, dt).covering(0.0, T)
    keep = (t > 0) & (t <= T)
    return idx[keep], t[keep]


@pytest.mark.parametrize("profile", ["spikey", "bss2"])
def test_recorded_poisson_spikes_are_the_common_trains_on_the_event_grid(profile):
    grid = load_profile(profile).event_grid
    src, got = _chip_trains(profile)
    first_id = int(src.first_id)
    assert first_id == 4
    idx, want = _common(first_id, grid)
    assert sum(s.size for s in got) == want.size > 200
    for i, train in enumerate(got):
        np.testing.assert_allclose(train, np.sort(want[idx == i]), rtol=0, atol=1e-9)
    # the same draws NEURON makes with rng_seed=7 and a 0.1 ms step, each rounded up to its
    # own grid; where the event grid divides the step, rounding the chip's up gives NEURON's
    idx, software = _common(first_id, 0.1)
    exact = float(0.1 / grid).is_integer()
    for i, train in enumerate(got):
        neuron = np.sort(software[idx == i])
        assert train.size == neuron.size
        assert np.all(np.abs(train - neuron) < 0.1)
        if exact:
            np.testing.assert_allclose(np.ceil(train / 0.1 - 1e-6) * 0.1, neuron, atol=1e-9)


def test_split_runs_and_reset_replay_the_same_trains():
    _, whole = _chip_trains("spikey")
    src, split = _chip_trains("spikey", runs=(700.0, 1000.0, 1333.3, T))
    hw.reset()
    hw.run(T)
    for a, b, c in zip(whole, split, _spikes(src, 1), strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
