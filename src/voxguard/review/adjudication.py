"""What leads and privacy officers work from: the adjudication and restricted queues."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxguard import audit
from voxguard.config import Settings
from voxguard.db.models import Annotation, ClipOutcome, Flag, User, Utterance
from voxguard.review.consensus import reopen
from voxguard.review.errors import Conflict, NotFound
from voxguard.review.flags import shred_clip
from voxguard.vault.service import Vault


def _candidates(session: Session, utterance_id: str) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Annotation, User.handle)
        .join(User, User.id == Annotation.reviewer_id)
        .where(Annotation.utterance_id == utterance_id, Annotation.is_gold.is_(False))
        .order_by(Annotation.submitted_at)
    ).all()
    return [
        {"reviewer": handle, "transcript": a.transcript, "intent": a.intent, "flags": a.flags}
        for a, handle in rows
    ]


def _clip_summary(utterance: Utterance) -> dict[str, Any]:
    # The same allow-list reviewers get: no account, serial or names.
    return {
        "id": utterance.id,
        "locale": utterance.locale,
        "device_type": utterance.device_type,
        "duration_s": round(utterance.duration_s, 3),
        "draft_text": utterance.draft_text or "",
    }


def adjudication_queue(session: Session, limit: int = 100) -> list[dict[str, Any]]:
    rows = session.execute(
        select(ClipOutcome, Utterance)
        .join(Utterance, Utterance.id == ClipOutcome.utterance_id)
        .where(ClipOutcome.state == "adjudication", Utterance.deleted_at.is_(None))
        .order_by(ClipOutcome.updated_at)
        .limit(limit)
    ).all()
    return [
        {**_clip_summary(u), "pair_wer": o.pair_wer, "candidates": _candidates(session, u.id)}
        for o, u in rows
    ]


def restricted_queue(session: Session, limit: int = 100) -> list[dict[str, Any]]:
    rows = (
        session.execute(
            select(Utterance)
            .where(Utterance.restricted.is_(True), Utterance.deleted_at.is_(None))
            .order_by(Utterance.received_at)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    result = []
    for u in rows:
        flags = session.execute(
            select(Flag.kind, Flag.status).where(Flag.utterance_id == u.id)
        ).all()
        result.append({**_clip_summary(u), "flags": [{"kind": k, "status": s} for k, s in flags]})
    return result


def resolve_restricted(
    session: Session,
    settings: Settings,
    vault: Vault,
    officer: User,
    utterance_id: str,
    action: str,
) -> str:
    """``delete``: shred now. ``dismiss``: the flag was wrong; the clip goes back to review."""
    utterance = session.get(Utterance, utterance_id)
    if utterance is None or not utterance.restricted or utterance.deleted_at is not None:
        raise NotFound(f"clip {utterance_id} is not in the restricted queue")
    actor = f"user:{officer.handle}"
    if action not in ("delete", "dismiss"):
        raise Conflict(f"unknown action {action!r}: use delete or dismiss")
    if action == "delete":
        shred_clip(session, vault, utterance, actor=actor, reason="restricted_delete")
    else:
        utterance.restricted = False
        reopen(session, settings, utterance, actor)
    for flag in session.execute(
        select(Flag).where(
            Flag.utterance_id == utterance_id,
            Flag.status == "open",
            Flag.kind.in_(("sensitive", "distress")),
        )
    ).scalars():
        flag.status = "confirmed" if action == "delete" else "dismissed"
        flag.resolved_by = officer.id
    audit.record(
        session,
        actor=actor,
        action=f"restricted.{action}",
        target=f"utterance:{utterance_id}",
        account_id=utterance.account_id,
    )
    return action


__all__ = ["adjudication_queue", "resolve_restricted", "restricted_queue"]
