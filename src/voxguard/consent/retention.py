"""The retention sweep: what each person's retention choice and the review grace period allow.

- A recording past its expiry (3 months, 18 months, or at once for "don't save") loses its
  original as soon as nothing still needs it: not while the privacy pipeline still has to read
  it. Once its review is over too (or it was never sampled), the whole recording expires: every
  blob shredded, its words and review rows removed, the row left as a content-free tombstone
  ("expired" in the speaker's list).
- A review copy is deleted ``review_copy_grace_hours`` after its review completed.

Run by a periodic machine job on the work queue (``voxguard worker`` schedules it) and by
``voxguard retention run``. Each recording is handled in its own short transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, or_, select
from sqlalchemy.orm import Session

from voxguard import audit, work
from voxguard.config import Settings
from voxguard.db.base import utcnow
from voxguard.db.models import (
    Annotation,
    Blob,
    ClipOutcome,
    Flag,
    GoldClip,
    Utterance,
    WorkItem,
)
from voxguard.db.session import Database
from voxguard.vault.service import Vault
from voxguard.work.leases import OPEN_STATES
from voxguard.work.queues import JOBS_QUEUE, RETENTION_SWEEP

ACTOR = "machine:retention"
# Review outcomes after which nobody needs the clip's audio any more.
FINAL_OUTCOMES = ("accepted", "deleted_false_wake")
_BATCH = 200


@dataclass(frozen=True)
class SweepSummary:
    originals_deleted: int = 0
    recordings_expired: int = 0
    review_copies_deleted: int = 0

    def __add__(self, other: SweepSummary) -> SweepSummary:
        return SweepSummary(
            self.originals_deleted + other.originals_deleted,
            self.recordings_expired + other.recordings_expired,
            self.review_copies_deleted + other.review_copies_deleted,
        )


def _open_work(utterance_id: object) -> object:
    return exists().where(WorkItem.subject_id == utterance_id, WorkItem.state.in_(OPEN_STATES))


def _in_processing(session: Session, utterance: Utterance) -> bool:
    return utterance.status in ("received", "queued") and bool(
        session.execute(
            select(
                exists().where(
                    WorkItem.subject_id == utterance.id,
                    WorkItem.queue == JOBS_QUEUE,
                    WorkItem.state.in_(OPEN_STATES),
                )
            )
        ).scalar()
    )


def _review_over(session: Session, utterance: Utterance) -> bool:
    if not utterance.sampled or utterance.status in ("received", "queued"):
        return not utterance.sampled
    state = session.execute(
        select(ClipOutcome.state).where(ClipOutcome.utterance_id == utterance.id)
    ).scalar_one_or_none()
    open_tasks = session.execute(select(_open_work(utterance.id))).scalar()  # type: ignore[arg-type]
    return not open_tasks and (state in FINAL_OUTCOMES or utterance.status == "reviewed")


def _shred(session: Session, vault: Vault, blobs: list[Blob]) -> int:
    for blob in blobs:
        vault.shred_blob(session, blob, actor=ACTOR, reason="retention")
    return len(blobs)


def _live_blobs(session: Session, utterance_id: str, kind: str | None = None) -> list[Blob]:
    query = select(Blob).where(Blob.utterance_id == utterance_id, Blob.deleted_at.is_(None))
    if kind is not None:
        query = query.where(Blob.kind == kind)
    return list(session.execute(query).scalars())


def _expire_one(session: Session, vault: Vault, utterance_id: str, now: datetime) -> SweepSummary:
    utterance = session.execute(
        select(Utterance).where(Utterance.id == utterance_id).with_for_update()
    ).scalar_one_or_none()
    if utterance is None or utterance.status == "expired" or _in_processing(session, utterance):
        return SweepSummary()
    if utterance.expires_at is None or utterance.expires_at > now:
        return SweepSummary()  # the person chose a longer retention meanwhile
    if not _review_over(session, utterance):
        # Reviewers work from the anonymized copy: the original can go now.
        return SweepSummary(
            originals_deleted=_shred(session, vault, _live_blobs(session, utterance.id, "original"))
        )
    originals = _live_blobs(session, utterance.id, "original")
    _shred(session, vault, _live_blobs(session, utterance.id))
    work.cancel_for_subject(session, utterance.id, "expired")
    for model in (Annotation, ClipOutcome, Flag, GoldClip):
        session.execute(delete(model).where(model.utterance_id == utterance.id))
    session.execute(delete(Blob).where(Blob.utterance_id == utterance.id))
    utterance.device_asr_sealed, utterance.draft_text, utterance.redactions = None, None, []
    utterance.status, utterance.deleted_at = "expired", now
    audit.record(
        session,
        actor=ACTOR,
        action="recording.expired",
        target=f"utterance:{utterance.id}",
        account_id=utterance.account_id,
    )
    return SweepSummary(originals_deleted=len(originals), recordings_expired=1)


def _spent_review_copies(
    session: Session, settings: Settings, now: datetime, after: str
) -> list[str]:
    cutoff = now - timedelta(hours=settings.review_copy_grace_hours)
    return list(
        session.execute(
            select(Blob.id)
            .join(ClipOutcome, ClipOutcome.utterance_id == Blob.utterance_id)
            .where(
                Blob.id > after,
                Blob.kind == "review_copy",
                Blob.deleted_at.is_(None),
                ClipOutcome.state.in_(FINAL_OUTCOMES),
                ClipOutcome.updated_at <= cutoff,
                ~_open_work(Blob.utterance_id),  # type: ignore[operator]
            )
            .order_by(Blob.id)
            .limit(_BATCH)
        ).scalars()
    )


def _due_recordings(
    session: Session, now: datetime, after: tuple[datetime, str] | None
) -> list[tuple[datetime, str]]:
    query = select(Utterance.expires_at, Utterance.id).where(
        Utterance.expires_at <= now, Utterance.status != "expired"
    )
    if after is not None:
        at, last = after
        query = query.where(
            or_(Utterance.expires_at > at, and_(Utterance.expires_at == at, Utterance.id > last))
        )
    rows = session.execute(query.order_by(Utterance.expires_at, Utterance.id).limit(_BATCH)).all()
    return [(row.expires_at, row.id) for row in rows]


def sweep(
    db: Database, settings: Settings, vault: Vault, *, now: datetime | None = None
) -> SweepSummary:
    """One pass over everything retention allows removing now."""
    now = now or utcnow()
    total = SweepSummary()
    after: tuple[datetime, str] | None = None
    while True:
        with db.read() as session:
            due = _due_recordings(session, now, after)
        if not due:
            break
        for _expires_at, utterance_id in due:
            with db.session() as session:
                total = total + _expire_one(session, vault, utterance_id, now)
        after = due[-1]
    last_blob = ""
    while True:
        with db.read() as session:
            spent = _spent_review_copies(session, settings, now, last_blob)
        if not spent:
            break
        for blob_id in spent:
            with db.session() as session:
                blob = session.get(Blob, blob_id, with_for_update=True)
                if blob is not None and blob.deleted_at is None:
                    shredded = _shred(session, vault, [blob])
                    total = total + SweepSummary(review_copies_deleted=shredded)
        last_blob = spent[-1]
    if total != SweepSummary():
        db.purge_deleted_pages()
    return total


def schedule_sweep(session: Session) -> bool:
    """Queue a sweep unless one is already waiting or running; True when one was queued."""
    waiting = session.execute(
        select(
            exists().where(
                WorkItem.queue == JOBS_QUEUE,
                WorkItem.kind == RETENTION_SWEEP,
                WorkItem.state.in_(OPEN_STATES),
            )
        )
    ).scalar()
    if waiting:
        return False
    work.enqueue(
        session, queue=JOBS_QUEUE, kind=RETENTION_SWEEP, subject_id="retention", account_id=None
    )
    return True
