"""Unit tests of the common layer run on the reference backend (pure numpy): no simulator
needed.  ``sim`` here is ``pynn_uni.testing.reference`` after ``setup(timestep=0.1)``; it
replaces the conformance plugin's backend-parametrised fixture of the same name."""

import pytest

import pynn_uni.testing.reference as reference


@pytest.fixture
def sim():
    reference.setup(timestep=0.1)
    yield reference
    reference.end()
