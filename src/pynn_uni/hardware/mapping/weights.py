"""Weights to few-bit codes, and requested delays to the chip's one fixed delay."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pynn_uni import errors
from pynn_uni.hardware.errors import DelaySubstitutionWarning, WeightRoundingWarning, warn_or_raise


@dataclass
class Quantised:
    """Codes and statistics of one block of weights (|w| in uS or nA)."""

    code: np.ndarray  # int codes 0..k_max
    lsb: float
    n_rounded: int
    n_clipped: int
    n_vanished: int
    max_abs_error: float
    rms_rel_error: float

    @property
    def realised(self) -> np.ndarray:
        return self.code * self.lsb


def quantise(w, lsb: float, k_max: int, rng=None, clip: bool = False, where: str = "") -> Quantised:
    """k = round_half_even(|w| / lsb) (or stochastic rounding with P(up) = fraction when
    ``rng`` is a numpy Generator: unbiased).  Codes above k_max raise InvalidWeightError
    unless ``clip``.  0 < |w| < lsb/2 are 'vanished' synapses: counted, never silent."""
    a = np.abs(np.asarray(w, dtype=float))
    x = a / lsb
    if rng is None:
        k = np.rint(x)  # numpy rounds half to even
    else:
        lo = np.floor(x)
        k = lo + (rng.random(x.shape) < (x - lo))
    over = k > k_max
    if over.any() and not clip:
        i = int(np.argmax(over))
        raise errors.InvalidWeightError(
            f"{where}: weight {a[i]} is code {int(k[i])} on a chip whose largest weight is "
            f"code {k_max} = {k_max * lsb} (LSB {lsb}); use weights <= {(k_max + 0.5) * lsb}"
        )
    k = np.minimum(k, k_max)
    code = k.astype(np.int64)
    realised = code * lsb
    err = realised - a
    nz = a > 0
    return Quantised(
        code=code,
        lsb=lsb,
        n_rounded=int(np.count_nonzero(np.abs(err) > 1e-12 * lsb)),
        n_clipped=int(over.sum()),
        n_vanished=int(np.count_nonzero(nz & (code == 0))),
        max_abs_error=float(np.abs(err).max()) if a.size else 0.0,
        rms_rel_error=float(np.sqrt(np.mean((err[nz] / a[nz]) ** 2))) if nz.any() else 0.0,
    )


def substitute_delays(delays, d_fix: float, strict: bool, where: str) -> int:
    """Count requested delays that differ from d_fix; warn (or raise when strict)."""
    d = np.asarray(delays, dtype=float)
    n = int(np.count_nonzero(np.abs(d - d_fix) > 1e-9 * max(d_fix, 1.0)))
    if n:
        msg = (f"{where}: {n} delay(s) (e.g. {d[np.abs(d - d_fix) > 1e-9][0]} ms) replaced by "
               f"the chip's fixed delay {d_fix} ms")  # fmt: skip
        warn_or_raise(msg, DelaySubstitutionWarning, strict, stacklevel=4)
    return n


def warn_rounding(q: Quantised, k_max: int, strict: bool, where: str) -> None:
    """Say what quantisation changed (vanished, clipped, rounded weights), if anything."""
    msgs = []
    if q.n_vanished:
        msgs.append(f"{q.n_vanished} weight(s) below LSB/2 = {q.lsb / 2} vanished (code 0)")
    if q.n_clipped:
        msgs.append(f"{q.n_clipped} weight(s) clipped to code {k_max}")
    if q.n_rounded:
        msgs.append(f"{q.n_rounded} weight(s) rounded to multiples of {q.lsb} "
                    f"(max error {q.max_abs_error:.3g})")  # fmt: skip
    if msgs:
        msg = f"{where}: " + "; ".join(msgs)
        warn_or_raise(msg, WeightRoundingWarning, strict, stacklevel=4)
