"""Script helpers (PyNN's ``pyNN.utility.script_tools`` path, also re-exported by
:mod:`pynn_uni.utility`): pick the backend from the command line, find a script's own
arguments, set up logging, build timestamped file names, e-mail a notice."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from importlib import import_module
from types import ModuleType
from typing import Any

__all__ = ["get_script_args", "get_simulator", "init_logging", "normalized_filename", "notify"]

logger = logging.getLogger("pynn_uni")


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
