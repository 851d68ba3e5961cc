"""Heartbeat, skip and submit for a reviewer's leased task."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import String, and_, bindparam, select
from sqlalchemy.orm import Session

from voxguard import audit, work
from voxguard.config import Settings
from voxguard.db.base import utcnow
from voxguard.db.models import Annotation, Exposure, GoldClip, User, Utterance, WorkItem
from voxguard.review.assignment import held_task, holds_lease, lease_seconds_of
from voxguard.review.consensus import evaluate
from voxguard.review.errors import LeaseGone, NotPlayed
from voxguard.review.flags import FLAG_KINDS, PII_TYPED, record_flags
from voxguard.review.intents import intent_list
from voxguard.review.text import wer
from voxguard.review.typed_text import TYPED_PII_HIDDEN, reviewer_transcript
from voxguard.vault.service import Vault
from voxguard.work.queues import GOLD_QUEUE

MAX_PLAYBACK_SPEED = 1.5
PLAYBACK_SLACK_S = 1.0


class Submission(BaseModel):
    transcript: str = Field(max_length=4000)
    intent: str = Field(max_length=128)
    flags: list[str] = Field(default_factory=list, max_length=len(FLAG_KINDS))
    played_to_end: bool
    seconds_spent: float = Field(default=0.0, ge=0, le=24 * 3600)

    @field_validator("flags")
    @classmethod
    def _known(cls, flags: list[str]) -> list[str]:
        unknown = sorted(set(flags) - set(FLAG_KINDS))
        if unknown:
            raise ValueError(f"unknown flags {unknown}; known: {', '.join(FLAG_KINDS)}")
        return sorted(set(flags))


@dataclass(frozen=True)
class SubmitResult:
    status: str
    outcome: str | None
    effects: list[str]


def _held_item(session: Session, user: User, task_id: str) -> WorkItem:
    item = held_task(session, user, task_id)
    if item is None:
        raise LeaseGone("you no longer hold this task (expired, cancelled or never yours)")
    return item


def heartbeat(
    session: Session, settings: Settings, user: User, task_id: str
) -> tuple[datetime, int]:
    item = _held_item(session, user, task_id)
    seconds = lease_seconds_of(settings, item.payload)
    expires = work.heartbeat(session, item.id, item.lease_token or "", seconds)
    return expires, seconds


def skip(session: Session, user: User, task_id: str) -> None:
    item = _held_item(session, user, task_id)
    work.release(session, item.id, item.lease_token or "")
    audit.record(
        session,
        actor=f"user:{user.handle}",
        action="review.skipped",
        target=f"task:{task_id}",
        account_id=item.account_id,
    )


def _already_submitted(session: Session, user: User, task_id: str) -> Annotation | None:
    return session.execute(
        select(Annotation).where(
            Annotation.work_item_id == task_id, Annotation.reviewer_id == user.id
        )
    ).scalar_one_or_none()


# Built once (hot path). Lock the clip before the task: sibling passes submitted at once then
# decide the clip's outcome one after the other, and every path takes the locks in this order.
_TASK_ID = bindparam("task_id", type_=String())
_LOCK_CLIP_OF_TASK = (
    select(Utterance)
    .where(
        Utterance.id == select(WorkItem.subject_id).where(WorkItem.id == _TASK_ID).scalar_subquery()
    )
    .with_for_update(key_share=True)
)
_LOCK_TASK_WITH_EXPOSURE = (
    select(WorkItem, Exposure.audio_fetched_at)
    .outerjoin(
        Exposure,
        and_(
            Exposure.reviewer_id == bindparam("reviewer_id", type_=String()),
            Exposure.utterance_id == WorkItem.subject_id,
        ),
    )
    .where(WorkItem.id == _TASK_ID)
    .with_for_update(of=WorkItem)
)


def submit(
    session: Session, settings: Settings, vault: Vault, user: User, task_id: str, body: Submission
) -> SubmitResult:
    # Lock the clip before the task: sibling passes submitted at once then decide the clip's
    # outcome one after the other, and every path takes the two locks in the same order.
    params = {"task_id": task_id, "reviewer_id": user.id}
    utterance = session.execute(_LOCK_CLIP_OF_TASK, params).scalar_one_or_none()
    held = session.execute(_LOCK_TASK_WITH_EXPOSURE, params).first()
    if held is None or utterance is None or not holds_lease(held.WorkItem, user, utcnow()):
        if _already_submitted(session, user, task_id) is not None:
            return SubmitResult("submitted", None, [])  # idempotent repeat
        raise LeaseGone("you no longer hold this task (expired, cancelled or never yours)")
    item: WorkItem = held.WorkItem
    _check_heard(body, held.audio_fetched_at, utterance.duration_s)
    intent = intent_list(settings).check(body.intent, false_wake="false_wake" in body.flags)
    gold = item.queue == GOLD_QUEUE
    typed = reviewer_transcript(body.transcript, utterance.draft_text)
    gold_wer = None
    if gold:
        reference = session.get(GoldClip, utterance.id)
        gold_wer = wer(reference.transcript, typed.text) if reference else None
    session.add(
        Annotation(
            work_item_id=item.id,
            utterance_id=utterance.id,
            reviewer_id=user.id,
            transcript=typed.text,
            intent=intent,
            flags=body.flags,
            is_gold=gold,
            gold_wer=gold_wer,
            seconds_spent=body.seconds_spent,
        )
    )
    work.mark_done(item)
    audit.record(
        session,
        actor=f"user:{user.handle}",
        action="review.submitted",
        target=f"task:{item.id}",
        account_id=utterance.account_id,
        details={"clip": utterance.id, "gold": gold, "flags": body.flags},
    )
    session.flush()
    # a gold clip's flags mean nothing (its reference is known), but a name typed on it was heard
    kinds = [] if gold else list(body.flags)
    if typed.found:
        kinds = sorted({*kinds, PII_TYPED})
        audit.record(
            session,
            actor=f"user:{user.handle}",
            action="review.typed_pii_hidden",
            target=f"task:{item.id}",
            account_id=utterance.account_id,
            details={"clip": utterance.id, "types": list(typed.found)},
        )
    effects = record_flags(session, vault, user=user, utterance=utterance, kinds=kinds)
    if typed.found:
        effects.append(TYPED_PII_HIDDEN)
    outcome = None
    if not gold and not effects:
        outcome = evaluate(session, settings, utterance.id, actor=f"user:{user.handle}").state
    return SubmitResult("submitted", outcome, effects)


def _check_heard(body: Submission, audio_fetched_at: datetime | None, duration_s: float) -> None:
    if not body.played_to_end:
        raise NotPlayed("play the clip to the end before submitting")
    if audio_fetched_at is None:
        raise NotPlayed("the clip's audio was never fetched")
    needed = timedelta(seconds=max(0.0, duration_s / MAX_PLAYBACK_SPEED - PLAYBACK_SLACK_S))
    if utcnow() - audio_fetched_at < needed:
        raise NotPlayed("the clip cannot have been heard to the end yet")


__all__ = ["Submission", "SubmitResult", "heartbeat", "skip", "submit"]
