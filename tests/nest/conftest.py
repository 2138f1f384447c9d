"""NEST-specific tests: a plain ``sim`` fixture on pynn_uni.nest (the conformance suite's
backend-parametrised ``sim`` is for tests/test_conformance.py)."""

import pytest


@pytest.fixture
def sim():
    import pynn_uni.nest as sim

    sim.setup(timestep=0.1)
    yield sim
    sim.end()
