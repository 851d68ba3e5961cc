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
