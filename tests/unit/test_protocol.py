"""Every installed backend against protocol v2 (src/pynn_uni/common/backend.py).

Importing a backend's ``backend`` module imports no simulator, so these run without NEST
or NEURON.  The seam itself (probes, private reads, backend names in common code) is
measured by tools/seam_report.py; here its counts must be zero.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from pynn_uni.common import backend as protocol
from pynn_uni.common.capabilities import load_capabilities

ROOT = Path(__file__).resolve().parents[2]
COMMON = ROOT / "src" / "pynn_uni" / "common"
PROTOCOL_METHODS = {
    name: f for name, f in vars(protocol.Backend).items()
    if callable(f) and not name.startswith("_")
}  # fmt: skip
REGISTERED = {ep.name: ep.value for ep in entry_points(group="pynn_uni.backends")}


def _seam_report():
    spec = importlib.util.spec_from_file_location("seam_report", ROOT / "tools" / "seam_report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _backend_class(package: str):
    module = importlib.import_module(f"{package}.backend")
    classes = [
        c
        for c in vars(module).values()
        if inspect.isclass(c)
        and issubclass(c, protocol.Backend)
        and c.__module__ == module.__name__
    ]
    assert len(classes) == 1, f"{package}.backend must define one Backend subclass, has {classes}"
    return classes[0]


def test_the_reference_backend_is_registered():
    assert REGISTERED.get("reference") == "pynn_uni.testing.reference"
    assert {"nest", "neuron", "hardware"} <= set(REGISTERED)


@pytest.mark.parametrize("name", sorted(REGISTERED))
def test_backend_implements_the_protocol(name):
    cls = _backend_class(REGISTERED[name])
    assert not inspect.isabstract(cls), f"{cls.__name__} leaves {sorted(cls.__abstractmethods__)}"
    assert isinstance(cls.name, str) and cls.name
    assert isinstance(cls.setup_options, frozenset)
    assert {"timestep", "min_delay", "max_delay"} <= cls.setup_options
    for method, declared in PROTOCOL_METHODS.items():
        mine = getattr(cls, method)
        want = inspect.signature(declared).parameters
        got = inspect.signature(mine).parameters
        assert list(got) == list(want), f"{cls.__name__}.{method}{tuple(got)} != {tuple(want)}"
        kinds = [p.kind for p in got.values()]
        assert kinds == [p.kind for p in want.values()], f"{cls.__name__}.{method}: kinds"


@pytest.mark.parametrize("name", sorted(REGISTERED))
def test_backend_declares_capabilities_of_this_protocol(name):
    caps = load_capabilities(name, REGISTERED[name])
    assert caps.path is not None, f"{name} ships no capabilities.toml"
    assert caps.backend_table.get("protocol_version") == protocol.PROTOCOL_VERSION
    assert caps.backend_table.get("name") == name


def _backend_calls() -> set[str]:
    """Every method the common layer calls on a backend object (``….backend.m(...)``)."""
    calls = set()
    for path in COMMON.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                text = ast.unparse(owner)
                if text == "backend" or text.endswith(".backend"):
                    calls.add(node.func.attr)
    return calls


def test_common_layer_calls_only_protocol_methods():
    calls = _backend_calls()
    assert calls, "found no backend calls: the scan is broken"
    assert calls <= set(PROTOCOL_METHODS), sorted(calls - set(PROTOCOL_METHODS))


def test_no_probes_no_private_reads_no_backend_names():
    seam = _seam_report()
    root = ROOT / "src" / "pynn_uni"
    assert seam.probes(root) == []
    assert seam.private_reads(root) == []
    assert seam.backend_names(root) == []


def test_handles_are_opaque_and_specs_are_data():
    """Specs are frozen: a backend cannot change the description through them."""
    side = protocol.Side(ids=[1, 2], members=())
    spec = protocol.PopulationSpec("p", object(), 2)
    for obj, field in ((side, "ids"), (spec, "size")):
        with pytest.raises(AttributeError):
            setattr(obj, field, None)


def test_side_reads_member_parameters_in_side_order():
    """An Assembly side of two members: positions 0-1 from the first (cells 2, 0 of a
    3-cell population), 2 from the second; parameter values follow those cells."""
    import numpy as np

    a = protocol.Member("ha", np.array([2, 0]), None, 3, {"tau": np.array([1.0, 2.0, 3.0])})
    b = protocol.Member("hb", np.array([0]), None, 1, {"tau": 7.0})
    side = protocol.Side(np.array([12, 10, 20]), (a, b))
    assert side.parameter("tau").tolist() == [3.0, 1.0, 7.0]
    assert side.member_of(np.array([0, 1, 2])).tolist() == [0, 0, 1]
    assert side.handles == ("ha", "hb")


def test_index_of_and_lookup():
    import numpy as np

    ids = np.array([5, 3, 9])
    assert protocol.index_of(ids, [9, 5]).tolist() == [2, 0]
    assert protocol.index_of(np.arange(10, 15), [14, 10]).tolist() == [4, 0]
    pos, found = protocol.lookup(ids, [3, 4])
    assert found.tolist() == [True, False] and pos[0] == 1
    pos, found = protocol.lookup(np.empty(0, np.int64), [3])
    assert found.tolist() == [False]
