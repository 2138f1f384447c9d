"""PyNN 0.13.0's source distribution, fetched from PyPI with pip into a cache, never vendored.

Only its ``test/`` and ``examples/`` folders are unpacked (PyNN's own package is left in the
archive, so nothing can import it by accident).  Once fetched, the cache works offline.
The cache folder is ``$PYNN_UNI_PYNN_CACHE`` or ``~/.cache/pynn_uni/pynn-0.13.0``.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import tarfile
from pathlib import Path

VERSION = "0.13.0"
ARCHIVE = f"pynn-{VERSION}.tar.gz"
TOP = f"pynn-{VERSION}"


class SdistUnavailable(RuntimeError):
    """The sdist is neither cached nor downloadable."""


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "pynn_uni" / f"pynn-{VERSION}"
    return Path(os.environ.get("PYNN_UNI_PYNN_CACHE", default))


def _download(dest: Path) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
           "--no-binary", ":all:", f"pynn=={VERSION}", "-d", str(dest)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    archive = dest / ARCHIVE
    if proc.returncode != 0 or not archive.exists():
        raise SdistUnavailable(
            f"PyNN {VERSION}'s sdist is not in the cache ({dest}) and pip could not fetch it "
            f"(`{' '.join(cmd)}` exited {proc.returncode}): {proc.stderr.strip()[-500:]}"
        )
    return archive


def unpacked() -> Path:
    """The unpacked tree (``test/`` and ``examples/``), fetching the sdist on first use."""
    root = cache_dir()
    tree = root / TOP
    if (tree / ".complete").exists():
        return tree
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:  # two test processes may start at once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (tree / ".complete").exists():
            return tree
        archive = root / ARCHIVE
        if not archive.exists():
            archive = _download(root)
        with tarfile.open(archive) as tar:
            wanted = [m for m in tar.getmembers()
                      if m.name.startswith((f"{TOP}/test/", f"{TOP}/examples/"))]
            tar.extractall(root, members=wanted, filter="data")
        (tree / ".complete").touch()
    return tree


def scenarios_dir() -> Path:
    return unpacked() / "test" / "system" / "scenarios"


def examples_dir() -> Path:
    return unpacked() / "examples"
