"""``pynn_uni.neuroml`` (PyNN's ``pyNN.neuroml``): a PyNN-style script's ``end()`` writes
the NeuroML2 and LEMS files under PyNN's names; they validate and re-import as the same
network.  And the bulk reader: any layout of the connection and instance lists reads alike."""

import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import tomllib
from network_snapshot import assert_same, snapshot

import pynn_uni
from pynn_uni.common import control
from pynn_uni.errors import NotSupportedError
from pynn_uni.network import Network
from pynn_uni.serialization.neuroml import NeuroMLExportWarning, import_from_neuroml
from pynn_uni.serialization.neuroml_bulk import read_document
from pynn_uni.serialization.neuroml_models import CELLS

pytest.importorskip("neuroml", reason="libNeuroML is not installed: pip install pynn_uni[neuroml]")
from neuroml.utils import validate_neuroml2  # noqa: E402 (after the skip)

import pynn_uni.neuroml as sim  # noqa: E402
import pynn_uni.testing.reference as ref  # noqa: E402


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    control.end()  # whichever simulation is left, without writing files


def script(reference="net"):
    """A PyNN script as written for pyNN.neuroml (names as there), up to ``end()``."""
    sim.setup(timestep=0.1, reference=reference)
    rng = sim.NumpyRNG(seed=11)
    exc = sim.Population(40, sim.IF_cond_exp(tau_m=20.0, e_rev_I=-75.0), label="exc")
    inh = sim.Population(10, sim.IF_curr_alpha(i_offset=[0.1 * k for k in range(10)]))
    noise = sim.Population(8, sim.SpikeSourcePoisson(rate=50.0), label="noise")
    exc.initialize(v=sim.RandomDistribution("uniform", (-65.0, -55.0), rng=rng))
    weights = sim.RandomDistribution("uniform", (0.001, 0.01), rng=rng)
    prjs = [
        sim.Projection(noise, exc, sim.FixedProbabilityConnector(0.5, rng=rng),
                       sim.StaticSynapse(weight=weights, delay=1.5), label="drive"),
        sim.Projection(exc, exc, sim.FixedProbabilityConnector(0.2, rng=rng),
                       sim.StaticSynapse(weight=weights, delay=0.7), label="recurrent"),
        sim.Projection(exc, inh, sim.FixedProbabilityConnector(0.5, rng=rng),
                       sim.StaticSynapse(weight=-0.5, delay=1.0), receptor_type="inhibitory",
                       label="to_inh"),
    ]  # fmt: skip
    exc.record(["spikes", "v"])
    inh.record("spikes")
    return Network(exc, inh, noise, *prjs)


def test_script_writes_files_that_validate_and_reimport(in_tmp):
    net = script()
    sim.run(50.0)
    assert len(net.get_component("exc").get_data().segments[0].spiketrains) == 40  # simulated
    before = snapshot(net)
    with pytest.warns(NeuroMLExportWarning, match="per-cell initial value"):
        sim.end()
    assert sorted(p.name for p in in_tmp.iterdir()) == ["LEMS_Sim_net.xml", "net.net.nml"]
    validate_neuroml2("net.net.nml")
    lems = ET.parse("LEMS_Sim_net.xml").getroot()
    assert lems.find("Target").get("component") == "Sim_net"
    simulation = lems.find("Simulation")
    assert (simulation.get("id"), simulation.get("length"), simulation.get("target")) == (
        "Sim_net", "50.0ms", "net"
    )  # fmt: skip
    ref.setup(timestep=0.1)
    assert_same(before, snapshot(import_from_neuroml("net.net.nml", ref)))


def test_defaults_as_pynn_neuroml(in_tmp):
    sim.setup()
    sim.Population(2, sim.IF_curr_exp())
    sim.end()
    name = "PyNN_NeuroML2_Export"
    validate_neuroml2(f"{name}.net.nml")
    length = ET.parse(f"LEMS_Sim_{name}.xml").getroot().find("Simulation").get("length")
    assert length == "100.0ms"  # a script that never runs


def test_refusals(in_tmp):
    with pytest.raises(NotSupportedError, match="save_format='hdf5'"):
        sim.setup(save_format="hdf5")
    sim.setup()
    with pytest.raises(NotSupportedError, match="HH_cond_exp"):
        sim.Population(1, sim.HH_cond_exp())
    with pytest.raises(NotSupportedError, match="IF_curr_delta"):
        sim.Population(1, sim.IF_curr_delta())


