"""pynn_uni.recording.files (array files with metadata) and pynn_uni.recording.get_io."""

from __future__ import annotations

import importlib.util
import os

import neo
import neo.io
import numpy as np
import pytest
import quantities as pq

from pynn_uni.recording import get_io
from pynn_uni.recording.files import (
    HDF5ArrayFile,
    NumpyBinaryFile,
    PickleFile,
    StandardTextFile,
)

# Values chosen so that a lossy float format would change them.
DATA = np.array([[0.0, 1.0, 0.1 + 0.2, 1.5], [2.0, 3.0, 1e-300, -2.0 / 3.0]])
METADATA = {
    "columns": ["i", "j", "weight", "delay"],
    "label": "exc -> inh",
    "n": 3,
    "scale": 0.1,
    "flag": True,
    "nothing": None,
    "pair": (1, 2.5),
}


# -- StandardTextFile --------------------------------------------------------------------------


def test_text_round_trip_is_exact(tmp_path):
    path = tmp_path / "nested" / "dir" / "conns.txt"  # parent folders do not exist yet
    StandardTextFile(path, mode="w").write(DATA, METADATA)
    f = StandardTextFile(path)
    assert f.get_metadata() == METADATA
    np.testing.assert_array_equal(f.read(), DATA)
    # order of calls does not matter and they can be repeated
    np.testing.assert_array_equal(f.read(), DATA)
    assert f.get_metadata() == METADATA
    f.close()


def test_text_header_format(tmp_path):
    path = tmp_path / "c.txt"
    StandardTextFile(path, mode="wb").write(np.array([[1.0, 2.0]]), {"columns": ["i", "j"]})
    lines = path.read_text().splitlines()
    assert lines[0] == "# columns = ['i', 'j']"
    assert lines[1].split("\t") == ["1", "2"]


def test_numpy_scalars_in_metadata_are_written_as_plain_literals(tmp_path):
    path = tmp_path / "c.txt"
    meta = {"x": np.float64(0.25), "ids": np.array([1, 2, 3])}
    StandardTextFile(path, mode="w").write(DATA, meta)
    assert StandardTextFile(path).get_metadata() == {"x": 0.25, "ids": [1, 2, 3]}


def test_text_metadata_is_never_evaluated(tmp_path):
    path = tmp_path / "evil.txt"
    marker = tmp_path / "pwned"
    path.write_text(
        f"# cmd = __import__('pathlib').Path({str(marker)!r}).touch()\n"
        "# label = exc\n"
        "# weight = 0.5\n"
        "1 2\n"
    )
    meta = StandardTextFile(path).get_metadata()
    assert not marker.exists()
    assert meta["cmd"].startswith("__import__")  # kept as text
    assert meta["label"] == "exc"  # PyNN-style bare word
    assert meta["weight"] == 0.5


def test_hand_written_whitespace_file(tmp_path):
    path = tmp_path / "hand.txt"
    path.write_text("0 1 0.5 1.0\n1  0\t0.25 2.0\n")
    np.testing.assert_array_equal(
        StandardTextFile(path).read(), [[0, 1, 0.5, 1.0], [1, 0, 0.25, 2.0]]
    )


def test_text_shapes_single_row_single_column_and_empty(tmp_path):
    one_row = tmp_path / "row.txt"
    StandardTextFile(one_row, mode="w").write(DATA[:1], {})
    assert StandardTextFile(one_row).read().shape == (1, 4)

    column = tmp_path / "col.txt"
    StandardTextFile(column, mode="w").write(np.array([3.0, 4.0, 5.0]), {})
    np.testing.assert_array_equal(StandardTextFile(column).read(), [3.0, 4.0, 5.0])

    empty = tmp_path / "empty.txt"
    StandardTextFile(empty, mode="w").write(np.empty((0, 0)), {"columns": ["i", "j", "weight"]})
    assert StandardTextFile(empty).read().shape == (0, 3)


def test_second_write_appends(tmp_path):
    path = tmp_path / "two.txt"
    f = StandardTextFile(path, mode="w")
    f.write(np.ones((2, 2)), {"attribute": "weight"})
    f.write(np.zeros((2, 2)), {"attribute": "delay"})
    np.testing.assert_array_equal(StandardTextFile(path).read(), [[1, 1], [1, 1], [0, 0], [0, 0]])


def test_integer_data_written_without_decimals(tmp_path):
    path = tmp_path / "int.txt"
    StandardTextFile(path, mode="w").write(np.array([[1, 2], [3, 4]]), {})
    assert path.read_text() == "1\t2\n3\t4\n"


