"""Nothing lost on a failed write (issue 11, finding 3).

``write_data`` writes a temporary file beside the target and renames it into place, and
``clear=True`` forgets the data only after that succeeded; ``record(to_file=...)`` checks
the path when it is called.  Errors are ``DataFileError`` (an ``OSError``) naming the path.
"""

from __future__ import annotations

import importlib
import os
import pickle

import pytest

from pynn_uni import errors


def _recorded(sim, label="src", run=True):
    pop = sim.Population(4, sim.SpikeSourceArray(spike_times=[1.0, 2.0, 3.0]), label=label)
    pop.record("spikes")
    if run:
        sim.run(10.0)
    return pop


def _count(group) -> int:
    return sum(len(st) for st in group.get_data().segments[0].spiketrains)


def _unwritable(tmp_path):
    """A path no process can write, root included: its folder is a regular file."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    return blocker / "x.pkl"


def _leftovers(folder) -> list[str]:
    return [name for name in os.listdir(folder) if ".tmp" in name]


@pytest.mark.parametrize("group", ["population", "view", "assembly"])
def test_failed_write_keeps_data(sim, tmp_path, group):
    pop = _recorded(sim, run=False)
    if group == "view":
        target = pop[1:3]
    elif group == "assembly":
        target = pop + _recorded(sim, "b", run=False)
    else:
        target = pop
    sim.run(10.0)
    before = _count(target)
    assert before > 0
    path = _unwritable(tmp_path)
    with pytest.raises(errors.DataFileError, match="x.pkl") as info:
        target.write_data(str(path), clear=True)
    assert isinstance(info.value, OSError)
    assert "kept" in str(info.value)
    assert _count(target) == before  # nothing was cleared
    sim.run(5.0)  # the simulation still works
    assert sim.get_current_time() == pytest.approx(15.0)


def test_failure_mid_write_leaves_old_file_and_no_temporary(sim, tmp_path, monkeypatch):
    import neo.io

    pop = _recorded(sim)
    path = tmp_path / "data.pkl"
    path.write_bytes(b"old contents")

    def broken(self, block):
        with open(self.filename, "wb") as f:
            f.write(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(neo.io.PickleIO, "write", broken)
    with pytest.raises(errors.DataFileError, match="data.pkl"):
        pop.write_data(str(path), clear=True)
    assert path.read_bytes() == b"old contents"
    assert _leftovers(tmp_path) == []
    assert _count(pop) == 12


def test_successful_write_then_clear(sim, tmp_path):
    pop = _recorded(sim)
    path = tmp_path / "sub" / "ok.pkl"  # missing folders are created
    pop.write_data(str(path), clear=True)
    with open(path, "rb") as f:
        block = pickle.load(f)
    assert sum(len(st) for st in block.segments[0].spiketrains) == 12
    assert _leftovers(path.parent) == []
    assert _count(pop) == 0  # cleared after the write


def test_record_to_unwritable_file_refused_at_record(sim, tmp_path):
    pop = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]), label="rec")
    path = _unwritable(tmp_path)
    with pytest.raises(errors.DataFileError, match="blocker"):
        pop.record("spikes", to_file=str(path))
    (tmp_path / "folder.pkl").mkdir()
    with pytest.raises(errors.DataFileError, match="is a folder"):
        pop.record("spikes", to_file=str(tmp_path / "folder.pkl"))
    with pytest.raises(errors.DataFileError, match="blocker"):
        (pop + sim.Population(1, sim.SpikeSourceArray())).record("spikes", to_file=str(path))
    pop.record("spikes")  # the simulation still works
    sim.run(5.0)
    assert _count(pop) == 2


def test_record_to_file_written_at_end(tmp_path):
    sim = importlib.import_module("pynn_uni.hardware")
    sim.setup(timestep=0.1)
    pop = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0, 4.0]), label="rec")
    path = tmp_path / "later" / "spikes.pkl"
    pop.record("spikes", to_file=str(path))
    sim.run(5.0)
    sim.end()
    with open(path, "rb") as f:
        block = pickle.load(f)
    assert sum(len(st) for st in block.segments[0].spiketrains) == 4
