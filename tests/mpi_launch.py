"""Starting test scripts under ``mpirun`` (a plain module the MPI tests import: OpenMPI as
root, oversubscribed 2-core machines), and whether MPI is there at all."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys

MPIRUN = shutil.which("mpirun")
try:
    import mpi4py  # noqa: F401  (only to know it is there: importing it does not start MPI)

    HAVE_MPI4PY = True
except ImportError:
    HAVE_MPI4PY = False
HINT = "apt-get install openmpi-bin libopenmpi-dev && pip install mpi4py"


@functools.cache
def _open_mpi() -> bool:
    version = subprocess.run([MPIRUN, "--version"], capture_output=True, text=True)
    return "Open MPI" in version.stdout


def mpirun(n: int, args: list[str], env: dict | None = None, cwd=None):
    """``mpirun -np n python *args``; asserts it succeeded, showing the ends of its output."""
    flags = ["--oversubscribe"] if _open_mpi() else []
    full_env = {**os.environ, **(env or {})}
    if os.geteuid() == 0:  # containers run as root; OpenMPI refuses that unless told
        full_env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    done = subprocess.run(
        [MPIRUN, "-np", str(n), *flags, sys.executable, *args],
        env=full_env, capture_output=True, text=True, timeout=600, cwd=cwd,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done
