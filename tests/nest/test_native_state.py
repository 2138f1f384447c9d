"""What NEST itself holds after pynn_uni's calls: node ids, native parameter values in
NEST's units, and NEST's answers about one-node collections.  The same API behaviour on
the reference backend is tested in tests/unit/test_api_*.py; these need NEST's own objects.
"""

import numpy as np
import pytest

pytest.importorskip("nest", reason="NEST is not installed: pip install pynn_uni[nest]")

from pynn_uni.common.capabilities import load_capabilities  # noqa: E402


def test_node_ids_start_again_at_one_after_setup(sim):
    sim.Population(3, sim.IF_curr_exp())
    sim.run(5.0)
    sim.setup(timestep=0.1)
    p = sim.Population(2, sim.IF_curr_exp())
    assert int(p[0]) == 1  # NEST node ids start again at 1


def test_view_set_of_array_valued_parameters(sim):
    """GIF kernels: one ArrayParameter (or Sequence) per cell, set on part of a population,
    reach NEST as tau_stc / q_stc (nA -> pA)."""
    p = sim.Population(3, sim.GIF_cond_exp())
    p[0:1].set(tau_eta=sim.ArrayParameter([5.0, 50.0]), a_eta=sim.ArrayParameter([0.1, 0.2]))
    p[2].set_parameters(tau_eta=sim.Sequence([7.0]), a_eta=sim.Sequence([0.3]))
    tau = [list(np.asarray(v.value)) for v in p.get("tau_eta", simplify=False)]
    assert tau == [[5.0, 50.0], [1.0, 10.0, 100.0], [7.0]]  # the default: 1, 10, 100 ms
    native = p.node_collection.get(["tau_stc", "q_stc"])
    assert [list(v) for v in native["tau_stc"]] == tau
    np.testing.assert_allclose(native["q_stc"][0], [100.0, 200.0])  # nA -> pA
    np.testing.assert_allclose(native["q_stc"][2], [300.0])


def test_refused_set_leaves_nest_values_unchanged(sim):
    """A refused set() (v_thresh below v_reset) reaches NEST with nothing half-applied."""
    p = sim.Population(2, sim.IF_curr_exp(i_offset=1.0))
    with pytest.raises(Exception, match="threshold"):
        p.set(v_reset=-70.0, v_thresh=-80.0)
    assert p.node_collection.get(["V_reset", "V_th"]) == {
        "V_reset": (-65.0, -65.0),
        "V_th": (-50.0, -50.0),
    }


#: deterministic parameters (GIF's escape noise silenced) so a one-cell population and a
#: two-cell one must record identical traces
_SILENT = {"GIF_cond_exp": {"lambda0": 1e-30, "i_offset": 0.5}}


@pytest.mark.parametrize("model", sorted(load_capabilities("nest").models))
def test_one_cell_population_records_every_declared_variable(sim, model):
    """NEST answers queries about a one-node collection with scalars, not sequences: every
    recordable of a one-cell population must still come back, equal to a larger one's."""
    variables = list(load_capabilities("nest").recordables[model])
    celltype = getattr(sim, model)(**_SILENT.get(model, {}))
    one, two = sim.Population(1, celltype), sim.Population(2, celltype)
    for p in (one, two):
        p.record(variables)
    sim.run(5.0)
    seg1, seg2 = one.get_data().segments[0], two.get_data().segments[0]
    assert len(seg1.spiketrains) == 1 and len(seg2.spiketrains) == 2
    signals = [v for v in variables if v != "spikes"]
    assert sorted(a.name for a in seg1.analogsignals) == sorted(signals)
    for name in signals:
        a1, a2 = seg1.filter(name=name)[0].magnitude, seg2.filter(name=name)[0].magnitude
        assert a1.shape == (51, 1) and a2.shape == (51, 2)
        np.testing.assert_array_equal(a1[:, 0], a2[:, 0])
