"""The backend behind :mod:`pynn_uni.neuroml`: the numpy reference backend under its own name,
declaring (``capabilities.toml``) only what both it and NeuroML2 can express, and taking
``setup()``'s ``reference`` and ``save_format``, which ``end()`` reads to write the files."""

from __future__ import annotations

from pynn_uni import errors
from pynn_uni.common.capabilities import capabilities_of
from pynn_uni.testing.reference.backend import ReferenceBackend


class NeuroMLBackend(ReferenceBackend):
    name = "neuroml"
    setup_options = ReferenceBackend.setup_options | {"reference", "save_format"}

    def create(self, spec, params):
        """Refuse, when the script creates it, a model the reference backend simulates but
        NeuroML2 cannot express (``end()`` would refuse it too late)."""
        reason = capabilities_of(self).missing_component_reason(spec.model)
        if reason is not None:
            raise errors.NotSupportedError(
                f"Population {spec.label!r}: {spec.model} is not available on pynn_uni.neuroml "
                f"({reason})"
            )
        return super().create(spec, params)
