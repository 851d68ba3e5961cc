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
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from voxguard.db.base import UTCDateTime, utcnow
from voxguard.db.models import AuditEvent, AuditHead

if TYPE_CHECKING:
    from voxguard.audit.checkpoints import Checkpoint

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


@dataclass(frozen=True)
class _Pending:
    at: datetime
    actor: str
    action: str
    target: str
    account_id: str | None
    details: str


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str,
    account_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record one event in the caller's transaction; it commits or rolls back with the action.

    The event is chained when the transaction commits (``_chain_pending``), so the chain's
    head row is locked only for those last statements, not for the whole unit of work.
    """
    if session.info.get("read_only"):
        raise RuntimeError(
            f"audit event {action!r} recorded in a read-only session: it would be lost"
        )
    session.info.setdefault(_PENDING_KEY, []).append(
        _Pending(utcnow(), actor, action, target, account_id, canonical_json(details or {}))
    )


_PENDING_KEY = "voxguard_audit_pending"


@sa_event.listens_for(Session, "before_commit")
def _chain_pending(session: Session) -> None:
    pending: list[_Pending] = session.info.pop(_PENDING_KEY, [])
    if not pending:
        return
    session.flush()  # the action's own rows first, before the head is locked
    # Plain SQL on the session's connection from here: the ORM's statement and result handling
    # would cost more CPU than the statements themselves, and no ORM object is involved.
    connection = session.connection()
    head = connection.execute(_LOCK_HEAD).first()
    if head is None:
        raise RuntimeError(
            "audit_head row missing: the schema was not created by voxguard db upgrade"
        )
    seq, prev = head.seq, head.hash
    rows = []
    for item in pending:
        seq += 1
        body = _body(
            seq, item.at, item.actor, item.action, item.target, item.account_id, item.details
        )
        digest = event_hash(prev, body)
        rows.append(
            {
                "seq": seq, "at": item.at, "actor": item.actor, "action": item.action,
                "target": item.target, "account_id": item.account_id, "details": item.details,
                "prev_hash": prev, "hash": digest,
            }
        )  # fmt: skip
        prev = digest
    if session.get_bind().dialect.name == "postgresql":
        # One round trip while the head is locked, and one statement text whatever the number
        # of events (so it is compiled and prepared once): the rows travel as arrays.
        columns = {name: [row[name] for row in rows] for name in _EVENT_COLUMNS}
        columns["at"] = [UTCDateTime().process_bind_param(at, None) for at in columns["at"]]
        connection.execute(_APPEND_PG, {**columns, "head_seq": seq, "head_hash": prev})
    else:
        connection.execute(_APPEND, rows)
        connection.execute(_MOVE_HEAD, {"head_seq": seq, "head_hash": prev})


_HEAD = AuditHead.__table__
_LOCK_HEAD = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == _HEAD_ID).with_for_update()
_APPEND = insert(AuditEvent.__table__)
_MOVE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == _HEAD_ID)
    .values(seq=bindparam("head_seq"), hash=bindparam("head_hash"))
)
_EVENT_COLUMNS = (
    "seq", "at", "actor", "action", "target", "account_id", "details", "prev_hash", "hash",
)  # fmt: skip
_APPEND_PG = text(
    "WITH appended AS ("
    " INSERT INTO audit_events (" + ", ".join(_EVENT_COLUMNS) + ")"
    " SELECT * FROM unnest(CAST(:seq AS integer[]), CAST(:at AS timestamp[]),"
    " CAST(:actor AS text[]), CAST(:action AS text[]), CAST(:target AS text[]),"
    " CAST(:account_id AS text[]), CAST(:details AS text[]), CAST(:prev_hash AS text[]),"
    " CAST(:hash AS text[])))"
    f" UPDATE audit_head SET seq = :head_seq, hash = :head_hash WHERE id = {_HEAD_ID}"
)


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the whole unit of work rolled back
        session.info.pop(_PENDING_KEY, None)


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


def verify_chain(
    session: Session, checkpoint: Checkpoint | None = None
) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain. Returns (events checked, first break or None).

    With a signed ``checkpoint`` (see ``audit.checkpoints``) the chain must also reach its seq
    and hold its hash there: a history re-hashed after an edit, or a tail cut together with the
    head row, then fails although it is consistent in itself.
    """
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
        if checkpoint is not None and event.seq == checkpoint.seq and event.hash != checkpoint.hash:
            return count, ChainBreak(
                event.seq,
                f"hash differs from the signed checkpoint of {checkpoint.at.isoformat()} "
                "(history rewritten and re-hashed)",
            )
        prev_hash, expected_seq, count = event.hash, expected_seq + 1, count + 1
    head = session.get(AuditHead, _HEAD_ID)
    if head is None:
        return count, ChainBreak(count + 1, "the audit_head row is missing (deleted?)")
    if head.seq != count or head.hash != prev_hash:
        return count, ChainBreak(
            count + 1, f"chain ends at {count} but head records {head.seq} (truncated)"
        )
    if checkpoint is not None and count < checkpoint.seq:
        return count, ChainBreak(
            count + 1,
            f"chain ends at {count} but the signed checkpoint of {checkpoint.at.isoformat()} "
            f"recorded {checkpoint.seq} events (truncated)",
        )
    return count, None
