"""Ctrl-C during ``run()`` (issue 11, finding 7), and a refused run on NEST (finding 6).

Each backend runs a network that would take well over 10 s in a subprocess; the parent
sends SIGINT one second into ``run()`` (from outside: NEST and NEURON hold the GIL while
they compute, so a timer thread in the same process would fire late).  The child must
raise ``KeyboardInterrupt`` within a second, with ``get_current_time()`` equal to the
simulator's own time, the spikes and ``v`` recorded up to there readable, and a following
``run(10)`` continuing from there (a regular spike source records every spike once), as if
the run had never stopped (after ``reset()``, a run straight to the same time gives the
same spikes and ``v``).
"""

from __future__ import annotations

import importlib.util
import json
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

from pynn_uni import errors

#: long enough to run for well over 10 s on every backend (each stops at the signal)
DURATION = 20000.0
#: seconds into the run at which the parent sends SIGINT
DELAY = 1.0

CHILD = textwrap.dedent(
    """
    import json, sys, time
    import numpy as np
    from pynn_uni.common import simulation

    name, duration, with_steps = sys.argv[1], float(sys.argv[2]), sys.argv[3] == "1"
    if name == "reference":
        import pynn_uni.testing.reference as sim
    else:
        sim = __import__(f"pynn_uni.{name}", fromlist=["setup"])
    hw = name == "hardware"
    extra = {"synapse_loss": "allow", "readout_policy": "relaxed"} if hw else {}
    sim.setup(timestep=0.1, **extra)
    n = 190 if hw else 1000
    cells = sim.Population(n, sim.IF_facets_hardware1() if hw else sim.IF_cond_exp())
    noise = sim.Population(100, sim.SpikeSourcePoisson(rate=50.0))
    clock = sim.Population(3, sim.SpikeSourceArray(spike_times=np.arange(1.0, duration, 1.0)))
    w = 0.005
    sim.Projection(noise, cells, sim.FixedProbabilityConnector(0.2), sim.StaticSynapse(weight=w))
    sim.Projection(cells, cells, sim.FixedProbabilityConnector(0.02),
                   sim.StaticSynapse(weight=w / 5))
    sim.Projection(clock, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=w / 10))
    if with_steps and not hw:  # current steps every ms into cells recording v (none on the chip)
        amplitudes = np.resize([0.2, 0.0], int(duration))
        sim.StepCurrentSource(times=np.arange(1.0, duration + 0.5, 1.0),
                              amplitudes=amplitudes).inject_into(cells[:2])
    cells.record("spikes")
    cells[:4].record("v")
    clock.record("spikes")


    def own_time():
        backend = simulation.current_simulation().backend
        if name == "nest":
            nest = sim.nest  # it runs one min_delay ahead of the user's time
            return nest.biological_time - nest.GetKernelStatus("min_delay")
        if name == "neuron":
            return float(sim.h.t)
        if hw:
            return backend.emulator.step * backend.dt
        return backend.step * backend.dt


    def state():
        spikes = cells.get_data().segments[-1]
        ticks = clock.get_data().segments[-1]
        v = spikes.filter(name="v")[0]
        times = np.concatenate([np.asarray(st) for st in spikes.spiketrains])
        ticks = [np.asarray(st).tolist() for st in ticks.spiketrains]
        return {"t": sim.get_current_time(), "own_t": own_time(), "spikes": int(times.size),
                "last_spike": float(times.max()) if times.size else 0.0,
                "v_samples": int(v.shape[0]), "ticks": ticks}


    sim.run(1.0)  # the first run's one-off work (NEST connects its recorders) before timing
    print("READY", flush=True)
    start = time.perf_counter()
    out = {}
    try:
        sim.run(duration)
        out["caught"] = None
    except KeyboardInterrupt:
        out["caught"] = time.monotonic()
    out["wall"] = time.perf_counter() - start
    out["stopped"] = state()
    sim.run(10.0)
    out["after"] = state()
    # the same network run again without a stop: the same spikes and v
    t_after = sim.get_current_time()
    sim.reset()
    sim.run(t_after)
    a, b = cells.get_data().segments
    out["same_spikes"] = all(np.array_equal(x, y) for x, y in zip(a.spiketrains, b.spiketrains))
    out["v_diff"] = float(np.abs(a.filter(name="v")[0].magnitude
                                 - b.filter(name="v")[0].magnitude).max())
    sim.end()
    print(json.dumps(out))
    """
)


def _available(name: str) -> bool:
    return name not in ("nest", "neuron") or importlib.util.find_spec(name) is not None


