"""Measure the seam between the common layer and the backends, in the source tree it runs on.

    python tools/seam_report.py            # this checkout (PYTHONPATH decides which tree)
    PYTHONPATH=/path/to/other/src python tools/seam_report.py

Reports, per backend class: its public methods, how many are protocol methods with the
protocol's signature, and which are extra; then the `getattr`/`hasattr` probes the common
layer makes on a backend, the private attributes of common objects that backend packages
read, backend names in common code (imports and string literals outside docstrings), and
function-level imports in common/ (each one a cycle dodged or a lazy import).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
from pathlib import Path

BACKENDS = {"nest": "NestBackend", "neuron": "NeuronBackend", "hardware": "HardwareBackend",
            "testing.reference": "ReferenceBackend"}  # fmt: skip
PUBLIC_PRIVATE = {"_cell"}  # PyNN's own convention: ID._cell is the native cell


def _protocol():
    base = importlib.import_module("pynn_uni.common.backend").Backend
    own = {n: f for n, f in vars(base).items() if callable(f) and not n.startswith("_")}
    return base, own


def _methods(cls) -> dict:
    out = {}
    for klass in cls.__mro__:
        if klass.__module__.startswith("pynn_uni.common") or klass is object:
            continue
        for name, f in vars(klass).items():
            if callable(f) and not name.startswith("_") and name not in out:
                out[name] = f
    return out


def _params(f) -> list[str]:
    return [p for p in inspect.signature(f).parameters if p != "self"]


def backend_table() -> list[tuple]:
    _, protocol = _protocol()
    rows = []
    for package, cls_name in BACKENDS.items():
        try:
            cls = getattr(importlib.import_module(f"pynn_uni.{package}.backend"), cls_name)
        except (ImportError, AttributeError):
            continue
        methods = _methods(cls)
        matching = [
            n for n in methods if n in protocol and _params(methods[n]) == _params(protocol[n])
        ]
        extra = sorted(n for n in methods if n not in protocol)
        rows.append((package, len(methods), len(matching), extra))
    return rows


def _sources(root: Path, sub: str):
    for path in sorted((root / sub).rglob("*.py")):
        yield path, ast.parse(path.read_text(), str(path))


def _docstring_nodes(tree) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def probes(root: Path) -> list[str]:
    found = []
    for path, tree in _sources(root, "common"):
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("getattr", "hasattr") and node.args
                    and "backend" in ast.unparse(node.args[0])):  # fmt: skip
                found.append(f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node)}")
    return found


def _common_private_names(root: Path) -> set[str]:
    names = set()
    for _, tree in _sources(root, "common"):
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith(
                "_"
            ):
                names.add(node.name)
            elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
                  and isinstance(node.value, ast.Name) and node.value.id == "self"):  # fmt: skip
                names.add(node.attr)
    return {n for n in names if n.startswith("_") and not n.startswith("__")} - PUBLIC_PRIVATE


def private_reads(root: Path) -> list[str]:
    private = _common_private_names(root)
    found = []
    for package in BACKENDS:
        folder = root / package.replace(".", "/")
        if not folder.is_dir():
            continue
        for path, tree in _sources(root, package.replace(".", "/")):
            for node in ast.walk(tree):
                if not isinstance(node, ast.Attribute) or node.attr not in private:
                    continue
                if not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                    found.append(f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node)}")
    return found


def backend_names(root: Path) -> list[str]:
    names = {p.split(".")[-1] for p in BACKENDS}
    found = []
    for path, tree in _sources(root, "common"):
        docs = _docstring_nodes(tree)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                modules = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                if any(
                    m.split(".")[1:2] and m.split(".")[1] in names
                    for m in modules
                    if m.startswith("pynn_uni.")
                ):
                    found.append(f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node)}")
            elif isinstance(node, ast.Compare):  # branching on a backend's name
                for c in [node.left, *node.comparators]:
                    if (isinstance(c, ast.Constant) and isinstance(c.value, str)
                            and id(c) not in docs and c.value.lower() in names):  # fmt: skip
                        found.append(f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node)}")
    return found


def local_imports(root: Path) -> list[str]:
    found = []
    for path, tree in _sources(root, "common"):
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(fn):
                    if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                        "pynn_uni"
                    ):
                        found.append(f"{path.relative_to(root)}:{node.lineno}: from {node.module}")
    return found


def main() -> int:
    import pynn_uni

    root = Path(pynn_uni.__file__).resolve().parent
    print(f"seam of {root}")
    _, protocol = _protocol()
    print(f"protocol methods: {len(protocol)}")
    print(f"{'backend':<18}{'public methods':>15}{'protocol-exact':>16}  extra")
    for package, n, exact, extra in backend_table():
        print(f"{package:<18}{n:>15}{exact:>16}  {', '.join(extra) or '-'}")
    sections = {
        "getattr/hasattr probes on a backend in common/": probes(root),
        "private attributes of common objects read by backends": private_reads(root),
        "backend names in common/ (imports, comparisons)": backend_names(root),
        "function-level pynn_uni imports in common/": local_imports(root),
    }
    for title, items in sections.items():
        print(f"\n{title}: {len(items)}")
        for item in items:
            print(f"  {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
