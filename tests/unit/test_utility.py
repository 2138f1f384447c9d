"""pynn_uni.utility: command line, logging, file names, timing, progress bars, helpers."""

from __future__ import annotations

import logging
import os
import re
import shelve
import sys
import types
from datetime import datetime

import neo
import numpy as np
import pytest
import quantities as pq

import pynn_uni.utility as utility
from pynn_uni.utility import (
    ProgressBar,
    SimulationProgressBar,
    Timer,
    forgetful_memoize,
    get_script_args,
    get_simulator,
    init_logging,
    load_population,
    normalized_filename,
    notify,
    save_population,
    sort_by_column,
)

# -- Timer (the clock is replaced: no sleeping) -------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """A settable fake clock, in seconds."""
    now = [1000.0]
    monkeypatch.setattr(utility.timer, "_clock", lambda: now[0])
    return now


def test_timer_arithmetic(clock):
    timer = Timer()
    clock[0] = 1003.5
    assert timer.elapsed_time() == 3.5
    clock[0] = 1010.0
    assert timer.diff() == 6.5  # since the elapsed_time() call
    assert timer.elapsed_time() == 10.0
    clock[0] = 1011.25
    timer.mark("build")
    clock[0] = 1012.0
    timer.mark("run")
    assert timer.marks == [("build", 1.25), ("run", 0.75)]
    clock[0] = 1000.0 + 3723
    assert timer.elapsed_time(format="long") == "1 hour, 2 minutes, 3 seconds"
    timer.reset()
    clock[0] += 2
    assert timer.elapsed_time() == 2.0
    assert timer.diff(format="long") == "0 seconds"


def test_timer_deprecated_alias(clock):
    timer = Timer()
    clock[0] += 61
    with pytest.warns(DeprecationWarning, match="elapsed_time"):
        assert timer.elapsedTime(format="long") == "1 minute, 1 second"


@pytest.mark.parametrize(
    "seconds, words",
    [
        (1, "1 second"),
        (1.9, "1 second"),
        (123, "2 minutes, 3 seconds"),
        (24 * 3600, "1 day"),
        (2 * 3600 + 5, "2 hours, 5 seconds"),
        (31556952 + 2 * 86400 + 1, "1 year, 2 days, 1 second"),
        (0.4, "0 seconds"),
    ],
)
def test_time_in_words(seconds, words):
    assert Timer.time_in_words(seconds) == words


# -- progress bars --------------------------------------------------------------------------------


def test_progress_bar_rendering(capsys):
    bar = ProgressBar(width=12)  # 10 characters between the brackets
    assert bar.render(0.5) == "[ #####      ]  50%"
    assert bar.render(1.7) == "[ ########## ] 100%"  # clipped
    assert bar.render(-1) == "[            ]   0%"
    assert ProgressBar(width=12, char="*", mode="dynamic").render(0.3) == "[ *** ]  30%"
    assert ProgressBar(width=12, mode="bogus").mode == "fixed"
    bar(0.3)
    assert capsys.readouterr().out == "[ ###        ]  30% \r"


def test_simulation_progress_bar_is_a_run_callback(capsys):
    bar = SimulationProgressBar(10.0, 100.0)
    assert bar.width == 10
    assert bar(30.0) == 40.0
    out = capsys.readouterr().out
    assert out.endswith(" 30% \r")
    assert out.count("#") == 2  # round(0.3 * 8)


# -- file names and logging -------------------------------------------------------------------


def test_normalized_filename_format():
    name = normalized_filename("Results", "brunel", "pkl", "nest", num_processes=4)
    m = re.fullmatch(
        r"Results/(\d{8})/brunel_nest_np4_(\d{8})-(\d{6})\.pkl", name.replace(os.sep, "/")
    )
    assert m is not None and m.group(1) == m.group(2)
    plain = normalized_filename("R", "b", "h5", "neuron").replace(os.sep, "/")
    assert re.fullmatch(r"R/\d{8}/b_neuron_\d{8}-\d{6}\.h5", plain)


def test_normalized_filename_exact(monkeypatch):
    class FixedDateTime(datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2024, 3, 5, 7, 8, 9)

    monkeypatch.setattr(utility.script_tools, "datetime", FixedDateTime)
    assert normalized_filename("out", "run", "pkl", "nest", 2) == os.path.join(
        "out", "20240305", "run_nest_np2_20240305-070809.pkl"
    )
    assert normalized_filename("out", "run", "pkl", "nest", use_iso8601=True) == os.path.join(
        "out", "2024-03-05", "run_nest_2024-03-05T07:08:09.pkl"
    )


@pytest.fixture
def restore_root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
            h.close()
    root.setLevel(level)


def test_init_logging_mpi_file(tmp_path, restore_root_logger):
    logger = init_logging(str(tmp_path / "logs" / "sim.log"), num_processes=2, rank=1)
    assert logger.name == "pynn_uni"
    assert logging.getLogger().level == logging.INFO
    logger.info("hello from rank one")
    logger.debug("not shown at INFO")
    for h in logging.getLogger().handlers:
        h.flush()
    text = (tmp_path / "logs" / "sim.log.1").read_text()
    assert "Rank 1 of 2: " in text and "hello from rank one" in text
    assert "not shown" not in text
    assert not (tmp_path / "logs" / "sim.log").exists()


def test_init_logging_levels_and_no_duplicate_handlers(tmp_path, restore_root_logger):
    root = logging.getLogger()
    n_before = len(root.handlers)
    init_logging(str(tmp_path / "a.log"), debug=True)
    assert root.level == logging.DEBUG
    init_logging(str(tmp_path / "b.log"), level=logging.WARNING)
    assert root.level == logging.WARNING
    assert len(root.handlers) == n_before + 1


