"""API behaviour of simulation control and the deprecated procedural API, on the reference
backend (PyNN 0.13 §2-§3, docs/differences.md)."""

import numpy as np
import pytest

from pynn_uni import errors


# -- setup ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["dt", "mindelay", "maxdelay", "time_step"])
def test_setup_refuses_old_argument_names(sim, name):
    with pytest.raises(ValueError, match=name):
        sim.setup(timestep=0.1, **{name: 0.1})


def test_setup_checks_delays(sim):
    with pytest.raises(ValueError):
        sim.setup(timestep=0.1, min_delay=0.05)  # min_delay < timestep
    with pytest.raises(ValueError):
        sim.setup(timestep=0.1, min_delay=2.0, max_delay=1.0)


def test_setup_returns_rank_and_sets_timestep(sim):
    assert sim.setup(timestep=0.25, min_delay=0.5) == 0
    assert sim.rank() == 0 and sim.num_processes() == 1
    assert sim.get_time_step() == 0.25
    assert sim.get_min_delay() == 0.5
    assert sim.get_current_time() == 0.0


def test_get_min_delay_is_a_float(sim):
    """'auto' means the timestep; the value does not grow as connections are made."""
    assert sim.get_min_delay() == 0.1 and isinstance(sim.get_min_delay(), float)
    a = sim.Population(2, sim.IF_curr_exp())
    sim.Projection(a, a, sim.AllToAllConnector(), sim.StaticSynapse(delay=2.0))
    assert sim.get_min_delay() == 0.1
    prj = sim.Projection(a, a, sim.OneToOneConnector())
    assert prj.get("delay", "list", with_address=False) == [0.1, 0.1]


def test_delays_outside_the_setup_range_are_refused(sim):
    sim.setup(timestep=0.1, min_delay=0.2, max_delay=5.0)
    assert sim.get_min_delay() == 0.2 and sim.get_max_delay() == 5.0
    a = sim.Population(2, sim.IF_curr_exp())
    for delay in (6.0, 0.1):
        with pytest.raises(errors.ConnectionError, match=str(delay)):
            sim.Projection(a, a, sim.AllToAllConnector(), sim.StaticSynapse(delay=delay))
    prj = sim.Projection(a, a, sim.OneToOneConnector())
    assert prj.get("delay", "list", with_address=False) == [0.2, 0.2]  # None: min_delay


def test_setup_destroys_the_previous_network(sim):
    first = sim.Population(3, sim.IF_curr_exp())
    sim.run(5.0)
    sim.setup(timestep=0.1)
    assert sim.get_current_time() == 0.0
    p = sim.Population(2, sim.IF_curr_exp())
    assert int(p[0]) == int(first[0])  # a fresh simulator numbers its cells afresh


# -- running ------------------------------------------------------------------------------------
def test_run_returns_the_time_and_accumulates(sim):
    assert sim.run(10.0) == pytest.approx(10.0)
    assert sim.run_for(5.0) == pytest.approx(15.0)
    assert sim.run_until(20.0) == pytest.approx(20.0)
    assert sim.get_current_time() == pytest.approx(20.0)


def test_run_until_in_the_past_raises(sim):
    sim.run(10.0)
    with pytest.raises(ValueError):
        sim.run_until(5.0)
    assert sim.run_until(10.0 - 0.04) == pytest.approx(10.0)  # within dt / 2: a no-op


def test_run_until_callbacks_called_at_requested_times(sim):
    """PyNN's schedule: a callback returning t + 2.5 is called at 0, 2.5, 5, 7.5 and, being
    the earliest one due (at 10), at the stop time 9; one returning t + 4 at 0, 4 and 8
    only (its next time, 12, is not the earliest)."""
    calls_a, calls_b = [], []

    def every_2_5(t):
        calls_a.append(t)
        return t + 2.5

    def every_4(t):
        calls_b.append(t)
        return t + 4.0

    sim.Population(1, sim.IF_curr_exp())
    assert sim.run_until(9.0, callbacks=[every_2_5, every_4]) == pytest.approx(9.0)
    np.testing.assert_allclose(calls_a, [0.0, 2.5, 5.0, 7.5, 9.0], atol=1e-9)
    np.testing.assert_allclose(calls_b, [0.0, 4.0, 8.0], atol=1e-9)


