"""NeuroML2 written by others (built here with libNeuroML's API, as a NeuroML user writes it)
imported and run on NEST; and what NeuroML2 cannot express, refused by name."""

import numpy as np
import pytest

from pynn_uni.errors import NotSupportedError
from pynn_uni.network import Network
from pynn_uni.serialization.neuroml import export_to_neuroml, import_from_neuroml

neuroml = pytest.importorskip(
    "neuroml", reason="libNeuroML is not installed: pip install pynn_uni[neuroml]"
)
pytest.importorskip("nest", reason="NEST is not installed: pip install pynn_uni[nest]")
from neuroml.utils import validate_neuroml2  # noqa: E402 (after the skip)
from neuroml.writers import NeuroMLWriter  # noqa: E402


@pytest.fixture
def sim():
    import pynn_uni.nest as sim

    sim.setup(timestep=0.1)
    yield sim
    sim.end()


TAU_M, CM, TAU_SYN, V_REST, V_TH = 20.0, 1.0, 2.0, -65.0, -50.0


def foreign_file(path):
    """Three LIF cells: cell 0 driven by a 1 nA pulse (explicitInput), cells 1 and 2 by a
    spike array through a connectionWD (0.5 nA, 2 ms) and a plain connection (weight 1)."""
    doc = neuroml.NeuroMLDocument(id="foreign")
    doc.IF_curr_exp.append(
        neuroml.IF_curr_exp(
            id="lif",
            cm=CM,
            i_offset=0.0,
            tau_syn_E=5.0,
            tau_syn_I=5.0,
            v_init=V_REST,
            tau_m=TAU_M,
            tau_refrac=2.0,
            v_reset=V_REST,
            v_rest=V_REST,
            v_thresh=V_TH,
        )
    )
    doc.exp_curr_synapses.append(neuroml.ExpCurrSynapse(id="esyn", tau_syn=TAU_SYN))
    doc.spike_arrays.append(
        neuroml.SpikeArray(
            id="stim", spikes=[neuroml.Spike(id=0, time="10ms"), neuroml.Spike(id=1, time="0.03s")]
        )
    )
    doc.pulse_generators.append(
        neuroml.PulseGenerator(id="pg", delay="0ms", duration="1s", amplitude="1000pA")
    )
    net = neuroml.Network(id="net")
    doc.networks.append(net)
    net.populations.append(neuroml.Population(id="cells", component="lif", size=3))
    net.populations.append(neuroml.Population(id="input", component="stim", size=1))
    prj = neuroml.Projection(
        id="drive", presynaptic_population="input", postsynaptic_population="cells", synapse="esyn"
    )
    prj.connection_wds.append(
        neuroml.ConnectionWD(
            id=0, pre_cell_id="../input[0]", post_cell_id="../cells[1]", weight=0.5, delay="2ms"
        )
    )
    prj.connections.append(
        neuroml.Connection(id=1, pre_cell_id="../input[0]", post_cell_id="../cells[2]")
    )
    net.projections.append(prj)
    net.explicit_inputs.append(neuroml.ExplicitInput(target="cells[0]", input="pg"))
    NeuroMLWriter.write(doc, str(path))
    validate_neuroml2(str(path))
    return path


def test_foreign_network_builds_and_runs(sim, tmp_path):
    net = import_from_neuroml(foreign_file(tmp_path / "foreign.nml"), sim)
    cells = net.get_component("cells")
    (prj,) = net.projections
    assert type(cells.celltype).__name__ == "IF_curr_exp"
    trains = net.get_component("input").get("spike_times", gather=True, simplify=False)
    assert list(trains[0].value) == [10.0, 30.0]  # "0.03s" read in ms
    # the synapse's time constant is the one NeuroML2 simulates: it becomes the cells'
    np.testing.assert_array_equal(cells.get("tau_syn_E", gather=True, simplify=False), 2.0)
    assert prj.receptor_type == "excitatory"
    # a plain <connection>: weight 1, delay 0 -> one time step
    assert prj.get(["weight", "delay"], format="list") == [(0, 1, 0.5, 2.0), (0, 2, 1.0, 0.1)]
    cells.record(["spikes", "v"])
    sim.run(40.0)
    block = cells.get_data()
    # cell 0: 1 nA into R = tau_m / cm = 20 MOhm reaches threshold at -tau ln(1 - 15/20);
    # a source switched on at 0 reaches the cell one step later, and a spike is reported at the
    # end of the step that crosses: up to two steps late
    first = block.segments[0].spiketrains[0].magnitude[0]
    t_star = -TAU_M * np.log(1 - (V_TH - V_REST) / (1.0 * TAU_M / CM))
    assert t_star <= first <= t_star + 0.2 + 1e-9
    # cell 1: an exponential current into an RC membrane peaks
    # tau_m tau_s / (tau_m - tau_s) ln(tau_m / tau_s) after the spike arrives at 12 ms
    v = block.segments[0].analogsignals[0]
    t = v.times.magnitude
    window = (t > 12.0) & (t < 30.0)
    peak = t[window][np.argmax(v.magnitude[window, 1])]
    expected = 12.0 + TAU_M * TAU_SYN / (TAU_M - TAU_SYN) * np.log(TAU_M / TAU_SYN)
    assert peak == pytest.approx(expected, abs=0.11)


def test_foreign_cell_without_pynn_equivalent_is_refused(sim, tmp_path):
    doc = neuroml.NeuroMLDocument(id="iaf")
    doc.iaf_cells.append(
        neuroml.IafCell(
            id="iaf",
            C="1nF",
            thresh="-50mV",
            reset="-65mV",
            leak_conductance="10nS",
            leak_reversal="-65mV",
        )
    )
    net = neuroml.Network(id="net")
    net.populations.append(neuroml.Population(id="pop", component="iaf", size=2))
    doc.networks.append(net)
    NeuroMLWriter.write(doc, str(tmp_path / "iaf.nml"))
    with pytest.raises(NotSupportedError, match="population 'pop'.*IafCell"):
        import_from_neuroml(tmp_path / "iaf.nml", sim)


@pytest.mark.parametrize("synapse", ["TsodyksMarkramSynapse", "STDPMechanism"])
def test_plastic_synapses_are_refused_by_name(sim, tmp_path, synapse):
    pop = sim.Population(2, sim.IF_cond_exp(), label="cells")
    if synapse == "STDPMechanism":
        syn = sim.STDPMechanism(
            timing_dependence=sim.SpikePairRule(),
            weight_dependence=sim.AdditiveWeightDependence(),
            weight=0.01,
        )
    else:
        syn = sim.TsodyksMarkramSynapse(weight=0.01)
    prj = sim.Projection(pop, pop, sim.AllToAllConnector(), syn, label="plastic")
    with pytest.raises(NotSupportedError, match=f"Projection 'plastic': {synapse}"):
        export_to_neuroml(Network(pop, prj), tmp_path / "x.nml", lems=False)
    assert isinstance(NotSupportedError(), NotImplementedError)


def test_izhikevich_is_refused_by_name(sim, tmp_path):
    pop = sim.Population(2, sim.Izhikevich(), label="izh")
    with pytest.raises(NotSupportedError, match="Population 'izh': Izhikevich.*delta synapse"):
        export_to_neuroml(Network(pop), tmp_path / "x.nml", lems=False)


def test_lems_needs_a_duration_before_the_first_run(sim, tmp_path):
    pop = sim.Population(2, sim.IF_cond_exp(), label="cells")
    with pytest.raises(ValueError, match="duration="):
        export_to_neuroml(Network(pop), tmp_path / "x.nml")
