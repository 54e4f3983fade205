"""kie_core's modules import each other without a cycle.

The graph counts every import that runs: at module level and inside functions (a deferred
import that closes a loop is still a cycle of ideas, only hidden). Imports under
``if TYPE_CHECKING:`` never run and are left out, as is a module's import of its own parent
packages (Python initialises those first), and so are the imports inside a module-level
``__getattr__`` (PEP 562): such a lazy re-export keeps an old name importable from a module
and runs on attribute access only; the module's own code does not depend on it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import kie_core

ROOT = Path(kie_core.__file__).parent


def module_names() -> dict[str, Path]:
    """Every module of kie_core by dotted name."""
    found: dict[str, Path] = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = ["kie_core", *path.relative_to(ROOT).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = module_names()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(nodes: list[ast.AST]) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in nodes:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node):
            yield from _runtime_imports(list(node.orelse))
        elif isinstance(node, ast.FunctionDef) and node.name == "__getattr__":
            continue
        else:
            yield from _runtime_imports(list(ast.iter_child_nodes(node)))


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(module: str) -> set[str]:
    """The kie_core modules ``module`` imports when it runs."""
    path = MODULES[module]
    targets: set[str] = set()
    for node in _runtime_imports([ast.parse(path.read_text(encoding="utf-8"))]):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        base = _absolute(module, node, path.name == "__init__.py")
        submodules = {f"{base}.{alias.name}" for alias in node.names} & MODULES.keys()
        targets.update(submodules or {base})
    ancestors = {module.rsplit(".", n)[0] for n in range(1, module.count(".") + 1)}
    return (targets & MODULES.keys()) - ancestors - {module}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one cycle of ``graph`` as a path that ends where it starts, or None."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(node: str) -> list[str] | None:
        path.append(node)
        on_path.add(node)
        for target in sorted(graph[node]):
            if target in on_path:
                return [*path[path.index(target) :], target]
            if target not in done and (cycle := visit(target)) is not None:
                return cycle
        path.pop()
        on_path.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done and (cycle := visit(start)) is not None:
            return cycle
    return None


def test_kie_core_has_no_import_cycle() -> None:
    graph = {module: imports_of(module) for module in MODULES}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_graph_sees_deferred_imports_and_skips_type_checking_ones() -> None:
    assert "kie_core.client" in imports_of("kie_core.cli.context")  # inside a function
    assert "kie_core.cli.folders" in imports_of("kie_core.cli.generate_cmd")
    assert "kie_core.client" not in imports_of("kie_core.results")
    assert "kie_core.models" not in imports_of("kie_core.hookspecs")  # TYPE_CHECKING only


def test_find_cycle_reports_the_loop() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
