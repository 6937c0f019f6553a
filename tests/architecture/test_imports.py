"""The application's import graph: dependencies point one way.

Built with `ast` from the source, so it sees every import, including ones a test run never reaches.
A feature is a package under api/ (api/cases, api/coverage, ...); what features share lives below
them: api/*.py core modules, api/models, api/observability, reference/ and search/.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "search", "billing", "reference", "seed_data")
# Packages under api/ that are layers every part may use, not features.
SHARED = frozenset({"api.models", "api.observability"})


@dataclass(frozen=True)
class Import:
    """One import of an application module: where it is and what it loads."""

    module: str
    line: int
    target: str


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")}


MODULES = _modules()


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The application modules an import statement loads (`from a import b` loads a.b when b is a module)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
        base = ".".join([*anchor, *([node.module] if node.module else [])])
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]


def _imports() -> list[Import]:
    found = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _targets(node, module, path.name == "__init__.py"):
                    if target.split(".")[0] in PACKAGES:
                        found.append(Import(module, node.lineno, target))
    return found


IMPORTS = _imports()


def feature_of(module: str) -> str | None:
    """The api/<feature> package a module belongs to, or None for shared code."""
    parts = module.split(".")
    if parts[0] != "api" or len(parts) < 2 or not (ROOT / "api" / parts[1]).is_dir():
        return None
    package = f"api.{parts[1]}"
    return None if package in SHARED else package


def _feature_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for imp in IMPORTS:
        source, target = feature_of(imp.module), feature_of(imp.target)
        if source and target and source != target:
            graph.setdefault(source, set()).add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_the_graph_sees_the_application():
    # Guards the test itself: a parser that found nothing would pass every check below.
    assert {"api.cases", "api.coverage", "api.matching", "api.scheduling"} <= set(_feature_graph()) | {
        t for targets in _feature_graph().values() for t in targets}
    assert any(imp.module == "api.cases.routes" and imp.target == "api.cases.services" for imp in IMPORTS)


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_features_form_no_import_cycle():
    assert _cycles(_feature_graph()) == []


def test_search_and_billing_import_no_feature():
    leaks = [f"{imp.module}:{imp.line} imports {imp.target}" for imp in IMPORTS
             if imp.module.split(".")[0] in ("search", "billing") and feature_of(imp.target)]
    assert leaks == []


def test_reference_data_depends_on_nothing_else():
    leaks = [f"{imp.module}:{imp.line} imports {imp.target}" for imp in IMPORTS
             if imp.module.split(".")[0] == "reference" and imp.target.split(".")[0] != "reference"]
    assert leaks == []


def test_no_import_inside_a_function():
    # Checked over every import, the application's and third parties': an import belongs at the top.
    hidden = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                hidden += [f"{module}:{sub.lineno}" for sub in ast.walk(node)
                           if isinstance(sub, (ast.Import, ast.ImportFrom))]
    assert hidden == []


def test_the_api_package_init_imports_nothing_of_the_application():
    # Importing a shared module (api.db, api.models) runs api/__init__.py first: if it imported the
    # factory, `import billing.reconcile` would reach billing.reconcile again half-initialised.
    assert [imp.target for imp in IMPORTS if imp.module == "api"] == []
