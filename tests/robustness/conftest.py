"""Shared fixtures of the robustness catalogue (issue 11).

Every test that takes ``sim`` runs once per installed backend: the pynn_uni pytest plugin's
``backend_name`` (nest, neuron, hardware, reference; ``--backend`` narrows it).  A case that
builds something a backend does not declare carries the plugin's ``model(...)`` or
``requires(...)`` marker and is skipped by that backend's capabilities, never by its name.
The chip runs its ``bss2`` profile, which offers IF_cond_exp, the cell most cases build; the
profile's models count as declared.  ``xfail_on(*backends, reason=...)`` marks a known gap of
one backend (the fix is routed elsewhere) as a strict xfail there.
"""

from __future__ import annotations

import dataclasses
import gc

import numpy as np
import pytest

from pynn_uni.common.capabilities import Capabilities
from pynn_uni.hardware.profiles import load_profile
from pynn_uni.testing.plugin import backend_modules, import_backend, skip_reason

TIMESTEP = 0.1
#: setup() arguments beyond the timestep, per backend
SETUP = {"hardware": {"profile": "bss2"}}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "xfail_on(*backends, reason): a known gap on these backends only (strict xfail there)",
    )


@pytest.fixture
def capabilities(capabilities: Capabilities, backend_name: str) -> Capabilities:
    """The plugin's capabilities, plus the models of the chip profile the tests set up."""
    profile = SETUP.get(backend_name, {}).get("profile")
    if profile is None:
        return capabilities
    extra = frozenset(load_profile(profile).models)
    return dataclasses.replace(capabilities, models=capabilities.models | extra)


@pytest.fixture(scope="session")
def backend_module_names(request: pytest.FixtureRequest) -> dict[str, str]:
    """Backend name -> module, as the plugin chose them (read once: entry points are slow)."""
    return backend_modules(request.config)


@pytest.fixture
def sim_module(request, backend_name: str, capabilities: Capabilities, backend_module_names):
    """The backend's ``sim`` module, not set up; ``end()`` afterwards."""
    reason = skip_reason(request.node, capabilities)
    if reason:
        pytest.skip(reason)
    for mark in request.node.iter_markers("xfail_on"):
        if backend_name in mark.args:
            request.applymarker(pytest.mark.xfail(strict=True, reason=mark.kwargs["reason"]))
    module = import_backend(backend_name, backend_module_names[backend_name])
    yield module
    module.end()


@pytest.fixture
def setup_args(backend_name: str) -> dict:
    """The ``setup()`` arguments of the ``sim`` fixture (to set up again the same way)."""
    return {"timestep": TIMESTEP, **SETUP.get(backend_name, {})}


@pytest.fixture
def sim(sim_module, backend_name: str, setup_args: dict):
    """The backend's ``sim`` module after ``setup(**setup_args)``."""
    try:
        sim_module.setup(**setup_args)
    except ImportError as exc:  # the simulator itself is not installed
        if (exc.name or "").startswith("pynn_uni"):
            raise
        pytest.skip(f"{backend_name}: {exc}")
    return sim_module


def _follow_up(sim) -> None:
    """The same simulation still builds, runs and returns data after a refusal."""
    if sim.get_current_time() > 0:
        sim.reset()  # NEURON grows a network only at t = 0
    t0 = sim.get_current_time()
    times = [t0 + 1.0, t0 + 3.0]
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=times), label="follow-up")
    src.record("spikes")
    assert sim.run(5.0) == pytest.approx(t0 + 5.0)
    (train,) = src.get_data().segments[-1].spiketrains
    assert np.asarray(train.magnitude) == pytest.approx(times, abs=0.11)


def _assert_refused(call, error, fragments, *args) -> None:
    """``call(*args)`` raises ``error`` with every fragment (the named thing) in its message."""
    with pytest.raises(error) as info:
        call(*args)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


@pytest.fixture
def assert_refused():
    """``assert_refused(call, error, fragments, *args)``: see :func:`_assert_refused`."""
    return _assert_refused


@pytest.fixture
def follow_up():
    """``follow_up(sim)``: a spike source delivers its two spikes in the same simulation."""
    return _follow_up


def pytest_collection_finish(session: pytest.Session) -> None:
    """Move what collection built (thousands of test items) out of the collector's reach:
    NEURON's ``end()`` runs a full ``gc.collect()``, which otherwise walks it all, 0.1 s a
    test."""
    gc.freeze()
