"""Erasure: a recording or a whole account, proven where the data lives.

After an account is erased, its reference, a device serial and a phrase it said appear nowhere:
not in the raw SQLite file and its log, not in a pg_dump, not in the blob store (local files or
S3 objects), not in the server's log, not in any audit event. Deletion while a worker processes
the clip neither resurrects it nor dead-letters the job.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from tests.support.audio import tone_wav
from tests.support.client import app_client
from tests.support.review import make_clips
from tests.support.rights import (
    bearer,
    raw_database,
    review_one,
    service_token,
    signed_in_reviewer,
    stored_objects,
)
from tests.support.server import served
from tests.support.world import make_device
from voxguard.audit import verify_chain
from voxguard.consent.erasure import erase_account, ledger_of
from voxguard.consent.errors import InvalidErasureRequest
from voxguard.db.models import (
    Account,
    Annotation,
    AuditEvent,
    Blob,
    ClipOutcome,
    Erasure,
    Utterance,
    WorkItem,
)
from voxguard.processing.pipeline import ReviewCopy, make_prepare_review_copy
from voxguard.runtime import Runtime
from voxguard.work.queues import PREPARE_REVIEW_COPY
from voxguard.work.runner import run_once

REF, SERIAL, PHRASE = "ACCT-NOWHERE-5521", "SN-NOWHERE-8812", "purple elephant marmalade"


def _count(rt: Runtime, model: type, *where: object) -> int:
    with rt.db.read() as session:
        return session.execute(
            sa.select(sa.func.count()).select_from(model).where(*where)
        ).scalar_one()


def _wait_for_review_copies(rt: Runtime, n: int) -> None:
    deadline = time.monotonic() + 180
    while _count(rt, Utterance, Utterance.status == "ready_for_review") < n:
        assert time.monotonic() < deadline, "the embedded worker did not prepare the clips"
        time.sleep(0.3)


def _said_in(rt: Runtime, clip: str) -> str:
    with rt.db.read() as session:
        utterance = session.get(Utterance, clip)
        assert utterance is not None
        return rt.vault.open_device_text(
            session,
            account_id=utterance.account_id,
            utterance_id=utterance.id,
            sealed=utterance.device_asr_sealed,
        )


def test_an_erased_account_appears_nowhere(
    stored_rt: Runtime, store_env: dict[str, str], tmp_path: Path
) -> None:
    rt = stored_rt
    env = {
        **store_env,
        "VOXGUARD_DATA_DIR": str(rt.settings.data_dir),
        "VOXGUARD_DATABASE_URL": rt.settings.resolved_database_url,
        "VOXGUARD_SAMPLING_RATE": "1.0",
        "VOXGUARD_REVIEW_CONSENT_DEFAULT": "opted_in",
        "VOXGUARD_ASR_ENGINE": "pocketsphinx",
    }
    gone = make_device(rt, REF, SERIAL)
    kept = make_device(rt, "ACCT-KEPT-1", "SN-KEPT-1")
    token = service_token(rt)
    log_path = tmp_path / "server.log"
    with served(env, log_path) as base, httpx.Client(base_url=base, timeout=60) as http:
        for device, n, said in ((gone, 2, PHRASE), (kept, 1, "green apples")):
            for i in range(n):
                response = http.post(
                    "/api/v1/utterances",
                    headers=bearer(device.token),
                    files={
                        "audio": ("c.wav", tone_wav(0.6 + i / 10), "audio/wav"),
                        "metadata": (None, device.metadata_bytes(f"u{i}", asr_text=said)),
                    },
                )
                assert response.status_code == 201, response.text
        _wait_for_review_copies(rt, 3)
        reviewer, _user = signed_in_reviewer(rt)
        try:
            for _ in range(3):
                review_one(rt, reviewer, lambda clip: f"{_said_in(rt, clip)} please")
        finally:
            reviewer.__exit__(None, None, None)
        account = f"/api/v1/accounts/{REF}"
        assert http.get(f"{account}/access-log", headers=bearer(token)).status_code == 200
        listed = http.get(f"{account}/recordings", headers=bearer(token)).json()
        first = listed["recordings"][0]["id"]
        assert (
            http.get(f"{account}/recordings/{first}/audio", headers=bearer(token)).content[:4]
            == b"RIFF"
        )

        erased = http.delete(account, headers=bearer(token))
        assert erased.status_code == 202, erased.text
        receipt = erased.json()
        assert receipt["kind"] == "account" and receipt["completed_at"]
        assert (
            http.get(f"/api/v1/erasures/{receipt['erasure_id']}", headers=bearer(token)).json()
            == receipt
        )
        assert http.get(f"{account}/consent", headers=bearer(token)).status_code == 404
        assert http.delete(account, headers=bearer(token)).status_code == 404  # erased: unknown
        # The device of an erased account can no longer upload.
        again = http.post(
            "/api/v1/utterances",
            headers=bearer(gone.token),
            files={
                "audio": ("c.wav", tone_wav(0.5), "audio/wav"),
                "metadata": (None, gone.metadata_bytes("z")),
            },
        )
        assert again.status_code == 401

    secrets = (REF, SERIAL, PHRASE)
    with rt.db.read() as session:
        events = session.execute(sa.select(AuditEvent)).scalars().all()
        assert verify_chain(session)[1] is None
        kept_blob = session.execute(
            sa.select(Blob).where(Blob.account_id == kept.account_id, Blob.kind == "original")
        ).scalar_one()
        assert rt.vault.get(session, kept_blob)[:4] == b"RIFF"  # the other account is intact
    for event in events:
        for secret in secrets:
            assert secret not in f"{event.actor} {event.target} {event.details}", event.action
    assert [k for k in stored_objects(rt) if gone.account_id in k] == []
    assert all(k.startswith(f"acct/{kept.account_id}/") for k in stored_objects(rt))
    assert _count(rt, Utterance, Utterance.account_id == gone.account_id) == 0
    assert _count(rt, Annotation) == 1 and _count(rt, ClipOutcome) == 1
    rt.close()  # no connection of ours holds an old snapshot of the file
    dump = raw_database(rt)
    assert b"ACCT-KEPT-1" in dump and b"green apples" in dump  # the search would find them
    for secret in secrets:
        assert secret.encode() not in dump, f"{secret} is still in the database"
    log = log_path.read_text()
    assert "/api/v1/accounts/[account]/access-log" in log  # the access log is on
    for secret in secrets:
        assert secret not in log, f"{secret} is in the server's log"
    assert [e.account_id for e in ledger_of(rt.settings).entries()] == [gone.account_id]


def test_erasing_a_recording_removes_its_rows_and_blobs_and_is_idempotent(
    stored_rt: Runtime,
) -> None:
    rt = stored_rt
    clips = make_clips(rt, 2, account_ref="ACCT-REC-1", serial="SN-R1")
    reviewer, _user = signed_in_reviewer(rt)
    try:
        reviewed = review_one(rt, reviewer, "a tone")
    finally:
        reviewer.__exit__(None, None, None)
    token = service_token(rt)
    url = f"/api/v1/accounts/ACCT-REC-1/recordings/{reviewed}"
    before = stored_objects(rt)
    with app_client(rt) as client:
        first = client.delete(url, headers=bearer(token))
        assert first.status_code == 202, first.text
        second = client.delete(url, headers=bearer(token))
        assert second.status_code == 202 and second.json() == first.json()
        receipt = client.get(
            f"/api/v1/accounts/ACCT-REC-1/erasures/{first.json()['erasure_id']}",
            headers=bearer(token),
        )
        assert receipt.status_code == 200 and receipt.json()["recording_id"] == reviewed
        assert client.get(f"{url}/audio", headers=bearer(token)).status_code == 404
        assert (
            client.delete(
                "/api/v1/accounts/ACCT-REC-1/recordings/unknown", headers=bearer(token)
            ).status_code
            == 404
        )
        assert client.get("/api/v1/erasures/unknown", headers=bearer(token)).status_code == 404
        log = client.get("/api/v1/accounts/ACCT-REC-1/access-log", headers=bearer(token)).json()
    for model in (Utterance, Annotation, ClipOutcome, Blob, WorkItem):
        column = model.id if model is Utterance else getattr(model, "utterance_id", None)
        column = column if column is not None else model.subject_id
        assert _count(rt, model, column == reviewed) == 0, model.__name__
    after = stored_objects(rt)
    with rt.db.read() as session:
        gone_keys = {k for k in before if k not in after}
        assert len(gone_keys) == 2  # its original and its review copy
        assert _count(rt, Erasure) == 1
        others = (
            session.execute(sa.select(Blob).where(Blob.utterance_id == clips[1])).scalars().all()
        )
        assert {b.store_key for b in others} <= set(after)
    # The speaker still sees that someone heard the erased recording, and that it was erased.
    assert {(e["recording_id"], e["action"]) for e in log["accesses"]} >= {
        (reviewed, "listened"),
        (reviewed, "deleted"),
    }


def test_erasing_while_a_worker_processes_the_clip(rt: Runtime) -> None:
    device = make_device(rt, "ACCT-RACE-1", "SN-RACE")
    token = service_token(rt)
    entered, release = threading.Event(), threading.Event()

    def slow_step(copy: ReviewCopy) -> ReviewCopy:
        entered.set()
        assert release.wait(60)
        return copy

    handler = make_prepare_review_copy(rt.db, rt.vault, rt.settings, [slow_step])
    with app_client(rt) as client:
        from tests.support.client import post_utterance

        clip = post_utterance(client, device.token, tone_wav(0.6), device.metadata("r")).json()[
            "id"
        ]
        worker = threading.Thread(
            target=run_once,
            args=(rt.db, {PREPARE_REVIEW_COPY: handler}),
            kwargs={"owner": "test-worker"},
        )
        worker.start()
        assert entered.wait(60)
        erased = client.delete(
            f"/api/v1/accounts/ACCT-RACE-1/recordings/{clip}", headers=bearer(token)
        )
        assert erased.status_code == 202
        release.set()
        worker.join(60)
        assert not worker.is_alive()
    with rt.db.read() as session:
        assert session.get(Utterance, clip) is None
        assert session.execute(sa.select(Blob)).scalars().all() == []
        actions = set(session.execute(sa.select(AuditEvent.action)).scalars())
    assert "job.dead" not in actions and "job.failed" not in actions
    assert stored_objects(rt) == {}
    assert _count(rt, WorkItem, WorkItem.state == "dead") == 0


@pytest.mark.parametrize("kind", ["account", "recording"])
def test_a_ledger_that_cannot_be_written_stops_the_erasure(rt: Runtime, kind: str) -> None:
    clips = make_clips(rt, 1, account_ref="ACCT-L-1", serial="SN-L1")
    ledger = rt.settings.resolved_erasure_ledger_file
    ledger.parent.mkdir(parents=True, exist_ok=True)
    ledger.mkdir()  # a directory where the file should be: every write fails
    token = service_token(rt)
    url = "/api/v1/accounts/ACCT-L-1" + ("" if kind == "account" else f"/recordings/{clips[0]}")
    with app_client(rt) as client:
        refused = client.delete(url, headers=bearer(token))
        assert (
            refused.status_code == 503 and refused.json()["error"] == "erasure_ledger_unavailable"
        )
    assert _count(rt, Utterance) == 1 and len(stored_objects(rt)) == 2


def test_an_unknown_channel_is_refused_before_anything_goes(rt: Runtime) -> None:
    with rt.db.session() as session:
        account = Account(ref="ACCT-CH", data_region="eu")
        session.add(account)
    with rt.db.session() as session, pytest.raises(InvalidErasureRequest, match="channel"):
        erase_account(session, rt.settings, rt.vault, account.id, actor="t", channel="pigeon")
    with rt.db.read() as session:
        assert session.get(Account, account.id) is not None
    assert rt.settings.resolved_erasure_ledger_file.exists() is False  # no ledger entry either
