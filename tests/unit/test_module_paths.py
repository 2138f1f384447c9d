"""PyNN's module paths that scripts import exist in pynn_uni and give the *same* objects
as the ``sim`` namespace (no second copy of any class), without loading a simulator."""

from __future__ import annotations

import subprocess
import sys
import types
import warnings

import numpy as np
import pytest

import pynn_uni.common as common
from pynn_uni.common.connectors import IndexBasedExpression
from pynn_uni.common.models import STANDARD_CELL_TYPES, STANDARD_SYNAPSE_TYPES
from pynn_uni.common.projections import Connection


def test_importing_the_paths_loads_no_simulator():
    code = (
        "import sys\n"
        "import pynn_uni.core, pynn_uni.network, pynn_uni.models, pynn_uni.descriptions\n"
        "import pynn_uni.multisim, pynn_uni.standardmodels.cells, pynn_uni.standardmodels\n"
        "import pynn_uni.utility.script_tools, pynn_uni.utility.timer, pynn_uni.utility.build\n"
        "import pynn_uni.utility.progress_bar, pynn_uni.nest.random, pynn_uni.neuron.random\n"
        "print(sorted({'nest', 'neuron'} & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_common_exports_the_shared_classes():
    assert common.Connection is Connection
    from pynn_uni.common.populations import ID, Population

    assert common.Population is Population and common.IDMixin is ID
    with pytest.raises(AttributeError):
        common.NoSuchThing  # noqa: B018


def test_standardmodels_are_the_declared_models():
    import pynn_uni.standardmodels as sm
    from pynn_uni.standardmodels import cells, electrodes, receptors, synapses

    assert cells.IF_cond_exp is STANDARD_CELL_TYPES["IF_cond_exp"]
    assert synapses.TsodyksMarkramSynapse is STANDARD_SYNAPSE_TYPES["TsodyksMarkramSynapse"]
    assert set(cells.__all__) >= {"IF_curr_exp", "SpikeSourceArray", "LIF", "PointNeuron"}
    assert set(electrodes.__all__) == {
        "ACSource", "DCSource", "NoisyCurrentSource", "StandardCurrentSource", "StepCurrentSource"
    }  # fmt: skip
    assert "CondExpPostSynapticResponse" in receptors.__all__
    assert issubclass(cells.IF_cond_exp, sm.StandardCellType)


def test_models_base_classes():
    from pynn_uni.models import BaseCellType, BaseModelType, BaseSynapseType
    from pynn_uni.standardmodels.cells import IF_curr_exp
    from pynn_uni.standardmodels.synapses import StaticSynapse

    assert issubclass(IF_curr_exp, BaseCellType) and issubclass(IF_curr_exp, BaseModelType)
    assert issubclass(StaticSynapse, BaseSynapseType)


def test_core_helpers():
    from pynn_uni import core

    assert core.IndexBasedExpression is IndexBasedExpression
    assert core.is_listlike([1]) and core.is_listlike(np.zeros(2))
    assert not core.is_listlike(np.float64(1.0)) and not core.is_listlike(iter([1]))
    assert list(core.ezip("ab", "cd", "ef")) == [("a", ("c", "e")), ("b", ("d", "f"))]

    @core.deprecated("new_function()")
    def old_function(x):
        return 2 * x

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert old_function(4) == 8
    assert caught[0].category is DeprecationWarning
    assert "old_function() is deprecated; use new_function()" in str(caught[0].message)
    assert caught[0].filename == __file__  # points at the caller

    with pytest.raises(ValueError, match="bad value, in cell 3"):
        try:
            raise ValueError("bad value")
        except ValueError as err:
            core.reraise(err, ", in cell 3")


def test_utility_submodules_are_what_utility_exports():
    import pynn_uni.utility as utility
    from pynn_uni.utility import build, progress_bar, script_tools, timer

    assert utility.Timer is timer.Timer
    assert utility.SimulationProgressBar is progress_bar.SimulationProgressBar
    assert utility.init_logging is script_tools.init_logging
    assert utility.get_simulator is script_tools.get_simulator
    assert build.find("definitely-not-a-command-xyz") == ""
    status, lines = build.run_command("echo hello; exit 3", ".")
    assert (status, lines[0]) == (3, "hello")


def test_descriptions_render_with_pynn_signature():
    from pynn_uni.descriptions import render

    context = {"label": "exc", "size": 4}
    assert render("default", None, context) is context
    assert render("jinja2", "population_default.txt", context) == "label: exc\nsize: 4"


def test_backend_random_modules_keep_the_whole_random_namespace():
    import pynn_uni.random as random
    from pynn_uni.nest import random as nest_random
    from pynn_uni.neuron import random as neuron_random

    for module in (nest_random, neuron_random):
        for name in random.__all__:
            assert hasattr(module, name), (module.__name__, name)
    assert nest_random.NumpyRNG is random.NumpyRNG
    assert nest_random.NativeRNG is random.NativeRNG
    assert issubclass(neuron_random.NativeRNG, random.NativeRNG)
    assert random.have_gsl is False  # GSLRNG cannot draw in pynn_uni


# -- MultiSim, with two fake backends (the children are forked: no simulator needed) --------


def _fake_backend(name: str, scale: float) -> types.ModuleType:
    module = types.ModuleType(name)
    module.t = 0.0

    def run(simtime):
        module.t += simtime
        return module.t

    module.run = run
    module.scale = scale
    sys.modules[name] = module
    return module


class _Model:
    def __init__(self, sim, parameters):
        self.sim, self.value = sim, parameters["value"] * sim.scale

    def result(self, extra=0.0):
        return (self.value + extra, self.sim.t)

    def fail(self):
        raise KeyError("no such thing")

    def unpicklable(self):
        return lambda: None


@pytest.mark.skipif(sys.platform == "win32", reason="forks the test process")
def test_multisim_broadcasts_calls_and_collects_results():
    from pynn_uni.multisim import MultiSim, MultiSimError

    a, b = _fake_backend("fake_sim_a", 1.0), _fake_backend("fake_sim_b", 10.0)
    with MultiSim([a, "fake_sim_b"], _Model, {"value": 2.0}, context="fork") as ms:
        assert ms.run(30.0, steps=3) == {"fake_sim_a": 30.0, "fake_sim_b": 30.0}
        assert ms.result(extra=1.0) == {"fake_sim_a": (3.0, 30.0), "fake_sim_b": (21.0, 30.0)}
        assert ms.sim_call("run", 5.0) == {"fake_sim_a": 35.0, "fake_sim_b": 35.0}
        with pytest.raises(MultiSimError, match="fake_sim_a: network.fail"):
            ms.fail()
        with pytest.raises(MultiSimError, match="cannot be sent between processes"):
            ms.unpicklable()
        assert ms.result() == {"fake_sim_a": (2.0, 35.0), "fake_sim_b": (20.0, 35.0)}
    assert all(p.exitcode == 0 for p in ms)
    assert a.t == b.t == 0.0  # the copies ran in their own processes
