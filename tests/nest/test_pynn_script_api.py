"""PyNN script idioms on NEST that PyNN's own scenarios and examples use: array-valued
parameters given as ranges or per-cell functions, step-source times on the time grid,
``Projection.set`` with arrays, ``Network`` and ``MultiSim``.

Expected values are those PyNN 0.13.0 gives (run with NEST 3.10 / NEURON 9.0.2), or follow
from the arguments by hand; nothing is read back from pynn_uni to build them.
"""

import numpy as np
import pytest

pytest.importorskip("nest", reason="NEST is not installed: pip install pynn_uni[nest]")


def test_spike_times_as_range_and_as_function_of_the_index(sim):
    # PyNN 0.13: range(1, 10) is one Sequence for every cell
    p = sim.Population(2, sim.SpikeSourceArray(spike_times=range(1, 10)))
    assert p.get("spike_times") == sim.Sequence([1, 2, 3, 4, 5, 6, 7, 8, 9])

    def per_cell(i):  # the form of PyNN's examples: an array of indices -> list of Sequences
        return [sim.Sequence([10.0 * (j + 1), 50.0]) for j in i]

    q = sim.Population(3, sim.SpikeSourceArray(spike_times=per_cell))
    assert [s.value.tolist() for s in q.get("spike_times")] == [
        [10.0, 50.0], [20.0, 50.0], [30.0, 50.0]
    ]  # fmt: skip


def test_step_current_source_times_are_indexable_and_on_the_grid(sim):
    step = sim.StepCurrentSource(times=[125.0, 175.0, 215.0], amplitudes=[0.05, 0.1, 0.2])
    assert step.times[0] == 125.0 and len(step.amplitudes) == 3
    # PyNN 0.13 on NEURON, dt = 0.1 ms: [0.41, 0.42, 0.86] -> times [0.4, 0.9] with the last
    # amplitude of the two that fall on 0.4 ms
    step = sim.StepCurrentSource(times=[0.41, 0.42, 0.86], amplitudes=[0.5, -0.5, 0.5])
    np.testing.assert_allclose(step.times, [0.4, 0.9], atol=1e-12)
    np.testing.assert_array_equal(step.amplitudes, [-0.5, 0.5])
    with pytest.raises(ValueError):
        sim.StepCurrentSource(times=[0.4, 0.2, 0.8], amplitudes=[0.5, -0.5, 0.5])


def test_projection_set_with_arrays_follows_pynn(sim):
    pre = sim.Population(3, sim.IF_cond_exp())
    post = sim.Population(2, sim.IF_cond_exp())
    connector = sim.FromListConnector([(2, 0), (0, 1), (1, 1), (0, 0)])
    prj = sim.Projection(pre, post, connector, sim.StaticSynapse(weight=0.1, delay=0.5))
    nan = np.nan
    # PyNN 0.13 on NEST: a flat list fills the existing connections row by row
    prj.set(delay=[1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(
        prj.get("delay", format="array"), [[1.0, 2.0], [nan, 3.0], [4.0, nan]]
    )
    # a pre x post array: entries without a connection (NaN there) are ignored
    prj.set(weight=np.array([[0.5, 0.25], [nan, 0.75], [1.5, nan]]))
    np.testing.assert_allclose(
        prj.get("weight", format="array"), [[0.5, 0.25], [nan, 0.75], [1.5, nan]], rtol=1e-12
    )
    # a single Connection writes only itself
    (c,) = [c for c in prj.connections if (c.presynaptic_index, c.postsynaptic_index) == (1, 1)]
    c.weight = 0.125
    np.testing.assert_allclose(
        prj.get("weight", format="array"), [[0.5, 0.25], [nan, 0.125], [1.5, nan]], rtol=1e-12
    )


def test_network_groups_components(sim):
    exc = sim.Population(4, sim.IF_cond_exp(), label="exc")
    inh = sim.Population(2, sim.IF_cond_exp(), label="inh")
    stim = sim.Population(3, sim.SpikeSourcePoisson(rate=10.0), label="stim")
    prj = sim.Projection(stim, exc, sim.AllToAllConnector(), label="input")
    net = sim.Network(exc[:2], inh + stim, prj)
    assert net.populations == {exc, inh, stim} and len(net.views) == 1
    assert (net.count_neurons(), net.count_connections()) == (9, 12)
    assert net.get_component("input") is prj and net.get_component("nothing") is None
    assert set(net.filter("all").populations) == {exc, inh}  # spike sources take no current
    assert list(net.filter([type(stim.celltype)]).populations) == [stim]
    assert net.sim is sim
    with pytest.raises(TypeError):
        net.add("exc")


class _OneCell:
    """A model for MultiSim: one IF_curr_exp cell driven by i_offset (nA)."""

    def __init__(self, sim, parameters):
        sim.setup(timestep=0.1)
        self.cell = sim.Population(1, sim.IF_curr_exp(i_offset=parameters["i_offset"]))
        self.cell.record("spikes")

    def spike_times(self):
        return self.cell.get_data().segments[0].spiketrains[0].magnitude.tolist()


def test_multisim_runs_the_model_in_another_process(sim):
    from pynn_uni.multisim import MultiSim

    here = _OneCell(sim, {"i_offset": 1.0})
    sim.run(100.0)
    with MultiSim(["nest"], _OneCell, {"i_offset": 1.0}, context="spawn") as ms:
        assert ms.run(100.0, steps=4) == {"pynn_uni.nest": 100.0}
        there = ms.spike_times()
    assert len(here.spike_times()) == 3  # 1 nA into 1 nF, tau_m 20 ms: a spike every ~28 ms
    assert there == {"pynn_uni.nest": here.spike_times()}
