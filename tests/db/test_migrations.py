"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from voxguard.db.base import Base
from voxguard.db.migrate import current_revision, head_revision


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
    assert differences == [], "a model changed without a migration (or the reverse)"


def test_a_populated_database_upgrades_from_every_earlier_revision(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Upgrades run on live systems: rows that other tables point at must survive each step
    (SQLite's batch mode rebuilds a table, which foreign keys can refuse)."""
    from alembic.script import ScriptDirectory

    from voxguard.db.migrate import alembic_config, upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    script = ScriptDirectory.from_config(alembic_config(url))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    engine = sa.create_engine(url)
    try:
        upgrade(url, revisions[0])
        with engine.begin() as connection:  # an account with a device and a consent row
            connection.execute(
                sa.text(
                    "INSERT INTO accounts (id, ref, data_region, created_at) "
                    "VALUES ('a1', 'ACCT-OLD', 'eu', '2026-01-01 00:00:00')"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO devices (id, account_id, serial, token_hash, created_at) "
                    "VALUES ('d1', 'a1', 'SN-OLD', 'x', '2026-01-01 00:00:00')"
                )
            )
        for revision in revisions[1:]:
            upgrade(url, revision)
            assert current_revision(engine) == revision
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT ref FROM accounts")).scalar_one() == (
                "ACCT-OLD"
            )
            assert connection.execute(sa.text("SELECT count(*) FROM devices")).scalar_one() == 1
    finally:
        engine.dispose()
