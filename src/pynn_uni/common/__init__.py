"""The API written once for every backend (PyNN's ``pyNN.common`` path).

``from pynn_uni.common import Connection`` (or ``Population``, ``Projection``, ...) gives
the classes every backend's ``sim`` namespace shares, so ``isinstance(c, common.Connection)``
holds whichever backend made ``c``.  The names load on first access: importing a
sub-module (``pynn_uni.common.units``) does not import the whole layer.
"""

from __future__ import annotations

from importlib import import_module

#: public name -> sub-module of pynn_uni.common that defines it
_EXPORTS = {
    "ID": "ids",
    "BasePopulation": "populations",
    "Population": "populations",
    "PopulationView": "populations",
    "Assembly": "assembly",
    "Projection": "projections",
    "Connection": "projections",
    "create": "procedural",
    "connect": "procedural",
    "set": "procedural",
    "initialize": "procedural",
    "record": "procedural",
    "end": "control",
    "run": "control",
    "run_until": "control",
    "reset": "control",
}
_ALIASES = {"IDMixin": "ID"}  # PyNN's name of the cell-ID base class

__all__ = sorted([*_EXPORTS, *_ALIASES])


def __getattr__(name: str):
    target = _ALIASES.get(name, name)
    if target in _EXPORTS:
        value = getattr(import_module(f"{__name__}.{_EXPORTS[target]}"), target)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
