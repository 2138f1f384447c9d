"""The documentation builds with Sphinx without a single warning (broken cross-references,
missing pages in the toctree, autodoc import failures all fail this test)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx", reason="pip install pynn_uni[docs]")
pytest.importorskip("myst_parser", reason="pip install pynn_uni[docs]")
DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_docs_build_without_warnings(tmp_path):
    env = {**os.environ, "PYNN_UNI_DOCS_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(DOCS), str(tmp_path / "html")],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-5000:]
    assert (tmp_path / "html" / "neuron.html").stat().st_size > 0
    assert (tmp_path / "html" / "api" / "common.html").stat().st_size > 0
