"""Sphinx configuration: the markdown pages (via myst-parser) plus autodoc API pages.

Build with ``pip install pynn_uni[docs]`` then ``sphinx-build docs docs/_build/html``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))  # uninstalled checkout

import pynn_uni  # noqa: E402

project = "pynn_uni"
author = "pynn_uni developers"
release = pynn_uni.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx.ext.intersphinx",
]
try:  # the markdown pages need myst-parser; without it only the API pages build
    import myst_parser  # noqa: F401

    extensions.append("myst_parser")
    source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
except ImportError:
    source_suffix = {".rst": "restructuredtext"}

myst_heading_anchors = 3
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
# simulators that may be missing on a docs builder: their backends still document
autodoc_mock_imports = ["nest", "neuron"]
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
    "neo": ("https://neo.readthedocs.io/en/latest", None),
}
if os.environ.get("PYNN_UNI_DOCS_OFFLINE"):  # tests/test_docs.py: no network on CI
    intersphinx_mapping = {}
html_theme = "alabaster"
html_title = f"pynn_uni {release}"
suppress_warnings = ["myst.xref_missing"]
