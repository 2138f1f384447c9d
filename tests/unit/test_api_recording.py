"""API behaviour of recording and recorded data, on the reference backend (PyNN 0.13 §4a,
§13, §14).

Spikes come from SpikeSourceArrays with hand-chosen times on the 0.1 ms grid, so every
expected train, count and segment layout is known before the run.
"""

import neo
import numpy as np
import pytest

from pynn_uni import errors
from pynn_uni.common.capabilities import load_capabilities

#: cell i fires i + 1 times
TRAINS = [[1.0], [2.0, 4.0], [1.5, 3.5, 5.5], [0.5, 2.5, 4.5, 6.5]]


def _sources(sim, label="src"):
    return sim.Population(
        4, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in TRAINS]), label=label
    )


def _sources_and_cell(sim):
    """The sources (spikes recorded) and one IF_curr_exp cell (v recorded)."""
    src, cells = _sources(sim), sim.Population(1, sim.IF_curr_exp())
    src.record("spikes")
    cells.record("v")
    return src, cells


def _trains_by_index(segment):
    return {
        st.annotations["source_index"]: st.rescale("ms").magnitude.tolist()
        for st in segment.spiketrains
    }


# -- sampled signals ------------------------------------------------------------------------
def test_samples_include_both_ends(sim):
    """T = 10 ms at dt = 0.1 gives 101 samples; at a 1 ms interval, 11."""
    a = sim.Population(2, sim.IF_curr_exp(), label="a")
    b = sim.Population(3, sim.IF_curr_exp(), label="b")
    a.record("v")
    b.record("v", sampling_interval=1.0)
    sim.run(10.0)
    va = a.get_data().segments[0].analogsignals[0]
    vb = b.get_data().segments[0].analogsignals[0]
    assert va.shape == (101, 2) and vb.shape == (11, 3)
    assert float(vb.sampling_period.rescale("ms")) == 1.0
    assert float(vb.t_start.rescale("ms")) == 0.0
    assert str(va.units.dimensionality) == "mV"
    # no input and v = v_rest: the membrane stays at -65 mV
    np.testing.assert_allclose(vb.magnitude, -65.0, atol=1e-9)


def test_sampling_interval_rules(sim):
    p = sim.Population(2, sim.IF_cond_exp())
    with pytest.raises(ValueError):
        p.record("v", sampling_interval=0.25)  # not a multiple of dt = 0.1
    p.record("v", sampling_interval=0.5)
    with pytest.raises(ValueError):
        p.record("gsyn_exc", sampling_interval=1.0)  # one interval per population
    p.record("spikes")  # spikes take no interval


def test_unrecordable_variable(sim):
    p = sim.Population(1, sim.IF_curr_exp())
    with pytest.raises(errors.RecordingError):
        p.record("gsyn_exc")  # current-based cells have no conductance
    with pytest.raises(errors.RecordingError):
        p.record("all")  # PyNN has no 'all' shortcut
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]))
    assert src.can_record("spikes") and not src.can_record("v")


#: the reference backend's cell types and what each records
REFERENCE = load_capabilities("reference", "pynn_uni.testing.reference")


@pytest.mark.parametrize("model", sorted(REFERENCE.models))
def test_one_cell_population_records_every_declared_variable(sim, model):
    """A one-cell population records every declared variable as a larger one does: cells
    left at rest (default v = v_rest = -65 mV, no input, so no conductance) keep their
    initial values, 51 samples over 5 ms, one column and one spike train per cell."""
    celltype = getattr(sim, model)()
    variables = set(REFERENCE.recordables[model])
    populations = {n: sim.Population(n, celltype) for n in (1, 2)}
    for p in populations.values():
        p.record(list(variables))
    sim.run(5.0)
    for n, p in populations.items():
        segment = p.get_data().segments[0]
        assert len(segment.spiketrains) == n
        signals = {a.name: a.magnitude for a in segment.analogsignals}
        assert set(signals) == variables - {"spikes"}
        for name, values in signals.items():
            initial = celltype.default_initial_values[name]
            np.testing.assert_array_equal(values, np.full((51, n), initial))


def test_only_requested_variables_and_recorded_cells(sim):
    p = sim.Population(4, sim.IF_curr_exp())
    p[[1, 3]].record(["v", "spikes"])
    p.record("v")  # widening to all cells
    sim.run(2.0)
    block = p.get_data("spikes")
    seg = block.segments[0]
    assert len(seg.analogsignals) == 0 and sorted(_trains_by_index(seg)) == [1, 3]
    v = p.get_data("v").segments[0].analogsignals[0]
    assert v.shape == (21, 4)
    np.testing.assert_array_equal(v.array_annotations["channel_index"], [0, 1, 2, 3])
    assert len(p.get_data("w").segments[0].analogsignals) == 0  # unrecorded: omitted