def _interrupted_run(name: str, duration=DURATION, delay=DELAY, steps=True) -> tuple[dict, float]:
    """Run the child, send SIGINT ``delay`` s after it starts ``run(duration)``; (its report,
    the latency from the signal to its KeyboardInterrupt)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, name, str(duration), "1" if steps else "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(120.0, proc.kill)  # a child that ignores the signal dies
    watchdog.start()
    try:
        ready = proc.stdout.readline()
        assert ready.startswith("READY"), proc.communicate()[1][-3000:]
        time.sleep(delay)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate()
    finally:
        watchdog.cancel()
    assert proc.returncode == 0, err[-3000:]
    report = json.loads(out.strip().splitlines()[-1])
    assert report["caught"] is not None, f"the run ended without KeyboardInterrupt: {report}"
    return report, report["caught"] - sent


@pytest.mark.parametrize("name", ["nest", "neuron", "hardware", "reference"])
def test_ctrl_c_stops_the_run_within_a_second(name):
    if not _available(name):
        pytest.skip(f"{name} is not installed")
    report, latency = _interrupted_run(name)
    print(f"{name}: SIGINT latency {latency:.3f} s, stopped at t = {report['stopped']['t']} ms")
    assert latency < 1.0
    dt = 0.1
    for key, extra in (("stopped", 0.0), ("after", 10.0)):
        s = report[key]
        # the simulator's time, on the grid, as far as the run got (or 10 ms further)
        assert s["t"] == pytest.approx(s["own_t"], abs=1e-9)
        assert 1.0 + extra < s["t"] < DURATION
        assert s["t"] == pytest.approx(report["stopped"]["t"] + extra, abs=1e-9)
        # what was recorded up to there is kept: v at every step, spikes up to t
        assert s["v_samples"] == round(s["t"] / dt) + 1
        assert 0 < s["spikes"] and s["last_spike"] <= s["t"] + 1e-9
        # the regular source sent every spike up to t exactly once, across the interrupt
        expected = np.arange(1.0, np.floor(s["t"] + 1e-9) + 0.5, 1.0)
        for ticks in s["ticks"]:
            np.testing.assert_allclose(ticks, expected, atol=1e-9)
    assert report["after"]["spikes"] > report["stopped"]["spikes"]
    # the stop left no trace: after reset(), a run straight to the same time is identical
    assert report["same_spikes"] and report["v_diff"] < 1e-9


def test_ctrl_c_while_neuron_queues_the_inputs():
    """NEURON queues a run's input spikes before it solves (here ~2 million, seconds of
    work): Ctrl-C then stops before anything ran, and the next run queues afresh."""
    if not _available("neuron"):
        pytest.skip("neuron is not installed")
    report, latency = _interrupted_run("neuron", duration=200_000.0, delay=0.3, steps=False)
    print(f"neuron, queueing: SIGINT latency {latency:.3f} s")
    assert latency < 1.0
    stopped, after = report["stopped"], report["after"]
    assert stopped["t"] == after["t"] - 10.0 == pytest.approx(1.0)
    assert stopped["own_t"] == pytest.approx(1.0) and after["own_t"] == pytest.approx(11.0)
    assert [len(ticks) for ticks in after["ticks"]] == [11, 11, 11]
    assert report["same_spikes"] and report["v_diff"] < 1e-9


# -- a refused run on NEST (issue 11, finding 6) ------------------------------------------


@pytest.fixture
def nest_sim():
    pytest.importorskip("nest")
    import pynn_uni.nest as sim

    sim.setup(timestep=0.1)
    yield sim
    sim.end()


def _network(sim):
    source = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0, 5.0, 12.0, 18.0]))
    cells = sim.Population(2, sim.IF_curr_exp())
    sim.Projection(source, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=5.0))
    source.record("spikes")
    cells.record("v")
    return source, cells


def _still_usable(sim, source, cells, t0: float) -> None:
    """run(), get_data() and reset() work, with the data from before the refusal kept."""
    sim.run(10.0)
    assert sim.get_current_time() == pytest.approx(t0 + 10.0)
    trains = source.get_data().segments[-1].spiketrains
    assert [np.asarray(st).tolist() for st in trains] == [[1.0, 5.0, 12.0, 18.0]] * 2
    assert cells.get_data().segments[-1].filter(name="v")[0].shape == (201, 2)
    sim.reset()
    sim.run(5.0)
    segments = source.get_data().segments
    assert len(segments) == 2
    assert [np.asarray(st).tolist() for st in segments[-1].spiketrains] == [[1.0, 5.0]] * 2


def test_refused_run_leaves_nest_usable(nest_sim):
    sim = nest_sim
    source, cells = _network(sim)
    sim.run(10.0)
    with pytest.raises(errors.ResourceLimitError):
        sim.run(1e300)
    assert sim.get_current_time() == pytest.approx(10.0)
    _still_usable(sim, source, cells, 10.0)


def test_nest_error_during_a_run_leaves_nest_usable(nest_sim, monkeypatch):
    """An error from NEST part-way through a run ends its Prepare/Run with Cleanup, so
    the kernel takes the next run (before, a failed Simulate wedged it)."""
    sim = nest_sim
    source, cells = _network(sim)
    sim.run(10.0)
    nest, real_run = sim.nest, sim.nest.Run
    calls = []

    def failing_run(t):
        calls.append(t)
        if len(calls) == 2:
            raise nest.NESTError("simulated failure")
        real_run(t)

    monkeypatch.setitem(vars(nest), "Run", failing_run)  # the nest module refuses setattr
    monkeypatch.setattr("pynn_uni.common.interrupt.TARGET_WALL", 1e-9)  # min_delay slices
    with pytest.raises(nest.NESTError):
        sim.run(10.0)
    monkeypatch.setitem(vars(nest), "Run", real_run)
    _still_usable(sim, source, cells, sim.get_current_time())
