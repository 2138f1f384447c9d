"""``import pynn_uni.hardware as sim``: the PyNN 0.13 API on an emulated neuromorphic chip.

``sim.setup(profile='spikey'|'bss2', chip_id=0, strict=False, calibration='nominal',
reference_grid=False, noise=False, trial_seed=0, rounding_seed=None, rng_seed=42,
synapse_loss='error', range_policy='error', readout_policy='strict', ...)``; ``rng_seed``
seeds the Poisson sources by the rule the software backends share
(:mod:`pynn_uni.common.spike_trains`), so they get the same trains.  The
network is mapped as it is built (errors at the call that does not fit) and emulated at
``run()``; everything is in bio units.  Extras: :func:`prepare`,
:func:`get_mapping_report`, :func:`min_weight`, :func:`max_weight`,
:func:`hardware_profiles`.
"""

from __future__ import annotations

from pynn_uni.common.control import current_simulation as _current_simulation
from pynn_uni.common.namespace import populate as _populate
from pynn_uni.hardware import errors as _errors
from pynn_uni.hardware.backend import HardwareBackend as _HardwareBackend
from pynn_uni.hardware.profiles import hardware_profiles
from pynn_uni.hardware.report import MappingReport


def _chip():
    sim = _current_simulation()
    return sim, sim.backend


def prepare() -> MappingReport:
    """Map the network onto the chip (routing, quantisation, calibration) without running;
    raises what ``run()`` would raise.  Returns the mapping report."""
    sim, backend = _chip()
    backend.prepare()
    return backend.mapping_report(sim.t)


def get_mapping_report() -> MappingReport:
    """What the chip realised: placement, rows, synapses lost, weight errors, HW runtime."""
    sim, backend = _chip()
    return backend.mapping_report(sim.t)


def min_weight(receptor: str = "excitatory", current: bool = False) -> float:
    """The weight LSB of ``receptor`` (uS; nA with ``current=True``, for current-based
    cells): write weights as k * min_weight()."""
    return _chip()[1].profile.lsb(receptor, current)


def max_weight(receptor: str = "excitatory", current: bool = False) -> float:
    """The largest realisable weight (uS, or nA): k_max * LSB."""
    profile = _chip()[1].profile
    return profile.k_max * profile.lsb(receptor, current)


_populate(
    globals(),
    _HardwareBackend,
    {
        "prepare": prepare,
        "get_mapping_report": get_mapping_report,
        "min_weight": min_weight,
        "max_weight": max_weight,
        "hardware_profiles": hardware_profiles,
        "errors": _errors,
    },
)
