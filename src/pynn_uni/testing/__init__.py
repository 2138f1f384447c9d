"""The conformance suite shipped with pynn_uni, so any backend (ours or a third party's)
can prove it implements the PyNN API.

* :mod:`pynn_uni.testing.plugin` - the pytest plugin (``--backend``, the ``sim`` fixture,
  the ``requires`` / ``model`` markers), loaded through the ``pytest11`` entry point;
* :mod:`pynn_uni.testing.scenarios` - the scenarios, each checked against an analytic
  result; ``scenario_tests()`` hands them to a test module;
* :mod:`pynn_uni.common.capabilities` - reads a backend's ``capabilities.toml``.

Importing this package imports no scenario, no pytest and no simulator.
"""

from pynn_uni.common.capabilities import Capabilities, load_capabilities

__all__ = ["Capabilities", "load_capabilities"]
