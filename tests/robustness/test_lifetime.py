"""Object lifetime: every object belongs to one simulation (issue 11, findings 1 and 2).

An object used after ``end()`` or a new ``setup()`` raises ``StaleObjectError`` (its ids
would otherwise address the new network's cells); a call through one backend's module
while another backend's simulation is current raises ``BackendMismatchError``.  Recorded
data stay readable.  After each refusal the current simulation still builds and runs.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from pynn_uni import errors

#: the module pairs of the cross-backend tests; the per-backend tests take conftest.py's `sim`
BACKENDS = ["nest", "neuron", "hardware"]
SPIKES = [1.0, 2.0, 3.0]


def _sim(name: str):
    if name in ("nest", "neuron"):
        pytest.importorskip(name)
    return importlib.import_module(f"pynn_uni.{name}")


def _cells(sim, n=3, label=None):
    celltype = sim.IF_facets_hardware1() if sim.__name__.endswith("hardware") else sim.IF_cond_exp()
    return sim.Population(n, celltype, label=label)


def _source(sim, n=3, label=None):
    return sim.Population(n, sim.SpikeSourceArray(spike_times=SPIKES), label=label)


def _still_works(sim):
    """The current simulation builds, connects, records and runs after a refusal."""
    src = _source(sim, 2, label="fresh")
    post = _cells(sim, 2)
    sim.Projection(src, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.01))
    src.record("spikes")
    sim.run(10.0)
    trains = src.get_data().segments[-1].spiketrains
    assert [len(st) for st in trains] == [3, 3]


def _old_network(sim):
    sim.setup(timestep=0.1)
    pre = _source(sim, label="old_pre")
    post = _cells(sim, label="old_post")
    pre.record("spikes")
    sim.run(10.0)
    return pre, post


# -- stale objects after a new setup() ---------------------------------------------------
STALE_USES = {
    "projection_pre": lambda sim, pre, post: sim.Projection(
        pre, _cells(sim), sim.AllToAllConnector()
    ),
    "projection_post": lambda sim, pre, post: sim.Projection(
        _source(sim), post, sim.AllToAllConnector()
    ),
    "projection_view": lambda sim, pre, post: sim.Projection(
        pre[0:2], _cells(sim), sim.AllToAllConnector()
    ),
    "projection_assembly": lambda sim, pre, post: sim.Projection(
        _source(sim) + pre, _cells(sim), sim.AllToAllConnector()
    ),
    "record": lambda sim, pre, post: pre.record("spikes"),
    "record_view": lambda sim, pre, post: pre[1:].record("spikes"),
    "record_assembly": lambda sim, pre, post: (pre + post).record("spikes"),
    "set": lambda sim, pre, post: pre.set(spike_times=[5.0]),
    "set_view": lambda sim, pre, post: pre[[0]].set(spike_times=[5.0]),
    "id_set": lambda sim, pre, post: pre[0].set_parameters(spike_times=[5.0]),
    "initialize": lambda sim, pre, post: post.initialize(v=-60.0),
}


@pytest.mark.parametrize("use", sorted(STALE_USES))
def test_stale_object_after_new_setup(sim, use):
    pre, post = _old_network(sim)
    sim.setup(timestep=0.1)
    with pytest.raises(errors.StaleObjectError, match="a new setup\\(\\) replaced it") as info:
        STALE_USES[use](sim, pre, post)
    assert "old_p" in str(info.value)  # names the object
    assert "simulation #" in str(info.value)
    _still_works(sim)


def test_stale_projection_after_new_setup(sim):
    sim.setup(timestep=0.1)
    prj = sim.Projection(
        _source(sim), _cells(sim), sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01),
        label="old_prj",
    )  # fmt: skip
    sim.run(5.0)
    sim.end()
    assert prj.get("weight", format="array").shape == (3, 3)  # reading after end(): allowed
    with pytest.raises(errors.StaleObjectError, match="end\\(\\) finished it"):
        prj.set(weight=0.02)
    sim.setup(timestep=0.1)
    for use in (lambda: prj.get("weight", format="list"), lambda: prj.set(weight=0.02)):
        with pytest.raises(errors.StaleObjectError, match="old_prj"):
            use()
    _still_works(sim)


def test_stale_after_end(sim):
    pre, post = _old_network(sim)
    sim.end()
    with pytest.raises(errors.StaleObjectError, match="end\\(\\) finished it"):
        pre.record("spikes")
    sim.setup(timestep=0.1)
    _still_works(sim)


def test_recorded_data_readable_after_end_and_new_setup(sim, tmp_path):
    """Reading what a finished simulation recorded is legitimate (PyNN scripts do it)."""
    pre, _ = _old_network(sim)
    sim.end()
    assert [len(st) for st in pre.get_data().segments[0].spiketrains] == [3, 3, 3]
    pre.write_data(str(tmp_path / "after_end.pkl"))
    sim.setup(timestep=0.1)
    fresh = _source(sim, 5)  # same ids as the old cells on some backends
    fresh.record("spikes")
    sim.run(10.0)
    # the old population's data are its own, never the new network's
    assert [len(st) for st in pre.get_data().segments[0].spiketrains] == [3, 3, 3]
    assert pre[1:].get_spike_counts() == {pre[1]: 3, pre[2]: 3}
    assert len(fresh.get_data().segments[0].spiketrains) == 5


@pytest.mark.parametrize("backend", ["nest", "neuron"])
def test_stale_current_source(backend):
    sim = _sim(backend)
    sim.setup(timestep=0.1)
    try:
        cells = sim.Population(2, sim.IF_cond_exp(), label="old_cells")
        source = sim.DCSource(amplitude=0.5, start=1.0, stop=8.0)
        source.inject_into(cells)
        source.record()
        sim.run(10.0)
        sim.end()
        recorded = source.get_data()  # after end(): legitimate (PyNN scenarios do it)
        assert np.max(recorded.magnitude) == pytest.approx(0.5)
        sim.setup(timestep=0.1)
        new_cells = sim.Population(2, sim.IF_cond_exp())
        with pytest.raises(errors.StaleObjectError, match="DCSource"):
            source.inject_into(new_cells)  # its handles belong to the old simulation
        with pytest.raises(errors.StaleObjectError, match="DCSource"):
            source.amplitude = 1.0
        with pytest.raises(errors.StaleObjectError, match="old_cells"):
            sim.DCSource(amplitude=0.1).inject_into(cells)
        with pytest.raises(errors.StaleObjectError, match="old_cells"):
            cells.inject(sim.DCSource(amplitude=0.1))
        with pytest.raises(errors.StaleObjectError, match="ID"):
            cells[0].inject(sim.DCSource(amplitude=0.1))
        assert np.max(source.get_data().magnitude) == pytest.approx(0.5)  # still its own
        _still_works(sim)
    finally:
        sim.end()


# -- backend modules do not share a simulation ---------------------------------------------
PAIRS = [(a, b) for a in BACKENDS for b in BACKENDS if a != b]
MISMATCHED_CALLS = {
    "run": lambda other: other.run(10.0),
    "run_until": lambda other: other.run_until(10.0),
    "reset": lambda other: other.reset(),
    "end": lambda other: other.end(),
    "get_current_time": lambda other: other.get_current_time(),
    "Population": lambda other: other.Population(2, other.SpikeSourceArray(spike_times=[1.0])),
    "create": lambda other: other.create(other.SpikeSourceArray(spike_times=[1.0]), n=2),
}


@pytest.mark.filterwarnings("ignore:create\\(\\) is deprecated:DeprecationWarning")
@pytest.mark.parametrize("call", sorted(MISMATCHED_CALLS))
@pytest.mark.parametrize(("current", "other"), PAIRS, ids=[f"{a}-via-{b}" for a, b in PAIRS])
def test_other_backend_module_refused(current, other, call):
    sim, other_sim = _sim(current), _sim(other)
    sim.setup(timestep=0.1)
    try:
        with pytest.raises(errors.BackendMismatchError, match=f"through pynn_uni.{other}") as info:
            MISMATCHED_CALLS[call](other_sim)
        assert f"set up through pynn_uni.{current}" in str(info.value)
        assert sim.get_current_time() == 0.0
        _still_works(sim)
    finally:
        sim.end()


def test_other_backend_projection_refused():
    sim, other = _sim("hardware"), _sim("nest")
    sim.setup(timestep=0.1)
    try:
        pre, post = _source(sim), _cells(sim)
        with pytest.raises(errors.BackendMismatchError, match="Projection"):
            other.Projection(pre, post, other.AllToAllConnector())
        _still_works(sim)
    finally:
        sim.end()


def test_setup_through_another_module_replaces(sim):
    """setup() through any module starts a new simulation: the old objects become stale."""
    other = _sim("hardware") if not sim.__name__.endswith("hardware") else _sim("nest")
    pre, _ = _old_network(sim)
    other.setup(timestep=0.1)
    try:
        with pytest.raises(errors.StaleObjectError, match="old_pre"):
            pre.record("spikes")
        _still_works(other)
    finally:
        other.end()
