"""No import cycles in ``sim`` at run time (issue 10, item 5).

Builds the import graph of the package from the source (``ast``): every ``import`` and
``from … import`` inside ``sim``, at any level — module top, class bodies and inside
functions, because a function-level import runs at run time too. Only imports guarded by
``if TYPE_CHECKING:`` are left out (they never run). ``importlib.import_module`` is an import
too: a module that calls it has an edge to every module of the package it names in a string
(``sim.cli``'s ``COMMAND_MODULES``). An edge ``a → b`` means module ``a``
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


def dynamic_imports(tree: ast.AST, modules: set[str]) -> set[str]:
    """Modules a module may load with ``importlib.import_module``: those its strings name."""
    calls = any(isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
        or (isinstance(node.func, ast.Name) and node.func.id == "import_module"))
        for node in ast.walk(tree))
    if not calls:
        return set()
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in modules}


def import_graph() -> nx.DiGraph:
    """The run-time import graph of ``sim`` (edges between modules of the package only)."""
    files = {module_name(p): p for p in ROOT.rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(files)
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for target in dynamic_imports(tree, set(files)) - {name}:
            graph.add_edge(name, target)
        for node in run_time_imports(tree):
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


def test_the_graph_counts_import_module():
    assert import_graph().has_edge("sim.cli", "sim.experiments.sweep")  # COMMAND_MODULES


def cycles_of(graph: nx.DiGraph) -> list[str]:
    """Each cycle of the graph, as ``a → b → … → a`` (one per strongly connected part)."""
    out = []
    for comp in nx.strongly_connected_components(graph):
        if len(comp) > 1:
            cycle = nx.find_cycle(graph.subgraph(comp))
            out.append(" → ".join([a for a, _ in cycle] + [cycle[0][0]]))
    return out


def test_no_import_cycles_at_run_time():
    graph = import_graph()
    cycles = cycles_of(graph)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
