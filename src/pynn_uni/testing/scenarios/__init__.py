"""The conformance scenarios: plain pytest test functions over the ``sim`` fixture.

A test suite runs them all with two lines (``tests/test_conformance.py`` does exactly this)::

    from pynn_uni.testing.scenarios import scenario_tests
    globals().update(scenario_tests())
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

#: the scenario modules, in the order their tests are collected
MODULES = (
    "honesty",
    "neurons",
    "recording",
    "control",
    "connectivity",
    "connectors",
    "plasticity",
    "sources",
    "errors",
)


def scenario_tests() -> dict[str, Callable]:
    """Every ``test_*`` function of the scenario modules, by name (names are unique).

    Each function carries its module's name as an attribute, which pytest adds to the
    test's keywords: ``-k connectivity`` selects that module's scenarios."""
    tests: dict[str, Callable] = {}
    for name in MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        marks = getattr(module, "pytestmark", [])  # module-level marks travel with the tests
        marks = marks if isinstance(marks, list) else [marks]
        for attr, obj in vars(module).items():
            if attr.startswith("test_") and callable(obj):
                if attr in tests:
                    raise RuntimeError(f"scenario {attr!r} is defined in two modules")
                for mark in marks:
                    obj = mark(obj)
                setattr(obj, name, True)
                tests[attr] = obj
    return tests
