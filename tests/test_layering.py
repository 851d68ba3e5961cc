"""Data flows one way: a part of voxguard never imports a part above it (DESIGN.md, "Parts").

Every import in src/voxguard counts, including those inside functions and under TYPE_CHECKING.
Parts on one level may use each other, but the parts never import each other in a circle.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import voxguard

PACKAGE = Path(voxguard.__file__).resolve().parent

# Lowest first. A new part gets its level here, where DESIGN.md places it.
LEVELS: tuple[tuple[str, ...], ...] = (
    ("config",),
    ("db",),
    ("audit", "vault"),
    ("audio",),
    ("asr", "privacy", "consent", "sampling", "work", "people"),
    ("ingest",),
    ("processing",),
    ("review",),
    ("feedback",),
    ("runtime", "status"),  # builds the objects the parts below receive
    ("web", "cli", "demo"),
)
LEVEL = {part: level for level, parts in enumerate(LEVELS) for part in parts}


def _part(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    if len(parts) == 1 and parts[0] == "__init__.py":
        return None  # the package root: version string only
    return parts[0].removesuffix(".py")


def _imported_parts(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
            if node.module == "voxguard":  # from voxguard import audit, work
                modules = [f"voxguard.{alias.name}" for alias in node.names]
        else:
            continue
        for module in modules:
            names = module.split(".")
            if names[0] == "voxguard" and len(names) > 1 and names[1] != "__version__":
                found.add(names[1])
    return found


def part_imports() -> dict[str, dict[str, list[str]]]:
    """part -> imported part -> the files that import it."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(PACKAGE.rglob("*.py")):
        part = _part(path)
        if part is None:
            continue
        for target in _imported_parts(path) - {part}:
            graph[part][target].append(str(path.relative_to(PACKAGE)))
    return graph


def backward_imports(graph: dict[str, dict[str, list[str]]]) -> dict[tuple[str, str], list[str]]:
    return {
        (part, target): files
        for part, targets in graph.items()
        for target, files in targets.items()
        if LEVEL[target] > LEVEL[part]
    }


def test_every_part_has_a_level() -> None:
    parts = {p for path in PACKAGE.rglob("*.py") if (p := _part(path)) is not None}
    assert parts - set(LEVEL) == set(), "give each new part its level in LEVELS"


def test_no_part_imports_a_higher_one() -> None:
    assert backward_imports(part_imports()) == {}, "a lower part imports a higher one"


def test_parts_import_each_other_in_no_circle() -> None:
    graph = part_imports()
    state: dict[str, str] = {}

    def visit(part: str, trail: list[str]) -> None:
        state[part] = "open"
        for target in graph.get(part, {}):
            if state.get(target) == "open":
                raise AssertionError(" -> ".join([*trail, part, target]))
            if target not in state:
                visit(target, [*trail, part])
        state[part] = "done"

    for part in sorted(graph):
        if part not in state:
            visit(part, [])


def test_the_checker_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from voxguard import audit, work\n"
        "def f():\n"
        "    from voxguard.web.app import create_app\n"
        "    import voxguard.review.consensus\n"
    )
    assert _imported_parts(module) == {"audit", "work", "web", "review"}
