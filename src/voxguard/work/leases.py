"""Claim, heartbeat, complete, fail and cancel work items.

A claim is one statement: ``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED) RETURNING`` on
PostgreSQL, the same without the lock clause on SQLite (whose single writer serialises claims).
Each claim issues a fresh lease token; heartbeat, complete and fail must present it, so a worker
whose lease expired and was handed to someone else can no longer touch the item.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.orm import Session

from voxguard.db.base import utcnow
from voxguard.db.models import WorkItem

OPEN_STATES = ("pending", "leased")


class LeaseLost(Exception):
    """The caller no longer holds the lease (expired and re-issued, cancelled, or never held)."""


def enqueue(
    session: Session,
    *,
    queue: str,
    kind: str,
    subject_id: str,
    account_id: str | None,
    payload: dict[str, Any] | None = None,
    priority: int = 100,
    max_attempts: int = 5,
) -> WorkItem:
    item = WorkItem(
        queue=queue,
        kind=kind,
        subject_id=subject_id,
        account_id=account_id,
        payload=payload or {},
        priority=priority,
        max_attempts=max_attempts,
        state="pending",
        attempts=0,
        available_at=utcnow(),
    )
    session.add(item)
    return item


def _due_pending(queue: str, now: datetime) -> ColumnElement[bool]:
    return and_(WorkItem.queue == queue, WorkItem.state == "pending", WorkItem.available_at <= now)


def _expired_lease(queue: str, now: datetime) -> ColumnElement[bool]:
    return and_(
        WorkItem.queue == queue,
        WorkItem.state == "leased",
        WorkItem.lease_expires_at < now,
        WorkItem.attempts < WorkItem.max_attempts,
    )


def bury_exhausted(session: Session, queue: str, now: datetime | None = None) -> int:
    """Dead-letter items whose last lease expired after their final attempt."""
    now = now or utcnow()
    result = session.execute(
        update(WorkItem)
        .where(
            WorkItem.queue == queue,
            WorkItem.state == "leased",
            WorkItem.lease_expires_at < now,
            WorkItem.attempts >= WorkItem.max_attempts,
        )
        .values(state="dead", last_error="lease expired on the final attempt", lease_token=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def claim(
    session: Session,
    *,
    queue: str,
    owner: str,
    lease_seconds: float,
    extra_filter: ColumnElement[bool] | None = None,
    order_by: tuple[Any, ...] = (),
    now: datetime | None = None,
) -> WorkItem | None:
    """Lease the next due item of ``queue`` to ``owner``; None when nothing is due."""
    now = now or utcnow()
    # Two narrow statements rather than one with OR: each can use its own index.
    for due in (_due_pending(queue, now), _expired_lease(queue, now)):
        condition = due if extra_filter is None else and_(due, extra_filter)
        item = _claim_one(session, condition, owner, lease_seconds, order_by, now)
        if item is not None:
            return item
    return None


def _claim_one(
    session: Session,
    condition: ColumnElement[bool],
    owner: str,
    lease_seconds: float,
    order_by: tuple[Any, ...],
    now: datetime,
) -> WorkItem | None:
    candidate = (
        select(WorkItem.id)
        .where(condition)
        .order_by(*order_by, WorkItem.priority, WorkItem.available_at, WorkItem.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        candidate = candidate.with_for_update(skip_locked=True)
    statement = (
        update(WorkItem)
        .where(WorkItem.id == candidate.scalar_subquery())
        .values(
            state="leased",
            owner=owner,
            lease_token=secrets.token_hex(16),
            lease_expires_at=now + timedelta(seconds=lease_seconds),
            attempts=WorkItem.attempts + 1,
        )
        .returning(WorkItem)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).scalars().first()


def _held(session: Session, item_id: str, token: str, now: datetime) -> WorkItem:
    item = session.execute(
        select(WorkItem).where(WorkItem.id == item_id).with_for_update()
    ).scalar_one_or_none()
    if item is None or item.lease_token != token:
        raise LeaseLost(
            f"work item {item_id}: lease not held (expired and re-issued, or never held)"
        )
    if item.state == "cancelled":
        raise LeaseLost(f"work item {item_id} was cancelled")
    if item.state == "leased" and item.lease_expires_at is not None and item.lease_expires_at < now:
        raise LeaseLost(
            f"work item {item_id}: lease expired at {item.lease_expires_at.isoformat()}"
        )
    return item


def heartbeat(session: Session, item_id: str, token: str, lease_seconds: float) -> datetime:
    now = utcnow()
    item = _held(session, item_id, token, now)
    if item.state != "leased":
        raise LeaseLost(f"work item {item_id} is {item.state}, not leased")
    item.lease_expires_at = now + timedelta(seconds=lease_seconds)
    return item.lease_expires_at


def complete(session: Session, item_id: str, token: str) -> bool:
    """Mark done. Returns False (and changes nothing) when this lease already completed it."""
    item = _held(session, item_id, token, utcnow())
    if item.state == "done":
        return False
    item.state = "done"
    item.completed_at = utcnow()
    item.lease_expires_at = None
    return True


def fail(
    session: Session,
    item_id: str,
    token: str,
    error: str,
    *,
    backoff_base_s: float,
    backoff_max_s: float,
    permanent: bool = False,
) -> str:
    """Record a failure: retry later with exponential backoff, or dead-letter. Returns new state."""
    now = utcnow()
    item = _held(session, item_id, token, now)
    if item.state != "leased":
        raise LeaseLost(f"work item {item_id} is {item.state}, not leased")
    item.last_error = error[:2000]
    item.lease_token = None
    item.lease_expires_at = None
    if permanent or item.attempts >= item.max_attempts:
        item.state = "dead"
    else:
        delay = min(backoff_max_s, backoff_base_s * 2 ** (item.attempts - 1))
        item.state = "pending"
        item.available_at = now + timedelta(seconds=delay)
    return item.state


def release(session: Session, item_id: str, token: str) -> None:
    """Give the item back unfinished (a skip): due again at once, the attempt not counted."""
    item = _held(session, item_id, token, utcnow())
    if item.state != "leased":
        raise LeaseLost(f"work item {item_id} is {item.state}, not leased")
    item.state = "pending"
    item.attempts = max(0, item.attempts - 1)
    item.owner = None
    item.lease_token = None
    item.lease_expires_at = None


def cancel_for_account(session: Session, account_id: str, reason: str) -> int:
    """Cancel every open item touching the account; live leases are revoked with it."""
    result = session.execute(
        update(WorkItem)
        .where(WorkItem.account_id == account_id, WorkItem.state.in_(OPEN_STATES))
        .values(state="cancelled", lease_token=None, lease_expires_at=None, last_error=reason)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
