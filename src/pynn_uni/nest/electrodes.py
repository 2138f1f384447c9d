"""Current sources on NEST: the translation table plus NEST's one-step device delay.

NEST delivers a device's current over a connection with one timestep of delay, so every
switching time is moved one step earlier: the current then reaches the membrane at
exactly the standard ``start``/``times`` (PyNN's NEST backend does the same).
"""

from __future__ import annotations

import numpy as np

from pynn_uni.common.units import scale
from pynn_uni.nest import translations as tr

#: native parameters that are switching times
_TIMES = ("start", "stop", "amplitude_times")


def source_to_native(source, dt: float) -> tuple[str, dict]:
    """(NEST device model, parameter dict) for a current source object."""
    if getattr(source, "nest_model", None):
        return source.nest_model, source.get_parameters()
    name = type(source).__name__
    t = tr._supported(name)
    values = {k: getattr(v, "value", v) for k, v in source.get_parameters().items()}
    native = tr.to_native(t, values)
    for key in _TIMES:
        if key in native:
            shifted = np.round(np.asarray(native[key], float) / dt) * dt - dt
            native[key] = np.maximum(shifted, 0.0 if key != "amplitude_times" else dt)
    if name == "ACSource":  # the device's clock runs one step ahead of the membrane's
        native["phase"] = native["phase"] + tr.DEGREES_PER_CYCLE * native["frequency"] * dt * scale(
            "ms", "s"
        )
    if "dt" in native:
        native["dt"] = max(float(native["dt"]), dt)
    return t.native, {
        k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in native.items()
    }
