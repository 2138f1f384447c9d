"""Chip profiles: the facts of one chip class as data (``<name>.toml`` beside this file),
loaded into a frozen :class:`Profile` and validated, so that a wrong number fails at load
time rather than deep inside the mapping."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import tomllib

from pynn_uni.common.units import scale

_HERE = Path(__file__).resolve().parent
_PER_S_TO_PER_MS = scale("1/s", "1/ms")


@dataclass(frozen=True)
class Profile:
    """One chip class.  Units are PyNN's bio units (ms, mV, nF, uS) unless a name says HW."""

    name: str
    description: str
    neurons: int
    blocks: int
    rows_per_block: int
    feedback_rows: int
    labels_per_row: int
    max_external_sources: int
    weight_bits: int
    weight_lsb_exc: float
    weight_lsb_inh: float
    speedup: float
    event_grid: float
    event_rounding: str
    max_runtime: float
    models: tuple[str, ...]
    shared_groups: str
    shared_parameters: tuple[str, ...]
    readout_channels: int
    readout_parity: bool
    fixed: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    ranges: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    fpn: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    noise: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    weight_lsb_cur: float = 0.0  # nA, current-based (CUBA) synapses; 0: none
    input_rate_hw: float = float("inf")  # host -> chip events per HW second (token refill)
    input_burst: float = float("inf")  # token bucket depth: events the link buffers

    @property
    def input_rate(self) -> float:
        """Input link capacity in events per ms bio."""
        return self.input_rate_hw * _PER_S_TO_PER_MS / self.speedup

    @property
    def neurons_per_block(self) -> int:
        return self.neurons // self.blocks

    @property
    def k_max(self) -> int:
        """Largest weight code."""
        return 2**self.weight_bits - 1

    def lsb(self, receptor: str, current: bool = False) -> float:
        """Weight LSB for ``'excitatory'`` or ``'inhibitory'``: uS, or nA when ``current``."""
        if current:
            return self.weight_lsb_cur
        return self.weight_lsb_inh if receptor == "inhibitory" else self.weight_lsb_exc

    def as_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for k in ("fixed", "ranges", "fpn", "noise"):
            out[k] = dict(out[k])
        return out


def _validate(p: Profile, source: str) -> None:
    problems = []
    if p.neurons <= 0 or p.blocks <= 0 or p.neurons % p.blocks:
        problems.append(f"neurons {p.neurons} must be a positive multiple of blocks {p.blocks}")
    if not 0 <= p.feedback_rows <= p.rows_per_block:
        problems.append(f"feedback_rows {p.feedback_rows} not in [0, {p.rows_per_block}]")
    if p.labels_per_row < 1 or p.weight_bits < 1:
        problems.append("labels_per_row and weight_bits must be >= 1")
    if min(p.weight_lsb_exc, p.weight_lsb_inh, p.speedup, p.event_grid, p.max_runtime,
           p.input_rate_hw) <= 0:  # fmt: skip
        problems.append("weight LSBs, speedup, event_grid and max_runtime must be > 0")
    if p.input_burst < 1:
        problems.append(f"input_burst {p.input_burst} must be >= 1 event")
    if p.event_rounding not in ("floor", "nearest"):
        problems.append(f"event_rounding {p.event_rounding!r} must be 'floor' or 'nearest'")
    if p.shared_groups not in ("block_parity", "none"):
        problems.append(f"shared_groups {p.shared_groups!r} must be 'block_parity' or 'none'")
    for name, (lo, hi) in p.ranges.items():
        if not lo <= hi:
            problems.append(f"range of {name} [{lo}, {hi}] is empty")
    for name, pair in p.fpn.items():
        if len(pair) != 2 or min(pair) < 0:
            problems.append(f"fpn.{name} must be [sigma_uncalibrated, sigma_residual] >= 0")
    if problems:
        raise ValueError(f"invalid chip profile {source}: " + "; ".join(problems))


def load_profile(name_or_path: str | Path) -> Profile:
    """A profile by name (``'spikey'``, ``'bss2'``) or from a TOML file path."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = _HERE / f"{name_or_path}.toml"
    if not path.is_file():
        raise ValueError(
            f"no chip profile {name_or_path!r}; available: {', '.join(hardware_profiles())}"
        )
    with path.open("rb") as f:
        data = tomllib.load(f)
    fields = Profile.__dataclass_fields__
    unknown = set(data) - set(fields)
    missing = {k for k, f in fields.items() if f.default_factory is f.default} - set(data)
    missing = {k for k in missing if fields[k].default_factory is fields[k].default}
    if unknown or missing:
        raise ValueError(f"chip profile {path}: unknown keys {sorted(unknown)}, "
                         f"missing keys {sorted(missing)}")  # fmt: skip
    values = dict(data)
    for k in ("models", "shared_parameters"):
        values[k] = tuple(values[k])
    for k in ("fixed", "ranges", "fpn", "noise"):
        values[k] = MappingProxyType({n: _freeze(v) for n, v in values.get(k, {}).items()})
    profile = Profile(**values)
    _validate(profile, str(path))
    return profile


def _freeze(v):
    return tuple(v) if isinstance(v, list) else v


def hardware_profiles() -> list[str]:
    """Names of the chip profiles shipped with pynn_uni."""
    return sorted(p.stem for p in _HERE.glob("*.toml"))
