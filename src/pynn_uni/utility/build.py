"""Compiling simulator extensions from a script (PyNN's ``pyNN.utility.build`` path).

pynn_uni compiles its own NEURON mechanisms on first use (``pynn_uni.neuron.compile``);
these helpers are for a user's extra NMODL files or NEST extension modules.  Each returns
``True`` on success and prints the tool's output when it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess

__all__ = ["compile_nest_extensions", "compile_nmodl", "find", "run_command"]


def run_command(command: str, working_directory: str | os.PathLike) -> tuple[int, list[str]]:
    """Run the shell ``command`` in ``working_directory``; return ``(exit status, output
    lines)`` with stderr merged into stdout."""
    done = subprocess.run(
        command,
        shell=True,  # noqa: S602 - a command line the caller wrote
        cwd=working_directory,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    return done.returncode, done.stdout.split("\n")


def find(command: str) -> str:
    """Absolute path of the executable ``command`` on ``PATH``, or ``''`` if there is none."""
    return shutil.which(command) or ""


def _report(what: str, status: int, output: list[str]) -> bool:
    if status != 0:
        print(f"{what} failed (exit status {status}). Output was:")
        print("\n  ".join(["", *output]))
    return status == 0


def compile_nmodl(mechanism_directory: str | os.PathLike) -> bool:
    """Compile the ``.mod`` files of ``mechanism_directory`` with ``nrnivmodl`` (into that
    directory, where NEURON's ``load_mechanisms`` finds them)."""
    nrnivmodl = find("nrnivmodl")
    if not nrnivmodl:
        print("nrnivmodl not found on PATH: cannot compile NEURON mechanisms")
        return False
    return _report("nrnivmodl", *run_command(nrnivmodl, mechanism_directory))


def compile_nest_extensions(
    extension_directory: str | os.PathLike, nest_build_dir: str | os.PathLike = "_build"
) -> bool:
    """Configure (cmake, against ``nest-config``), build and install the NEST extension
    module in ``extension_directory``, working in ``nest_build_dir``."""
    nest_config = find("nest-config")
    if not nest_config:
        print("nest-config not found on PATH: cannot build NEST extensions")
        return False
    os.makedirs(nest_build_dir, exist_ok=True)
    source = os.path.abspath(extension_directory)
    for step in (f"cmake -Dwith-nest={nest_config} {source}", "make", "make install"):
        if not _report(step, *run_command(step, nest_build_dir)):
            return False
    return True