# -- spikes ------------------------------------------------------------------------------------
def test_spike_trains_and_counts(sim):
    src = _sources(sim)
    src.record("spikes")
    sim.run(10.0)
    block = src.get_data()
    seg = block.segments[0]
    assert _trains_by_index(seg) == dict(enumerate(TRAINS))
    st = seg.spiketrains[0]
    assert float(st.t_start.rescale("ms")) == 0.0 and float(st.t_stop.rescale("ms")) == 10.0
    assert st.annotations["source_population"] == "src"
    ids = {st.annotations["source_index"]: st.annotations["channel_id"] for st in seg.spiketrains}
    assert ids == {i: int(src[i]) for i in range(4)}
    counts = src.get_spike_counts()
    assert set(counts) == {src[i] for i in range(4)}
    assert all(isinstance(k, sim.ID) for k in counts)
    assert {int(k): v for k, v in counts.items()} == {int(src[i]): i + 1 for i in range(4)}
    assert src.mean_spike_count() == 2.5  # (1 + 2 + 3 + 4) / 4
    view = src[[1, 3]]
    assert view.mean_spike_count() == 3.0
    assert {int(k): v for k, v in view.get_spike_counts().items()} == {
        int(src[1]): 2,
        int(src[3]): 4,
    }
    assert _trains_by_index(view.get_data().segments[0]) == {1: TRAINS[1], 3: TRAINS[3]}


def test_spike_counts_cover_only_recorded_cells(sim):
    src = _sources(sim)
    src[[0, 2]].record("spikes")
    sim.run(10.0)
    assert {int(k): c for k, c in src.get_spike_counts().items()} == {
        int(src[0]): 1,
        int(src[2]): 3,
    }
    assert src.mean_spike_count() == 2.0  # (1 + 3) / 2
    assert src[[1, 3]].get_spike_counts() == {}


def test_spikes_after_current_time_are_not_reported(sim):
    src = _sources(sim)
    src.record("spikes")
    sim.run(3.0)
    expected = {i: [t for t in train if t <= 3.0] for i, train in enumerate(TRAINS)}
    assert _trains_by_index(src.get_data().segments[0]) == expected
    assert src.mean_spike_count() == 1.25  # 1 + 1 + 1 + 2 spikes by 3 ms


def test_block_annotations(sim):
    src = _sources(sim, label="inputs")
    src.annotate(experiment="api")
    src.record("spikes")
    sim.run(1.0)
    block = src.get_data()
    assert block.name == "inputs"
    ann = block.annotations
    assert ann["size"] == 4 and ann["label"] == "inputs" and ann["experiment"] == "api"
    assert ann["first_id"] == int(src[0]) and ann["last_id"] == int(src[3])
    assert ann["dt"] == 0.1 and ann["mpi_processes"] == 1
    assert isinstance(block.description, str)


# -- segments, reset and clear --------------------------------------------------------------
def test_reset_starts_a_new_segment(sim):
    src, cells = _sources_and_cell(sim)
    sim.run(5.0)
    sim.reset(annotations={"trial": 0})
    assert sim.get_current_time() == 0.0
    sim.run(3.0)
    block = src.get_data()
    assert [s.name for s in block.segments] == ["segment000", "segment001"]
    assert block.segments[0].annotations["trial"] == 0  # the finished run gets them
    assert "trial" not in block.segments[1].annotations
    first = {i: [t for t in tr if t <= 5.0] for i, tr in enumerate(TRAINS)}
    second = {i: [t for t in tr if t <= 3.0] for i, tr in enumerate(TRAINS)}
    assert _trains_by_index(block.segments[0]) == first
    assert _trains_by_index(block.segments[1]) == second
    v = cells.get_data().segments
    assert [s.analogsignals[0].shape for s in v] == [(51, 1), (31, 1)]
    assert all(float(s.analogsignals[0].t_start.rescale("ms")) == 0.0 for s in v)


def test_trial_loop_ending_in_reset_gives_one_segment_per_run(sim):
    """As in PyNN, a reset with nothing run since the last one adds no empty segment."""
    src = _sources(sim)
    src.record("spikes")
    sim.reset()  # before any run: nothing to keep
    for trial in range(3):
        sim.run(2.0 + trial)
        sim.reset(annotations={"trial": trial})
    sim.reset()
    block = src.get_data()
    assert len(block.segments) == 3
    assert [s.annotations["trial"] for s in block.segments] == [0, 1, 2]
    for trial, seg in enumerate(block.segments):
        t_stop = 2.0 + trial
        assert float(seg.spiketrains[0].t_stop.rescale("ms")) == t_stop
        expected = {i: [t for t in tr if t <= t_stop] for i, tr in enumerate(TRAINS)}
        assert _trains_by_index(seg) == expected


def test_reset_right_after_clear_adds_no_segment(sim):
    src = _sources(sim)
    src.record("spikes")
    sim.run(3.0)
    src.get_data(clear=True)
    sim.reset()
    sim.run(2.0)
    block = src.get_data()
    assert len(block.segments) == 1
    assert _trains_by_index(block.segments[0]) == {0: [1.0], 1: [2.0], 2: [1.5], 3: [0.5]}


