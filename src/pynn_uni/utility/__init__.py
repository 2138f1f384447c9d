"""Helpers for simulation scripts: picking a backend from the command line, logging,
timestamped file names, timing, progress bars and small array utilities.

The module path is PyNN's (``pyNN.utility``), so ``from pyNN.utility import get_simulator,
Timer`` ports by changing the package name only.  Nothing here imports a simulator or
matplotlib at import time.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from datetime import datetime
from importlib import import_module
from time import perf_counter as _clock
from types import ModuleType
from typing import Any

import numpy as np

from .plotting import connection_plot

__all__ = [
    "ProgressBar",
    "SimulationProgressBar",
    "Timer",
    "connection_plot",
    "forgetful_memoize",
    "get_script_args",
    "get_simulator",
    "init_logging",
    "load_population",
    "normalized_filename",
    "notify",
    "save_population",
    "sort_by_column",
]

logger = logging.getLogger("pynn_uni")


# -- command line -------------------------------------------------------------------------


def _known_backends() -> list[str]:
    """Names a user could pass to :func:`get_simulator` (for error messages only)."""
    try:
        from pynn_uni import list_backends

        return sorted(list_backends())
    except Exception:  # the top-level package may not provide it (yet)
        from importlib.metadata import entry_points

        return sorted(ep.name for ep in entry_points(group="pynn_uni.backends"))


def get_simulator(*arguments: Sequence[Any]) -> tuple[ModuleType, argparse.Namespace]:
    """Import the backend named by the script's first positional command-line argument.

    ``python script.py nest`` imports ``pynn_uni.nest``.  Each extra argument is a tuple
    ``(name, help_text)`` or ``(name, help_text, kwargs_for_add_argument)``, added to the
    :mod:`argparse` parser in order.  Returns ``(sim, args)``.
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("simulator", help="backend to run on: nest, neuron, hardware, ...")
    for argument in arguments:
        name, help_text = argument[:2]
        extra = dict(argument[2]) if len(argument) > 2 else {}
        parser.add_argument(name, help=help_text, **extra)
    args = parser.parse_args()
    name = args.simulator
    if not name.isidentifier():
        raise ModuleNotFoundError(
            f"{name!r} is not a backend name; expected one of {_known_backends()}"
        )
    module_name = f"pynn_uni.{name}"
    try:
        sim = import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name != module_name:
            raise  # the backend exists but one of its own imports is missing
        raise ModuleNotFoundError(
            f"no pynn_uni backend called {name!r}; available: {_known_backends()}",
            name=module_name,
        ) from None
    return sim, args


def get_script_args(n_args: int, usage: str = "") -> list[str]:
    """Return the ``n_args`` command-line arguments that follow the calling script's name.

    Works however the script was launched (``python``, ``nrniv -python``, ``mpirun``),
    because it looks the script up in ``sys.argv`` instead of assuming it is ``argv[0]``.
    Raises ``ValueError`` (with ``usage`` as message if given) on a wrong count.
    """
    script = sys._getframe(1).f_globals.get("__file__")
    index = 0
    if script:
        target = os.path.abspath(script)
        for i, arg in enumerate(sys.argv):
            if arg == script or os.path.abspath(arg) == target:
                index = i
                break
    args = sys.argv[index + 1 : index + 1 + n_args]
    if len(args) != n_args:
        raise ValueError(usage or f"Script requires {n_args} arguments, you supplied {len(args)}")
    return args


# -- logging and file names ----------------------------------------------------------------


def init_logging(
    logfile: str | os.PathLike | None,
    debug: bool = False,
    num_processes: int = 1,
    rank: int = 0,
    level: int | None = None,
) -> logging.Logger:
    """Send log records to ``logfile`` (or to stderr when it is ``None``) and return the
    ``"pynn_uni"`` logger.

    Under MPI (``num_processes > 1``) each rank writes ``<logfile>.<rank>`` and prefixes
    its messages with its rank.  ``level`` overrides ``debug`` (DEBUG vs INFO).  Calling it
    again replaces the handler installed by the previous call instead of adding a second
    one; handlers installed by anyone else are left alone.
    """
    prefix = f"Rank {rank} of {num_processes}: " if num_processes > 1 else ""
    fmt = prefix + (
        "%(asctime)s %(levelname)-8s [%(name)s] %(message)s (%(pathname)s[%(lineno)d]:%(funcName)s)"
    )
    if logfile:
        path = os.fspath(logfile)
        if num_processes > 1:
            path = f"{path}.{rank}"
        path = os.path.abspath(path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, mode="w")
    else:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(fmt))
    handler._pynn_uni_init_logging = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_pynn_uni_init_logging", False)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level if level else (logging.DEBUG if debug else logging.INFO))
    return logger


