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
from typing import Any, Protocol

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    String,
    and_,
    bindparam,
    exists,
    func,
    select,
)
from sqlalchemy.orm import Session, aliased

from voxguard import audit, work
from voxguard.config import Settings
from voxguard.db.base import UTCDateTime, utcnow
from voxguard.db.models import ConsentRecord, Exposure, GoldClip, User, Utterance, WorkItem
from voxguard.db.upsert import insert_on_conflict
from voxguard.work.queues import GOLD_QUEUE, GOLD_TASK, REVIEW_QUEUE

EXPOSURE_WINDOW = timedelta(days=30)


class LeaseState(Protocol):
    """What a lease check reads: a WorkItem, or a row selected with these columns."""

    @property
    def owner(self) -> str | None: ...
    @property
    def state(self) -> str: ...
    @property
    def lease_expires_at(self) -> datetime | None: ...


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


def _eligible_clip(utterance_id: ColumnElement[str]) -> ColumnElement[bool]:
    """May the reviewer of ``eligibility_params`` be handed this clip? Built once per column:
    the reviewer, the window, the cap and the regions are bound parameters."""
    capped_accounts = (
        select(Exposure.account_id)
        .where(
            Exposure.reviewer_id == bindparam("reviewer_id", type_=String()),
            Exposure.exposed_at >= bindparam("exposure_since", type_=UTCDateTime()),
        )
        .group_by(Exposure.account_id)
        .having(func.count() >= bindparam("account_cap", type_=Integer()))
    )
    # An alias, so the EXISTS never correlates away against an outer query on utterances.
    clip = aliased(Utterance)
    return and_(
        exists().where(
            clip.id == utterance_id,
            clip.deleted_at.is_(None),
            clip.restricted.is_(False),
            clip.data_region.in_(bindparam("allowed_regions", expanding=True)),
            clip.account_id.not_in(capped_accounts),
            _latest_review_consent(clip.account_id) == "opted_in",
        ),
        ~exists().where(
            Exposure.reviewer_id == bindparam("reviewer_id", type_=String()),
            Exposure.utterance_id == utterance_id,
        ),
    )


def eligibility_params(settings: Settings, user: User, now: datetime) -> dict[str, Any]:
    return {
        "reviewer_id": user.id,
        "exposure_since": now - EXPOSURE_WINDOW,
        "account_cap": settings.reviewer_account_cap_30d,
        "allowed_regions": allowed_data_regions(settings, user.region),
    }


_REVIEW_TASK_ELIGIBLE = _eligible_clip(WorkItem.subject_id)
_GOLD_CLIP_ELIGIBLE = _eligible_clip(GoldClip.utterance_id)


def lease_seconds_of(settings: Settings, payload: dict[str, Any]) -> int:
    """A leased task's lease length: fitted to its clip when longer than the minimum."""
    return int(payload.get("lease_seconds", settings.review_lease_min_seconds))


def holds_lease(item: LeaseState, user: User, now: datetime) -> bool:
    return (
        item.owner == user.id
        and item.state == "leased"
        and item.lease_expires_at is not None
        and item.lease_expires_at >= now
    )


def held_task(session: Session, user: User, task_id: str) -> WorkItem | None:
    """The caller's task, locked, if they hold a live lease on it, else None."""
    item = session.execute(
        select(WorkItem).where(WorkItem.id == task_id).with_for_update()
    ).scalar_one_or_none()
    return item if item is not None and holds_lease(item, user, utcnow()) else None


# Built once (hot path): building costs more CPU than PostgreSQL spends running them.
_LIVE_LEASE = (
    select(WorkItem.id, WorkItem.subject_id, WorkItem.lease_expires_at, WorkItem.payload)
    .where(
        WorkItem.queue.in_((REVIEW_QUEUE, GOLD_QUEUE)),
        WorkItem.owner == bindparam("reviewer_id", type_=String()),
        WorkItem.state == "leased",
        WorkItem.lease_expires_at > bindparam("now", type_=UTCDateTime()),
    )
    .order_by(WorkItem.lease_expires_at.desc())
    .limit(1)
)
CLIP_BY_ID = select(Utterance).where(Utterance.id == bindparam("utterance_id", type_=String()))


