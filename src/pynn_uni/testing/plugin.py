"""pytest plugin that runs the conformance scenarios over every installed backend.

Loaded through the ``pytest11`` entry point (or ``-p pynn_uni.testing.plugin``).  It adds

* ``--backend NAME`` (repeatable, or comma separated); default: every backend registered in
  the ``pynn_uni.backends`` entry-point group, else the ``pynn_uni`` sub-packages found on
  disk (an uninstalled source checkout);
* fixtures ``backend_name``, ``capabilities``, ``sim`` (the backend module after
  ``setup(timestep=0.1, **extra)``, where ``extra`` is the optional ``[conformance] setup``
  table of the backend's ``capabilities.toml``; ``end()`` afterwards) and ``tolerance``;
* markers ``requires(*features)`` and ``model(*names)``, checked against the backend's
  ``capabilities.toml``: an unmet requirement skips, citing the file.  Nothing else
  skips: an undeclared ``NotImplementedError`` is a failure.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import pytest
import tomllib

from pynn_uni.common.capabilities import Capabilities, capabilities_path, load_capabilities

pytest.register_assert_rewrite("pynn_uni.testing.scenarios")

#: timestep (ms) every scenario starts with
TIMESTEP = 0.1

#: backend name -> module, decided once per session in pytest_configure
_MODULES = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pynn_uni", "pynn_uni conformance suite")
    group.addoption(
        "--backend",
        action="append",
        default=[],
        metavar="NAME",
        help="pynn_uni backend to test (repeatable; default: every installed backend)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "requires(*features): skip unless the backend declares each feature as true in "
        "the [features] table of its capabilities.toml",
    )
    config.addinivalue_line(
        "markers",
        "model(*names): skip unless the backend declares each cell type, synapse type or "
        "current source in its capabilities.toml",
    )
    config.stash[_MODULES] = backend_modules(config)  # an unknown --backend stops here


# -- which backends ---------------------------------------------------------------------
def _registered() -> dict[str, str]:
    """name -> module of the backends registered through entry points."""
    from importlib.metadata import entry_points

    return {ep.name: ep.value.split(":")[0] for ep in entry_points(group="pynn_uni.backends")}


def _on_disk() -> dict[str, str]:
    """Backends of an uninstalled checkout: pynn_uni sub-packages with a capabilities file,
    plus ``nest``, the reference backend, whenever its package is present."""
    found = {}
    spec = importlib.util.find_spec("pynn_uni")
    for folder in spec.submodule_search_locations or []:
        for sub in sorted(Path(folder).iterdir()):
            if (sub / "capabilities.toml").is_file():
                found[sub.name] = f"pynn_uni.{sub.name}"
    if importlib.util.find_spec("pynn_uni.nest") is not None:
        found.setdefault("nest", "pynn_uni.nest")
    return found


def backend_modules(config: pytest.Config) -> dict[str, str]:
    """name -> module of the backends this session tests."""
    known = _registered() or _on_disk()
    chosen = [n.strip() for opt in config.getoption("backend") for n in opt.split(",")]
    if not chosen:
        return dict(sorted(known.items()))
    modules = {n: known.get(n, f"pynn_uni.{n}") for n in chosen if n}
    unknown = [n for n, m in modules.items() if importlib.util.find_spec(m) is None]
    if unknown:
        raise pytest.UsageError(
            f"--backend: no pynn_uni backend {', '.join(unknown)} (found: {', '.join(known)})"
        )
    return modules


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend_name" not in metafunc.fixturenames:
        return
    names = list(metafunc.config.stash[_MODULES])
    if names:
        metafunc.parametrize("backend_name", names, ids=names)
    else:
        reason = "no pynn_uni backend installed: pip install pynn_uni[nest]"
        metafunc.parametrize("backend_name", [pytest.param(None, marks=pytest.mark.skip(reason))])


# -- fixtures ---------------------------------------------------------------------------
def _module(config: pytest.Config, backend_name: str) -> str:
    return config.stash[_MODULES][backend_name]


@pytest.fixture
def capabilities(request: pytest.FixtureRequest, backend_name: str) -> Capabilities:
    return load_capabilities(backend_name, _module(request.config, backend_name))


@pytest.fixture
def tolerance(capabilities: Capabilities) -> dict[str, float]:
    """The backend's tolerances (``[tolerances]``) over the suite's defaults."""
    return capabilities.tolerance()


def skip_reason(node: pytest.Item, caps: Capabilities) -> str | None:
    """Why ``node`` cannot run on this backend, from its requires/model markers."""
    for mark in node.iter_markers("requires"):
        for feature in mark.args:
            reason = caps.missing_feature_reason(feature)
            if reason:
                return reason
    for mark in node.iter_markers("model"):
        for name in mark.args:
            reason = caps.missing_component_reason(name)
            if reason:
                return reason
    return None


def _simulator_missing(exc: ImportError) -> bool:
    """True when the import failed on the simulator itself, not on pynn_uni's own code."""
    name = exc.name or ""
    return not (name == "pynn_uni" or name.startswith("pynn_uni."))


def _skip_uninstalled(backend_name: str, exc: ImportError) -> None:
    pytest.skip(f"{backend_name}: {exc}; install it with pip install pynn_uni[{backend_name}]")


def import_backend(backend_name: str, module_name: str):
    """Import the backend module; skip with an install hint if its simulator is absent."""
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        if _simulator_missing(exc) and exc.name != module_name:
            _skip_uninstalled(backend_name, exc)
        raise


def conformance_setup(caps: Capabilities) -> dict:
    """Backend-specific ``setup()`` arguments for the suite: ``[conformance] setup = {...}``
    in capabilities.toml (e.g. a chip's relaxed readout limit), ``{}`` when absent."""
    if caps.path is None:
        return {}
    with caps.path.open("rb") as f:
        extra = tomllib.load(f).get("conformance", {}).get("setup", {})
    if not isinstance(extra, dict) or "timestep" in extra:
        raise ValueError(f"{caps.path}: [conformance] setup must be a table without timestep")
    return extra


@pytest.fixture
def sim(request: pytest.FixtureRequest, backend_name: str, capabilities: Capabilities):
    """The backend's ``sim`` namespace, freshly ``setup(timestep=0.1, **extra)`` (see
    :func:`conformance_setup`); ``end()`` after."""
    reason = skip_reason(request.node, capabilities)
    if reason:
        pytest.skip(reason)
    module = import_backend(backend_name, _module(request.config, backend_name))
    try:
        module.setup(timestep=TIMESTEP, **conformance_setup(capabilities))
    except ImportError as exc:
        if not _simulator_missing(exc):
            raise
        _skip_uninstalled(backend_name, exc)
    yield module
    module.end()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Say plainly why an undeclared NotImplementedError fails rather than skips."""
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is not None and call.excinfo.errisinstance(NotImplementedError):
        callspec = getattr(item, "callspec", None)
        name = callspec.params.get("backend_name") if callspec else None
        if name is not None:
            where = capabilities_path(_module(item.config, name))
            report.sections.append(
                (
                    "pynn_uni",
                    f"backend {name!r} raised NotImplementedError for something its "
                    f"capabilities ({where}) declare or the test does not mark: implement "
                    "it, or leave it undeclared so that the test skips.",
                )
            )