def test_callbacks_due_within_one_step_are_coalesced(sim):
    calls = []

    def a(t):
        calls.append(("a", round(t, 6)))
        return t + 3.0

    def b(t):
        calls.append(("b", round(t, 6)))
        return t + 3.05  # within dt = 0.1 of a's time: called with it

    sim.run(6.0, callbacks=[a, b])
    assert sorted(calls) == sorted(
        [("a", 0.0), ("b", 0.0), ("a", 3.0), ("b", 3.0), ("a", 6.0), ("b", 6.0)]
    )


def test_simulation_progress_bar_reaches_the_end(sim, capsys):
    from pynn_uni.utility import SimulationProgressBar

    bar = SimulationProgressBar(1.0, 5.0)
    levels = []
    original = bar.set_level
    bar.set_level = lambda level: (levels.append(level), original(level))[1]
    sim.run(5.0, callbacks=[bar])
    np.testing.assert_allclose(levels, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0], atol=1e-9)


def test_reset_goes_back_to_zero_and_reapplies_initial_values(sim):
    p = sim.Population(1, sim.IF_curr_exp(i_offset=1.0), initial_values={"v": -70.0})
    p.record("v")
    sim.run(5.0)
    sim.reset()
    assert sim.get_current_time() == 0.0
    sim.run(5.0)
    first, second = (s.analogsignals[0].magnitude[:, 0] for s in p.get_data().segments)
    # both runs charge from -70 mV towards v_rest + R I = -65 + 20 mV (R = 20 MOhm): the
    # RC solution, which the reference backend's exact integration meets on every sample
    t = np.arange(51) * 0.1
    expected = -65.0 + 20.0 * (1.0 - np.exp(-t / 20.0)) - 5.0 * np.exp(-t / 20.0)
    assert first[0] == -70.0 and second[0] == -70.0
    np.testing.assert_allclose(first, expected, atol=1e-9)
    np.testing.assert_allclose(second, expected, atol=1e-9)


def test_end_takes_compatible_output(sim):
    sim.end(compatible_output=False)
    with pytest.raises(errors.SimulationNotSetUpError):
        sim.Population(1, sim.IF_curr_exp())
    sim.setup(timestep=0.1)  # for the fixture's end()


# -- deprecated procedural API --------------------------------------------------------------
def test_create_warns_and_makes_a_population(sim):
    with pytest.warns(DeprecationWarning):
        p = sim.create(sim.IF_curr_exp, {"tau_m": 12.0}, n=3)
    assert isinstance(p, sim.Population) and p.size == 3 and p.get("tau_m") == 12.0
    with pytest.warns(DeprecationWarning):
        q = sim.create(sim.IF_cond_exp(cm=0.5))
    assert q.size == 1 and q.get("cm") == 0.5


def test_connect_warns_and_connects_with_probability(sim):
    a = sim.Population(3, sim.IF_curr_exp())
    b = sim.Population(4, sim.IF_curr_exp())
    with pytest.warns(DeprecationWarning):
        prj = sim.connect(a, b, weight=0.5, delay=1.0)  # p = 1: all to all
    assert isinstance(prj, sim.Projection) and len(prj) == 12
    np.testing.assert_allclose(prj.get("weight", "array"), np.full((3, 4), 0.5), rtol=1e-12)
    assert prj.get("delay", "array")[2, 3] == 1.0
    with pytest.warns(DeprecationWarning):
        single = sim.connect(a[1], b[2], weight=-0.3)  # IDs become one-cell views
    assert len(single) == 1 and single.receptor_type == "inhibitory"
    c = single[0]
    assert int(c.presynaptic_cell) == int(a[1]) and int(c.postsynaptic_cell) == int(b[2])
    with pytest.warns(DeprecationWarning):
        none = sim.connect(a, b, weight=0.1, p=0.0)
    assert len(none) == 0


