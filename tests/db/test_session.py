"""Engines and units of work: what each kind of session promises on each database."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from voxguard import audit
from voxguard.runtime import Runtime

# What one database promises runs on that database only (the db_url fixture's other param).
ON_POSTGRES = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
ON_SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@ON_POSTGRES
def test_postgres_plans_every_run_of_a_prepared_statement(rt: Runtime) -> None:
    # A generic plan made the review claim 20x slower once psycopg had prepared it.
    assert rt.db.is_postgres
    with rt.db.read() as session:
        assert session.execute(sa.text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
        # The engine's own connect options (such as the schema search path) still apply.
        search_path = session.execute(sa.text("SHOW search_path")).scalar()
    assert search_path == sa.make_url(rt.db.url).query["options"].removeprefix("-csearch_path=")


@ON_POSTGRES
def test_lookup_reads_without_opening_a_transaction_on_postgres(rt: Runtime) -> None:
    assert rt.db.is_postgres
    with rt.db.lookup() as session:
        assert session.execute(sa.text("SELECT 1")).scalar() == 1
        dbapi = session.connection().connection.driver_connection
        assert dbapi.autocommit is True
    # The pooled connection is back to transactional use for units of work.
    with rt.db.session() as session:
        dbapi = session.connection().connection.driver_connection
        assert dbapi.autocommit is False


@ON_SQLITE
def test_lookup_never_waits_for_sqlites_writer(rt: Runtime) -> None:
    """On SQLite a lookup takes no write lock: while a writer holds it, the session check of a
    request reads at once, and sees only what was committed."""
    assert rt.db.dialect == "sqlite"
    writer = sqlite3.connect(sa.make_url(rt.db.url).database, isolation_level=None, timeout=0)
    try:
        writer.execute("BEGIN IMMEDIATE")  # the write lock, as a unit of work holds it
        writer.execute("UPDATE audit_head SET seq = 99")
        # With BEGIN IMMEDIATE of its own, this would wait out the busy timeout and fail.
        with rt.db.lookup() as session:
            assert session.execute(sa.text("SELECT seq FROM audit_head")).scalar() == 0
            dbapi = session.connection().connection.driver_connection
        assert not dbapi.in_transaction  # nothing held open once the lookup is done
        writer.execute("COMMIT")
    finally:
        writer.close()
    with rt.db.lookup() as session:
        assert session.execute(sa.text("SELECT seq FROM audit_head")).scalar() == 99


def test_lookup_refuses_to_record_audit_events(rt: Runtime) -> None:
    with rt.db.lookup() as session, pytest.raises(RuntimeError, match="read-only"):
        audit.record(session, actor="test", action="x", target="t")
