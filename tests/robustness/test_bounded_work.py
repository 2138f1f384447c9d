"""Bounded work: requests whose memory or step count would exceed the machine are refused
before anything is allocated, with the estimate, identically on every backend.

Each refused case builds what it needs, then makes the one call that must be refused:
it asserts the error class (:class:`~pynn_uni.errors.ResourceLimitError` is also a
``MemoryError``), message fragments naming the call and the estimate, that the refusal came
at once (little Python memory traced, well under a second), and that the same simulation
still builds, runs and returns data afterwards (``follow_up``).  ``$PYNN_UNI_MEMORY_LIMIT``
stands in for a small machine where the real one would take the request.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest

from pynn_uni import errors
from pynn_uni.common import budget
from pynn_uni.common.simulation import current_simulation

MiB = 2**20
#: a refusal allocates next to nothing and returns at once
MAX_TRACED = 8 * MiB
MAX_SECONDS = 1.0


def _cells(sim, n=2, label="post"):
    return sim.Population(n, sim.IF_cond_exp(), label=label)


def _sources(sim, n=2, label="pre"):
    return sim.Population(n, sim.SpikeSourceArray(spike_times=[1.0]), label=label)


def _projection(sim, connector, n_pre=2, n_post=2, **synapse):
    pre, post = _sources(sim, n_pre), _cells(sim, n_post)
    synapse.setdefault("weight", 0.001)
    return lambda: sim.Projection(pre, post, connector(), sim.StaticSynapse(**synapse),
                                  label="prj")  # fmt: skip


def _set_delay(sim):
    prj = _projection(sim, sim.OneToOneConnector)()
    return lambda: prj.set(delay=1e6)


def _record_v(sim, run):
    cells = _cells(sim, n=1, label="rec")
    cells.record("v")
    return lambda: run(sim)


def _poisson(sim):
    sim.Population(10, sim.SpikeSourcePoisson(rate=1000.0), label="poisson")
    return lambda: sim.run(1e9)


def _callback_none(sim):
    return lambda: sim.run(5.0, callbacks=[lambda t: None])


# -- refused: (id, prepare(sim) -> the refused call, memory limit or None, error, fragments) ---
# fmt: off
REFUSED = [
    # cells
    ("Population(10**12)", lambda s: lambda: s.Population(10**12, s.IF_cond_exp()), None,
     errors.ResourceLimitError, ["Population(1000000000000, IF_cond_exp)", "PiB", "memory"]),
    ("Population(10**12)-labelled",
     lambda s: lambda: s.Population(10**12, s.SpikeSourceArray(), label="huge"), None,
     errors.ResourceLimitError, ["SpikeSourceArray", "label='huge'", "fewer cells"]),
    ("Population((10**6, 10**6))",
     lambda s: lambda: s.Population((10**6, 10**6), s.IF_cond_exp()), None,
     errors.ResourceLimitError, ["Population(1000000000000,", "PiB"]),
    ("Population(10**4)-small-limit", lambda s: lambda: s.Population(10**4, s.IF_cond_exp()),
     MiB, errors.ResourceLimitError, ["Population(10000,", "MiB", "$PYNN_UNI_MEMORY_LIMIT"]),
    # connections, from the count the connector fixes before drawing
    ("FixedTotalNumber(10**12)",
     lambda s: _projection(s, lambda: s.FixedTotalNumberConnector(10**12)), None,
     errors.ResourceLimitError, ["FixedTotalNumberConnector", "connections", "TiB"]),
    ("FixedNumberPre(10**9)",
     lambda s: _projection(s, lambda: s.FixedNumberPreConnector(10**9)), None,
     errors.ResourceLimitError, ["'prj'", "FixedNumberPreConnector", "2e+09 connections"]),
    ("FixedNumberPost(10**9)",
     lambda s: _projection(s, lambda: s.FixedNumberPostConnector(10**9)), None,
     errors.ResourceLimitError, ["'prj'", "FixedNumberPostConnector", "2e+09 connections"]),
    ("AllToAll-small-limit",
     lambda s: _projection(s, s.AllToAllConnector, n_pre=200, n_post=2), 4096,
     errors.ResourceLimitError, ["'prj'", "AllToAllConnector", "200 x 2 cells",
                                 "400 connections"]),
    ("FixedProbability-small-limit",
     lambda s: _projection(s, lambda: s.FixedProbabilityConnector(0.5), n_pre=400, n_post=2),
     4096, errors.ResourceLimitError, ["'prj'", "FixedProbabilityConnector", "400 connections"]),
    # delays: the input ring buffers of the target cells
    ("delay=1e6", lambda s: _projection(s, s.OneToOneConnector, delay=1e6), 64 * MiB,
     errors.ResourceLimitError, ["'prj'", "delay 1e+06 ms", "1e+07 time steps", "2 target"]),
    ("delay=1e7", lambda s: _projection(s, s.AllToAllConnector, delay=1e7), 1024 * MiB,
     errors.ResourceLimitError, ["'prj'", "delay 1e+07 ms", "GiB"]),
    ("fromlist-delay=1e6",
     lambda s: _projection(s, lambda: s.FromListConnector([(0, 0, 0.001, 1e6)],
                                                          column_names=["weight", "delay"])),
     64 * MiB, errors.ResourceLimitError, ["'prj'", "delay 1e+06 ms"]),
    ("prj.set(delay=1e6)", _set_delay, 64 * MiB, errors.ResourceLimitError,
     ["'prj'", "delay 1e+06 ms", "shorter delays"]),
    # run duration: steps, recorded samples, Poisson spikes
    ("run(1e300)", lambda s: lambda: s.run(1e300), None, errors.ResourceLimitError,
     ["run(1e+300)", "1e+301 time steps", "2**53"]),
    ("run_until(1e300)", lambda s: lambda: s.run_until(1e300), None, errors.ResourceLimitError,
     ["run_until(1e+300)", "time steps", "2**53"]),
    ("run(1e15)-steps", lambda s: lambda: s.run(1e15), None, errors.ResourceLimitError,
     ["run(1e+15)", "1e+16 time steps", "2**53"]),
    ("run_until(inf)", lambda s: lambda: s.run_until(float("inf")), None,
     errors.InvalidParameterValueError, ["run_until()", "tstop", "inf"]),
    ("run(1e9)-recording-v", lambda s: _record_v(s, lambda s: s.run(1e9)), None,
     errors.ResourceLimitError, ["run(1e+09)", "1e+10 recorded samples", "GiB"]),
    ("run_until(1e6)-recording-v-small-limit", lambda s: _record_v(s, lambda s: s.run_until(1e6)),
     16 * MiB, errors.ResourceLimitError, ["run_until(1e+06)", "1e+07 recorded samples"]),
    ("run(1e9)-poisson", _poisson, None, errors.ResourceLimitError,
     ["run(1e+09)", "1e+10 Poisson source spikes", "GiB"]),
    ("run-callback-None", _callback_none, None, errors.InvalidParameterValueError,
     ["run() callback", "None"]),
    # timestep
    ("setup(timestep=1e-9)", lambda s: lambda: s.setup(timestep=1e-9), None,
     errors.InvalidParameterValueError, ["setup()", "timestep 1e-09 ms", "min_timestep"]),
    ("setup(timestep=0.0005)", lambda s: lambda: s.setup(timestep=0.0005), None,
     errors.InvalidParameterValueError, ["setup()", "0.0005", "below the smallest"]),
]
# fmt: on


def _refused_at_once(call, error, fragments) -> None:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(error) as info:
            call()
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert elapsed < MAX_SECONDS, f"refused after {elapsed:.2f} s"
    assert peak < MAX_TRACED, f"{peak / MiB:.1f} MiB allocated before the refusal"


@pytest.mark.parametrize(
    "prepare, limit, error, fragments", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_refused(sim, follow_up, monkeypatch, prepare, limit, error, fragments):
    call = prepare(sim)
    if limit is not None:
        monkeypatch.setenv(budget.LIMIT_ENV, str(limit))
    _refused_at_once(call, error, fragments)
    monkeypatch.delenv(budget.LIMIT_ENV, raising=False)
    follow_up(sim)


def test_resource_limit_is_a_memory_error(sim, follow_up):
    """User code that catches MemoryError (or CapacityError) keeps working."""
    with pytest.raises(MemoryError):
        sim.Population(10**12, sim.IF_cond_exp())
    with pytest.raises(errors.CapacityError):
        sim.run(1e300)
    follow_up(sim)


def test_refused_run_keeps_the_simulation(sim, follow_up):
    """A refused run(1e300) reaches no simulator (NEST was wedged by it): the earlier data
    stay readable, and run(), get_data() and reset() work."""
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0, 6.0]), label="src")
    src.record("spikes")
    sim.run(5.0)
    with pytest.raises(errors.ResourceLimitError):
        sim.run(1e300)
    assert sim.get_current_time() == pytest.approx(5.0)
    assert sim.run(5.0) == pytest.approx(10.0)
    (train,) = src.get_data().segments[-1].spiketrains
    assert np.asarray(train.magnitude) == pytest.approx([1.0, 6.0], abs=0.11)
    sim.reset()
    assert sim.get_current_time() == 0.0
    follow_up(sim)


# -- accepted: legitimate sizes and durations still work ---------------------------------------
def test_large_population_still_works(sim, follow_up, backend_name):
    """10**5 cells (about 100 MiB by the estimate) build and run; the chip takes them as
    host-side sources."""
    celltype = sim.SpikeSourceArray() if backend_name == "hardware" else sim.IF_cond_exp()
    p = sim.Population(np.int64(10**5), celltype, label="big")
    assert p.size == 10**5
    assert sim.run(0.2) == pytest.approx(0.2)
    follow_up(sim)


def test_estimates_count_only_the_run(sim, follow_up):
    """A Poisson source's spikes are counted only while it is active, recorded samples only
    for the cells recorded: a long run of a short burst is not refused for memory."""
    sim.Population(10, sim.SpikeSourcePoisson(rate=1000.0, duration=10.0), label="burst")
    _cells(sim, n=1, label="quiet").record("spikes")
    current_simulation().check_run(1e12, "run(1e12)")  # 1e13 steps: under 2**53, no refusal
    with pytest.raises(errors.ResourceLimitError, match="Poisson source spikes"):
        sim.Population(10, sim.SpikeSourcePoisson(rate=1000.0), label="steady")
        current_simulation().check_run(1e12, "run(1e12)")
    follow_up(sim)


def test_the_limit_comes_from_the_environment(sim, follow_up, monkeypatch):
    monkeypatch.setenv(budget.LIMIT_ENV, str(64 * MiB))
    assert budget.memory_limit() == 64 * MiB
    sim.Population(1000, sim.SpikeSourceArray(), label="fits")  # about 1 MiB
    with pytest.raises(errors.ResourceLimitError, match=r"64 MiB allowed"):
        sim.Population(10**5, sim.SpikeSourceArray(), label="too-many")
    monkeypatch.delenv(budget.LIMIT_ENV)
    follow_up(sim)


# -- the time grid: every backend ends a run at the grid point nearest the requested time -----
@pytest.mark.parametrize("timestep, simtime, end", [(0.03, 1.0, 0.99), (0.0123, 1.0, 0.9963)])
def test_run_ends_on_the_grid(sim_module, backend_name, setup_args, timestep, simtime, end):
    """run(1.0) with a timestep that does not divide it stops at round(1.0 / dt) steps; the
    current time and the recorded signal end there on every backend.  NEST counts time in
    tics of 0.001 ms ([limits] time_resolution): a timestep off that grid is refused there."""
    sim = sim_module
    args = dict(setup_args, timestep=timestep)
    if backend_name == "nest" and timestep == 0.0123:
        with pytest.raises(
            errors.InvalidParameterValueError,
            match=r"timestep 0.0123 ms is not a multiple.*0.001 ms.*0.012",
        ):
            sim.setup(**args)
        return
    sim.setup(**args)
    p = _cells(sim, n=1, label="grid")
    p.record("v")
    assert sim.run(simtime) == pytest.approx(end)
    assert sim.get_current_time() == pytest.approx(end)
    (signal,) = p.get_data().segments[-1].analogsignals
    assert signal.shape[0] == round(end / timestep) + 1
    assert float(signal.times[-1]) == pytest.approx(end)
    assert sim.run(simtime) == pytest.approx(2 * end)


def test_timestep_limits_are_declared(capabilities, backend_name):
    """Every backend declares its smallest timestep; the common layer reads it."""
    assert float(capabilities.limits["min_timestep"]) > 0
    if backend_name == "nest":
        assert capabilities.limits["time_resolution"] == 0.001


def test_estimates_are_vectorised():
    """The run estimate over a million Poisson cells with per-cell rates is one numpy pass."""
    from types import SimpleNamespace

    from pynn_uni.common import control
    from pynn_uni.common.models import SpikeSourcePoisson

    n = 10**6
    pop = SimpleNamespace(
        celltype=SpikeSourcePoisson(), size=n,
        _parameters={"rate": np.full(n, 10.0), "start": np.zeros(n), "duration": 1e10},
    )  # fmt: skip
    start = time.perf_counter()
    spikes = control._source_spikes(pop, 0.0, 1000.0)
    assert time.perf_counter() - start < 0.5
    assert spikes == pytest.approx(10.0 * n)
