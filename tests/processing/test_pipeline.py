"""The prepare_review_copy job: review copy in the vault, tasks created, consent re-checked."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.support.audio import tone_wav
from tests.support.client import app_client, post_utterance
from tests.support.world import make_device
from voxguard.audio import decode_audio
from voxguard.consent.service import change_consent, get_account
from voxguard.db.models import AuditEvent, Blob, Utterance, WorkItem
from voxguard.processing.handlers import job_handlers
from voxguard.processing.pipeline import make_prepare_review_copy
from voxguard.processing.steps import privacy_steps
from voxguard.runtime import Runtime
from voxguard.work.runner import JobContext, run_once


def _upload(rt: Runtime) -> tuple[str, object]:
    device = make_device(rt)
    with app_client(rt) as client:
        body = post_utterance(
            client, device.token, tone_wav(1.0, 22_050), device.metadata("u1")
        ).json()
    return body["id"], device


def test_job_builds_the_review_copy_and_the_review_tasks(rt: Runtime) -> None:
    utterance_id, _ = _upload(rt)
    assert run_once(rt.db, job_handlers(rt.db, rt.vault, rt.settings), owner="w") is True
    assert run_once(rt.db, job_handlers(rt.db, rt.vault, rt.settings), owner="w") is False
    with rt.db.read() as session:
        utterance = session.get(Utterance, utterance_id)
        assert utterance.status == "ready_for_review"
        copy = session.execute(sa.select(Blob).where(Blob.kind == "review_copy")).scalar_one()
        decoded = decode_audio(rt.vault.get(session, copy), max_duration_s=None)
        assert decoded.source_format == "WAV" and decoded.source_subtype == "PCM_16"
        assert decoded.source_sample_rate == 16_000 and decoded.source_channels == 1
        assert abs(len(decoded.samples) - 16_000) <= 1
        tasks = (
            session.execute(sa.select(WorkItem).where(WorkItem.queue == "review")).scalars().all()
        )
        assert len(tasks) == rt.settings.reviewers_per_clip
        assert {t.subject_id for t in tasks} == {utterance_id}
        job = session.execute(sa.select(WorkItem).where(WorkItem.queue == "jobs")).scalar_one()
        assert job.state == "done"
        done = session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "job.completed")
        ).scalar_one()
        assert "review_copy_ready" in done.details


def test_a_failed_write_transaction_leaves_no_review_copy_object(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review copy is sealed before the write transaction; if that fails, its object goes
    too."""
    import voxguard.processing.pipeline as pipeline

    _upload(rt)

    def fail(*args: object, **kwargs: object) -> bool:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(pipeline, "_finish", fail)
    inner = make_prepare_review_copy(rt.db, rt.vault, rt.settings, privacy_steps(rt.settings))
    run_once(rt.db, {"prepare_review_copy": inner}, owner="w")
    blob_files = list((rt.settings.data_dir / "blobs").rglob("*"))
    assert len([p for p in blob_files if p.is_file()]) == 1  # only the original


def test_withdrawal_during_the_job_creates_no_tasks(rt: Runtime) -> None:
    utterance_id, device = _upload(rt)
    inner = make_prepare_review_copy(rt.db, rt.vault, rt.settings, privacy_steps(rt.settings))

    def withdraw_midway(ctx: JobContext) -> None:
        with rt.db.session() as session:
            change_consent(
                session,
                get_account(session, device.account_ref),
                review="opted_out",
                store=None,
                source="test",
                actor="t",
            )
        inner(ctx)

    run_once(rt.db, {"prepare_review_copy": withdraw_midway}, owner="w")
    with rt.db.read() as session:
        assert (
            session.execute(sa.select(WorkItem).where(WorkItem.queue == "review")).first() is None
        )
        assert session.execute(sa.select(Blob).where(Blob.kind == "review_copy")).first() is None
        assert session.get(Utterance, utterance_id).status == "queued"
    blob_files = list((rt.settings.data_dir / "blobs").rglob("*"))
    assert len([p for p in blob_files if p.is_file()]) == 1  # only the original


def test_failing_job_is_retried_then_dead_lettered(rt: Runtime) -> None:
    _upload(rt)
    calls = []

    def broken(ctx: JobContext) -> None:
        calls.append(ctx.job.attempts)
        raise RuntimeError("decoder exploded")

    for _ in range(10):
        run_once(
            rt.db, {"prepare_review_copy": broken}, owner="w", backoff_base_s=0, backoff_max_s=0
        )
    with rt.db.read() as session:
        job = session.execute(sa.select(WorkItem).where(WorkItem.queue == "jobs")).scalar_one()
        assert job.state == "dead" and "decoder exploded" in job.last_error
        actions = (
            session.execute(sa.select(AuditEvent.action).where(AuditEvent.action.like("job.%")))
            .scalars()
            .all()
        )
    assert calls == list(range(1, rt.settings.job_max_attempts + 1))
    assert (
        actions.count("job.failed") == rt.settings.job_max_attempts - 1
        and actions.count("job.dead") == 1
    )