def test_declares_only_what_simulator_and_neuroml2_do():
    def declared(package):
        path = Path(pynn_uni.__file__).parent / package / "capabilities.toml"
        return tomllib.loads(path.read_text())

    ours, reference = declared("neuroml"), declared("testing/reference")
    for kind in ("models", "synapse_types", "current_sources"):
        assert set(ours["components"][kind]) <= set(reference["components"][kind]), kind
    assert set(ours["components"]["models"]) <= set(CELLS)
    for model, variables in ours["recordables"].items():
        assert set(variables) <= set(reference["recordables"][model])


# -- the bulk reader ---------------------------------------------------------------------------
def _exported(path):
    net = script()
    before = snapshot(net)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NeuroMLExportWarning)
        files = sim.write_files(pynn_uni.common.simulation.current_or_none())
    path.write_bytes(Path(files.network).read_bytes())
    return before


def test_own_files_are_read_in_bulk(in_tmp):
    _exported(in_tmp / "a.nml")
    doc, bulk = read_document(in_tmp / "a.nml")
    net = doc.networks[0]
    assert {("projection", p.id) for p in net.projections} | {
        ("population", p.id) for p in net.populations
    } == set(bulk)
    assert not any(p.connection_wds for p in net.projections)
    assert not any(p.instances for p in net.populations)
    # the pynn_uni properties inside populations stay with libNeuroML
    assert any(p.tag == "pynn_uni:initial:v" for p in net.populations[0].properties)


def _other_layout(match):
    """A connectionWD with its attributes in another order and single quotes."""
    attrs = dict(re.findall(r'(\w+)="([^"]*)"', match[0]))
    return "<connectionWD " + " ".join(f"{k}='{attrs[k]}'" for k in reversed(attrs)) + "/>"


@pytest.mark.parametrize(
    ("rewrite", "left_to_libneuroml"),
    [
        pytest.param(lambda text: re.sub(r"<connectionWD [^>]*/>", _other_layout, text),
                     {"projection"}, id="attribute order and quotes"),
        pytest.param(lambda text: text.replace("<instance ", "<!-- moved -->\n<instance ", 1),
                     {"population"}, id="comment among instances"),
        pytest.param(lambda text: re.sub(r'delay="([0-9.]+)ms"',
                                         lambda m: f'delay="{float(m[1]) / 1000!r} s"', text),
                     set(), id="delays in s"),
    ],
)  # fmt: skip
def test_other_layouts_read_alike(in_tmp, rewrite, left_to_libneuroml):
    before = _exported(in_tmp / "a.nml")
    (in_tmp / "b.nml").write_text(rewrite((in_tmp / "a.nml").read_text()))
    validate_neuroml2(str(in_tmp / "b.nml"))
    doc, bulk = read_document(in_tmp / "b.nml")
    net = doc.networks[0]
    every = {("projection", p.id) for p in net.projections} | {
        ("population", p.id) for p in net.populations
    }
    assert {kind for kind, _ in every - set(bulk)} == left_to_libneuroml
    ref.setup(timestep=0.1)
    after = snapshot(import_from_neuroml(in_tmp / "b.nml", ref))
    if not left_to_libneuroml:  # x / 1000 s read back in ms: not always bit-exact
        for key, rows in before.items():
            if isinstance(key, tuple):
                np.testing.assert_allclose(after[key], rows, rtol=1e-15)
                after[key] = rows
    assert_same(before, after)


def test_blocks_and_windows_split_anywhere(in_tmp, monkeypatch):
    """Written in blocks of 7 elements and scanned in windows of ~1 kB: element by element
    the same network."""
    from pynn_uni.serialization import neuroml_bulk

    monkeypatch.setattr(neuroml_bulk, "BLOCK", 7)
    monkeypatch.setattr(neuroml_bulk, "WINDOW", 1000)
    before = _exported(in_tmp / "a.nml")
    doc, bulk = read_document(in_tmp / "a.nml")
    assert len(bulk) == len(doc.networks[0].projections) + len(doc.networks[0].populations)
    ref.setup(timestep=0.1)
    assert_same(before, snapshot(import_from_neuroml(in_tmp / "a.nml", ref)))
