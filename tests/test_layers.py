"""The layers of DESIGN.md hold: torch only in adapters/ (and the lrscope.torch facade),
optuna only in hpsearch/, and imports inside the package only go downward."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "src" / "lrscope"

# framework -> the parts of the package allowed to import it (anywhere in the file)
ALLOWED = {
    "torch": ("adapters/", "torch.py"),
    "optuna": ("hpsearch/",),
    "keras": ("adapters/",),
    "lightning": ("adapters/",),
}
# the numpy-only core must not reach up into the layers above it
CORE = ("schedules/", "analysis/", "runner.py", "task.py", "_validate.py", "errors.py", "_json.py")
ABOVE_CORE = ("lrscope.adapters", "lrscope.hpsearch", "lrscope.report", "lrscope.web", "lrscope.cli",
              "lrscope._cli", "lrscope.torch")


def _imports(path: Path):
    """(absolute module name, line) for every import in a file, relative ones resolved."""
    return _imports_in(path.read_text(encoding="utf-8"), str(path.relative_to(PKG)))


def _imports_in(source: str, rel: str):
    tree = ast.parse(source)
    package = ".".join(("lrscope",) + Path(rel).parent.parts)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
                if node.module is None:  # from . import x
                    for alias in node.names:
                        yield f"{mod}.{alias.name}", node.lineno
                    continue
                yield mod, node.lineno
            else:
                yield node.module or "", node.lineno


FILES = sorted(PKG.rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(PKG)) for p in FILES])
def test_frameworks_are_imported_only_in_their_layer(path):
    rel = str(path.relative_to(PKG))
    bad = []
    for mod, line in _imports(path):
        top = mod.split(".")[0]
        if top in ALLOWED and not rel.startswith(ALLOWED[top]):
            bad.append(f"{rel}:{line} imports {mod}")
    assert not bad, "framework imported outside its layer: " + "; ".join(bad)


@pytest.mark.parametrize("path", [p for p in FILES if str(p.relative_to(PKG)).startswith(CORE)],
                         ids=lambda p: str(p.relative_to(PKG)))
def test_the_core_does_not_import_upward(path):
    rel = str(path.relative_to(PKG))
    bad = [f"{rel}:{line} imports {mod}" for mod, line in _imports(path)
           if mod.startswith(ABOVE_CORE)
           and not (rel == "task.py" and mod == "lrscope.adapters")]  # demo: tasks, imported lazily
    assert not bad, "; ".join(bad)


def test_the_checker_resolves_relative_imports_and_sees_violations():
    src = "import numpy\nfrom torch import nn\nfrom ..adapters import demo_tasks\nfrom . import smoothing\n"
    mods = [m for m, _ in _imports_in(src, "analysis/x.py")]
    assert mods == ["numpy", "torch", "lrscope.adapters", "lrscope.analysis.smoothing"]
