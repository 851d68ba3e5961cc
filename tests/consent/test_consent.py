"""Consent is versioned, defaults as configured, and withdrawal cancels open work at once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.support.world import make_device
from voxguard import work
from voxguard.consent.service import change_consent, current_consent, get_account
from voxguard.db.models import AuditEvent, ConsentRecord, WorkItem
from voxguard.runtime import Runtime, build_runtime


def test_new_accounts_start_opted_out_by_default(make_settings) -> None:  # type: ignore[no-untyped-def]
    rt = build_runtime(make_settings(review_consent_default="opted_out"))
    try:
        device = make_device(rt)
        with rt.db.read() as session:
            record = current_consent(session, device.account_id)
        assert (record.version, record.human_review, record.source) == (1, "opted_out", "default")
    finally:
        rt.close()


def test_changes_append_versions_never_update(rt: Runtime) -> None:
    device = make_device(rt)
    with rt.db.session() as session:
        account = get_account(session, device.account_ref)
        change_consent(session, account, review="opted_out", store=None, source="test", actor="t")
        change_consent(session, account, review=None, store=False, source="test", actor="t")
    with rt.db.read() as session:
        rows = (
            session.execute(
                sa.select(ConsentRecord)
                .where(ConsentRecord.account_id == device.account_id)
                .order_by(ConsentRecord.version)
            )
            .scalars()
            .all()
        )
        assert [(r.version, r.human_review, r.store_recordings) for r in rows] == [
            (1, "opted_in", True),
            (2, "opted_out", True),
            (3, "opted_out", False),
        ]
        events = (
            session.execute(sa.select(AuditEvent).where(AuditEvent.action == "consent.changed"))
            .scalars()
            .all()
        )
        assert len(events) == 2


def test_opting_out_cancels_open_work_and_revokes_leases(rt: Runtime) -> None:
    device = make_device(rt)
    other = make_device(rt, "ACCT-OTHER", "SN-9")
    with rt.db.session() as session:
        for account in (device.account_id, device.account_id, other.account_id):
            work.enqueue(session, queue="review", kind="review", subject_id="u", account_id=account)
    with rt.db.session() as session:
        leased = work.claim(
            session,
            queue="review",
            owner="r1",
            lease_seconds=60,
            extra_filter=WorkItem.account_id == device.account_id,
        )
    with rt.db.session() as session:
        change_consent(
            session,
            get_account(session, device.account_ref),
            review="opted_out",
            store=None,
            source="test",
            actor="t",
        )
    with rt.db.read() as session:
        states = dict(
            session.execute(
                sa.select(WorkItem.account_id, sa.func.count())
                .where(WorkItem.state == "cancelled")
                .group_by(WorkItem.account_id)
            ).all()
        )
    assert states == {device.account_id: 2}
    with rt.db.session() as session, pytest.raises(work.LeaseLost):
        work.complete(session, leased.id, leased.lease_token)


def test_invalid_choice_is_refused(rt: Runtime) -> None:
    device = make_device(rt)
    with rt.db.session() as session, pytest.raises(ValueError, match="opted_in"):
        change_consent(
            session,
            get_account(session, device.account_ref),
            review="maybe",  # type: ignore[arg-type]
            store=None,
            source="t",
            actor="t",
        )
