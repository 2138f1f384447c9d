"""Run one model on several simulators side by side (PyNN's ``pyNN.multisim`` path).

``MultiSim([pynn_uni.nest, pynn_uni.neuron], Model, parameters)`` builds
``Model(sim, parameters)`` once per backend, each in its own process (simulators keep global
state, so two cannot share one interpreter).  Calls are then broadcast: ``ms.run(100.0)``
runs every copy, and ``ms.anything(*args)`` calls ``model.anything(*args)`` in every
process and returns ``{backend module name: result}``.  Results travel between processes
by pickling (neo Blocks and numpy arrays do).  An exception raised in a copy is raised
again in the caller, naming the backend.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
from importlib import import_module
from queue import Empty
from types import ModuleType
from typing import Any

__all__ = ["MultiSim", "run_simulation"]

logger = logging.getLogger("pynn_uni")

_STOP = "STOP"
_POLL_S = 0.5  # how often a waiting caller checks that the simulator process still lives


class MultiSimError(RuntimeError):
    """A command failed in one of the simulator processes."""


def run_simulation(network_model, sim_name: str, parameters, input_queue, output_queue) -> None:
    """Child process: build the model on backend ``sim_name``, then serve commands
    ``(target, method, args, kwargs)`` (``target``: ``"network"`` or ``"sim"``) from
    ``input_queue`` until ``"STOP"``, putting ``(ok, result or exception)`` on
    ``output_queue``; at ``"STOP"`` it calls ``sim.end()``."""
    try:
        sim = import_module(sim_name)
        targets = {"network": network_model(sim, parameters), "sim": sim}
    except Exception as err:  # reported to the parent, which raises it
        _send(output_queue, False, err)
        return
    _send(output_queue, True, None)
    logger.info("MultiSim: model built with %s", sim_name)
    for target, method, args, kwargs in iter(input_queue.get, _STOP):
        try:
            result = getattr(targets[target], method)(*args, **kwargs)
        except Exception as err:
            _send(output_queue, False, err)
        else:
            _send(output_queue, True, result)
    getattr(sim, "end", lambda: None)()


def _send(queue, ok: bool, value) -> None:
    """Put ``(ok, value)`` on ``queue``, replacing a value that cannot be pickled by an error
    (otherwise the queue's feeder thread would drop it and the caller would wait forever)."""
    try:
        pickle.dumps(value)
    except Exception as err:
        message = f"the result {value!r} cannot be sent between processes: {err}"
        ok, value = False, TypeError(message)
    queue.put((ok, value))


class MultiSim:
    """The same model, built on each backend of ``sim_list`` in its own process.

    ``sim_list``: backend modules (``pynn_uni.nest``) or their names (``"nest"``, a
    registered backend, or a full module name such as ``"pynn_uni.nest"``).
    ``network_model``: a callable ``network_model(sim, parameters)``, typically a class whose
    constructor calls ``sim.setup()`` and builds the network.  ``context``: a
    :mod:`multiprocessing` start method (default: the platform's); with ``"spawn"`` the model
    must be importable by the child.  Use as a context manager, or call :meth:`end`.
    """

    def __init__(self, sim_list, network_model, parameters, context: str | None = None):
        ctx = multiprocessing.get_context(context)
        self.processes: dict[str, Any] = {}
        self.task_queues: dict[str, Any] = {}
        self.result_queues: dict[str, Any] = {}
        for sim in sim_list:
            name = _module_name(sim)
            tasks, results = ctx.Queue(), ctx.Queue()
            process = ctx.Process(
                target=run_simulation,
                args=(network_model, name, parameters, tasks, results),
                name=f"MultiSim-{name}",
            )
            process.start()
            self.processes[name] = process
            self.task_queues[name] = tasks
            self.result_queues[name] = results
        try:
            self._collect("building the model")
        except Exception:
            self.end()
            raise

    def __iter__(self):
        return iter(self.processes.values())

    def _collect(self, what: str) -> dict[str, Any]:
        results, failures = {}, []
        for name, queue in self.result_queues.items():
            ok, value = self._receive(name, queue)
            if ok:
                results[name] = value
            else:
                failures.append((name, value))
        if failures:
            name, err = failures[0]
            raise MultiSimError(f"{name}: {what} failed: {type(err).__name__}: {err}") from err
        return results

    def _receive(self, name: str, queue) -> tuple[bool, Any]:
        process = self.processes[name]
        while True:
            try:
                return queue.get(timeout=_POLL_S)
            except Empty:
                if not process.is_alive() and queue.empty():
                    return False, RuntimeError(f"the process exited (code {process.exitcode})")

    def _broadcast(self, target: str, method: str, args, kwargs) -> dict[str, Any]:
        for queue in self.task_queues.values():
            queue.put((target, method, tuple(args), dict(kwargs)))
        return self._collect(f"{target}.{method}()")

    def __getattr__(self, name: str):
        """``ms.name(*args, **kwargs)`` calls ``model.name(...)`` in every process and
        returns ``{backend module name: result}``."""
        if name.startswith("_") or name in ("processes", "task_queues", "result_queues"):
            raise AttributeError(name)

        def call_everywhere(*args, **kwargs):
            return self._broadcast("network", name, args, kwargs)

        call_everywhere.__name__ = name
        return call_everywhere

    def sim_call(self, function: str, *args, **kwargs) -> dict[str, Any]:
        """Call ``sim.function(*args, **kwargs)`` (e.g. ``"get_current_time"``) on every
        backend; returns ``{backend module name: result}``."""
        return self._broadcast("sim", function, args, kwargs)

    def run(self, simtime: float, steps: int = 1) -> dict[str, Any]:
        """Run every copy for ``simtime`` ms, in ``steps`` equal ``sim.run`` calls, in step
        with each other; returns each backend's time at the end."""
        result: dict[str, Any] = {}
        for _ in range(steps):
            result = self.sim_call("run", float(simtime) / steps)
        return result

    def end(self) -> None:
        """End every simulation (``sim.end()``, which writes any files recorded to) and wait
        for the processes to finish."""
        for name, process in self.processes.items():
            if process.is_alive():
                self.task_queues[name].put(_STOP)
        for process in self.processes.values():
            process.join()

    def __enter__(self) -> MultiSim:
        return self

    def __exit__(self, *exc) -> None:
        self.end()


def _module_name(sim: ModuleType | str) -> str:
    if isinstance(sim, ModuleType):
        return sim.__name__
    from pynn_uni import list_backends

    return f"pynn_uni.{sim}" if sim in list_backends() else sim