# -- command line -------------------------------------------------------------------------------


def test_get_simulator_imports_named_backend(monkeypatch):
    fake = types.ModuleType("pynn_uni.fakesim")
    monkeypatch.setitem(sys.modules, "pynn_uni.fakesim", fake)
    monkeypatch.setattr(sys, "argv", ["script.py", "fakesim", "5", "--debug"])
    sim, args = get_simulator(
        ("n", "number of cells", {"type": int}),
        ("--debug", "debug mode", {"action": "store_true"}),
    )
    assert sim is fake
    assert args.simulator == "fakesim" and args.n == 5 and args.debug is True


@pytest.mark.parametrize("name", ["nosuchbackend", "not.a.name"])
def test_get_simulator_unknown_backend(monkeypatch, name):
    monkeypatch.setattr(sys, "argv", ["script.py", name])
    with pytest.raises(ModuleNotFoundError, match="backend"):
        get_simulator()


def test_get_script_args_finds_script_in_argv(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["nrniv", "-python", __file__, "a", "b", "c"])
    assert get_script_args(2) == ["a", "b"]
    with pytest.raises(ValueError, match="requires 4 arguments, you supplied 3"):
        get_script_args(4)
    with pytest.raises(ValueError, match="usage: x"):
        get_script_args(4, usage="usage: x")


# -- notify ---------------------------------------------------------------------------------------


def test_notify_without_host_only_logs(caplog):
    with caplog.at_level(logging.WARNING, logger="pynn_uni"):
        notify()
    assert "no e-mail sent" in caplog.text


def test_notify_sends_mail(monkeypatch):
    import smtplib

    sent = []

    class FakeSMTP:
        def __init__(self, host):
            self.host = host

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            sent.append((self.host, message))

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    notify("done in 3 s", subject="run 7", smtphost="mail.example.org", address="me@example.org")
    ((host, message),) = sent
    assert host == "mail.example.org"
    assert message["To"] == "me@example.org" and message["Subject"] == "run 7"
    assert "done in 3 s" in message.get_content()


# -- small helpers ------------------------------------------------------------------------------


def test_sort_by_column():
    a = np.array([[3, 30], [1, 10], [2, 20], [1, 11]])
    np.testing.assert_array_equal(sort_by_column(a, 0), [[1, 10], [1, 11], [2, 20], [3, 30]])
    np.testing.assert_array_equal(sort_by_column(a, 1)[:, 1], [10, 11, 20, 30])


def test_forgetful_memoize_keeps_only_last_call():
    calls = []

    @forgetful_memoize
    def square(x, offset=0):
        calls.append(x)
        return x * x + offset

    assert square(3) == 9 and square(3) == 9
    assert calls == [3]
    assert square(4) == 16 and square(3) == 9
    assert calls == [3, 4, 3]
    assert square(3, offset=1) == 10
    assert calls == [3, 4, 3, 3]
    arr = np.arange(4)
    square(arr)
    square(arr.copy())  # equal content: cached
    assert len(calls) == 5
    assert square.__name__ == "square"


def test_forgetful_memoize_on_methods():
    class Model:
        def __init__(self):
            self.n = 0

        @forgetful_memoize
        def total(self, k):
            self.n += 1
            return 10 * k

    m = Model()
    assert m.total(2) == 20 and m.total(2) == 20
    assert m.n == 1


# -- save_population / load_population with stand-ins for a backend ---------------------------


class _FakePopulation:
    def __init__(self, size, celltype=None, structure=None, label=None):
        self.size, self.celltype, self.structure, self.label = size, celltype, structure, label
        self.set_calls = []

    def get_data(self, variables, gather=True):
        seg = neo.Segment()
        for index, times in enumerate([[5.0, 1.0], [], [2.5]]):
            seg.spiketrains.append(
                neo.SpikeTrain(np.array(times) / 1000.0 * pq.s, t_stop=1 * pq.s, source_index=index)
            )
        block = neo.Block()
        block.segments.append(seg)
        return block

    def get(self, name):
        return {"tau_m": [10.0, 20.0, 30.0]}[name]

    def set(self, **params):
        self.set_calls.append(params)


class _FakeSpikeSourceArray:
    def __init__(self, spike_times):
        self.spike_times = spike_times


def test_save_and_load_population(tmp_path, monkeypatch):
    try:
        import pynn_uni.parameters  # noqa: F401
    except ImportError:  # not written yet: a minimal stand-in for parameters.Sequence
        stub = types.ModuleType("pynn_uni.parameters")
        stub.Sequence = type(
            "Sequence", (), {"__init__": lambda self, v: setattr(self, "value", v)}
        )
        monkeypatch.setitem(sys.modules, "pynn_uni.parameters", stub)
    filename = str(tmp_path / "pop")
    save_population(_FakePopulation(3, label="exc"), filename, variables=["tau_m"])
    with shelve.open(filename) as db:
        spikes = db["spike_times"]
    np.testing.assert_allclose(sort_by_column(spikes, 1), [[0, 1.0], [2, 2.5], [0, 5.0]])
    sim = types.SimpleNamespace(Population=_FakePopulation, SpikeSourceArray=_FakeSpikeSourceArray)
    pop = load_population(filename, sim)
    assert pop.size == 3 and pop.label == "exc"
    trains = [np.asarray(s.value) for s in pop.celltype.spike_times]
    np.testing.assert_allclose(trains[0], [1.0, 5.0])
    assert trains[1].size == 0
    np.testing.assert_allclose(trains[2], [2.5])
    assert pop.set_calls == [{"tau_m": [10.0, 20.0, 30.0]}]