def normalized_filename(
    root: str | os.PathLike,
    basename: str,
    extension: str,
    simulator: str,
    num_processes: int | None = None,
    use_iso8601: bool = False,
) -> str:
    """Build ``root/DATE/basename_simulator[_npN]_DATETIME.extension`` for results files.

    DATE is ``YYYYMMDD`` and DATETIME ``YYYYMMDD-HHMMSS`` (with ``use_iso8601``:
    ``YYYY-MM-DD`` and ``YYYY-MM-DDTHH:MM:SS``), both from one reading of the local clock,
    so runs sort by time and never overwrite each other.  The directory is not created.
    """
    now = datetime.now()
    if use_iso8601:
        date, stamp = now.strftime("%Y-%m-%d"), now.strftime("%Y-%m-%dT%H:%M:%S")
    else:
        date, stamp = now.strftime("%Y%m%d"), now.strftime("%Y%m%d-%H%M%S")
    np_part = f"_np{num_processes}" if num_processes else ""
    return os.path.join(root, date, f"{basename}_{simulator}{np_part}_{stamp}.{extension}")


def notify(
    msg: str = "Simulation finished.",
    subject: str = "Simulation finished.",
    smtphost: str | None = None,
    address: str | None = None,
) -> None:
    """E-mail ``msg`` to ``address`` through ``smtphost`` (e.g. at the end of a long run).

    Without a host or an address it only logs a warning, so scripts can call it
    unconditionally.
    """
    if not (smtphost and address):
        logger.warning("notify(): SMTP host and/or e-mail address not given; no e-mail sent")
        return
    import smtplib
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = address
    message["To"] = address
    message["Subject"] = subject
    message.set_content(f"{msg}\nTimestamp: {datetime.now():%H:%M:%S, %Y-%m-%d}")
    with smtplib.SMTP(smtphost) as server:
        server.send_message(message)


# -- timing and progress -------------------------------------------------------------------


