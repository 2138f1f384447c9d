"""pynn_uni: write a spiking-network simulation once, run it on several simulators.

``import pynn_uni.nest as sim`` gives the PyNN 0.13 API on NEST.  Importing this package
imports no simulator.
"""

from __future__ import annotations

__version__ = "0.1.0"


def list_backends() -> list[str]:
    """Names of the backends registered through the ``pynn_uni.backends`` entry points."""
    from importlib.metadata import entry_points

    return sorted(ep.name for ep in entry_points(group="pynn_uni.backends"))