def current_lease(
    session: Session, settings: Settings, user: User, now: datetime | None = None
) -> LeasedTask | None:
    row = session.execute(_LIVE_LEASE, {"reviewer_id": user.id, "now": now or utcnow()}).first()
    if row is None or row.lease_expires_at is None:
        return None
    return LeasedTask(
        row.id, row.subject_id, row.lease_expires_at, lease_seconds_of(settings, row.payload)
    )


def _record_exposure(session: Session, user: User, item: WorkItem, utterance: Utterance) -> bool:
    """Note that ``user`` was handed the clip; False if they already were (a racing tab)."""
    dialect = session.get_bind().dialect.name
    statement = _NEW_EXPOSURE.get(dialect)
    if statement is None:
        # The unique (reviewer, clip) constraint is the backstop; ON CONFLICT needs no savepoint.
        statement = _NEW_EXPOSURE.setdefault(
            dialect,
            insert_on_conflict(session, Exposure)
            .values(
                reviewer_id=bindparam("reviewer_id", type_=String()),
                utterance_id=bindparam("utterance_id", type_=String()),
                account_id=bindparam("account_id", type_=String()),
                work_item_id=bindparam("work_item_id", type_=String()),
                is_gold=bindparam("is_gold", type_=Boolean()),
                exposed_at=bindparam("exposed_at", type_=UTCDateTime()),
            )
            .on_conflict_do_nothing(index_elements=["reviewer_id", "utterance_id"])
            .returning(Exposure.id),
        )
    inserted = session.execute(
        statement,
        {
            "reviewer_id": user.id,
            "utterance_id": utterance.id,
            "account_id": utterance.account_id,
            "work_item_id": item.id,
            "is_gold": item.queue == GOLD_QUEUE,
            "exposed_at": utcnow(),
        },
    ).first()
    return inserted is not None


_NEW_EXPOSURE: dict[str, Any] = {}


def _fit_lease(settings: Settings, item: WorkItem, utterance: Utterance) -> LeasedTask:
    """Lengthen the claimed minimum lease for a long clip (rare: commands are short)."""
    assert item.lease_expires_at is not None
    seconds = lease_seconds_for(settings, utterance.duration_s)
    if seconds > settings.review_lease_min_seconds:
        extra = timedelta(seconds=seconds - settings.review_lease_min_seconds)
        item.lease_expires_at = item.lease_expires_at + extra
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
        extra_filter=_REVIEW_TASK_ELIGIBLE,
        filter_params=eligibility_params(settings, user, now),
        cache_key="review-eligible",
        now=now,
    )


def _create_gold_task(
    session: Session, settings: Settings, user: User, now: datetime
) -> WorkItem | None:
    gold = session.execute(
        select(GoldClip.utterance_id, Utterance.account_id)
        .join(Utterance, Utterance.id == GoldClip.utterance_id)
        .where(GoldClip.retired_at.is_(None), _GOLD_CLIP_ELIGIBLE)
        .order_by(func.random())
        .limit(1),
        eligibility_params(settings, user, now),
    ).first()
    if gold is None:
        return None
    item = work.enqueue(
        session,
        queue=GOLD_QUEUE,
        kind=GOLD_TASK,
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
    held = current_lease(session, settings, user, now)
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
    utterance = session.execute(CLIP_BY_ID, {"utterance_id": item.subject_id}).scalar_one()
    if not _record_exposure(session, user, item, utterance):
        # Another tab of the same reviewer took a sibling task of this clip a moment ago.
        if gold:
            item.state = "cancelled"
        else:
            work.release(session, item.id, item.lease_token or "")
        return None
    leased = _fit_lease(settings, item, utterance)
    audit.record(
        session,
        actor=f"user:{user.handle}",
        action="review.leased",
        target=f"task:{item.id}",
        account_id=utterance.account_id,
        details={"clip": utterance.id, "gold": gold, "lease_seconds": leased.lease_seconds},
    )
    return leased
