"""The privacy API: service tokens, 401/403/404 exactly, consent GET/PUT and its effects."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.support.audio import tone_wav
from tests.support.client import app_client, post_utterance
from tests.support.review import add_reviewer, make_clips
from tests.support.rights import bearer, full_consent, service_token
from tests.support.world import make_device
from voxguard.consent.service_tokens import revoke_token
from voxguard.db.models import AuditEvent, Blob, ConsentRecord, Utterance, WorkItem
from voxguard.review.assignment import lease_next
from voxguard.review.errors import LeaseGone
from voxguard.review.submission import heartbeat
from voxguard.runtime import Runtime
from voxguard.work.queues import REVIEW_QUEUE


def test_no_token_is_401_device_or_unscoped_token_is_403(rt: Runtime) -> None:
    device = make_device(rt, "ACCT-AUTH-1", "SN-A1")
    records_only = service_token(rt, "records", name="reports")
    revoked = service_token(rt, name="old-app")
    with rt.db.session() as session:
        assert revoke_token(session, name_or_id="old-app", actor="t") == 1
    url = "/api/v1/accounts/ACCT-AUTH-1/consent"
    with app_client(rt) as client:
        missing = client.get(url)
        assert missing.status_code == 401 and missing.json()["error"] == "unauthorized"
        assert missing.headers["www-authenticate"] == "Bearer"
        assert client.get(url, headers={"Authorization": "Basic abc"}).status_code == 401
        assert client.get(url, headers=bearer("vgs_not-a-token")).status_code == 401
        assert client.get(url, headers=bearer(revoked)).status_code == 401
        assert client.get(url, headers=bearer(device.token)).status_code == 403
        wrong_scope = client.get(url, headers=bearer(records_only))
        assert wrong_scope.status_code == 403 and wrong_scope.json()["error"] == "forbidden"
        # Refused before the account is looked up: an unknown account is no different.
        assert client.get("/api/v1/accounts/NOPE/consent").status_code == 401


def test_unknown_and_malformed_accounts_are_404(rt: Runtime) -> None:
    token = service_token(rt)
    with app_client(rt) as client:
        for ref in ("NOPE", "x" * 129, "-leading-dash", "a%20b", "%00", "a;b"):
            response = client.get(f"/api/v1/accounts/{ref}/consent", headers=bearer(token))
            assert response.status_code == 404, (ref, response.text)
            assert response.json()["error"] == "unknown_account"
            put = client.put(
                f"/api/v1/accounts/{ref}/consent", headers=bearer(token), json=full_consent()
            )
            assert put.status_code == 404


def test_put_consent_is_a_new_version_with_an_audit_event(rt: Runtime) -> None:
    device = make_device(rt, "ACCT-C-1", "SN-C1")
    token = service_token(rt, name="phone-app")
    url = "/api/v1/accounts/ACCT-C-1/consent"
    with app_client(rt) as client:
        first = client.get(url, headers=bearer(token)).json()
        assert first["version"] == 1 and first["retention"] == "3_months"
        assert first["model_training"] is False
        body = full_consent(model_training=True, retention="18_months", notice_version="v7")
        put = client.put(url, headers=bearer(token), json=body)
        assert put.status_code == 200, put.text
        assert put.json()["version"] == 2
        assert client.get(url, headers=bearer(token)).json() == put.json()
        # Bad input: a precise 422 and no new version.
        for bad in (
            full_consent(retention="forever"),
            full_consent(human_review="maybe"),
            full_consent(notice_version=""),
            {k: v for k, v in full_consent().items() if k != "model_training"},
            full_consent(surprise=True),
        ):
            refused = client.put(url, headers=bearer(token), json=bad)
            assert refused.status_code == 422, bad
            assert refused.json()["error"] == "invalid_request"
    with rt.db.read() as session:
        rows = session.execute(
            sa.select(ConsentRecord)
            .where(ConsentRecord.account_id == device.account_id)
            .order_by(ConsentRecord.version)
        ).scalars()
        assert [
            (r.version, r.model_training, r.retention, r.notice_version, r.source) for r in rows
        ] == [
            (1, False, "3_months", "2026-12", "default"),
            (2, True, "18_months", "v7", "api"),
        ]
        event = session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "consent.changed")
        ).scalar_one()
        assert event.actor == "service:phone-app"
        assert "ACCT-C-1" not in event.details and "SN-C1" not in event.details


def test_opting_out_through_the_api_revokes_a_live_lease_before_it_answers(rt: Runtime) -> None:
    clips = make_clips(rt, 2, account_ref="ACCT-OUT-1", serial="SN-O1")
    reviewer = add_reviewer(rt)
    with rt.db.session() as session:
        leased = lease_next(session, rt.settings, reviewer)
    assert leased is not None and leased.utterance_id in clips
    token = service_token(rt)
    with app_client(rt) as client:
        answer = client.put(
            "/api/v1/accounts/ACCT-OUT-1/consent",
            headers=bearer(token),
            json=full_consent(human_review="opted_out"),
        )
        assert answer.status_code == 200
    with rt.db.read() as session:
        states = session.execute(
            sa.select(WorkItem.state).where(WorkItem.queue == REVIEW_QUEUE)
        ).scalars()
        assert set(states) == {"cancelled"}
        task = session.get(WorkItem, leased.task_id)
        assert task is not None and task.lease_token is None
    with rt.db.session() as session:
        assert lease_next(session, rt.settings, reviewer) is None
    # The reviewer who held the lease can neither keep it alive nor submit.
    with rt.db.session() as session, pytest.raises(LeaseGone):
        heartbeat(session, rt.settings, reviewer, leased.task_id)


def test_store_recordings_false_means_the_next_upload_is_acknowledged_not_stored(
    rt: Runtime,
) -> None:
    device = make_device(rt, "ACCT-NS-1", "SN-N1")
    token = service_token(rt)
    with app_client(rt) as client:
        put = client.put(
            "/api/v1/accounts/ACCT-NS-1/consent",
            headers=bearer(token),
            json=full_consent(store_recordings=False),
        )
        assert put.status_code == 200
        response = post_utterance(client, device.token, tone_wav(0.5), device.metadata("u-1"))
        assert response.status_code == 202, response.text
        assert response.json() == {"id": None, "sampled": False, "stored": False}
    _assert_nothing_stored(rt, device.account_id)


def test_dont_save_keeps_no_recording_that_was_not_sampled(make_settings) -> None:  # type: ignore[no-untyped-def]
    from voxguard.runtime import build_runtime

    rt = build_runtime(make_settings(sampling_rate=0.0))
    try:
        device = make_device(rt, "ACCT-DS-1", "SN-D1")
        token = service_token(rt)
        with app_client(rt) as client:
            client.put(
                "/api/v1/accounts/ACCT-DS-1/consent",
                headers=bearer(token),
                json=full_consent(retention="dont_save"),
            )
            response = post_utterance(client, device.token, tone_wav(0.5), device.metadata("u"))
            assert response.status_code == 202
            assert response.json()["stored"] is False
        _assert_nothing_stored(rt, device.account_id)
    finally:
        rt.close()


def _assert_nothing_stored(rt: Runtime, account_id: str) -> None:
    with rt.db.read() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Utterance)).scalar() == 0
        assert session.execute(sa.select(sa.func.count()).select_from(Blob)).scalar() == 0
    root = rt.vault.store.root  # type: ignore[attr-defined]
    assert not list((root / "acct" / account_id).glob("*")) if (root / "acct").exists() else True
