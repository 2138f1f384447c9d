"""The mapping report: what the chip realised of the network, marocco-shaped."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from pynn_uni.common.units import scale

_MS_TO_US = scale("ms", "us")


@dataclass
class ProjectionReport:
    label: str
    requested: int
    realised: int
    lost: int
    lsb: float
    n_rounded: int
    n_clipped: int
    n_vanished: int
    max_abs_error: float
    rms_rel_error: float
    delays_substituted: int
    u_rounded: int = 0  # Tsodyks-Markram U values moved to a driver level


@dataclass
class MappingReport:
    """``str()`` prints a table; ``as_dict()`` goes into provenance."""

    profile: str
    chip_id: int
    seeds: dict
    calibration: str
    speedup: float
    bio_runtime: float  # ms
    hw_runtime: float  # ms of wall-clock HW time = bio_runtime / speedup
    neurons_used: list  # per block
    neurons_total: int
    rows_used: list  # per block
    rows_per_block: int
    external_sources: int
    placement: dict  # population label -> circuit indices
    projections: list = field(default_factory=list)
    parameter_clips: dict = field(default_factory=dict)
    shared_ignored: list = field(default_factory=list)
    input_events: int = 0
    input_lost: int = 0
    input_max_shift: float = 0.0  # ms

    @property
    def synapses_lost(self) -> int:
        return sum(p.lost for p in self.projections)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["placement"] = {k: list(map(int, v)) for k, v in self.placement.items()}
        return d

    def __str__(self) -> str:
        lines = [
            f"chip {self.profile!r} #{self.chip_id}, calibration {self.calibration}, "
            f"speed-up {self.speedup:g}: {self.bio_runtime:g} ms bio = "
            f"{self.hw_runtime * _MS_TO_US:g} us HW",
            f"neurons {sum(self.neurons_used)}/{self.neurons_total} (per block "
            f"{self.neurons_used}), rows per block {self.rows_used}/{self.rows_per_block}, "
            f"external sources {self.external_sources}",
            f"{'projection':30s} {'req':>7s} {'real':>7s} {'lost':>6s} {'LSB':>8s} "
            f"{'round':>6s} {'clip':>5s} {'vanish':>6s} {'max|dw|':>9s} {'delay*':>6s}",
        ]
        for p in self.projections:
            lines.append(
                f"{p.label[:30]:30s} {p.requested:7d} {p.realised:7d} {p.lost:6d} "
                f"{p.lsb:8.2g} {p.n_rounded:6d} {p.n_clipped:5d} {p.n_vanished:6d} "
                f"{p.max_abs_error:9.2g} {p.delays_substituted:6d}"
            )
        total = sum(p.requested for p in self.projections)
        if total:
            lines.append(
                f"synapse_loss: {self.synapses_lost} ({100 * self.synapses_lost / total:.2f}%)"
            )
        lines.append(f"input events {self.input_events}, lost {self.input_lost}, "
                     f"max time shift {self.input_max_shift:g} ms")  # fmt: skip
        return "\n".join(lines)
