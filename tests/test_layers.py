"""The layers of DESIGN.md hold: torch only in adapters/ (and the lrscope.torch facade),
optuna only in hpsearch/, and imports inside the package only go downward."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "src" / "lrscope"

# framework -> the parts of the package allowed to import it (anywhere in the file)
ALLOWED = {
    "torch": ("adapters/", "torch.py", "demo/"),
    "optuna": ("hpsearch/",),
    "keras": ("adapters/",),
    "lightning": ("adapters/",),
    "transformers": ("adapters/",),
    "accelerate": ("adapters/",),
}
# the numpy-only core must not reach up into the layers above it
CORE = ("schedules/", "analysis/", "runner.py", "task.py", "_validate.py", "errors.py", "_json.py")
ABOVE_CORE = ("lrscope.adapters", "lrscope.hpsearch", "lrscope.report", "lrscope.web", "lrscope.cli",
              "lrscope._cli", "lrscope.torch", "lrscope.demo")


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
    bad = [f"{rel}:{line} imports {mod}" for mod, line in _imports(path) if mod.startswith(ABOVE_CORE)]
    assert not bad, "; ".join(bad)


def test_the_checker_resolves_relative_imports_and_sees_violations():
    src = "import numpy\nfrom torch import nn\nfrom ..adapters import demo_tasks\nfrom . import smoothing\n"
    mods = [m for m, _ in _imports_in(src, "analysis/x.py")]
    assert mods == ["numpy", "torch", "lrscope.adapters", "lrscope.analysis.smoothing"]


def _module_graph() -> dict[str, set[str]]:
    """lrscope module -> the lrscope modules it imports (anywhere in the file, lazy imports too)."""
    mods = {}
    for f in FILES:
        name = ".".join(("lrscope",) + f.relative_to(PKG).with_suffix("").parts)
        mods[name[: -len(".__init__")] if name.endswith(".__init__") else name] = f
    graph = {}
    for name, f in mods.items():
        out = set()
        for mod, _ in _imports(f):
            while mod and mod not in mods:        # `from pkg import name`: the module, else its package
                mod = mod.rsplit(".", 1)[0] if "." in mod else ""
            if mod.startswith("lrscope") and mod != name:
                out.add(mod)
        graph[name] = out
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_there_are_no_import_cycles():
    assert _cycles(_module_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
