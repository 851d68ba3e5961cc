"""Figures for reviewers (their shift) and for leads (a row per reviewer)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voxguard.db.models import Annotation, ClipOutcome, Flag, User, WorkItem
from voxguard.review.text import pair_wer
from voxguard.work.queues import GOLD_QUEUE, REVIEW_QUEUE


@dataclass(frozen=True)
class ShiftStats:
    done_this_shift: int
    median_seconds: float | None
    gold_accuracy: float | None


def _gold_accuracy(wers: list[float]) -> float | None:
    return round(1.0 - min(1.0, statistics.fmean(wers)), 3) if wers else None


def shift_stats(session: Session, user: User, since: datetime) -> ShiftStats:
    rows = session.execute(
        select(Annotation.seconds_spent, Annotation.gold_wer).where(
            Annotation.reviewer_id == user.id, Annotation.submitted_at >= since
        )
    ).all()
    seconds = [r.seconds_spent for r in rows if r.seconds_spent > 0]
    return ShiftStats(
        done_this_shift=len(rows),
        median_seconds=round(statistics.median(seconds), 2) if seconds else None,
        gold_accuracy=_gold_accuracy([r.gold_wer for r in rows if r.gold_wer is not None]),
    )


@dataclass(frozen=True)
class ReviewerRow:
    handle: str
    region: str
    clips: int
    clips_per_hour: float | None
    median_seconds: float | None
    gold_clips: int
    gold_wer: float | None
    agreement: float | None  # share of their clips whose final transcript equals theirs
    flags: int
    over_threshold: bool


def per_hour(value: float) -> str:
    """A rate per hour as leads read it: whole numbers from 10 up, one decimal below."""
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def reviewer_table(session: Session, gold_wer_alert: float) -> list[ReviewerRow]:
    reviewers = (
        session.execute(
            select(User).where(User.role.in_(("reviewer", "lead"))).order_by(User.handle)
        )
        .scalars()
        .all()
    )
    rows = []
    for user in reviewers:
        annotations = (
            session.execute(select(Annotation).where(Annotation.reviewer_id == user.id))
            .scalars()
            .all()
        )
        regular = [a for a in annotations if not a.is_gold]
        gold = [a.gold_wer for a in annotations if a.gold_wer is not None]
        seconds = [a.seconds_spent for a in annotations if a.seconds_spent > 0]
        finals = (
            dict(
                session.execute(
                    select(ClipOutcome.utterance_id, ClipOutcome.transcript).where(
                        ClipOutcome.utterance_id.in_([a.utterance_id for a in regular]),
                        ClipOutcome.state == "accepted",
                    )
                ).all()
            )
            if regular
            else {}
        )
        judged = [a for a in regular if a.utterance_id in finals]
        agree = [pair_wer(a.transcript, finals[a.utterance_id] or "") == 0 for a in judged]
        flags = session.execute(
            select(func.count()).select_from(Flag).where(Flag.reviewer_id == user.id)
        ).scalar_one()
        gold_wer = round(statistics.fmean(gold), 3) if gold else None
        total_hours = sum(seconds) / 3600
        rows.append(
            ReviewerRow(
                handle=user.handle,
                region=user.region,
                clips=len(annotations),
                clips_per_hour=round(len(seconds) / total_hours, 1) if total_hours > 0 else None,
                median_seconds=round(statistics.median(seconds), 2) if seconds else None,
                gold_clips=len(gold),
                gold_wer=gold_wer,
                agreement=round(sum(agree) / len(agree), 3) if agree else None,
                flags=flags,
                over_threshold=gold_wer is not None and gold_wer > gold_wer_alert,
            )
        )
    return rows


def dead_lettered_tasks(session: Session) -> int:
    """Review and gold tasks buried after their final lease expired: a lead should look."""
    return session.execute(
        select(func.count())
        .select_from(WorkItem)
        .where(WorkItem.queue.in_((REVIEW_QUEUE, GOLD_QUEUE)), WorkItem.state == "dead")
    ).scalar_one()
