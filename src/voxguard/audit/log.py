"""What a privacy officer reads of the audit log: the chain's state and its events.

Events carry internal random ids, never an account reference, a serial or speech (the chain's
own rule), so showing them to the officer discloses nothing the log was not meant to hold.
Checking the chain walks every event: it is asked for, never done on every page view.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from voxguard.audit.chain import verify_chain
from voxguard.audit.checkpoints import Checkpoint, CheckpointLogInvalid, latest_checkpoint
from voxguard.db.models import AuditEvent

PAGE_SIZE = 50


@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking the chain against the latest signed checkpoint."""

    events: int
    problem: str | None
    checkpoint: Checkpoint | None
    checkpoint_file: Path
    checkpoint_log_invalid: bool = False

    @property
    def intact(self) -> bool:
        return self.problem is None


def check_chain(
    session: Session, checkpoint_file: Path, public_key: Ed25519PublicKey
) -> ChainReport:
    """Verify every event's hash and link, and agreement with the latest signed checkpoint."""
    try:
        checkpoint = latest_checkpoint(checkpoint_file, public_key)
    except CheckpointLogInvalid as exc:
        return ChainReport(0, f"{exc} ({checkpoint_file})", None, checkpoint_file, True)
    count, problem = verify_chain(session, checkpoint)
    return ChainReport(
        count, None if problem is None else str(problem), checkpoint, checkpoint_file
    )


@dataclass(frozen=True)
class EventRow:
    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    account_id: str | None
    details: dict[str, Any]


def _row(event: AuditEvent) -> EventRow:
    return EventRow(
        seq=event.seq,
        at=event.at,
        actor=event.actor,
        action=event.action,
        target=event.target,
        account_id=event.account_id,
        details=json.loads(event.details),
    )


def recent_events(
    session: Session,
    *,
    before_seq: int | None = None,
    action: str | None = None,
    account_id: str | None = None,
    limit: int = PAGE_SIZE,
) -> list[EventRow]:
    """Newest first; page on with ``before_seq`` = the last row's seq."""
    query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(max(1, min(limit, 500)))
    if before_seq is not None:
        query = query.where(AuditEvent.seq < before_seq)
    if action:
        query = query.where(AuditEvent.action == action)
    if account_id:
        query = query.where(AuditEvent.account_id == account_id)
    return [_row(event) for event in session.execute(query).scalars()]


def known_actions(session: Session) -> list[str]:
    """Every action the log holds, for a filter."""
    return sorted(session.execute(select(AuditEvent.action).distinct()).scalars())


__all__ = ["PAGE_SIZE", "ChainReport", "EventRow", "check_chain", "known_actions", "recent_events"]
