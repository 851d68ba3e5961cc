"""Appending to and verifying the SHA-256 hash chain.

Each event's hash is SHA-256 over the previous event's hash and the event's own canonical JSON
(seq, time, actor, action, target, account, details). Appends lock the single ``audit_head`` row,
so events from many processes form one chain, in the same transaction as the action they record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxguard.db.base import utcnow
from voxguard.db.models import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64
_HEAD_ID = 1


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(prev_hash: str, body: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(body)).encode()).hexdigest()


def _body(
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    target: str,
    account_id: str | None,
    details: str,
) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "target": target,
        "account_id": account_id,
        "details": details,
    }


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str,
    account_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (it commits or rolls back with the action)."""
    head = session.execute(
        select(AuditHead).where(AuditHead.id == _HEAD_ID).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        raise RuntimeError(
            "audit_head row missing: the schema was not created by voxguard db upgrade"
        )
    # Microsecond precision is what both databases keep; hash what will be read back.
    at = utcnow()
    details_json = canonical_json(details or {})
    seq = head.seq + 1
    digest = event_hash(head.hash, _body(seq, at, actor, action, target, account_id, details_json))
    event = AuditEvent(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        target=target,
        account_id=account_id,
        details=details_json,
        prev_hash=head.hash,
        hash=digest,
    )
    session.add(event)
    head.seq, head.hash = seq, digest
    session.flush()
    return event


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"audit chain broken at event {self.seq}: {self.problem}"


def _events(session: Session, batch: int = 5000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = (
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.seq > last)
                .order_by(AuditEvent.seq)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def verify_chain(session: Session) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain. Returns (events checked, first break or None)."""
    prev_hash, expected_seq, count = GENESIS_HASH, 1, 0
    for event in _events(session):
        if event.seq != expected_seq:
            return count, ChainBreak(expected_seq, f"event missing (next present is {event.seq})")
        if event.prev_hash != prev_hash:
            return count, ChainBreak(event.seq, "previous-hash link does not match (reordered?)")
        body = _body(
            event.seq,
            event.at,
            event.actor,
            event.action,
            event.target,
            event.account_id,
            event.details,
        )
        if event_hash(prev_hash, body) != event.hash:
            return count, ChainBreak(event.seq, "content does not match its hash (edited)")
        prev_hash, expected_seq, count = event.hash, expected_seq + 1, count + 1
    head = session.get(AuditHead, _HEAD_ID)
    if head is not None and (head.seq != count or head.hash != prev_hash):
        return count, ChainBreak(
            count + 1, f"chain ends at {count} but head records {head.seq} (truncated)"
        )
    return count, None
