"""Errors and warnings of the hardware backend.

Anything that would change the *network* (capacity, lost synapses, out-of-range or
conflicting parameters, unsupported types) is an error; anything that only reduces
*precision* (weight rounding, delay substitution) is a ``RoundingWarning`` subclass, which
``setup(strict=True)`` raises instead of warning.  Each class keeps the matching
``pynn_uni.errors`` base so that code written for other backends catches it.
``sim.errors`` of this backend is this module: it re-exports every class of
``pynn_uni.errors`` beside the hardware ones.
"""

from __future__ import annotations

import warnings

from pynn_uni import errors
from pynn_uni.errors import *  # noqa: F403 - sim.errors keeps every common class


class UnsupportedOnHardwareError(errors.NotSupportedError, errors.NoModelAvailableError):
    """A cell or synapse type (or a parameter set of it) that the chip profile cannot run.

    Also a ``NotSupportedError`` (hence a ``NotImplementedError``), what the conformance
    suite expects from any backend for an undeclared type."""


class HardwareParameterRangeError(errors.InvalidParameterValueError):
    """A parameter value outside the bio range that the profile's circuits can realise."""


class HardwareParameterConflictError(errors.InvalidParameterValueError):
    """Two neurons (or two uses of one synapse row) need different values of a parameter
    that the chip shares between them."""


class HardwareCapacityError(errors.CapacityError):
    """The network needs more neuron circuits, rows or sources than the chip has."""


class SynapseLossError(HardwareCapacityError):
    """Routing could not realise some synapses and ``synapse_loss='error'``."""


class InputLossError(HardwareCapacityError):
    """Host spikes exceed the input link's bandwidth and ``input_loss='error'``."""


class InputLossWarning(UserWarning):
    """Host spikes were dropped by the input link under ``input_loss='count'`` (the default
    unless strict): the run went on with fewer input events than the network asked for."""


class DelaySubstitutionWarning(errors.RoundingWarning):
    """A requested delay was replaced by the chip's one fixed delay."""


class ParameterRoundingWarning(errors.RoundingWarning):
    """A synapse parameter was realised on a coarse grid (Tsodyks-Markram U: 4 levels)."""


class WeightRoundingWarning(errors.RoundingWarning):
    """Weights were rounded to the chip's few-bit codes (or vanished / were clipped)."""


def warn_or_raise(message: str, category: type[errors.RoundingWarning], strict: bool,
                  stacklevel: int) -> None:  # fmt: skip
    """A value the chip realises approximately: a warning, the same class raised when
    ``setup(strict=True)``.  ``stacklevel`` counts from the caller of this function."""
    if strict:
        raise category(message)
    warnings.warn(message, category, stacklevel=stacklevel + 1)
