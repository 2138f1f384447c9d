"""SonataIO: spikes in /spikes/<population>/{timestamps, node_ids} with a sorting attribute,
signals as reports with index_pointers; what write_data writes reads back (here and with
libsonata)."""

import h5py
import numpy as np
import pytest

from pynn_uni.network import Network
from pynn_uni.serialization import SonataIO
from pynn_uni.serialization.sonata import read_spikes


@pytest.fixture
def recorded():
    import pynn_uni.nest as sim

    sim.setup(timestep=0.1)
    src = sim.Population(5, sim.SpikeSourceArray(spike_times=[[5.0, 12.0], [7.0], [], [9.0, 30.0],
                                                              [2.0]]), label="src")  # fmt: skip
    cells = sim.Population(4, sim.IF_curr_exp(i_offset=[0.0, 0.5, 1.0, 2.0]), label="cells")
    sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=1.0))
    cells.record(["spikes", "v"])
    sim.run(50.0)
    yield sim, cells
    sim.end()


def test_write_data_then_read(recorded, tmp_path):
    sim, cells = recorded
    block = cells.get_data()
    Network(sim.Assembly(cells, label="cells")).write_data(SonataIO(tmp_path))
    data = read_spikes(tmp_path / "spikes.h5")
    ids, times = data["cells"]
    assert np.all(np.diff(times) >= 0)  # by_time
    for st in block.segments[0].spiketrains:
        i = st.annotations["source_index"]
        np.testing.assert_array_equal(times[ids == i], st.magnitude)
    with h5py.File(tmp_path / "spikes.h5") as f:
        assert f["spikes/cells/timestamps"].attrs["units"] == "ms"
        assert h5py.check_enum_dtype(f["spikes/cells"].attrs.get_id("sorting").dtype)
    with h5py.File(tmp_path / "v.h5") as f:
        mapping = f["report/cells/mapping"]
        np.testing.assert_array_equal(mapping["index_pointers"][()], np.arange(5))
        assert "index_pointer" not in mapping
    (read,) = SonataIO(tmp_path).read()
    (v,) = read.segments[0].filter(name="v")
    original = block.segments[0].filter(name="v")[0]
    np.testing.assert_allclose(v.magnitude, original.magnitude, rtol=1e-6)  # float32 data
    assert len(read.segments[0].spiketrains) == sum(len(st) > 0 for st in
                                                    block.segments[0].spiketrains)  # fmt: skip

    libsonata = pytest.importorskip("libsonata")
    spikes = libsonata.SpikeReader(str(tmp_path / "spikes.h5"))["cells"]
    assert spikes.sorting == "by_time" and len(spikes.get()) == times.size
    report = libsonata.ElementReportReader(str(tmp_path / "v.h5"))["cells"]
    frame = report.get()
    assert report.data_units == "mV" and np.asarray(frame.data).shape == v.shape


def test_old_spike_layout_still_reads(tmp_path):
    with h5py.File(tmp_path / "old.h5", "w") as f:
        f["spikes/gids"] = np.array([0, 1, 0], dtype=np.uint64)
        f["spikes/timestamps"] = np.array([1.0, 2.0, 3.0])
    ids, times = read_spikes(tmp_path / "old.h5")[""]
    np.testing.assert_array_equal(ids, [0, 1, 0])
    np.testing.assert_array_equal(times, [1.0, 2.0, 3.0])
