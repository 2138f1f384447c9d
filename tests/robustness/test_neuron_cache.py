"""The NEURON mechanism cache under faults (issue 11): a damaged entry is rebuilt, an
unwritable location falls back with a warning, missing tools give a clear error.

Every case runs in a subprocess with its own ``$PYNN_UNI_CACHE`` (and ``$TMPDIR``, where
the fallback goes), so NEURON loads the library fresh.  Most use a fake ``nrnivmodl``
(fast; it logs each build); one rebuilds a truncated real library and runs a network on it
(NEURON dies with SIGBUS if it loads a truncated library).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pynn_uni.neuron import compile as nmodl

_FAKE_NRNIVMODL = """#!/bin/sh
echo run >> "$FAKE_LOG"
mkdir -p x86_64 && echo "a library of 32 bytes, not loaded" > x86_64/libnrnmech.so
"""

_BUILD = textwrap.dedent(
    """
    import json, sys, warnings
    from pynn_uni.neuron.compile import NMODLCompileError, build
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            lib = str(build(sys.argv[1]))
        except NMODLCompileError as e:
            lib = "error: " + str(e)
    print(json.dumps({"lib": lib, "warnings": [str(w.message) for w in caught]}))
    """
)


def _env(tmp_path: Path, path: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CC", "CXX")}
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return dict(env, PATH=path, PYNN_UNI_CACHE=str(tmp_path / "cache"),
                TMPDIR=str(tmp_path / "tmp"), **extra)  # fmt: skip


@pytest.fixture
def fake(tmp_path):
    """An environment whose nrnivmodl is the fake one; ``runs()`` counts its builds."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    tool = bindir / "nrnivmodl"
    tool.write_text(_FAKE_NRNIVMODL)
    tool.chmod(0o755)
    log = tmp_path / "log"
    env = _env(tmp_path, f"{bindir}{os.pathsep}{os.environ['PATH']}", FAKE_LOG=str(log))
    env_runs = lambda: log.read_text().count("run") if log.exists() else 0  # noqa: E731
    return env, env_runs


def _build(env: dict, version: str = "test-version") -> dict:
    done = subprocess.run([sys.executable, "-c", _BUILD, version], env=env, capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _entry(lib: str) -> Path:
    path = Path(lib)
    while not (path / nmodl.MANIFEST).exists():
        path = path.parent
    return path


def _leftovers(root: Path) -> list[str]:
    return [p.name for p in root.iterdir() if ".tmp" in p.name or ".old" in p.name]


@pytest.mark.parametrize("damage", ["missing", "truncated", "altered", "no manifest"])
def test_damaged_entry_is_rebuilt(fake, damage):
    env, runs = fake
    lib = Path(_build(env)["lib"])
    assert runs() == 1 and lib.is_file()
    if damage == "missing":
        lib.unlink()
    elif damage == "truncated":
        lib.write_bytes(lib.read_bytes()[:10])
    elif damage == "altered":  # same size, other bytes
        lib.write_bytes(b"x" * lib.stat().st_size)
    else:  # a folder from before manifests (or a copy without one)
        (_entry(str(lib)) / nmodl.MANIFEST).unlink()
    again = _build(env)
    assert again["lib"] == str(lib) and not again["warnings"]
    assert runs() == 2
    assert nmodl._verified(_entry(again["lib"])) == lib
    assert _build(env)["lib"] == str(lib) and runs() == 2  # whole again: reused
    assert _leftovers(lib.parents[2]) == []


def test_unwritable_cache_falls_back_with_a_warning(fake, tmp_path):
    env, runs = fake
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    env["PYNN_UNI_CACHE"] = str(blocker / "cache")  # cannot be created, even by root
    out = _build(env)
    fallback = tmp_path / "tmp" / f"pynn_uni-cache-{os.getuid()}" / "nmodl"
    assert out["lib"].startswith(str(fallback)) and runs() == 1
    (message,) = out["warnings"]
    assert str(blocker / "cache" / "nmodl") in message and str(fallback) in message
    assert _build(env)["lib"] == out["lib"] and runs() == 1  # the fallback keeps its build


@pytest.mark.skipif(os.getuid() == 0, reason="root writes to read-only folders")
def test_read_only_cache_falls_back_with_a_warning(fake, tmp_path):
    env, runs = fake
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache").chmod(0o500)
    try:
        out = _build(env)
    finally:
        (tmp_path / "cache").chmod(0o700)
    assert runs() == 1 and "cannot be written" in out["warnings"][0]
    assert out["lib"].startswith(str(tmp_path / "tmp"))


def test_missing_tools_give_a_clear_error(tmp_path):
    """No nrnivmodl on PATH, then nrnivmodl but no compiler: a NMODLCompileError saying
    what to install (the cache is empty, so a build is needed)."""
    empty = tmp_path / "empty"
    empty.mkdir()
    out = _build(_env(tmp_path, str(empty)))
    assert out["lib"].startswith("error: nrnivmodl not found") and "pip install" in out["lib"]
    nrnivmodl = shutil.which("nrnivmodl")
    if nrnivmodl is None:
        pytest.skip("nrnivmodl is not installed")
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "nrnivmodl").symlink_to(nrnivmodl)
    out = _build(_env(tmp_path, str(tools)))
    assert out["lib"].startswith("error: no C/C++ compiler found") and "install" in out["lib"]


# -- with the real mechanisms --------------------------------------------------------------

_RUN = textwrap.dedent(
    """
    import warnings
    warnings.simplefilter("always")
    import pynn_uni.neuron as sim
    sim.setup(timestep=0.1)
    cells = sim.Population(2, sim.IF_curr_exp(i_offset=1.0))
    cells.record("spikes")
    sim.run(50.0)
    print("spikes", sum(len(st) for st in cells.get_data().segments[-1].spiketrains))
    sim.end()
    """
)


@pytest.fixture(scope="module")
def real_entry(tmp_path_factory):
    """A verified build of the real mechanisms (the user's cache, compiled if needed)."""
    neuron = pytest.importorskip("neuron")
    done = subprocess.run(
        [sys.executable, "-c", _BUILD, neuron.__version__], capture_output=True, text=True,
        timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    lib = json.loads(done.stdout.strip().splitlines()[-1])["lib"]
    if lib.startswith("error"):
        pytest.skip(lib)
    return _entry(lib)


def _run(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _RUN], env=env, capture_output=True, text=True,
                          timeout=600, check=False)  # fmt: skip


def test_truncated_real_library_is_rebuilt_and_runs(real_entry, tmp_path):
    env = _env(tmp_path, os.environ["PATH"])
    copy = tmp_path / "cache" / "nmodl" / real_entry.name
    shutil.copytree(real_entry, copy)
    lib = nmodl._verified(copy)
    lib.write_bytes(lib.read_bytes()[: lib.stat().st_size // 2])  # NEURON: SIGBUS on load
    done = _run(env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "spikes" in done.stdout and int(done.stdout.split()[-1]) > 0
    assert nmodl._verified(copy) is not None


def test_unwritable_real_cache_runs_from_the_fallback(real_entry, tmp_path):
    env = _env(tmp_path, os.environ["PATH"])
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    env["PYNN_UNI_CACHE"] = str(blocker)
    fallback = tmp_path / "tmp" / f"pynn_uni-cache-{os.getuid()}"
    fallback.mkdir(mode=0o700)
    shutil.copytree(real_entry, fallback / "nmodl" / real_entry.name)  # no compile needed
    done = _run(env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "cannot be written" in done.stderr and str(fallback / "nmodl") in done.stderr
    assert int(done.stdout.split()[-1]) > 0