class Timer:
    """Wall-clock timer for script sections; starts on creation.

    Times are in seconds, from a monotonic clock.  ``marks`` holds ``(label, seconds)``
    pairs stored by :meth:`mark`.
    """

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []
        self.start()

    def start(self) -> None:
        """Start (or restart) timing from now."""
        self._start_time = _clock()
        self._last_check = self._start_time

    def reset(self) -> None:
        """Set the elapsed time back to zero and keep the clock running."""
        self.start()

    def elapsed_time(self, format: str | None = None) -> float | str:
        """Seconds since :meth:`start`; ``format='long'`` gives words ("2 minutes, 3 seconds").

        Also sets the reference point of :meth:`diff`.
        """
        now = _clock()
        self._last_check = now
        elapsed = now - self._start_time
        return self.time_in_words(elapsed) if format == "long" else elapsed

    def elapsedTime(self, format: str | None = None) -> float | str:
        """Deprecated alias of :meth:`elapsed_time`."""
        warnings.warn(
            "Timer.elapsedTime() is deprecated; use Timer.elapsed_time()",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.elapsed_time(format)

    def diff(self, format: str | None = None) -> float | str:
        """Seconds since the last call of :meth:`elapsed_time`, :meth:`diff` or :meth:`mark`
        (or since :meth:`start`)."""
        now = _clock()
        delta = now - self._last_check
        self._last_check = now
        return self.time_in_words(delta) if format == "long" else delta

    def mark(self, label: str) -> None:
        """Append ``(label, diff())`` to :attr:`marks`."""
        self.marks.append((label, self.diff()))

    @staticmethod
    def time_in_words(s: float) -> str:
        """Whole years, days, hours, minutes and seconds of ``s`` seconds, in words.

        A year is 365.2425 days (31 556 952 s); zero parts are left out; under one
        second gives ``"0 seconds"``.
        """
        remaining = int(s)
        parts = []
        for unit, size in (("year", 31556952), ("day", 86400), ("hour", 3600), ("minute", 60)):
            count, remaining = divmod(remaining, size)
            parts.append((unit, count))
        parts.append(("second", remaining))
        words = [f"{n} {unit}{'' if n == 1 else 's'}" for unit, n in parts if n > 0]
        return ", ".join(words) or "0 seconds"


class ProgressBar:
    """Text progress bar redrawn in place on stdout, e.g. ``[ ####      ]  40%``.

    ``width`` counts the bar's characters plus the two brackets; ``mode='fixed'`` pads
    the bar with spaces so the percentage stays put, ``'dynamic'`` lets it move.
    """

    def __init__(self, width: int = 77, char: str = "#", mode: str = "fixed") -> None:
        self.width = width
        self.char = char
        self.mode = mode if mode in ("fixed", "dynamic") else "fixed"

    def render(self, level: float) -> str:
        """The bar for ``level`` (a fraction, clipped to [0, 1]) as a string."""
        level = min(max(float(level), 0.0), 1.0)
        n_full = max(self.width - 2, 0)
        n_chars = int(round(level * n_full))
        bar = self.char * n_chars
        if self.mode == "fixed":
            bar += " " * (n_full - n_chars)
        return f"[ {bar} ] {100 * level:3.0f}%"

    def set_level(self, level: float) -> None:
        """Redraw the bar at ``level`` (0 to 1)."""
        print(self.render(level), end=" \r", flush=True)

    def __call__(self, level: float) -> None:
        self.set_level(level)


class SimulationProgressBar(ProgressBar):
    """Progress bar to pass to ``sim.run(t_stop, callbacks=[bar])``.

    ``interval`` and ``t_stop`` are in ms; the bar has one character per interval.  As a
    callback it is called with the current time and returns the next time it wants to be
    called, ``t + interval``.
    """

    def __init__(self, interval: float, t_stop: float, char: str = "#", mode: str = "fixed"):
        super().__init__(width=int(t_stop / interval), char=char, mode=mode)
        self.interval = interval
        self.t_stop = t_stop

    def __call__(self, t: float) -> float:  # type: ignore[override]
        self.set_level(t / self.t_stop)
        return t + self.interval


# -- saving a population's spikes as a spike source -----------------------------------------


def save_population(population: Any, filename: str, variables: Sequence[str] | None = None):
    """Save a population's recorded spikes, size, label, structure and the parameters named
    in ``variables``, so :func:`load_population` can replay it as a ``SpikeSourceArray``.

    Spikes are stored as an ``(n_spikes, 2)`` array of (index in population, time in ms),
    in a :mod:`shelve` database (pickle-based: only load files you trust).
    """
    import shelve

    block = population.get_data("spikes", gather=True)
    trains = block.segments[-1].spiketrains if block.segments else []
    index = [
        np.full(len(st), st.annotations.get("source_index", i), dtype=float)
        for i, st in enumerate(trains)
    ]
    times = [np.asarray(st.rescale("ms").magnitude, dtype=float) for st in trains]
    spikes = np.column_stack(
        [np.concatenate(index or [np.empty(0)]), np.concatenate(times or [np.empty(0)])]
    )
    with shelve.open(filename) as db:
        db["spike_times"] = spikes
        db["label"] = population.label
        db["size"] = population.size
        db["structure"] = getattr(population, "structure", None)
        db["variables"] = {name: population.get(name) for name in (variables or ())}


def load_population(filename: str, sim: ModuleType) -> Any:
    """Create, in backend ``sim``, a ``SpikeSourceArray`` population that replays a file
    written by :func:`save_population` (and re-applies its saved parameters)."""
    import shelve

    from pynn_uni.parameters import Sequence as SpikeSequence

    with shelve.open(filename) as db:
        spikes = np.asarray(db["spike_times"], dtype=float).reshape(-1, 2)
        size, label = int(db["size"]), db["label"]
        structure, variables = db["structure"], dict(db["variables"])
    order = np.lexsort((spikes[:, 1], spikes[:, 0]))
    idx, times = spikes[order, 0].astype(np.int64), spikes[order, 1]
    bounds = np.searchsorted(idx, np.arange(size + 1))
    spike_times = [SpikeSequence(times[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    kwargs = {"label": label}
    if structure is not None:
        kwargs["structure"] = structure
    population = sim.Population(size, sim.SpikeSourceArray(spike_times=spike_times), **kwargs)
    if variables:
        population.set(**variables)
    return population


# -- small array and caching helpers --------------------------------------------------------


def sort_by_column(a: np.ndarray, col: int) -> np.ndarray:
    """Rows of the 2-D array ``a`` sorted (stably) by column ``col``."""
    a = np.asarray(a)
    return a[np.argsort(a[:, col], kind="stable"), :]


def _same(x: Any, y: Any) -> bool:
    if x is y:
        return True
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        return type(x) is type(y) and np.array_equal(x, y)
    try:
        return bool(x == y)
    except Exception:  # objects whose == is not a plain truth value
        return False


class forgetful_memoize:
    """Decorator caching only the most recent call: the same arguments again return the
    stored value, different ones recompute and replace it.

    For expensive functions called repeatedly with the same arguments from different
    places, without growing memory.  Works on methods too (the instance is an argument).
    """

    def __init__(self, func: Callable) -> None:
        self.func = func
        self.cached_args: tuple | None = None
        self.cached_kwargs: dict | None = None
        self.cached_value: Any = None
        functools.update_wrapper(self, func)

    def __call__(self, *args, **kwargs):
        cached = self.cached_args
        if (
            cached is not None
            and len(cached) == len(args)
            and all(_same(a, b) for a, b in zip(cached, args, strict=True))
            and self.cached_kwargs is not None
            and self.cached_kwargs.keys() == kwargs.keys()
            and all(_same(self.cached_kwargs[k], v) for k, v in kwargs.items())
        ):
            logger.debug("forgetful_memoize: using cached value of %s", self.func.__name__)
            return self.cached_value
        value = self.func(*args, **kwargs)
        self.cached_args, self.cached_kwargs, self.cached_value = args, kwargs, value
        return value

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return functools.partial(self.__call__, obj)
