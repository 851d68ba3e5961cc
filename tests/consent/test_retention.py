"""Retention: originals go when the choice says, whole recordings once review is over, review
copies a grace period after their review; a worker schedules the sweep on the work queue."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from tests.cli.test_cli import env, run  # noqa: F401  (the fixture and the runner)
from tests.support.client import app_client
from tests.support.review import make_clips
from tests.support.rights import (
    bearer,
    full_consent,
    review_one,
    service_token,
    signed_in_reviewer,
    stored_objects,
)
from tests.support.world import make_device
from voxguard.consent.retention import sweep
from voxguard.db.base import utcnow
from voxguard.db.models import Annotation, AuditEvent, Blob, ClipOutcome, Utterance, WorkItem
from voxguard.processing.handlers import job_handlers
from voxguard.processing.worker import every, work
from voxguard.runtime import Runtime
from voxguard.work.queues import RETENTION_SWEEP
from voxguard.work.runner import run_once


def _review_all(rt: Runtime, clips: list[str]) -> None:
    """Two reviewers each transcribe every clip alike: consensus accepts them all."""
    for _ in range(rt.settings.reviewers_per_clip):
        client, _user = signed_in_reviewer(rt)
        try:
            for _clip in clips:
                review_one(rt, client, "a tone")
        finally:
            client.__exit__(None, None, None)


def _blobs(rt: Runtime, utterance_id: str) -> set[str]:
    with rt.db.read() as session:
        rows = session.execute(
            sa.select(Blob.kind).where(Blob.utterance_id == utterance_id, Blob.deleted_at.is_(None))
        )
        return set(rows.scalars())


def _backdate(rt: Runtime, days: int) -> None:
    with rt.db.session() as session:
        for utterance in session.execute(sa.select(Utterance)).scalars():
            utterance.expires_at = utcnow() - timedelta(days=days)


def test_an_expired_recording_keeps_its_review_then_expires_whole(rt: Runtime) -> None:
    clips = make_clips(rt, 2, account_ref="ACCT-RET-1", serial="SN-RET")
    _backdate(rt, 1)
    first = sweep(rt.db, rt.settings, rt.vault)
    assert (first.originals_deleted, first.recordings_expired) == (2, 0)
    for clip in clips:
        assert _blobs(rt, clip) == {"review_copy"}  # reviewers still need the anonymized copy
    _review_all(rt, clips)
    second = sweep(rt.db, rt.settings, rt.vault)
    assert (second.recordings_expired, second.originals_deleted) == (2, 0)
    assert sweep(rt.db, rt.settings, rt.vault).recordings_expired == 0  # nothing left to do
    with rt.db.read() as session:
        for clip in clips:
            utterance = session.get(Utterance, clip)
            assert utterance is not None and utterance.status == "expired"
            assert utterance.device_asr_sealed is None and utterance.draft_text is None
        for model in (Annotation, ClipOutcome, Blob):
            assert session.execute(sa.select(sa.func.count()).select_from(model)).scalar() == 0
    assert stored_objects(rt) == {}
    token = service_token(rt)
    with app_client(rt) as client:
        listed = client.get("/api/v1/accounts/ACCT-RET-1/recordings", headers=bearer(token))
        log = client.get("/api/v1/accounts/ACCT-RET-1/access-log", headers=bearer(token))
    assert {r["state"] for r in listed.json()["recordings"]} == {"expired"}
    assert {r["has_audio"] for r in listed.json()["recordings"]} == {False}
    retention = [e for e in log.json()["accesses"] if e["purpose"] == "retention"]
    assert {(e["actor"], e["action"], e["recording_id"]) for e in retention} == {
        ("machine:retention", "deleted", clip) for clip in clips
    }


def test_review_copies_go_a_grace_period_after_review(rt: Runtime) -> None:
    (clip,) = make_clips(rt, 1, account_ref="ACCT-RET-2", serial="SN-R2")
    token = service_token(rt)
    with app_client(rt) as client:
        client.put(
            "/api/v1/accounts/ACCT-RET-2/consent",
            headers=bearer(token),
            json=full_consent(retention="until_deleted"),
        )
    _review_all(rt, [clip])
    assert sweep(rt.db, rt.settings, rt.vault).review_copies_deleted == 0  # within the grace
    hours = rt.settings.review_copy_grace_hours + 1
    later = sweep(rt.db, rt.settings, rt.vault, now=utcnow() + timedelta(hours=hours))
    assert later.review_copies_deleted == 1 and later.recordings_expired == 0
    assert _blobs(rt, clip) == {"original"}  # kept until the person deletes it


def test_dont_save_keeps_the_original_only_while_it_is_processed(rt: Runtime) -> None:
    device = make_device(rt, "ACCT-RET-3", "SN-R3")
    token = service_token(rt)
    with app_client(rt) as client:
        client.put(
            "/api/v1/accounts/ACCT-RET-3/consent",
            headers=bearer(token),
            json=full_consent(retention="dont_save"),
        )
        from tests.support.audio import tone_wav
        from tests.support.client import post_utterance

        clip = post_utterance(client, device.token, tone_wav(0.6), device.metadata("d")).json()
    assert clip["stored"] is True and clip["sampled"] is True
    assert sweep(rt.db, rt.settings, rt.vault).originals_deleted == 0  # the pipeline needs it
    assert _blobs(rt, clip["id"]) == {"original"}
    work(rt.db, rt.vault, rt.settings, stop=threading.Event(), drain=True)
    assert sweep(rt.db, rt.settings, rt.vault).originals_deleted == 1
    assert _blobs(rt, clip["id"]) == {"review_copy"}


def test_a_worker_schedules_the_sweep_on_the_work_queue(rt: Runtime) -> None:
    make_clips(rt, 1, account_ref="ACCT-RET-4", serial="SN-R4")
    _backdate(rt, 1)
    every(3600, rt.db)()  # a worker that just started waits the interval
    with rt.db.read() as session:
        assert (
            session.execute(sa.select(WorkItem).where(WorkItem.kind == RETENTION_SWEEP)).first()
            is None
        )
    tick = every(0, rt.db)
    tick()
    tick()  # one sweep waits at most
    with rt.db.read() as session:
        jobs = (
            session.execute(sa.select(WorkItem).where(WorkItem.kind == RETENTION_SWEEP))
            .scalars()
            .all()
        )
    assert len(jobs) == 1 and jobs[0].state == "pending"
    assert run_once(rt.db, job_handlers(rt.db, rt.vault, rt.settings), owner="test")
    with rt.db.read() as session:
        job = session.get(WorkItem, jobs[0].id)
        assert job is not None and job.state == "done"
        completed = session.execute(
            sa.select(AuditEvent.details).where(
                AuditEvent.action == "job.completed", AuditEvent.target == f"job:{job.id}"
            )
        ).scalar_one()
    assert '"originals_deleted":1' in completed and '"outcome":"swept"' in completed


def test_retention_run_command(env: Path) -> None:  # noqa: F811
    assert run("db", "upgrade").exit_code == 0  # a system to sweep (a sweep creates none)
    result = run("retention", "run")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "retention: 0 recordings expired, 0 originals and 0 review copies deleted"
    ]
