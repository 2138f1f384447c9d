"""Run an unchanged PyNN script on pynn_uni: ``import pyNN.X`` gives ``pynn_uni.X``.

``python -m pynn_uni.pynn_alias script.py [args...]`` runs ``script.py`` as ``__main__`` with
the alias installed; ``install()`` does the same inside a running interpreter (the
compatibility harness loads it into pytest with ``-p pynn_uni.pynn_alias``).

The alias is an import hook, not a copy of modules: ``pyNN.nest`` *is* ``pynn_uni.nest``
(same module object), so ``isinstance`` checks and module globals behave as in one package.
A PyNN module path that pynn_uni does not provide fails with the usual
``ModuleNotFoundError`` naming the ``pyNN`` path.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import runpy
import sys

ALIAS = "pyNN"
TARGET = "pynn_uni"


def _target_name(fullname: str) -> str:
    return TARGET + fullname[len(ALIAS) :]


class _AliasLoader(importlib.abc.Loader):
    """Hands the already imported pynn_uni module to the import system unchanged."""

    def __init__(self, module):
        self._module = module
        self._spec = module.__spec__

    def create_module(self, spec):
        return self._module

    def exec_module(self, module):
        # the import system stamped the alias spec on the module; give it its own back
        module.__spec__ = self._spec


class PyNNAliasFinder(importlib.abc.MetaPathFinder):
    """Meta-path finder mapping ``pyNN`` and ``pyNN.*`` onto ``pynn_uni`` and ``pynn_uni.*``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != ALIAS and not fullname.startswith(ALIAS + "."):
            return None
        try:
            module = importlib.import_module(_target_name(fullname))
        except ModuleNotFoundError as err:
            if (
                err.name
                and err.name.startswith(TARGET)
                and _target_name(fullname).startswith(err.name)
            ):
                return None  # no such pynn_uni module: ordinary "No module named pyNN.X"
            raise
        is_package = hasattr(module, "__path__")
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(module), is_package=is_package)


def install() -> None:
    """Install the alias once; later calls do nothing."""
    if not any(isinstance(f, PyNNAliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, PyNNAliasFinder())


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        raise SystemExit("usage: python -m pynn_uni.pynn_alias SCRIPT.py [ARGS...]")
    install()
    sys.argv = argv
    runpy.run_path(argv[0], run_name="__main__")


install()  # importing the module (e.g. as a pytest plugin) is enough

if __name__ == "__main__":
    main()
