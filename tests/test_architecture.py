"""The package's layers, checked from its source: no import cycles, and dependencies point inward.

Imports are read with `ast`, so this sees what runs: module-level imports (the ones that can
form a cycle at import time) and imports inside functions (which still must respect the
layers). Imports under `if TYPE_CHECKING:` are type-only and never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "odyssey_dsl"

# Inner layers first; a module may import from its own layer and the layers listed before it.
LAYERS: list[tuple[str, ...]] = [
    ("odyssey_dsl.__about__",),
    ("odyssey_dsl.diagnostics.catalogue", "odyssey_dsl.diagnostics"),
    ("odyssey_dsl.syntax",),
    ("odyssey_dsl.semantics",),
    ("odyssey_dsl.timeline",),
    ("odyssey_dsl.emit",),
    (
        "odyssey_dsl.diagnostics.render",
        "odyssey_dsl.diagnostics.docs",
        "odyssey_dsl.diagnostics.selection",
        "odyssey_dsl.diagnostics.suppression",
        "odyssey_dsl.diagnostics.sarif",
    ),
    # The formatter checks its output with the compiler; the package root loads it lazily.
    ("odyssey_dsl.compiler", "odyssey_dsl", "odyssey_dsl.fmt"),
]
OUTER = (
    "odyssey_dsl.client",
    "odyssey_dsl.emulator",
    "odyssey_dsl.cli",
    "odyssey_dsl.config",
    "odyssey_dsl.api",
    "odyssey_dsl.__main__",
    "odyssey_dsl.files",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module, module: str, *, top_level_only: bool) -> set[str]:
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and _is_type_checking(node):
                visit(node.orelse)
                continue
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module is not None:
                base = node.module
                if node.level:
                    package = module.split(".")[: -node.level or None]
                    base = ".".join([*package, node.module])
                # `from package import submodule` depends on the submodule, not on the
                # package's `__init__` (which every submodule's import runs anyway).
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    found.add(submodule if submodule in MODULES else base)
            elif top_level_only and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, field, None)
                if isinstance(children, list) and children and isinstance(children[0], ast.AST):
                    visit([c for c in children if isinstance(c, ast.stmt)])
                    for handler in children:
                        if isinstance(handler, ast.ExceptHandler):
                            visit(handler.body)

    visit(tree.body)
    return {name for name in found if name.startswith("odyssey_dsl")}


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _graph(*, top_level_only: bool) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        raw = _imports(tree, name, top_level_only=top_level_only)
        graph[name] = {dep for dep in raw if dep in MODULES and dep != name}
    return graph


def _layer(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (length of the matching prefix, layer)
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and (best is None or len(prefix) > best[0]):
                best = (len(prefix), index)
    return None if best is None else best[1]


def test_the_module_level_imports_have_no_cycle() -> None:
    graph = _graph(top_level_only=True)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycle = [*stack[stack.index(dep) :], dep]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_the_language_core_never_imports_an_outer_layer() -> None:
    graph = _graph(top_level_only=False)
    wrong = [
        f"{module} imports {dep}"
        for module, deps in graph.items()
        if not module.startswith(OUTER)
        for dep in deps
        if dep.startswith(OUTER)
    ]
    assert wrong == []


def test_each_core_layer_imports_only_itself_and_the_layers_inside_it() -> None:
    graph = _graph(top_level_only=False)
    wrong = []
    for module, deps in graph.items():
        layer = _layer(module)
        if layer is None or module.startswith(OUTER):
            continue
        for dep in deps:
            dep_layer = _layer(dep)
            if dep_layer is not None and dep_layer > layer and dep != "odyssey_dsl":
                wrong.append(f"{module} (layer {layer}) imports {dep} (layer {dep_layer})")
    assert wrong == []


def test_the_import_reader_sees_imports_and_skips_type_only_ones() -> None:
    """The graph the other tests search is not empty by mistake."""
    a = ast.parse("from odyssey_dsl.syntax import parser\n")
    b = ast.parse("import odyssey_dsl.syntax.text\n")
    assert "odyssey_dsl.syntax.parser" in _imports(a, "odyssey_dsl.syntax.x", top_level_only=True)
    assert "odyssey_dsl.syntax.text" in _imports(b, "odyssey_dsl.syntax.y", top_level_only=True)
    guarded = ast.parse("if TYPE_CHECKING:\n    from odyssey_dsl.cli import main\n")
    assert _imports(guarded, "odyssey_dsl.syntax.a", top_level_only=True) == set()
