"""The privacy officer's desk: erasure requests received outside the API, and the audit log."""

from __future__ import annotations

import sqlalchemy as sa

from tests.support.client import app_client
from tests.support.people import login, make_user
from tests.support.review import make_clips
from voxguard.db.models import Account, AuditEvent, Erasure, Utterance
from voxguard.runtime import Runtime

REF = "ACCT-BY-LETTER-77"


def _count(rt: Runtime, model: type, *where: object) -> int:
    with rt.db.read() as session:
        return session.execute(
            sa.select(sa.func.count()).select_from(model).where(*where)
        ).scalar_one()


def _signed_in(rt: Runtime, role: str):  # type: ignore[no-untyped-def]
    user, password, secret = make_user(rt, role=role)
    client = app_client(rt)
    client.__enter__()
    csrf = login(client, user.username, password, secret)
    return client, csrf, user


def test_only_a_privacy_officer_reaches_the_desk(rt: Runtime) -> None:
    make_clips(rt, 1, account_ref=REF, serial="SN-L-1")
    for role in ("reviewer", "lead", "admin"):
        client, csrf, _ = _signed_in(rt, role)
        try:
            assert client.get("/privacy-officer/erasures").status_code == 403
            assert client.get("/privacy-officer/audit").status_code == 403
            refused = client.post(
                "/privacy-officer/erasures",
                data={
                    "csrf_token": csrf,
                    "account_ref": REF,
                    "channel": "letter",
                    "confirm": "yes",
                },
            )
            assert refused.status_code == 403
        finally:
            client.__exit__(None, None, None)
    assert _count(rt, Account, Account.ref == REF) == 1
    with app_client(rt) as anonymous:
        page = anonymous.get("/privacy-officer/erasures", follow_redirects=False)
        assert page.status_code in (303, 307) and "/login" in page.headers["location"]


def test_an_officer_erases_an_account_on_a_letter(rt: Runtime) -> None:
    clips = make_clips(rt, 2, account_ref=REF, serial="SN-L-2")
    client, csrf, officer = _signed_in(rt, "privacy_officer")
    try:
        form = {"csrf_token": csrf, "account_ref": REF, "channel": "letter"}
        unconfirmed = client.post("/privacy-officer/erasures", data=form)
        assert unconfirmed.status_code == 422 and "confirm" in unconfirmed.text
        no_channel = client.post(
            "/privacy-officer/erasures", data={**form, "channel": "fax", "confirm": "yes"}
        )
        assert no_channel.status_code == 422 and "how the request came" in no_channel.text.lower()
        unknown = client.post(
            "/privacy-officer/erasures",
            data={**form, "account_ref": "ACCT-NEVER", "confirm": "yes"},
        )
        assert unknown.status_code == 404 and "no such account" in unknown.text.lower()
        assert _count(rt, Utterance, Utterance.id.in_(clips)) == 2  # nothing lost so far

        no_csrf = client.post(
            "/privacy-officer/erasures",
            data={k: v for k, v in {**form, "confirm": "yes"}.items() if k != "csrf_token"},
            headers={"X-CSRF-Token": ""},
        )
        assert no_csrf.status_code == 403
        assert _count(rt, Utterance, Utterance.id.in_(clips)) == 2

        one = client.post(
            "/privacy-officer/erasures",
            data={**form, "recording_id": clips[0], "channel": "phone", "confirm": "yes"},
            follow_redirects=False,
        )
        assert one.status_code == 303
        assert _count(rt, Utterance, Utterance.id.in_(clips)) == 1
        done = client.post(
            "/privacy-officer/erasures", data={**form, "confirm": "yes"}, follow_redirects=False
        )
        assert done.status_code == 303
        erasure_id = done.headers["location"].rsplit("=", 1)[1]
        page = client.get(done.headers["location"])
        assert page.status_code == 200 and erasure_id in page.text
        assert "whole account" in page.text and "letter" in page.text and "phone" in page.text
        assert REF not in page.text  # the receipt never shows the reference
        again = client.post("/privacy-officer/erasures", data={**form, "confirm": "yes"})
        assert again.status_code == 404  # erased accounts are unknown, like never-seen ones
    finally:
        client.__exit__(None, None, None)
    assert _count(rt, Account, Account.ref == REF) == 0
    assert _count(rt, Utterance, Utterance.id.in_(clips)) == 0
    with rt.db.read() as session:
        receipt = session.get(Erasure, erasure_id)
        assert receipt is not None and receipt.completed_at is not None
        assert receipt.requested_by == f"user:{officer.handle}"
        assert receipt.details["channel"] == "letter"
        event = session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "account.erased")
        ).scalar_one()
        assert '"channel":"letter"' in event.details and REF not in event.details


def test_the_audit_log_page_lists_filters_and_checks_the_chain(rt: Runtime) -> None:
    make_clips(rt, 1, account_ref=REF, serial="SN-L-3")
    client, _, _ = _signed_in(rt, "privacy_officer")
    try:
        page = client.get("/privacy-officer/audit")
        assert page.status_code == 200 and "upload.accepted" in page.text
        assert page.headers["cache-control"] == "no-store"
        assert "SN-L-3" not in page.text and REF not in page.text
        only = client.get("/privacy-officer/audit", params={"action": "auth.login"})
        assert "auth.login" in only.text and "<td>upload.accepted</td>" not in only.text
        intact = client.get("/privacy-officer/audit", params={"verify": "1"})
        assert "Intact:" in intact.text and "Broken" not in intact.text
        with rt.db.session() as session:
            first = session.get(AuditEvent, 1)
            assert first is not None
            first.details = first.details.replace("}", ',"x":1}', 1)  # an insider's edit
        broken = client.get("/privacy-officer/audit", params={"verify": "1"})
        assert "Broken: audit chain broken at event 1" in broken.text
        assert client.get("/privacy-officer/audit", params={"before": "0"}).status_code == 422
    finally:
        client.__exit__(None, None, None)
