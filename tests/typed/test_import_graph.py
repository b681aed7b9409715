"""ivsrt's modules import each other in one direction: no cycles, type-only imports included.

The graph is read from the source (every ``import`` and ``from ... import``, also those under
``if TYPE_CHECKING:``), so a cycle that only exists for type checkers is caught too.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import ivsrt

ROOT = Path(ivsrt.__file__).parent
ALL = {
    ".".join(("ivsrt", *p.relative_to(ROOT).with_suffix("").parts)).removesuffix(".__init__"): p
    for p in sorted(ROOT.rglob("*.py"))
}
# The SDK's layers; the emulator (a separate program that ships alongside) is being split into
# modules and gets its own check then.
MODULES = {name: path for name, path in ALL.items() if not name.startswith("ivsrt.emulator")}


def _imports(name: str, path: Path) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycle() -> list[str] | None:
    """One import cycle among ivsrt's modules, package ``__init__`` re-exports left out (a
    package importing its own submodules to re-export them is not a cycle of the layers)."""
    graph = {
        name: {
            m for m in deps if not (name.startswith(m + ".") and MODULES[m].name == "__init__.py")
        }
        for name, deps in GRAPH.items()
    }
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for name in sorted(graph):
        if name not in state and (found := visit(name)):
            return found
    return None


def test_no_import_cycles() -> None:
    assert _cycle() is None, " -> ".join(_cycle() or [])


def test_the_graph_check_sees_a_cycle() -> None:
    """The check itself: a cycle added to the graph is reported."""
    GRAPH["ivsrt._runtime.spec"].add("ivsrt.client")
    try:
        assert _cycle() is not None
    finally:
        GRAPH["ivsrt._runtime.spec"].discard("ivsrt.client")


def test_operation_spec_is_a_leaf() -> None:
    assert GRAPH["ivsrt._runtime.spec"] == set()


def test_the_pipeline_does_not_know_the_client() -> None:
    assert "ivsrt.client" not in GRAPH["ivsrt._runtime.pipeline"]
    assert not any(m.startswith("ivsrt.resources") for m in GRAPH["ivsrt._runtime.pipeline"])


@pytest.mark.parametrize(
    "module",
    [m for m in MODULES if m.startswith("ivsrt._runtime") or m in ("ivsrt.retry", "ivsrt.client")],
)
def test_each_module_imports_fresh(module: str) -> None:
    """Imported first, in a fresh interpreter, each module loads (no order it depends on)."""
    code = f"import importlib; importlib.import_module({module!r})"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert importlib.import_module(module) is not None
