"""Fixtures shared by the web tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from voxguard.config import Settings
from voxguard.runtime import Runtime, build_runtime


@pytest.fixture
def sqlite_rt(tmp_path: Path, sqlite_template: Path) -> Iterator[Runtime]:
    # SQLite only, on purpose: the browser test is about the pages; every API rule behind them
    # is tested on both databases above, and a browser run per backend would double a slow test.
    db = tmp_path / "voxguard.db"
    db.write_bytes(sqlite_template.read_bytes())
    runtime = build_runtime(
        Settings(
            data_dir=tmp_path / "var",
            database_url=f"sqlite:///{db}",
            sampling_rate=1.0,
            review_consent_default="opted_in",
            gold_rate=0.0,  # the scene below is built step by step; gold is added explicitly
        )
    )
    yield runtime
    runtime.close()
