"""Chip tests: rounding warnings are expected (they are tested where they matter), and
every test ends its simulation so the next one starts clean."""

import warnings

import pytest

import pynn_uni.hardware as hw
from pynn_uni import errors


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", errors.RoundingWarning)
        yield
    hw.end()
