"""PyNN 0.13.0's examples, unchanged, on ``pynn_uni.nest`` and ``pynn_uni.neuron``.

Each example of PyNN's sdist runs in its own process through the ``pyNN`` -> ``pynn_uni``
alias (``examples_runner.py``).  ``pynn013_examples.json`` holds what real PyNN 0.13.0 did
with the same command on this kind of machine (status and the spike counts of the files each
example writes), recorded with::

    python tests/pynn_compat/examples_runner.py --python $PYNN013_VENV/bin/python \\
        --no-alias --out tests/pynn_compat/pynn013_examples.json

Every example PyNN runs must run.  Where the example is deterministic, spike counts and signal
means must be PyNN's up to the numerical spread PyNN itself shows between its NEST and NEURON
backends (plus 1 %); where the simulator draws random numbers that pynn_uni cannot draw in
PyNN's order (see ``STATISTICAL``) they must agree within Poisson noise.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import examples_runner  # noqa: E402
import sdist  # noqa: E402

REFERENCE = {
    (r["example"], r["sim"]): r for r in json.loads((HERE / "pynn013_examples.json").read_text())
}

#: examples (or "example:simulator") whose outputs are random draws that PyNN itself does not
#: repeat run to run, or that come from a generator inside the simulator that PyNN and
#: pynn_uni seed differently: compared statistically, with the reason
STATISTICAL: dict[str, str] = {
    "brunel.py": "unseeded sample of the recorded cells (PyNN's own runs: 863 and 803 spikes)",
    "VAbenchmarks.py": "Poisson stimulus drawn by each simulator's generator (NEST's streams "
    "depend on node ids, which PyNN's parrot relays shift; PyNN's NEURON uses NetStim's)",
    "nrn_artificial_cell.py:neuron": (
        "Poisson source drawn by NEURON-side generators PyNN seeds its way"
    ),
    "stochastic_synapses.py:neuron": (
        "release draws: NEURON mechanisms' own streams (9 trials, p = 0.5)"
    ),
    "stochastic_tsodyksmarkram.py:neuron": "release draws: NEURON mechanisms' own streams",
}

TIMEOUT_S = 600


def _cases():
    try:
        names = examples_runner.example_names()
    except sdist.SdistUnavailable as err:
        return [pytest.param("unavailable", "-", marks=pytest.mark.skip(reason=str(err)))]
    return [
        (name, sim)
        for name in names
        for sim in ("nest", "neuron")
        if sim in examples_runner.ONLY_ON.get(name, {sim})
    ]


def _other_sim_outputs(example: str, sim: str) -> dict:
    """PyNN's outputs of the same example on its other simulator, keyed as on ``sim``: where
    PyNN's own backends disagree, pynn_uni may side with either (docs/differences.md)."""
    other = {"nest": "neuron", "neuron": "nest"}[sim]
    ref = REFERENCE.get((example, other))
    if ref is None or ref["status"] != "ok":
        return {}
    return {key.replace(other, sim): value for key, value in ref["outputs"].items()}


def _signals(stats: list) -> dict[str, tuple[float, float]]:
    return {name: (mean, std) for name, _units, mean, std in stats}


def _compare(example: str, sim: str, ours: dict, theirs: dict, other: dict) -> list[str]:
    """What differs between our outputs and PyNN's, beyond what the example allows."""
    statistical = example in STATISTICAL or f"{example}:{sim}" in STATISTICAL
    problems = []
    for key, ref in theirs.items():
        got, alt = ours.get(key), other.get(key)
        if got is None:
            problems.append(f"{key}: not written")
            continue
        if len(got["spikes"]) != len(ref["spikes"]):
            problems.append(f"{key}: {len(got['spikes'])} segments vs PyNN's {len(ref['spikes'])}")
            continue
        for seg, (a, b) in enumerate(zip(got["spikes"], ref["spikes"], strict=True)):
            spread = abs(b - alt["spikes"][seg]) if alt and len(alt["spikes"]) > seg else 0
            if statistical:
                ok = abs(a - b) <= 5.0 * np.sqrt(max(a + b, 1)) + spread
            else:  # numerics differ by at least as much between PyNN's own two backends
                ok = abs(a - b) <= spread + 0.01 * b
            if not ok:
                other_count = alt["spikes"][seg] if alt else "n/a"
                problems.append(
                    f"{key} segment {seg}: {a} spikes, PyNN {b} (on its other "
                    f"backend {other_count})"
                )
        for seg, ref_stats in enumerate(ref["signal_stats"]):
            mine, want = _signals(got["signal_stats"][seg]), _signals(ref_stats)
            if sorted(mine) != sorted(want):
                problems.append(f"{key} segment {seg}: signals {sorted(mine)} vs {sorted(want)}")
                continue
            alt_stats = _signals(alt["signal_stats"][seg]) if alt else {}
            for name, (mean, std) in want.items():
                spread = abs(mean - alt_stats[name][0]) if name in alt_stats else 0.0
                tol = (0.25 if statistical else 0.02) * std + 2e-3 * abs(mean) + spread + 1e-12
                if abs(mine[name][0] - mean) > tol:
                    problems.append(
                        f"{key} segment {seg} {name}: mean {mine[name][0]:.6g}, "
                        f"PyNN {mean:.6g} (std {std:.3g}, tolerance {tol:.3g})"
                    )
    return problems


def _missing_third_party(res: dict) -> str | None:
    """The optional package (not pynn_uni, not the pyNN alias) whose absence stopped a run."""
    if res["status"] == "ok":
        return None
    found = re.findall(r"ModuleNotFoundError: No module named '([\w.]+)'", res["tail"])
    if not found:
        return None
    top = found[-1].split(".")[0]
    if top in ("pynn_uni", "pyNN") or importlib.util.find_spec(top) is not None:
        return None
    return top


@pytest.mark.parametrize(("example", "sim"), _cases())
def test_pynn_example_runs_unchanged(example, sim):
    if example == "unavailable":
        pytest.fail("PyNN's sdist is unavailable")
    ref = REFERENCE.get((example, sim))
    res = examples_runner.run_one(example, sim, sys.executable, True, TIMEOUT_S)
    if ref is None or ref["status"] != "ok":
        if res["status"] == "ok":
            return  # runs on pynn_uni although not on PyNN
        why = "not recorded" if ref is None else ref["tail"]
        pytest.xfail(f"PyNN 0.13 does not run it here either ({why})")
    missing = _missing_third_party(res)
    if missing:  # e.g. mpi4py for distrib_example.py, which `.ci/run` installs
        pytest.skip(f"{example} needs {missing!r}, which is not installed here")
    assert res["status"] == "ok", f"{example} on {sim}: {res['status']}\n{res['tail']}"
    problems = _compare(
        example, sim, res["outputs"], ref["outputs"], _other_sim_outputs(example, sim)
    )
    assert not problems, f"{example} on {sim} differs from PyNN 0.13:\n" + "\n".join(problems)
