"""Gold clips: references approved by a lead, mixed into queues to measure reviewers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxguard import audit
from voxguard.config import Settings
from voxguard.db.base import utcnow
from voxguard.db.models import GoldClip, User, Utterance
from voxguard.review.errors import Conflict, NotFound
from voxguard.review.intents import intent_list
from voxguard.review.text import normalise
from voxguard.review.typed_text import check_lead_text


def add_gold(
    session: Session,
    settings: Settings,
    lead: User,
    utterance_id: str,
    transcript: str,
    intent: str,
) -> GoldClip:
    intent = intent_list(settings).check(intent)
    check_lead_text(transcript)
    utterance = session.get(Utterance, utterance_id)
    if utterance is None or utterance.deleted_at is not None or utterance.restricted:
        raise NotFound(f"clip {utterance_id} cannot be gold (missing, deleted or restricted)")
    existing = session.get(GoldClip, utterance_id)
    if existing is not None and existing.retired_at is None:
        raise Conflict(f"clip {utterance_id} is already gold")
    if existing is not None:
        session.delete(existing)
        session.flush()
    gold = GoldClip(
        utterance_id=utterance_id,
        transcript=normalise(transcript),
        intent=intent,
        created_by=lead.id,
    )
    session.add(gold)
    audit.record(
        session,
        actor=f"user:{lead.handle}",
        action="gold.added",
        target=f"utterance:{utterance_id}",
        account_id=utterance.account_id,
    )
    return gold


def retire_gold(session: Session, lead: User, utterance_id: str) -> None:
    gold = session.get(GoldClip, utterance_id)
    if gold is None or gold.retired_at is not None:
        raise NotFound(f"clip {utterance_id} is not gold")
    gold.retired_at = utcnow()
    audit.record(
        session,
        actor=f"user:{lead.handle}",
        action="gold.retired",
        target=f"utterance:{utterance_id}",
    )


def list_gold(session: Session) -> list[dict[str, str]]:
    rows = session.execute(
        select(GoldClip).where(GoldClip.retired_at.is_(None)).order_by(GoldClip.created_at)
    ).scalars()
    return [
        {"clip_id": g.utterance_id, "transcript": g.transcript, "intent": g.intent} for g in rows
    ]
