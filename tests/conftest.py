"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL isolation: one schema per test session (migrated once), emptied before each test.
SQLite isolation: a migrated template file copied for each test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support import needs
from voxguard.config import Settings
from voxguard.db import migrate
from voxguard.db.base import Base
from voxguard.runtime import Runtime, build_runtime

pytest_plugins = ["tests.support.seaweedfs"]

PG_SERVER = os.environ.get("VOXGUARD_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _pg_available() -> bool:
    try:
        engine = sa.create_engine(PG_SERVER, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    if not _pg_available():
        needs.missing(f"PostgreSQL is not reachable at {PG_SERVER}")
    schema = f"vgtest_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_SERVER)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    migrate.upgrade(url)
    yield url
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        # The migration seeds the audit chain's head row; restore it as a fresh schema has it.
        connection.execute(
            sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": "0" * 64}
        )
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "voxguard.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_schema_url")
    _empty_postgres(url)
    return url


@pytest.fixture
def make_settings(tmp_path: Path, db_url: str):  # type: ignore[no-untyped-def]
    def factory(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "data_dir": tmp_path / "var",
            "database_url": db_url,
            "sampling_rate": 1.0,
            "review_consent_default": "opted_in",
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return factory


@pytest.fixture
def rt(make_settings) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    runtime = build_runtime(make_settings())
    yield runtime
    runtime.close()