def test_read_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        StandardTextFile(tmp_path / "missing.txt").read()
    with pytest.raises(OSError, match="writing"):
        StandardTextFile(tmp_path / "w.txt", mode="w").read()
    with pytest.raises(ValueError, match="mode"):
        StandardTextFile(tmp_path / "x.txt", mode="x")


def test_context_manager_and_rename(tmp_path):
    first, second = tmp_path / "a.txt", tmp_path / "sub" / "b.txt"
    with StandardTextFile(first, mode="w") as f:
        f.rename(second)  # before writing: only the name changes
        f.write(DATA, {})
    assert not first.exists() and second.exists()
    third = tmp_path / "c.txt"
    f.rename(third)  # after writing: the file moves
    assert third.exists() and not second.exists()
    np.testing.assert_array_equal(StandardTextFile(third).read(), DATA)


# -- binary formats --------------------------------------------------------------------------


def test_pickle_round_trip(tmp_path):
    path = tmp_path / "p" / "data.pkl"
    data = {"arrays": [np.arange(3), np.eye(2)], "text": "x"}
    PickleFile(path, mode="wb").write(data, METADATA)
    f = PickleFile(path)
    assert f.get_metadata() == METADATA
    out = f.read()
    assert out["text"] == "x"
    np.testing.assert_array_equal(out["arrays"][1], np.eye(2))


def test_npz_round_trip_keeps_dtype_and_shape(tmp_path):
    path = tmp_path / "n" / "data.npz"
    data = np.arange(12, dtype=np.int32).reshape(3, 4)
    NumpyBinaryFile(path, mode="w").write(data, METADATA)
    f = NumpyBinaryFile(path)
    out = f.read()
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, data)
    assert f.get_metadata() == METADATA
    np.testing.assert_array_equal(f.read(), data)


def test_hdf5_file(tmp_path):
    path = tmp_path / "h" / "data.h5"
    if importlib.util.find_spec("h5py") is None:
        with pytest.raises(ImportError, match="h5py"):
            HDF5ArrayFile(path, mode="w")
        return
    HDF5ArrayFile(path, mode="w").write(DATA, METADATA)
    f = HDF5ArrayFile(path)
    np.testing.assert_array_equal(f.read(), DATA)
    assert f.get_metadata() == METADATA
    f.close()


# -- get_io ------------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", [".pkl", ".pickle"])
def test_get_io_pickle_round_trip(tmp_path, ext):
    path = tmp_path / "deep" / "er" / f"data{ext}"
    io = get_io(str(path))
    assert isinstance(io, neo.io.PickleIO)
    assert os.path.isdir(path.parent)
    block = neo.Block(name="pop")
    seg = neo.Segment()
    seg.analogsignals.append(
        neo.AnalogSignal(np.zeros((3, 1)), units="mV", sampling_period=0.1 * pq.ms, name="v")
    )
    block.segments.append(seg)
    io.write(block)
    back = get_io(str(path)).read_block()
    assert back.name == "pop" and back.segments[0].analogsignals[0].name == "v"


def test_get_io_matlab(tmp_path):
    assert isinstance(get_io(str(tmp_path / "d.mat")), neo.io.NeoMatlabIO)


@pytest.mark.parametrize(
    "ext, cls, kwargs",
    [(".h5", "NixIO", {}), (".nix", "NixIO", {}), (".nwb", "NWBIO", {"mode": "w"})],
)
def test_get_io_optional_formats(tmp_path, monkeypatch, ext, cls, kwargs):
    calls = []

    class Stub:
        def __init__(self, **kw):
            calls.append(kw)

    monkeypatch.setattr(neo.io, cls, Stub)
    path = str(tmp_path / f"data{ext}")
    assert isinstance(get_io(path), Stub)
    assert calls == [{"filename": path, **kwargs}]


def test_get_io_missing_package_names_it(tmp_path, monkeypatch):
    def missing(**kw):
        raise ImportError("no nixio")

    monkeypatch.setattr(neo.io, "NixIO", missing)
    with pytest.raises(ImportError, match="nixio"):
        get_io(str(tmp_path / "data.nix"))


@pytest.mark.parametrize("ext", [".txt", ".ras", ".v", ".gsyn"])
def test_get_io_text_formats_refused(tmp_path, ext):
    with pytest.raises(OSError, match=r"\.pkl"):
        get_io(str(tmp_path / f"data{ext}"))


@pytest.mark.parametrize("name", ["data.xyz", "data"])
def test_get_io_unknown_extension(tmp_path, name):
    with pytest.raises(ValueError, match=r"\.nix.*\.pkl"):
        get_io(str(tmp_path / name))
