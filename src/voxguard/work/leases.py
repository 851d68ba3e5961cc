"""Claim, heartbeat, complete, fail and cancel work items.

A claim is one statement: ``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED) RETURNING`` on
PostgreSQL, the same without the lock clause on SQLite (whose single writer serialises claims).
Each claim issues a fresh lease token; heartbeat, complete and fail must present it, so a worker
whose lease expired and was handed to someone else can no longer touch the item.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    Update,
    and_,
    bindparam,
    literal_column,
    select,
    update,
)
from sqlalchemy.orm import Session

from voxguard.db.base import UTCDateTime, utcnow
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


# The claim statements are built once per shape and run with these parameters: building
# a statement with its subqueries costs more CPU than PostgreSQL spends running it.
_NOW = bindparam("claim_now", type_=UTCDateTime())
_QUEUE = bindparam("claim_queue", type_=String())
# Literal states, so that SQLite, which plans before it sees parameters, can prove the
# partial index's ``state = 'pending'``.
_PENDING = literal_column("'pending'")
_LEASED = literal_column("'leased'")


def _due_pending() -> ColumnElement[bool]:
    return and_(WorkItem.queue == _QUEUE, WorkItem.state == _PENDING, WorkItem.available_at <= _NOW)


def _expired_lease() -> ColumnElement[bool]:
    return and_(
        WorkItem.queue == _QUEUE,
        WorkItem.state == _LEASED,
        WorkItem.lease_expires_at < _NOW,
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
    filter_params: Mapping[str, Any] | None = None,
    cache_key: str | None = None,
    order_by: tuple[Any, ...] = (),
    now: datetime | None = None,
) -> WorkItem | None:
    """Lease the next due item of ``queue`` to ``owner``; None when nothing is due.

    ``extra_filter`` narrows the candidates; its bound parameters come in ``filter_params``.
    Give a ``cache_key`` naming the filter's (and ``order_by``'s) shape to build the claim
    statements once per process; without one they are built on every call.
    """
    now = now or utcnow()
    dialect = session.get_bind().dialect.name
    params = {
        **(filter_params or {}),
        "claim_now": now,
        "claim_queue": queue,
        "claim_owner": owner,
        "claim_token": secrets.token_hex(16),
        "claim_expires": now + timedelta(seconds=lease_seconds),
    }
    # Two narrow statements rather than one with OR: each can use its own index.
    for expired in (False, True):
        if cache_key is None:
            statement = _claim_statement(dialect, expired, extra_filter, order_by)
        else:
            key = (dialect, expired, cache_key)
            statement = _CLAIMS.get(key)
            if statement is None:
                statement = _CLAIMS.setdefault(
                    key, _claim_statement(dialect, expired, extra_filter, order_by)
                )
        item = session.execute(statement, params).scalars().first()
        if item is not None:
            return item
    return None


_CLAIMS: dict[tuple[str, bool, str], Update] = {}


def _claim_statement(
    dialect: str,
    expired: bool,
    extra_filter: ColumnElement[bool] | None,
    order_by: tuple[Any, ...],
) -> Update:
    due = _expired_lease() if expired else _due_pending()
    condition = due if extra_filter is None else and_(due, extra_filter)
    candidate = (
        select(WorkItem.id)
        .where(condition)
        .order_by(*order_by, WorkItem.priority, WorkItem.available_at, WorkItem.id)
        .limit(1)
    )
    if dialect == "postgresql":
        candidate = candidate.with_for_update(skip_locked=True)
    return (
        update(WorkItem)
        .where(WorkItem.id == candidate.scalar_subquery())
        .values(
            state="leased",
            owner=bindparam("claim_owner", type_=String()),
            lease_token=bindparam("claim_token", type_=String()),
            lease_expires_at=bindparam("claim_expires", type_=UTCDateTime()),
            attempts=WorkItem.attempts + 1,
        )
        .returning(WorkItem)
        .execution_options(synchronize_session=False)
    )


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
    return mark_done(_held(session, item_id, token, utcnow()))


def mark_done(item: WorkItem) -> bool:
    """``complete`` for an item the caller has already locked and checked it holds."""
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
    return _cancel_open(session, WorkItem.account_id == account_id, reason)


def cancel_for_subject(session: Session, subject_id: str, reason: str) -> int:
    """Cancel every open item about one subject (e.g. a recording being erased)."""
    return _cancel_open(session, WorkItem.subject_id == subject_id, reason)


def _cancel_open(session: Session, which: ColumnElement[bool], reason: str) -> int:
    result = session.execute(
        update(WorkItem)
        .where(which, WorkItem.state.in_(OPEN_STATES))
        .values(state="cancelled", lease_token=None, lease_expires_at=None, last_error=reason)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
