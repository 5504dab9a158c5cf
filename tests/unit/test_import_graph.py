"""The layout's rules, read from the code's own imports: no import cycle, and each kind of package imports
only what lies below it (infra below domain below the processes; choreo on its own; no process imports another)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.processes import ROOT

PROCESSES = ("gateway", "listener", "pose_worker", "compare_worker", "webhook_dispatcher")
#: What each top-level package may import of the project (besides itself).
MAY_IMPORT = {
    "infra": set(),
    "choreo": set(),
    "dance_client": set(),
    "domain": {"infra"},
    "operations": {"infra", "domain"},
    **{process: {"infra", "domain", "choreo"} for process in PROCESSES},
}
PACKAGES = tuple(MAY_IMPORT)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES if (ROOT / package).is_dir()
        for path in (ROOT / package).rglob("*.py")
    }


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules ``path`` imports (at any depth of the file: imports inside functions count)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        found.update(name for name in names if name in modules)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(path, modules) - {name} for name, path in modules.items()}


def test_no_module_imports_itself_round_a_cycle(graph):
    visiting, done, cycles = set(), set(), []

    def visit(name: str, trail: list[str]) -> None:
        if name in done:
            return
        if name in visiting:
            cycles.append(trail[trail.index(name):] + [name])
            return
        visiting.add(name)
        for imported in sorted(graph[name]):
            visit(imported, trail + [name])
        visiting.discard(name)
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(cycle) for cycle in cycles)


def test_each_kind_of_package_imports_only_what_lies_below_it(graph):
    wrong = [
        f"{name} imports {imported}"
        for name, imported_modules in graph.items()
        for imported in imported_modules
        if (package := name.split(".")[0]) != (target := imported.split(".")[0]) and target not in MAY_IMPORT[package]
    ]
    assert not wrong, "\n".join(sorted(wrong))
