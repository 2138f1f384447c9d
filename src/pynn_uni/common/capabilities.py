"""Read a backend's ``capabilities.toml`` without importing the backend or its simulator.

The conformance suite decides what to run from this file alone, so a backend is judged
by what it *declares*: a declared model must work, an undeclared one must be refused.

Schema read here (every section optional)::

    [features]            # booleans: reset, multiple_runs, runtime_get_set, threads, mpi ...
    reset = true
    models = ["IF_curr_exp", ...]          # or a table: [models.IF_curr_exp] recordable = [...]
    synapse_types = ["StaticSynapse", ...]
    current_sources = ["DCSource", ...]
    [recordables]         # optional per-model override of the cell type's own list
    IF_cond_exp = ["spikes", "v", "gsyn_exc", "gsyn_inh"]
    [limits]              # free form (neurons, fan_in, delay range ...)
    [tolerances]          # floats, keys as in DEFAULT_TOLERANCES

``models``, ``synapse_types`` and ``current_sources`` may be top-level arrays or live in a
``[components]`` / ``[models]`` table; a table value ``false`` means "not supported".
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FILENAME = "capabilities.toml"

#: Tolerances the scenarios use unless a backend declares its own in ``[tolerances]``.
#: They are tight enough to catch a unit error or a one-step timing shift on an exact
#: integrator; a backend with a coarser solver (or a chip) loosens them explicitly.
DEFAULT_TOLERANCES: dict[str, float] = {
    "spike_time_rel": 0.005,  # relative error of analytic spike times / ISIs
    "v_rel": 0.01,  # max |v - v_analytic| as a fraction of the deviation amplitude
    "stdp_rel": 1e-6,  # relative error of an STDP weight change
    "stp_rel": 0.03,  # relative error of Tsodyks-Markram amplitude ratios
    "stat_sigma": 5.0,  # how many standard deviations a random count may stray
    "noise_rel": 0.15,  # relative error of the std of a noise-driven membrane
}


@dataclass(frozen=True)
class Capabilities:
    """What one backend declares.  ``path`` is None when it ships no capabilities file."""

    backend: str
    path: Path | None = None
    features: Mapping[str, bool] = field(default_factory=dict)
    models: frozenset[str] = frozenset()
    synapse_types: frozenset[str] = frozenset()
    current_sources: frozenset[str] = frozenset()
    recordables: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    limits: Mapping[str, Any] = field(default_factory=dict)
    tolerances: Mapping[str, float] = field(default_factory=dict)
    #: the ``[backend]`` table: name, protocol_version, simulator, package
    backend_table: Mapping[str, Any] = field(default_factory=dict)

    @property
    def components(self) -> frozenset[str]:
        """Every declared model, synapse type and current source name."""
        return self.models | self.synapse_types | self.current_sources

    def has_feature(self, name: str) -> bool:
        return bool(self.features.get(name, False))

    def declares(self, name: str) -> bool:
        return name in self.components

    def missing_feature_reason(self, name: str) -> str | None:
        """Why the feature is unavailable (None if available), citing the file."""
        where = self._where()
        if name not in self.features:
            return f"{where} does not declare feature {name!r} in [features]"
        if not self.features[name]:
            return f"{where} declares {name} = false in [features]"
        return None

    def missing_component_reason(self, name: str) -> str | None:
        """Why the model / synapse type / current source is unavailable (None if declared)."""
        if self.declares(name):
            return None
        return f"{self._where()} does not declare {name!r} (models, synapse_types, current_sources)"

    def tolerance(self) -> dict[str, float]:
        """Default tolerances updated with the backend's declared ones."""
        return {**DEFAULT_TOLERANCES, **{k: float(v) for k, v in self.tolerances.items()}}

    def _where(self) -> str:
        return str(self.path) if self.path else f"backend {self.backend!r} (no {FILENAME})"


def capabilities_path(module_name: str) -> Path | None:
    """Where ``capabilities.toml`` of the backend package ``module_name`` lies, if anywhere."""
    try:
        spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / FILENAME
        if candidate.is_file():
            return candidate
    return None


def _names(value: Any) -> frozenset[str]:
    """A list of names, or a table whose false-valued entries are left out."""
    if value is None:
        return frozenset()
    if isinstance(value, Mapping):
        return frozenset(k for k, v in value.items() if v is not False)
    if isinstance(value, str):
        return frozenset([value])
    return frozenset(str(v) for v in value)


def parse(backend: str, data: Mapping[str, Any], path: Path | None = None) -> Capabilities:
    """Build :class:`Capabilities` from the parsed TOML ``data``."""
    components = data.get("components", {})

    def pick(key: str) -> Any:
        return data.get(key, components.get(key))

    models = pick("models")
    recordables = {k: tuple(v) for k, v in data.get("recordables", {}).items()}
    if isinstance(models, Mapping):  # [models.X] recordable = [...] is accepted too
        for name, entry in models.items():
            if isinstance(entry, Mapping) and "recordable" in entry:
                recordables.setdefault(name, tuple(entry["recordable"]))
    features = data.get("features", {})
    bad = [k for k, v in features.items() if not isinstance(v, bool)]
    if bad:
        raise ValueError(f"{path or backend}: [features] must be booleans, not {bad}")
    return Capabilities(
        backend=backend,
        path=path,
        features=dict(features),
        models=_names(models),
        synapse_types=_names(pick("synapse_types")),
        current_sources=_names(pick("current_sources")),
        recordables=recordables,
        limits=dict(data.get("limits", {})),
        tolerances=dict(data.get("tolerances", {})),
        backend_table=dict(data.get("backend", {})),
    )


def load_capabilities(backend: str, module_name: str | None = None) -> Capabilities:
    """Read the capabilities of ``backend`` (module ``pynn_uni.<backend>`` by default)."""
    path = capabilities_path(module_name or f"pynn_uni.{backend}")
    if path is None:
        return Capabilities(backend=backend)
    with path.open("rb") as f:
        return parse(backend, tomllib.load(f), path)


def backend_package(backend) -> str:
    """The package a backend object's class lives in (where its capabilities.toml is)."""
    return type(backend).__module__.rpartition(".")[0]


@functools.cache
def _for_package(package: str) -> Capabilities:
    return load_capabilities(package.rpartition(".")[2], package)


def capabilities_of(backend) -> Capabilities:
    """What the backend object's package declares (read once per package)."""
    return _for_package(backend_package(backend))
