"""IF cells start as PynnIFStatic (two weight slots per NetCon) and become PynnIF when a
short-term or plastic projection onto them is made: the network must be the same whichever
order it was built in (connections, recorders, current sources and parameters carried
over), and the NetCons onto static-only cells must carry two slots."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("neuron")

import pynn_uni.neuron as sim  # noqa: E402


def _run(plastic_first: bool):
    """Static input, a DC and a noise source, recorders, then (or first) a Tsodyks-Markram
    projection onto the same cells; returns spikes, v and the TM projection's NetCons."""
    sim.setup(timestep=0.1, rng_seed=3)
    src = sim.Population(10, sim.SpikeSourcePoisson(rate=60.0), label="src")
    cells = sim.Population(4, sim.IF_cond_exp(cm=0.25, tau_refrac=2.0, tau_m=[10, 15, 20, 25]))
    cells.initialize(v=[-60.0, -58.0, -56.0, -54.0])
    tm = sim.TsodyksMarkramSynapse(weight=0.01, delay=1.0, U=0.4, tau_rec=50.0)
    prj = None

    def plastic():
        return sim.Projection(src, cells, sim.AllToAllConnector(), tm)

    if plastic_first:
        prj = plastic()
    sim.Projection(src, cells, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=0.003, delay=0.5),
                   receptor_type="inhibitory")  # fmt: skip
    sim.Projection(cells, cells, sim.AllToAllConnector(allow_self_connections=False),
                   sim.StaticSynapse(weight=0.002, delay=1.5))  # fmt: skip
    sim.DCSource(amplitude=0.25, start=20.0, stop=180.0).inject_into(cells)
    sim.NoisyCurrentSource(mean=0.05, stdev=0.1, dt=1.0).inject_into(cells[1:3])
    cells.record(["spikes", "v"])
    if not plastic_first:
        prj = plastic()
    sim.run(200.0)
    seg = cells.get_data().segments[0]
    trains = [np.asarray(st.magnitude) for st in seg.spiketrains]
    v = seg.filter(name="v")[0].magnitude.copy()
    kinds = {sim.h.NetCon(None, sim.native_cell(c)).wcnt() for c in cells}
    weights = len(sim.native_connections(prj)[0].weight)
    sim.end()
    return trains, v, kinds, weights


def test_plastic_projection_made_last_gives_the_same_network():
    a_trains, a_v, a_kinds, _ = _run(plastic_first=True)
    b_trains, b_v, b_kinds, b_slots = _run(plastic_first=False)
    assert sum(t.size for t in a_trains) > 10
    for x, y in zip(a_trains, b_trains, strict=True):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a_v, b_v)
    assert a_kinds == b_kinds == {24}  # PynnIF's NET_RECEIVE: 24 slots
    assert b_slots == 24


def test_static_only_cells_take_two_slots():
    sim.setup(timestep=0.1)
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]))
    cells = sim.Population(3, sim.IF_curr_exp())
    prj = sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5))
    assert {len(nc.weight) for nc in sim.native_connections(prj)} == {2}
    sim.end()
