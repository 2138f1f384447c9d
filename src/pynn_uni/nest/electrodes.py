"""Current sources on NEST: NEST device and parameters for each standard source.

NEST delivers a device's current over a connection with one timestep of delay, so every
switching time is moved one step earlier: the current then reaches the membrane at
exactly the standard ``start``/``times`` (PyNN's NEST backend does the same).
"""

from __future__ import annotations

import numpy as np

from pynn_uni import errors
from pynn_uni.common.units import scale

#: source -> (NEST device, {standard parameter: (NEST parameter, kind)}), kind in
#: 'current' (nA -> pA), 'time' (ms, shifted one step), 'plain'
SOURCES = {
    "DCSource": (
        "dc_generator",
        {
            "amplitude": ("amplitude", "current"),
            "start": ("start", "time"),
            "stop": ("stop", "time"),
        },
    ),
    "ACSource": (
        "ac_generator",
        {
            "amplitude": ("amplitude", "current"),
            "offset": ("offset", "current"),
            "frequency": ("frequency", "plain"),
            "phase": ("phase", "plain"),
            "start": ("start", "time"),
            "stop": ("stop", "time"),
        },
    ),
    "StepCurrentSource": (
        "step_current_generator",
        {"amplitudes": ("amplitude_values", "current"), "times": ("amplitude_times", "time")},
    ),
    "NoisyCurrentSource": (
        "noise_generator",
        {
            "mean": ("mean", "current"),
            "stdev": ("std", "current"),
            "dt": ("dt", "plain"),
            "start": ("start", "time"),
            "stop": ("stop", "time"),
        },
    ),
}


def source_to_native(source, dt: float) -> tuple[str, dict]:
    """(NEST device model, parameter dict) for a current source object."""
    if getattr(source, "nest_model", None):
        return source.nest_model, source.get_parameters()
    name = type(source).__name__
    if name not in SOURCES:
        raise errors.NotSupportedError(f"{name} is not available on NEST")
    model, table = SOURCES[name]
    values = source.get_parameters()
    native = {}
    for std, (nname, kind) in table.items():
        v = np.asarray(getattr(values[std], "value", values[std]), dtype=float)
        if kind == "current":
            v = v * scale("nA", "pA")
        elif kind == "time":
            v = np.maximum(np.round(v / dt) * dt - dt, 0.0)
        native[nname] = v.tolist() if v.ndim else float(v)
    if name == "StepCurrentSource" and len(native["amplitude_times"]):
        times = np.asarray(native["amplitude_times"])
        times[times < dt] = dt  # NEST refuses a switch at t = 0; the step still starts at 0 + dt
        native["amplitude_times"] = times.tolist()
    if name == "NoisyCurrentSource":
        native["dt"] = max(native["dt"], dt)
    return model, native
