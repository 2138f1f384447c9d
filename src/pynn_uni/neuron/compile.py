"""Compile pynn_uni's own NMODL mechanisms on first use, into a per-user cache.

The cache entry is keyed by a hash of the .mod sources, the NEURON version and the
machine, so editing a .mod file or upgrading NEURON recompiles, and nothing is ever built
inside the source tree or at import time.  Two processes compiling at once are safe: the
build runs in a private temporary folder under a lock file and is published with one
atomic ``os.rename``; a process that loses the race uses the winner's build.

An entry counts only if its manifest (library file name, size and SHA-256) vouches for
it: a missing, truncated or altered library, or an entry without a manifest, is rebuilt
under the lock.  If the cache location cannot be written, a private cache in the temporary
folder is used instead, with a RuntimeWarning.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import platform
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

MOD_DIR = Path(__file__).resolve().parent / "nmodl"
#: a mechanism defined in the library: its presence in ``h`` means it is loaded
PROBE = "PynnIF"
#: the file in a cache entry that vouches for its library (name, size, SHA-256)
MANIFEST = "manifest.json"


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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verified(entry: Path) -> Path | None:
    """The library of cache entry ``entry`` if its manifest vouches for it, else None."""
    try:
        manifest = json.loads((entry / MANIFEST).read_text())
        lib = (entry / manifest["library"]).resolve()
        if entry.resolve() not in lib.parents or not lib.is_file():
            return None
        if lib.stat().st_size != manifest["size"] or _sha256(lib) != manifest["sha256"]:
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return entry / manifest["library"]


def _write_manifest(entry: Path, lib: Path) -> None:
    """Write ``entry``'s manifest for ``lib`` atomically (temporary file, then rename)."""
    manifest = {"library": str(lib.relative_to(entry)), "size": lib.stat().st_size,
                "sha256": _sha256(lib)}  # fmt: skip
    part = entry / f"{MANIFEST}.part"
    with open(part, "w") as f:
        json.dump(manifest, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(part, entry / MANIFEST)


def fallback_root() -> Path:
    """The private cache in the temporary folder, used when :func:`cache_root` is not writable."""
    return Path(tempfile.gettempdir()) / f"pynn_uni-cache-{os.getuid()}"


def _writable(root: Path) -> OSError | None:
    """None if ``root`` exists (created if needed) and a file can be created in it."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".probe", dir=root)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        return err
    return None


def _writable_root() -> Path:
    """``cache_root()/nmodl``, or the private fallback (with a RuntimeWarning) if unwritable."""
    root = cache_root() / "nmodl"
    err = _writable(root)
    if err is None:
        return root
    base = fallback_root()
    fallback = base / "nmodl"
    try:
        base.mkdir(mode=0o700, exist_ok=True)
        info = base.stat()
        if info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise NMODLCompileError(
                f"pynn_uni's cache {root} cannot be written ({err}), and the fallback {base} "
                "is not a private folder of this user; set $PYNN_UNI_CACHE to a writable folder"
            )
    except OSError as err2:
        raise NMODLCompileError(
            f"pynn_uni's cache {root} cannot be written ({err}), nor the fallback {base} "
            f"({err2}); set $PYNN_UNI_CACHE to a writable folder"
        ) from err2
    err2 = _writable(fallback)
    if err2 is not None:
        raise NMODLCompileError(
            f"pynn_uni's cache {root} cannot be written ({err}), nor the fallback {fallback} "
            f"({err2}); set $PYNN_UNI_CACHE to a writable folder"
        )
    warnings.warn(
        f"pynn_uni's cache {root} cannot be written ({err}); compiled NEURON mechanisms go "
        f"to {fallback} instead (set $PYNN_UNI_CACHE to choose a writable folder)",
        RuntimeWarning,
        stacklevel=3,
    )
    return fallback


def build(neuron_version: str) -> Path:
    """Path of the compiled mechanism library, compiling it if the cache lacks a verified one."""
    key = source_hash(neuron_version)
    lib = _verified(cache_root() / "nmodl" / key)
    if lib is not None:
        return lib
    root = _writable_root()
    target = root / key
    lib = _verified(target)
    if lib is not None:
        return lib
    nrnivmodl = _check_tools()
    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one compiler per entry; the others wait, then reuse
        try:
            lib = _verified(target)
            if lib is not None:
                return lib
            for stale in root.glob(f"{key}.tmp*"):  # left by a killed build (we hold the lock)
                shutil.rmtree(stale, ignore_errors=True)
            tmp = Path(tempfile.mkdtemp(prefix=f"{key}.tmp", dir=root))
            try:
                for mod in [*MOD_DIR.glob("*.mod"), *MOD_DIR.glob("*.inc")]:
                    shutil.copy2(mod, tmp / mod.name)
                done = subprocess.run(
                    [nrnivmodl], cwd=tmp, capture_output=True, text=True, check=False
                )
                built = _library(tmp)
                if done.returncode != 0 or built is None:
                    raise NMODLCompileError(
                        f"nrnivmodl failed in {tmp} (exit {done.returncode}):\n"
                        f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
                    )
                _write_manifest(tmp, built)
                if target.exists() or target.is_symlink():  # damaged: move aside, then replace
                    old = Path(f"{tmp}.old")
                    os.rename(target, old)
                    os.rename(tmp, target)  # atomic publish
                    if old.is_dir() and not old.is_symlink():
                        shutil.rmtree(old, ignore_errors=True)
                    else:
                        old.unlink(missing_ok=True)
                else:
                    os.rename(tmp, target)  # atomic publish
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    lib = _verified(target)
    if lib is None:
        raise NMODLCompileError(f"the freshly built cache entry {target} does not verify")
    return lib


def load(h) -> None:
    """Make pynn_uni's mechanisms available in NEURON's ``h`` (compiling if needed)."""
    if hasattr(h, PROBE):  # loaded already (or from an x86_64/ in the working directory)
        return
    import neuron

    lib = build(neuron.__version__)
    h.nrn_load_dll(str(lib))
