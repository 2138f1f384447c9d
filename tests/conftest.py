"""Activate the pynn_uni pytest plugin for this test tree.

Installed packages load it through the ``pytest11`` entry point, and ``-p
pynn_uni.testing.plugin`` loads it too; registering it a second time under another name
would make pytest fail, so it is declared here only when neither happened (a source
checkout run with ``PYTHONPATH=src``, or ``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1``).
"""

import os
import sys
from pathlib import Path

# NEST's OpenMP workers busy-wait between time slices by default; on a small shared CI box
# (two cores here) that starves everything else and made a threads=2 test 40x slower.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

try:
    import pynn_uni  # noqa: F401
except ModuleNotFoundError:  # an uninstalled checkout run without PYTHONPATH=src
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

if "pynn_uni.testing.plugin" not in sys.modules:
    pytest_plugins = ["pynn_uni.testing.plugin"]
