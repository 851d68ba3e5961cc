"""Why waiting review tasks are not handed to a reviewer: each counted by the rule that hides it.

A reviewer whose lease comes back empty while the lead page counts tasks waiting needs to know
why ("31 waiting, none you may hear: per-account limit reached"). The rules are those the claim
in ``assignment`` enforces in SQL; this reads the same facts (the tasks, their clips, the
reviewer's exposures, the latest consent) and names, for each waiting task, the first rule that
keeps it from the reviewer. ``tests/review/test_waiting.py`` pins it to what ``lease_next``
actually hands out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxguard.config import Settings
from voxguard.consent.service import current_consents
from voxguard.db.base import utcnow
from voxguard.db.models import Exposure, User, Utterance, WorkItem
from voxguard.review.assignment import EXPOSURE_WINDOW, allowed_data_regions
from voxguard.work.queues import REVIEW_QUEUE

# Each hidden task is counted under the first rule of this order that hides it.
AVAILABLE = "available"
REASONS: tuple[str, ...] = (
    "being_reviewed",  # someone else holds its lease
    "not_due",  # put back with a delay (a skip, a retry) and not due yet
    "no_consent",  # the account no longer consents to review
    "restricted",  # flagged sensitive, distress or PII audible, or deleted
    "other_region",  # its data residency does not allow the reviewer's region
    "already_heard",  # the reviewer was handed this clip before (its other pass waits for
    # somebody else)
    "account_limit",  # the reviewer heard K clips of this account in 30 days
    "no_reviewer",  # (lead's view) no active reviewer at all
)
REASON_LABELS: dict[str, str] = {
    "being_reviewed": "being reviewed by someone else",
    "not_due": "not due yet",
    "no_consent": "consent withdrawn",
    "restricted": "restricted or deleted",
    "other_region": "other region",
    "already_heard": "already heard by you",
    "account_limit": "per-account limit reached",
    "no_reviewer": "no active reviewer",
}


@dataclass(frozen=True)
class _Task:
    id: str
    state: str
    available_at: datetime
    lease_expires_at: datetime | None
    attempts: int
    max_attempts: int
    utterance_id: str
    account_id: str
    data_region: str
    hidden_clip: bool


@dataclass(frozen=True)
class WaitingReasons:
    """Review tasks waiting (pending or leased), and how many each rule hides."""

    waiting: int
    available: int
    hidden: dict[str, int]  # reason -> tasks, in REASONS order, zero counts left out

    def as_dict(self) -> dict[str, object]:
        return {
            "waiting": self.waiting,
            "available": self.available,
            "hidden": [
                {"reason": reason, "label": REASON_LABELS[reason], "tasks": n}
                for reason, n in self.hidden.items()
            ],
        }


def _tasks(session: Session) -> list[_Task]:
    rows = session.execute(
        select(
            WorkItem.id,
            WorkItem.state,
            WorkItem.available_at,
            WorkItem.lease_expires_at,
            WorkItem.attempts,
            WorkItem.max_attempts,
            Utterance.id.label("utterance_id"),
            Utterance.account_id,
            Utterance.data_region,
            (Utterance.restricted.is_(True) | Utterance.deleted_at.is_not(None)).label("hidden"),
        )
        .join(Utterance, Utterance.id == WorkItem.subject_id)
        .where(WorkItem.queue == REVIEW_QUEUE, WorkItem.state.in_(("pending", "leased")))
    )
    return [_Task(*row) for row in rows]


def _opted_in(session: Session, account_ids: Iterable[str]) -> set[str]:
    return {
        c.account_id
        for c in current_consents(session, set(account_ids))
        if c.human_review == "opted_in"
    }


@dataclass
class _Exposures:
    heard: set[str]  # clips handed to the reviewer, ever
    recent: Counter[str]  # account -> clips handed within the window


def _exposures(session: Session, reviewer_ids: list[str], since: datetime) -> dict[str, _Exposures]:
    found = {rid: _Exposures(set(), Counter()) for rid in reviewer_ids}
    rows = session.execute(
        select(
            Exposure.reviewer_id, Exposure.utterance_id, Exposure.account_id, Exposure.exposed_at
        ).where(Exposure.reviewer_id.in_(reviewer_ids))
    )
    for reviewer_id, utterance_id, account_id, exposed_at in rows:
        found[reviewer_id].heard.add(utterance_id)
        if exposed_at >= since:
            found[reviewer_id].recent[account_id] += 1
    return found


def _reason(
    task: _Task,
    settings: Settings,
    regions: list[str],
    exposures: _Exposures,
    opted_in: set[str],
    now: datetime,
) -> str:
    """The first rule that hides ``task`` from the reviewer, or AVAILABLE."""
    if task.state == "leased" and not (
        task.lease_expires_at is not None
        and task.lease_expires_at < now
        and task.attempts < task.max_attempts
    ):
        return "being_reviewed"
    if task.state == "pending" and task.available_at > now:
        return "not_due"
    if task.account_id not in opted_in:
        return "no_consent"
    if task.hidden_clip:
        return "restricted"
    if task.data_region not in regions:
        return "other_region"
    if task.utterance_id in exposures.heard:
        return "already_heard"
    if exposures.recent[task.account_id] >= settings.reviewer_account_cap_30d:
        return "account_limit"
    return AVAILABLE


def _summary(reasons: Iterable[str]) -> WaitingReasons:
    counts = Counter(reasons)
    return WaitingReasons(
        waiting=sum(counts.values()),
        available=counts[AVAILABLE],
        hidden={reason: counts[reason] for reason in REASONS if counts[reason]},
    )


def waiting_for(
    session: Session, settings: Settings, user: User, now: datetime | None = None
) -> WaitingReasons:
    """The review tasks waiting, and why each one this reviewer may not be handed is hidden."""
    now = now or utcnow()
    tasks = _tasks(session)
    opted_in = _opted_in(session, (t.account_id for t in tasks))
    exposures = _exposures(session, [user.id], now - EXPOSURE_WINDOW)[user.id]
    regions = allowed_data_regions(settings, user.region)
    return _summary(_reason(t, settings, regions, exposures, opted_in, now) for t in tasks)


def waiting_for_anyone(
    session: Session, settings: Settings, now: datetime | None = None
) -> WaitingReasons:
    """The lead's view: a task counts as available when some active reviewer (or lead) may be
    handed it; else under the rule that hides it from the reviewer it is least hidden from
    (a limit that lapses before a region that never changes)."""
    now = now or utcnow()
    tasks = _tasks(session)
    reviewers = list(
        session.execute(
            select(User.id, User.region).where(
                User.role.in_(("reviewer", "lead")), User.disabled_at.is_(None)
            )
        )
    )
    opted_in = _opted_in(session, (t.account_id for t in tasks))
    exposures = _exposures(session, [r.id for r in reviewers], now - EXPOSURE_WINDOW)
    regions = {r.id: allowed_data_regions(settings, r.region) for r in reviewers}
    least_hidden_first = (AVAILABLE, "account_limit", "already_heard", "other_region")
    ranked = [*least_hidden_first, *(r for r in REASONS if r not in least_hidden_first)]
    order = {reason: i for i, reason in enumerate(ranked)}
    reasons = []
    for task in tasks:
        per_reviewer = [
            _reason(task, settings, regions[r.id], exposures[r.id], opted_in, now)
            for r in reviewers
        ]
        if not per_reviewer:  # the rules that hold for anyone, else: nobody to hand it to
            nobody = _reason(
                task, settings, [task.data_region], _Exposures(set(), Counter()), opted_in, now
            )
            reasons.append("no_reviewer" if nobody == AVAILABLE else nobody)
            continue
        reasons.append(min(per_reviewer, key=order.__getitem__))
    return _summary(reasons)