def test_get_data_before_running_has_one_empty_segment(sim):
    src = _sources(sim)
    src.record("spikes")
    block = src.get_data()
    assert len(block.segments) == 1
    assert all(len(st) == 0 for st in block.segments[0].spiketrains)


def test_clear_drops_cached_data(sim):
    src, cells = _sources_and_cell(sim)
    sim.run(3.0)
    first = src.get_data(clear=True)
    assert _trains_by_index(first.segments[0])[3] == [0.5, 2.5]
    cells.get_data(clear=True)
    empty = src.get_data()  # PyNN raised here; an empty segment instead
    assert len(empty.segments) == 1
    assert all(len(st) == 0 for st in empty.segments[0].spiketrains)
    sim.run(4.0)  # to t = 7
    seg = src.get_data().segments[0]
    assert float(seg.spiketrains[0].t_start.rescale("ms")) == 3.0
    expected = {i: [t for t in tr if 3.0 < t <= 7.0] for i, tr in enumerate(TRAINS)}
    assert _trains_by_index(seg) == expected
    v = cells.get_data().segments[0].analogsignals[0]
    assert float(v.t_start.rescale("ms")) == pytest.approx(3.0)
    assert v.shape == (41, 1)  # 3 .. 7 ms at 0.1 ms, both ends


def test_record_none_stops_recording(sim):
    """As in PyNN, variables are no longer listed once recording stopped."""
    src = _sources(sim)
    src.record("spikes")
    sim.run(2.0)
    src.record(None)
    sim.run(5.0)
    assert len(src.get_data().segments[0].spiketrains) == 0
    assert src.get_spike_counts() == {}


def test_recording_resumes_after_record_none(sim):
    """Spikes up to the stop at 2 ms are kept; none from 2 to 3 ms; then recorded again."""
    src = _sources(sim)
    src.record("spikes")
    sim.run(2.0)
    src.record(None)
    sim.run(1.0)
    src.record("spikes")
    sim.run(4.0)
    expected = {i: [t for t in tr if t <= 2.0 or t > 3.0] for i, tr in enumerate(TRAINS)}
    assert _trains_by_index(src.get_data().segments[0]) == expected


# -- files -------------------------------------------------------------------------------------
def test_write_data_pickle_round_trip(sim, tmp_path):
    src = _sources(sim)
    src.record("spikes")
    sim.run(10.0)
    path = tmp_path / "sub" / "spikes.pkl"
    src.write_data(str(path))
    block = neo.io.PickleIO(str(path)).read_block()
    assert _trains_by_index(block.segments[0]) == dict(enumerate(TRAINS))


def test_record_to_file_is_written_at_end(sim, tmp_path):
    src = _sources(sim)
    path = tmp_path / "at_end.pkl"
    src.record("spikes", to_file=str(path))
    sim.run(10.0)
    assert not path.exists()
    sim.end()
    block = neo.io.PickleIO(str(path)).read_block()
    assert _trains_by_index(block.segments[0]) == dict(enumerate(TRAINS))
    sim.setup(timestep=0.1)  # for the fixture's end()


# -- assemblies --------------------------------------------------------------------------------
def test_assembly_signals_merged_with_channel_offsets(sim):
    a = sim.Population(2, sim.IF_curr_exp(), initial_values={"v": -60.0}, label="a")
    b = sim.Population(3, sim.IF_curr_exp(), initial_values={"v": -70.0}, label="b")
    asm = sim.Assembly(a, b, label="both")
    asm.record("v")
    sim.run(1.0)
    block = asm.get_data()
    assert block.name == "both" and len(block.segments) == 1
    (v,) = block.segments[0].analogsignals
    assert v.shape == (11, 5)
    np.testing.assert_array_equal(v.array_annotations["channel_index"], [0, 1, 2, 3, 4])
    np.testing.assert_allclose(v.magnitude[0], [-60, -60, -70, -70, -70], atol=1e-9)
    sub = a[1:] + b[[0, 2]]
    (w,) = sub.get_data().segments[0].analogsignals
    assert w.shape == (11, 3)
    np.testing.assert_allclose(w.magnitude[0], [-60, -70, -70], atol=1e-9)
    np.testing.assert_array_equal(w.annotations["channel_ids"], [int(a[1]), int(b[0]), int(b[2])])


def test_assembly_spikes_and_counts(sim):
    src = _sources(sim)
    extra = sim.Population(1, sim.SpikeSourceArray(spike_times=[8.0]), label="extra")
    asm = src + extra
    asm.record("spikes")
    sim.run(10.0)
    trains = asm.get_data().segments[0].spiketrains
    assert len(trains) == 5
    by_id = {st.annotations["channel_id"]: st.rescale("ms").magnitude.tolist() for st in trains}
    assert by_id == {**{int(src[i]): TRAINS[i] for i in range(4)}, int(extra[0]): [8.0]}
    counts = asm.get_spike_counts()
    assert {int(k): c for k, c in counts.items()} == {
        **{int(src[i]): i + 1 for i in range(4)},
        int(extra[0]): 1,
    }
    assert asm.mean_spike_count() == pytest.approx(11 / 5)