def test_set_and_initialize_warn_and_work(sim):
    p = sim.Population(3, sim.IF_curr_exp())
    with pytest.warns(DeprecationWarning):
        sim.set(p, tau_m=30.0)
    assert p.get("tau_m") == 30.0
    with pytest.warns(DeprecationWarning):
        sim.set(p[1:], cm=2.0)
    np.testing.assert_array_equal(p.get("cm"), [1.0, 2.0, 2.0])
    with pytest.warns(DeprecationWarning), pytest.raises(AttributeError):
        sim.set(p[0], tau_m=1.0)
    with pytest.warns(DeprecationWarning):
        sim.initialize(p, v=-58.0)
    assert p[2].get_initial_value("v") == -58.0


def test_record_and_record_v_write_files_at_end(sim, tmp_path):
    import neo

    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0, 2.0]))
    cells = sim.Population(2, sim.IF_curr_exp(), initial_values={"v": -60.0})
    cond = sim.Population(3, sim.IF_cond_exp())
    spikes_file, v_file = tmp_path / "spikes.pkl", tmp_path / "v.pkl"
    gsyn_file = tmp_path / "gsyn.pkl"
    with pytest.warns(DeprecationWarning):
        sim.record("spikes", src, str(spikes_file), annotations={"trial": 3})
    with pytest.warns(DeprecationWarning):
        sim.record_v(cells, str(v_file))
    with pytest.warns(DeprecationWarning):
        sim.record_gsyn(cond[1], str(gsyn_file))  # one ID: a one-cell view
    sim.run(3.0)
    sim.end()
    block = neo.io.PickleIO(str(spikes_file)).read_block()
    assert block.annotations["trial"] == 3
    spikes = block.segments[0].spiketrains
    assert [st.magnitude.tolist() for st in spikes] == [[1.0, 2.0], [1.0, 2.0]]
    (v,) = neo.io.PickleIO(str(v_file)).read_block().segments[0].analogsignals
    assert v.name == "v" and v.shape == (31, 2) and v.magnitude[0, 0] == -60.0
    signals = neo.io.PickleIO(str(gsyn_file)).read_block().segments[0].analogsignals
    assert sorted(s.name for s in signals) == ["gsyn_exc", "gsyn_inh"]
    assert all(s.shape == (31, 1) for s in signals)
    assert all(list(s.array_annotations["channel_index"]) == [1] for s in signals)
    sim.setup(timestep=0.1)  # for the fixture's end()


def test_population_record_v_is_deprecated(sim):
    p = sim.Population(1, sim.IF_curr_exp())
    with pytest.warns(DeprecationWarning):
        p.record_v()
    sim.run(1.0)
    assert p.get_data().segments[0].analogsignals[0].name == "v"


def test_every_deprecation_warning_points_at_the_callers_line(sim):
    """One helper words them all; the warning names this file, not pynn_uni's."""
    sim.setup()
    cells = sim.Population(2, sim.IF_cond_exp())
    prj = sim.Projection(cells, cells, sim.AllToAllConnector())
    calls = {
        "record_v() is deprecated; use record('v')": lambda: cells.record_v(),
        "Projection.getWeights() is deprecated; use get('weight', format)": prj.getWeights,
        "create() is deprecated; use Population(...)": lambda: sim.create(sim.IF_cond_exp()),
    }
    for message, call in calls.items():
        with pytest.warns(DeprecationWarning) as caught:
            call()
        assert [str(w.message) for w in caught] == [message]
        assert caught[0].filename == __file__
