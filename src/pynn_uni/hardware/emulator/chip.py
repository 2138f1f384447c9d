"""One chip instance: the profile plus its own fixed-pattern noise (FPN), and calibration.

The *true* per-circuit deviations are drawn once from a PCG64 stream seeded by
(profile name, chip_id), so a chip is the same chip in every process.  Calibration is
data: ``'nominal'`` measures each deviation with noise, corrects it through a 10-bit DAC
and so leaves the profile's residual spread; ``None`` runs uncalibrated; ``'ideal'`` (our
reference configuration for comparisons with software simulators) removes all FPN.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from pynn_uni.hardware.profiles import Profile

DAC_BITS = 10


@dataclass(frozen=True)
class Deviations:
    """Per-circuit deviations: factors are multiplicative, offsets additive (mV)."""

    tau_m: np.ndarray  # (neurons,) factor on tau_m
    voltage: np.ndarray  # (neurons, 3) offsets of v_rest, v_reset, v_thresh
    driver: np.ndarray  # (blocks * rows,) factor on row strength
    synapse: np.ndarray  # (blocks * rows, neurons_per_block) factor per synapse


def seed_of(profile: Profile, chip_id: int) -> np.random.SeedSequence:
    return np.random.SeedSequence([zlib.crc32(profile.name.encode()), int(chip_id)])


def true_deviations(profile: Profile, chip_id: int) -> Deviations:
    """The chip's own FPN, sigma from ``profile.fpn[...][0]``."""
    rng = np.random.Generator(np.random.PCG64(seed_of(profile, chip_id)))
    f = profile.fpn
    n, rows = profile.neurons, profile.blocks * profile.rows_per_block
    return Deviations(
        tau_m=np.exp(f["tau_m"][0] * rng.standard_normal(n)),
        voltage=f["voltage"][0] * rng.standard_normal((n, 3)),
        driver=np.exp(f["driver_strength"][0] * rng.standard_normal(rows)),
        synapse=np.exp(f["synapse"][0] * rng.standard_normal((rows, profile.neurons_per_block))),
    )


def _correct(true_log, sigma_u, sigma_r, rng):
    """Measure with noise sigma_r, correct through a 10-bit DAC spanning +-4 sigma_u:
    what is left is the residual (in the same, additive or log, domain)."""
    if sigma_r >= sigma_u or sigma_u == 0:
        return true_log  # not calibrated (e.g. per-synapse spread)
    measured = true_log + sigma_r * rng.standard_normal(true_log.shape)
    step = 8 * sigma_u / 2**DAC_BITS
    correction = np.clip(np.rint(measured / step), -(2 ** (DAC_BITS - 1)), 2 ** (DAC_BITS - 1))
    return true_log - correction * step


def effective_deviations(profile: Profile, chip_id: int, calibration) -> Deviations:
    """What the emulator sees after ``calibration`` (``'nominal'``, ``None``, ``'ideal'``)."""
    true = true_deviations(profile, chip_id)
    if calibration is None:
        return true
    if calibration == "ideal":
        return Deviations(
            np.ones_like(true.tau_m),
            np.zeros_like(true.voltage),
            np.ones_like(true.driver),
            np.ones_like(true.synapse),
        )
    if calibration != "nominal":
        raise ValueError(f"calibration must be 'nominal', 'ideal' or None, got {calibration!r}")
    rng = np.random.Generator(np.random.PCG64(seed_of(profile, chip_id).spawn(1)[0]))
    f = profile.fpn
    return Deviations(
        tau_m=np.exp(_correct(np.log(true.tau_m), *f["tau_m"], rng)),
        voltage=_correct(true.voltage, *f["voltage"], rng),
        driver=np.exp(_correct(np.log(true.driver), *f["driver_strength"], rng)),
        synapse=np.exp(_correct(np.log(true.synapse), *f["synapse"], rng)),
    )
