"""Compile pynn_uni's own NMODL mechanisms on first use, into a per-user cache.

The cache entry is keyed by a hash of the .mod sources, the NEURON version and the
machine, so editing a .mod file or upgrading NEURON recompiles, and nothing is ever built
inside the source tree or at import time.  Two processes compiling at once are safe: the
build runs in a private temporary folder under a lock file and is published with one
atomic ``os.rename``; a process that loses the race uses the winner's build.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

MOD_DIR = Path(__file__).resolve().parent / "nmodl"
#: a mechanism defined in the library: its presence in ``h`` means it is loaded
PROBE = "PynnIF"


class NMODLCompileError(RuntimeError):
    """The mechanisms could not be compiled (no compiler, or nrnivmodl failed)."""


def cache_root() -> Path:
    """``$PYNN_UNI_CACHE`` or ``$XDG_CACHE_HOME/pynn_uni`` or ``~/.cache/pynn_uni``."""
    if os.environ.get("PYNN_UNI_CACHE"):
        return Path(os.environ["PYNN_UNI_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pynn_uni"


def source_hash(neuron_version: str) -> str:
    """Hash of every .mod file (name and content), the NEURON version and the machine."""
    digest = hashlib.sha256(f"{neuron_version}|{platform.machine()}".encode())
    for path in sorted([*MOD_DIR.glob("*.mod"), *MOD_DIR.glob("*.inc")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _library(folder: Path) -> Path | None:
    for pattern in ("*/libnrnmech.so", "*/.libs/libnrnmech.so", "*/libnrnmech.dylib", "*.dll"):
        found = sorted(folder.glob(pattern))
        if found:
            return found[0]
    return None


def _check_tools() -> str:
    nrnivmodl = shutil.which("nrnivmodl")
    if nrnivmodl is None:
        raise NMODLCompileError(
            "nrnivmodl not found on PATH: install NEURON with `pip install neuron` "
            "(pynn_uni[neuron]) in the environment that runs pynn_uni"
        )
    compilers = [os.environ.get("CXX"), os.environ.get("CC"), "c++", "g++", "clang++", "cc"]
    if not any(c and shutil.which(c) for c in compilers):
        raise NMODLCompileError(
            "no C/C++ compiler found (tried $CXX, $CC, c++, g++, clang++, cc): NEURON compiles "
            "pynn_uni's mechanisms on first use; install one, e.g. `apt-get install g++` "
            "(Debian/Ubuntu), `xcode-select --install` (macOS) or `conda install cxx-compiler`"
        )
    return nrnivmodl


def build(neuron_version: str) -> Path:
    """Path of the compiled mechanism library, compiling it if the cache lacks it."""
    root = cache_root() / "nmodl"
    target = root / source_hash(neuron_version)
    lib = _library(target) if target.is_dir() else None
    if lib is not None:
        return lib
    nrnivmodl = _check_tools()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one compiler per entry; the others wait, then reuse
        try:
            lib = _library(target) if target.is_dir() else None
            if lib is not None:
                return lib
            tmp = Path(tempfile.mkdtemp(prefix=f"{target.name}.tmp", dir=root))
            try:
                for mod in [*MOD_DIR.glob("*.mod"), *MOD_DIR.glob("*.inc")]:
                    shutil.copy2(mod, tmp / mod.name)
                done = subprocess.run(
                    [nrnivmodl], cwd=tmp, capture_output=True, text=True, check=False
                )
                if done.returncode != 0 or _library(tmp) is None:
                    raise NMODLCompileError(
                        f"nrnivmodl failed in {tmp} (exit {done.returncode}):\n"
                        f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
                    )
                os.rename(tmp, target)  # atomic publish
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return _library(target)


def load(h) -> None:
    """Make pynn_uni's mechanisms available in NEURON's ``h`` (compiling if needed)."""
    if hasattr(h, PROBE):  # loaded already (or from an x86_64/ in the working directory)
        return
    import neuron

    lib = build(neuron.__version__)
    h.nrn_load_dll(str(lib))
