"""Alembic environment: runs against the URL given by voxguard.db.migrate."""

from __future__ import annotations

from alembic import context

from voxguard.db import models  # noqa: F401  (registers every table)
from voxguard.db.base import Base
from voxguard.db.session import make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
