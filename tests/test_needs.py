"""A test whose tool or data is missing skips on a developer's machine and FAILS under CI.

Every such skip goes through tests.support.needs, so none can quietly turn a CI run green.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import needs

TESTS = Path(__file__).resolve().parent
# A skip decided outside tests.support.needs (pytest.skip, importorskip, a skipif mark).
_OWN_SKIP = re.compile(r"pytest\.skip\(|importorskip\(|mark\.skipif\(")


def test_a_missing_need_skips_only_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no such tool"):
        needs.missing("no such tool")
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match=r"no such tool \(CI must provide it\)"):
        needs.missing("no such tool")
    with pytest.raises(pytest.fail.Exception, match="voxguard_no_such_module"):
        needs.module("voxguard_no_such_module")
    with pytest.raises(pytest.fail.Exception, match="shared data nothing/here"):
        needs.shared("nothing/here")


def test_no_test_skips_for_a_missing_need_on_its_own() -> None:
    own = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in sorted(TESTS.rglob("*.py"))
        if path != Path(needs.__file__).resolve() and path != Path(__file__).resolve()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _OWN_SKIP.search(line)
    ]
    assert own == [], "skip through tests.support.needs, which fails under CI"
