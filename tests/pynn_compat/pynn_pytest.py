"""Running a part of PyNN 0.13's own test suite against pynn_uni, and reading the outcome.

PyNN's tests import ``pyNN``; the ``pynn_uni.pynn_alias`` plugin makes that pynn_uni.  The
run is one pytest subprocess (its own plugins, no pynn_uni conformance plugin) writing a
JUnit XML file, read back as ``{module file: {test name: (outcome, message)}}``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest


def run(
    what: str, tree: Path, cwd: Path, xml: Path, targets: list[str], *, plugins=(),
    pythonpath=None, timeout: float,
) -> dict[str, dict[str, tuple[str, str]]]:  # fmt: skip
    """Run ``targets`` of the unpacked sdist ``tree`` under the alias (``plugins``: more
    ``-p`` plugins, found on ``pythonpath``); fail the calling test if nothing ran."""
    cmd = [
        sys.executable, "-m", "pytest", "-p", "pynn_uni.pynn_alias",
        *[arg for plugin in plugins for arg in ("-p", plugin)],
        "-p", "no:cacheprovider", "-p", "no:pynn_uni", "-q", "-o", "addopts=",
        "--rootdir", str(tree), f"--junitxml={xml}", *targets,
    ]  # fmt: skip
    env = dict(os.environ, MPLBACKEND="Agg")
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), os.environ.get("PYTHONPATH", "")])
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if not xml.exists():
        pytest.fail(f"PyNN's {what} did not run:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return outcomes(xml)


def outcomes(xml: Path) -> dict[str, dict[str, tuple[str, str]]]:
    """{module file: {test name: ("passed" | "failed" | "skipped", message)}} of a JUnit file
    (errors count as failures)."""
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for case in ET.parse(xml).getroot().iter("testcase"):
        classname, name = case.get("classname", ""), case.get("name", "")
        module = (classname or name).split(".")[-1] + ".py"
        outcome, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            node = case.find(tag)
            if node is not None:
                outcome = "skipped" if tag == "skipped" else "failed"
                message = (node.get("message") or "") + "\n" + (node.text or "")[-1500:]
        out.setdefault(module, {})[name] = (outcome, message)
    return out


def failures(cases: dict, module: str, exempt) -> tuple[dict[str, str], str]:
    """The failed cases of ``module`` not listed in ``exempt`` (as "module::name"), and a
    report of their messages."""
    failed = {
        name: msg
        for name, (outcome, msg) in cases.items()
        if outcome == "failed" and f"{module}::{name}" not in exempt
    }
    report = "\n\n".join(f"--- {name}\n{msg.strip()}" for name, msg in failed.items())
    return failed, report
