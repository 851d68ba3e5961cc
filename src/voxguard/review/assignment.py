"""Who gets which task: the review lease with every assignment rule in the claim itself.

Rules (all enforced inside the one claiming statement, so no race can bypass them):
- the clip's account still consents to human review (latest consent version is ``opted_in``);
- the clip is not restricted (sensitive/distress) nor deleted;
- the clip's data region allows the reviewer's region (``settings.residency``);
- the reviewer has not been handed this clip before (also a unique constraint on exposures);
- the reviewer has been handed fewer than K clips of this account in the last 30 days.
Gold clips are mixed in at ``settings.gold_rate``: a gold task is created for the reviewer on the
fly from a gold clip they have not seen, under the same rules.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from voxguard import audit, work
from voxguard.config import Settings
from voxguard.db.base import utcnow
from voxguard.db.models import ConsentRecord, Exposure, GoldClip, User, Utterance, WorkItem
from voxguard.processing.pipeline import REVIEW_QUEUE

GOLD_QUEUE = "gold"
EXPOSURE_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class LeasedTask:
    task_id: str
    utterance_id: str
    lease_expires_at: datetime
    lease_seconds: int


def lease_seconds_for(settings: Settings, duration_s: float) -> int:
    return int(
        max(settings.review_lease_min_seconds, settings.review_lease_clip_factor * duration_s)
    )


def allowed_data_regions(settings: Settings, reviewer_region: str) -> list[str]:
    """Data regions whose clips a reviewer in ``reviewer_region`` may hear (unlisted: same only)."""
    candidates = set(settings.residency) | {reviewer_region}
    return sorted(d for d in candidates if reviewer_region in settings.residency.get(d, [d]))


def _latest_review_consent(account_id: ColumnElement[str]) -> ColumnElement[str]:
    return (
        select(ConsentRecord.human_review)
        .where(ConsentRecord.account_id == account_id)
        .order_by(ConsentRecord.version.desc())
        .limit(1)
        .scalar_subquery()
    )


def _eligible_clip(
    settings: Settings, user: User, utterance_id: ColumnElement[str], now: datetime
) -> ColumnElement[bool]:
    capped_accounts = (
        select(Exposure.account_id)
        .where(Exposure.reviewer_id == user.id, Exposure.exposed_at >= now - EXPOSURE_WINDOW)
        .group_by(Exposure.account_id)
        .having(func.count() >= settings.reviewer_account_cap_30d)
    )
    # An alias, so the EXISTS never correlates away against an outer query on utterances.
    clip = aliased(Utterance)
    return and_(
        exists().where(
            clip.id == utterance_id,
            clip.deleted_at.is_(None),
            clip.restricted.is_(False),
            clip.data_region.in_(allowed_data_regions(settings, user.region)),
            clip.account_id.not_in(capped_accounts),
            _latest_review_consent(clip.account_id) == "opted_in",
        ),
        ~exists().where(Exposure.reviewer_id == user.id, Exposure.utterance_id == utterance_id),
    )


def held_task(session: Session, user: User, task_id: str, *, lock: bool = True) -> WorkItem | None:
    """The caller's task if they hold a live lease on it, else None."""
    query = select(WorkItem).where(WorkItem.id == task_id)
    item = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if (
        item is None
        or item.owner != user.id
        or item.state != "leased"
        or item.lease_expires_at is None
        or item.lease_expires_at < utcnow()
    ):
        return None
    return item


def current_lease(session: Session, user: User, now: datetime | None = None) -> LeasedTask | None:
    now = now or utcnow()
    item = session.execute(
        select(WorkItem)
        .where(
            WorkItem.queue.in_((REVIEW_QUEUE, GOLD_QUEUE)),
            WorkItem.owner == user.id,
            WorkItem.state == "leased",
            WorkItem.lease_expires_at > now,
        )
        .order_by(WorkItem.lease_expires_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    if item is None or item.lease_expires_at is None:
        return None
    seconds = int(item.payload.get("lease_seconds", 120))
    return LeasedTask(item.id, item.subject_id, item.lease_expires_at, seconds)


def _record_exposure(session: Session, user: User, item: WorkItem, *, gold: bool) -> Utterance:
    utterance = session.get(Utterance, item.subject_id)
    assert utterance is not None
    session.add(
        Exposure(
            reviewer_id=user.id,
            utterance_id=utterance.id,
            account_id=utterance.account_id,
            work_item_id=item.id,
            is_gold=gold,
        )
    )
    session.flush()  # the unique (reviewer, clip) constraint is the backstop for racing tabs
    return utterance


def _fit_lease(
    settings: Settings, item: WorkItem, utterance: Utterance, now: datetime
) -> LeasedTask:
    seconds = lease_seconds_for(settings, utterance.duration_s)
    item.lease_expires_at = now + timedelta(seconds=seconds)
    item.payload = {**item.payload, "lease_seconds": seconds}
    return LeasedTask(item.id, utterance.id, item.lease_expires_at, seconds)


def _claim_review(
    session: Session, settings: Settings, user: User, now: datetime
) -> WorkItem | None:
    return work.claim(
        session,
        queue=REVIEW_QUEUE,
        owner=user.id,
        lease_seconds=settings.review_lease_min_seconds,
        extra_filter=_eligible_clip(settings, user, WorkItem.subject_id, now),
        now=now,
    )


def _create_gold_task(
    session: Session, settings: Settings, user: User, now: datetime
) -> WorkItem | None:
    gold = session.execute(
        select(GoldClip.utterance_id, Utterance.account_id)
        .join(Utterance, Utterance.id == GoldClip.utterance_id)
        .where(
            GoldClip.retired_at.is_(None),
            _eligible_clip(settings, user, GoldClip.utterance_id, now),
        )
        .order_by(func.random())
        .limit(1)
    ).first()
    if gold is None:
        return None
    item = work.enqueue(
        session,
        queue=GOLD_QUEUE,
        kind="gold",
        subject_id=gold.utterance_id,
        account_id=gold.account_id,
    )
    session.flush()
    # No ``now`` here: the task was created after it and must already be due.
    return work.claim(
        session,
        queue=GOLD_QUEUE,
        owner=user.id,
        lease_seconds=settings.review_lease_min_seconds,
        extra_filter=WorkItem.id == item.id,
    )


def lease_next(
    session: Session, settings: Settings, user: User, *, rng: random.Random | None = None
) -> LeasedTask | None:
    """The caller's live lease if any, else the next eligible task (gold mixed in), else None."""
    now = utcnow()
    held = current_lease(session, user, now)
    if held is not None:
        return held
    want_gold = (rng or random).random() < settings.gold_rate
    item = None
    if want_gold:
        item = _create_gold_task(session, settings, user, now)
    gold = item is not None
    if item is None:
        item = _claim_review(session, settings, user, now)
    if item is None:
        return None
    try:
        with session.begin_nested():
            utterance = _record_exposure(session, user, item, gold=gold)
    except IntegrityError:
        # Another tab of the same reviewer took a sibling task of this clip a moment ago.
        if gold:
            item.state = "cancelled"
        else:
            work.release(session, item.id, item.lease_token or "")
        return None
    leased = _fit_lease(settings, item, utterance, now)
    audit.record(
        session,
        actor=f"user:{user.handle}",
        action="review.leased",
        target=f"task:{item.id}",
        account_id=utterance.account_id,
        details={"clip": utterance.id, "gold": gold, "lease_seconds": leased.lease_seconds},
    )
    return leased
