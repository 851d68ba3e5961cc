"""docs/architecture.md cannot rot silently: every file, function and test it names exists.

References are backticked: `src/voxguard/x/y.py:function`, `src/voxguard/x/y.py:Class.method`,
`tests/x/test_y.py::test_name`, a bare file or a package folder; inside the mermaid diagram,
`x/y.py:function` is under src/voxguard/.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from tests.test_layering import LEVELS

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"

_FILE = re.compile(r"`((?:src|bench|tests)/[\w/.-]+\.py)(?::([\w.]+))?`")
_TEST = re.compile(r"`(tests/[\w/.-]+\.py)::(test_\w+)`")
_FOLDER = re.compile(r"`(src/voxguard/[\w/]+/)`")
_DIAGRAM = re.compile(r"```mermaid\n(.*?)```", re.S)
_DIAGRAM_REF = re.compile(r"\b([a-z_]+/[\w/]*\.py):([\w.]+)")


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _defines(path: Path, dotted: str) -> bool:
    """``name`` or ``Class.method`` is defined at the top of ``path`` (or in that class)."""
    body: list[ast.stmt] = _tree(path).body
    for name in dotted.split("."):
        found = next(
            (
                node
                for node in body
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and node.name == name
            ),
            None,
        )
        if found is None:
            return False
        body = found.body
    return True


def _problems(text: str) -> list[str]:
    problems = []
    for relative, name in _FILE.findall(text):
        path = ROOT / relative
        if not path.is_file():
            problems.append(f"no file {relative}")
        elif name and not _defines(path, name):
            problems.append(f"{relative} defines no {name}")
    for relative, name in _TEST.findall(text):
        path = ROOT / relative
        if not path.is_file() or not _defines(path, name):
            problems.append(f"no test {relative}::{name}")
    problems += [f"no folder {f}" for f in _FOLDER.findall(text) if not (ROOT / f).is_dir()]
    for diagram in _DIAGRAM.findall(text):
        for relative, name in _DIAGRAM_REF.findall(diagram):
            path = ROOT / "src" / "voxguard" / relative
            if not path.is_file() or not _defines(path, name):
                problems.append(f"diagram: no {relative}:{name} under src/voxguard")
    return problems


def test_every_reference_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert len(_FILE.findall(text)) > 100 and len(_TEST.findall(text)) > 50  # the parser sees them
    assert len(_DIAGRAM_REF.findall("".join(_DIAGRAM.findall(text)))) > 20
    assert _problems(text) == []


def test_the_checker_catches_a_stale_reference() -> None:
    stale = [
        "`src/voxguard/review/consensus.py:no_such_rule`",
        "`src/voxguard/vault/service.py:Vault.no_such_method`",
        "`src/voxguard/nowhere.py`",
        "`tests/review/test_consensus.py::test_no_such_test`",
        "`src/voxguard/nowhere/`",
        "```mermaid\nA[review/consensus.py:gone]\n```",
    ]
    assert len(_problems("\n".join(stale))) == len(stale)
    assert _problems("`src/voxguard/vault/service.py:Vault.put`") == []


def test_every_part_and_every_invariant_has_its_place() -> None:
    text = DOC.read_text(encoding="utf-8")
    for part in (p for level in LEVELS for p in level):
        assert f"`src/voxguard/{part}/`" in text or f"`src/voxguard/{part}.py" in text, part
    section = text.split("## Invariants", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]  # no header
    assert len(rows) >= 25
    for row in rows:
        enforced, proved = row.split(" | ")[1:3]
        assert "`" in enforced and "::" in proved, f"a row without code or test: {row[:60]}"


def test_the_readme_points_at_the_architecture_not_outside_the_project() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/architecture.md" in readme and "../shared/DESIGN.md" not in readme
