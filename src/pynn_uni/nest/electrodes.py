"""Current sources on NEST: the translation table plus the device delay.

NEST delivers a device's current over a connection with a delay of at least ``min_delay``
(one timestep when setup() left it 'auto'), so every switching time is moved that much
earlier: the current then reaches the membrane at exactly the standard ``start``/``times``,
as PyNN's NEST backend does.  Times that would fall before the kernel's next step are
clamped to it (a step the device can still act on): the last amplitude due by then
applies from the earliest moment it can.
"""

from __future__ import annotations

import numpy as np

from pynn_uni.common.backend import SourceSpec
from pynn_uni.common.units import scale
from pynn_uni.nest import translations as tr
from pynn_uni.nest.native import NativeElectrodeType
from pynn_uni.parameters import Sequence


def _step_times(times, values, dt: float, delay: float, now: float):
    """(amplitude_times, amplitude_values) for ``step_current_generator``: on the grid,
    ``delay`` early, strictly increasing, nothing before ``now + dt`` (NEST's first usable
    time); where several steps collapse onto one time the last amplitude wins."""
    times = np.round(np.asarray(times, float) / dt) * dt - delay
    values = np.asarray(values, float)
    if times.size == 0:
        return times, values
    first = now + dt
    due = np.flatnonzero(times <= first + dt / 2)
    if due.size:
        times, values = times[due[-1] :].copy(), values[due[-1] :]
        times[0] = first
    times = np.round(times / dt) * dt
    keep = np.append(np.diff(times) > dt / 2, True)  # the last of equal times
    return times[keep], values[keep]


def source_to_native(spec: SourceSpec, dt: float, delay: float, now: float = 0.0):
    """(NEST device model, parameter dict) for a current source whose connection to its
    targets has ``delay`` ms; ``now`` is the kernel's current time.  A native electrode
    type's parameters are NEST's already and pass through."""
    if issubclass(spec.source_type, NativeElectrodeType):
        return spec.source_type.nest_model, _listed(spec.parameters)
    name = spec.model
    t = tr.supported(name)
    native = tr.to_native(t, spec.parameters)
    for key in ("start", "stop"):
        if key in native:
            native[key] = max(round(float(native[key]) / dt) * dt - delay, 0.0)
    if "amplitude_times" in native:
        native["amplitude_times"], native["amplitude_values"] = _step_times(
            native["amplitude_times"], native["amplitude_values"], dt, delay, now
        )
    if name == "ACSource":  # the device's clock runs ``delay`` ahead of the membrane's
        cycles = native["frequency"] * delay * scale("ms", "s")
        native["phase"] = native["phase"] + tr.DEGREES_PER_CYCLE * cycles
    if "dt" in native:
        native["dt"] = max(float(native["dt"]), dt)
    return t.native, _listed(native)


def _listed(params) -> dict:
    """NEST's ``set`` takes lists, not arrays (a native type's array values are Sequences)."""
    out = {}
    for k, v in params.items():
        v = v.value if isinstance(v, Sequence) else v
        out[k] = np.asarray(v, float).tolist() if isinstance(v, (np.ndarray, list)) else v
    return out
