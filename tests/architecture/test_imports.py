"""The code's own imports: no cycle between modules, apps importing down the layers only.

grimp (import-linter's graph) reads every import statement, those placed inside functions and
under TYPE_CHECKING included, so a cycle cannot hide in a function body.
"""

import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "importlinter"
]
PACKAGES: list[str] = CONFIG["root_packages"]


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The groups of modules that import one another, directly or not (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    sys.path.insert(0, str(ROOT))
    try:
        return grimp.build_graph(*PACKAGES, exclude_type_checking_imports=False, cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))


def test_every_app_of_the_project_is_in_the_layers_contract():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}

    assert apps <= set(PACKAGES)


def test_no_module_imports_itself_back_through_others(graph):
    assert import_cycles(graph) == []


def test_the_cycle_finder_sees_an_import_placed_inside_a_function(tmp_path, monkeypatch):
    package = tmp_path / "cyclic"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "services.py").write_text("from cyclic import tasks\n")
    (package / "tasks.py").write_text("def run():\n    from cyclic import services\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    found = import_cycles(grimp.build_graph("cyclic", cache_dir=None))

    assert found == [["cyclic.services", "cyclic.tasks"]]


def test_the_core_package_imports_no_app_of_the_project(graph):
    apps = [package for package in PACKAGES if package != "core"]
    core_modules = [module for module in graph.modules if module.split(".")[0] == "core"]
    imported = {
        target.split(".")[0]
        for module in core_modules
        for target in graph.find_modules_directly_imported_by(module)
    }

    assert imported.isdisjoint(apps)


def test_the_layers_contract_is_kept():
    result = subprocess.run(
        [Path(sys.executable).parent / "lint-imports", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
