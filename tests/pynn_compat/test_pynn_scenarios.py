"""PyNN 0.13.0's own system scenarios, unchanged, on ``pynn_uni.nest`` and ``pynn_uni.neuron``.

The scenarios come from PyNN's sdist (fetched by pip into a cache, see ``sdist.py``) and run
in one pytest subprocess with the ``pyNN`` -> ``pynn_uni`` import alias.  Each test here then
asserts that every scenario of one PyNN module passed on one simulator.  PyNN's own run on
this kind of machine (NEST 3.10, NEURON 9.0.2, numpy 2.0; PyNN fails on numpy >= 2.1):
64 passed on nest and 62 on neuron, none skipped (without ``test_scenario5``).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pynn_pytest  # noqa: E402
import sdist  # noqa: E402

SIMULATORS = ("nest", "neuron")

#: scenario modules outside the drop-in promise, with the reason
OUT_OF_SCOPE = {
    "test_scenario5.py": "multicompartment neurons (pyNN.morphology) are not part of pynn_uni",
}

#: scenarios whose expectation is demonstrably wrong ("module::test[sim]" -> where the
#: evidence is written down); at most three, each in docs/differences.md
KNOWN_WRONG: dict[str, str] = {
    "test_electrodes.py::test_issue512[nest]": "docs/differences.md, 'PyNN scenarios'",
}


def _modules() -> list[str]:
    try:
        folder = sdist.scenarios_dir()
    except sdist.SdistUnavailable as err:
        return [f"unavailable: {err}"]
    return sorted(p.name for p in folder.glob("test_*.py") if p.name not in OUT_OF_SCOPE)


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, dict[str, tuple[str, str]]]:
    """module -> {test id: (outcome, message)} from one run of the whole scenario suite."""
    tree = sdist.unpacked()
    xml = tmp_path_factory.mktemp("scenarios") / "junit.xml"
    targets = [
        "test/system/scenarios",
        *[f"--ignore=test/system/scenarios/{name}" for name in OUT_OF_SCOPE],
    ]
    return pynn_pytest.run("scenarios", tree, tree, xml, targets, timeout=1800)


def _for_sim(cases: dict, sim: str) -> dict:
    """The cases of one simulator; a module that failed to import counts for every one."""
    return {k: v for k, v in cases.items() if k.endswith(f"[{sim}]") or "[" not in k}


@pytest.mark.parametrize("sim", SIMULATORS)
@pytest.mark.parametrize("module", _modules())
def test_pynn_scenarios_pass(results, module, sim):
    if module.startswith("unavailable:"):
        pytest.fail(module)
    cases = _for_sim(results.get(module, {}), sim)
    if not cases:
        pytest.skip(f"PyNN's {module} has no scenario for {sim}")
    failed, report = pynn_pytest.failures(cases, module, KNOWN_WRONG)
    assert not failed, f"{len(failed)} of PyNN's scenarios in {module} fail on {sim}:\n{report}"


def test_known_wrong_expectations_still_fail_and_are_few(results):
    """An entry of KNOWN_WRONG that passes is stale; more than three is not a drop-in."""
    assert len(KNOWN_WRONG) <= 3
    for key in KNOWN_WRONG:
        module, name = key.split("::")
        assert results[module][name][0] == "failed", f"{key} passes now: remove it"


#: scenarios PyNN 0.13.0 itself passes here, per simulator (see the module docstring)
PYNN_PASSED = {"nest": 64, "neuron": 62}


@pytest.mark.parametrize("sim", SIMULATORS)
def test_as_many_scenarios_pass_as_on_pynn(results, sim):
    """A skip or a scenario that silently vanished would hide work: count the passes."""
    counts = Counter(
        outcome for cases in results.values() for outcome, _ in _for_sim(cases, sim).values()
    )
    known_wrong = sum(key.endswith(f"[{sim}]") for key in KNOWN_WRONG)
    assert counts["passed"] + known_wrong >= PYNN_PASSED[sim], f"{sim}: {dict(counts)}"
