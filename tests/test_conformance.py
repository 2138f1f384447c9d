"""Run the shipped conformance scenarios on every installed backend (``--backend`` to pick)."""

from pynn_uni.testing.scenarios import scenario_tests

globals().update(scenario_tests())
