"""Engines and units of work: what each kind of session promises on each database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from voxguard import audit
from voxguard.runtime import Runtime


def test_postgres_plans_every_run_of_a_prepared_statement(rt: Runtime) -> None:
    # A generic plan made the review claim 20x slower once psycopg had prepared it.
    if not rt.db.is_postgres:
        pytest.skip("PostgreSQL setting")
    with rt.db.read() as session:
        assert session.execute(sa.text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
        # The engine's own connect options (such as the schema search path) still apply.
        search_path = session.execute(sa.text("SHOW search_path")).scalar()
    assert search_path == sa.make_url(rt.db.url).query["options"].removeprefix("-csearch_path=")


def test_lookup_reads_without_opening_a_transaction_on_postgres(rt: Runtime) -> None:
    with rt.db.lookup() as session:
        assert session.execute(sa.text("SELECT 1")).scalar() == 1
        dbapi = session.connection().connection.driver_connection
        if rt.db.is_postgres:
            assert dbapi.autocommit is True
    # The pooled connection is back to transactional use for units of work.
    with rt.db.session() as session:
        dbapi = session.connection().connection.driver_connection
        if rt.db.is_postgres:
            assert dbapi.autocommit is False


def test_lookup_refuses_to_record_audit_events(rt: Runtime) -> None:
    with rt.db.lookup() as session, pytest.raises(RuntimeError, match="read-only"):
        audit.record(session, actor="test", action="x", target="t")
