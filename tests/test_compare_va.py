"""Issue 5 acceptance: ``pynn-uni compare`` runs the Vogels-Abbott COBA example unchanged on
NEST and NEURON and says they agree; on a variant whose NEURON runs have 20% stronger
recurrent excitatory weights (tests/va_stronger_excitation.py) it says they disagree and
exits non-zero.

Scale: 1000 cells over 400 ms, 8 seeds per simulator (a different seed for every run), so
that the permutation test can reach p = 2 / C(16, 8) = 0.00016, far below the default
alpha = 0.01; at this size the seed-to-seed standard deviation of the mean rates is ~4 Hz
(excitatory) and ~3 Hz (inhibitory), and the broken variant moves them by ~6 Hz.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pynn_uni.cli import EXIT_AGREE, EXIT_DISAGREE, EXIT_RUN_FAILED, main

pytest.importorskip("nest", reason="NEST is not installed: pip install pynn_uni[nest]")
pytest.importorskip("neuron", reason="NEURON is not installed: pip install pynn_uni[neuron]")

HERE = Path(__file__).resolve().parent
VA = HERE.parent / "examples" / "va_benchmark.py"
BROKEN = HERE / "va_stronger_excitation.py"
SCRIPT_ARGS = ["--n", "1000", "--tstop", "400", "--seed", "{seed}", "--plot-figure", ""]


@pytest.fixture(autouse=True)
def _neuron_backend():
    from pynn_uni import list_backends

    if "neuron" not in list_backends():
        pytest.skip("the neuron backend is not registered")


def compare_nest_neuron(script: Path, output: Path, capsys) -> tuple[int, dict]:
    """Run ``pynn-uni compare`` and return its exit code and the printed table as
    {(population, statistic): (nest mean, neuron mean, verdict)}."""
    options = ["--simulators", "nest,neuron", "--seeds", "8", "--jobs", "2", "--no-figures"]
    rc = main(["compare", str(script), *options, "--output", str(output), "--", *SCRIPT_ARGS])
    printed, errors = capsys.readouterr()
    assert rc != EXIT_RUN_FAILED, errors
    table = {}
    for line in printed.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 9 and cells[2] == "neuron vs nest":
            means = [float(c.split("±")[0]) for c in cells[3:5]]
            table[cells[0], cells[1]] = (*means, cells[8])
    assert len(table) == 6, printed  # 2 populations x (rate, cv_isi, correlation)
    return rc, table


def test_va_coba_nest_and_neuron_agree(tmp_path, capsys):
    rc, table = compare_nest_neuron(VA, tmp_path / "va", capsys)
    assert rc == EXIT_AGREE, table
    assert {verdict for *_, verdict in table.values()} == {"agree"}
    assert (tmp_path / "va" / "report.md").read_text().count("the simulators AGREE") == 1


def test_va_coba_with_20_percent_stronger_excitation_on_neuron_disagrees(tmp_path, capsys):
    rc, table = compare_nest_neuron(BROKEN, tmp_path / "broken", capsys)
    assert rc == EXIT_DISAGREE, table
    # more excitation makes both populations fire faster on neuron, not slower; a rate line
    # is among those that disagree
    flagged = {key for key, (*_, verdict) in table.items() if verdict == "DISAGREE"}
    assert flagged & {("Excitatory", "rate"), ("Inhibitory", "rate")}, table
    for pop in ("Excitatory", "Inhibitory"):
        nest_rate, neuron_rate, _ = table[pop, "rate"]
        assert neuron_rate > nest_rate, table
