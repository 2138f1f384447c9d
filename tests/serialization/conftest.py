"""SONATA tests: a ``sim`` fixture per backend (nest, neuron), skipped where the simulator or
h5py is missing (the network they share is in ``sonata_network.py``)."""

import importlib

import pytest

pytest.importorskip("h5py")

BACKENDS = ("nest", "neuron")


@pytest.fixture(params=BACKENDS)
def sim(request):
    try:
        module = importlib.import_module(f"pynn_uni.{request.param}")
    except ImportError as err:
        pytest.skip(f"pynn_uni.{request.param} unavailable: {err}")
    module.setup(timestep=0.1)
    yield module
    module.end()
