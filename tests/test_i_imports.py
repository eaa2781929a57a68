"""No import cycles in ``sim`` at run time (issue 10, item 5).

Builds the import graph of the package from the source (``ast``): every ``import`` and
``from … import`` inside ``sim``, at any level — module top, class bodies and inside
functions, because a function-level import runs at run time too. Only imports guarded by
``if TYPE_CHECKING:`` are left out (they never run). An edge ``a → b`` means module ``a``
imports module ``b``; ``from sim.x import y`` is an edge to ``sim.x.y`` when that is a module
of the package, else to ``sim.x``. Importing a submodule also runs its parent package's
``__init__``, but that runs *before* the submodule and is not an import *of* the submodule, so
it is not an edge (otherwise every package would be a cycle with its own submodules).

The acceptance of the issue: no module imports another that, directly or through others,
imports it back.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1] / "sim"


def module_name(path: Path) -> str:
    """Dotted module name of a file of the package."""
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_type_checking(test: ast.expr) -> bool:
    """Whether an ``if`` test is ``TYPE_CHECKING`` or ``typing.TYPE_CHECKING``."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def run_time_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement of a module that can run (not under ``if TYPE_CHECKING``)."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph() -> nx.DiGraph:
    """The run-time import graph of ``sim`` (edges between modules of the package only)."""
    files = {module_name(p): p for p in ROOT.rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(files)
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        for node in run_time_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                if node.level:
                    base = package.split(".")
                    base = base[:len(base) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                targets = [f"{target}.{alias.name}" if f"{target}.{alias.name}" in files
                           else target for alias in node.names]
            for target in targets:
                while target and target not in files:  # `import sim.a.b` names a module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph.add_edge(name, target)
    return graph


def test_the_graph_sees_the_package():
    graph = import_graph()
    assert "sim.model" in graph and "sim.config" in graph
    assert graph.has_edge("sim.model", "sim.config")
    assert graph.number_of_edges() > 50


def test_the_graph_counts_function_level_imports_and_skips_type_checking():
    source = ("from typing import TYPE_CHECKING\n"
              "if TYPE_CHECKING:\n    import sim.model\n"
              "def f():\n    from sim import config\n")
    names = [n.module or n.names[0].name for n in run_time_imports(ast.parse(source))]
    assert names == ["typing", "sim"]


KNOWN_ELSEWHERE: set[frozenset[str]] = {
    # Being reworked under issue 10.3 (one experiment engine) by its owner; the fixes are in
    # the issue-10 report: analyze's ANALYSIS_PATTERNS move to storage (or a constants
    # module), and report and compare stop importing each other.
    frozenset({"sim", "sim.cli", "sim.experiments.analyze", "sim.experiments.storage"}),
    frozenset({"sim.experiments.compare", "sim.experiments.report"}),
}
"""Cycles among modules owned elsewhere, known and reported; any other cycle fails. Remove an
entry once its cycle is gone (the test says so)."""


def test_no_import_cycles_at_run_time():
    graph = import_graph()
    components = [frozenset(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    cycles = [sorted(c) for c in components if c not in KNOWN_ELSEWHERE]
    detail = []
    for comp in cycles:
        cycle = nx.find_cycle(graph.subgraph(comp))
        detail.append(" → ".join([a for a, _ in cycle] + [cycle[0][0]]))
    assert not cycles, "import cycles:\n" + "\n".join(detail)


def test_known_cycles_are_not_stale():
    """An allowed cycle that no longer exists is removed from :data:`KNOWN_ELSEWHERE`."""
    graph = import_graph()
    components = {frozenset(c) for c in nx.strongly_connected_components(graph) if len(c) > 1}
    stale = [sorted(c) for c in KNOWN_ELSEWHERE if c not in components]
    if stale:
        pytest.fail(f"these cycles are gone; delete them from KNOWN_ELSEWHERE: {stale}")
