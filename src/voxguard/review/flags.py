"""Flags and what they do.

- ``sensitive`` / ``distress`` / ``pii_audible``: the clip leaves the general pool at once (open
  passes cancelled) for the restricted queue that only privacy officers open. A name or number
  the bleeps missed must not reach a second reviewer: the officer deletes the clip, dismisses
  the flag and sends it back to review, or hides what can be heard and sends it back
  (``hiding.py``).
- ``pii_typed``: the same, raised by the system, not the reviewer: personal details found in
  what the reviewer typed (``typed_text.py``), which they can only have heard.
- ``false_wake`` (not meant for the assistant): confirmed by two reviewers or one lead, the clip's
  audio is crypto-shredded and its text wiped; only the label survives for wake-word statistics.
Every flag and every outcome is an audit event.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from voxguard import audit
from voxguard.db.base import utcnow
from voxguard.db.models import Annotation, Blob, Flag, User, Utterance, WorkItem
from voxguard.review.consensus import outcome_for
from voxguard.vault.service import Vault
from voxguard.work.queues import REVIEW_QUEUE

FLAG_KINDS = (
    "false_wake",
    "sensitive",
    "distress",
    "unintelligible",
    "other_language",
    "pii_audible",
)
# Raised by the system when the check of what a reviewer typed finds personal details; a
# reviewer cannot set it.
PII_TYPED = "pii_typed"
RESTRICTING = ("sensitive", "distress", "pii_audible", PII_TYPED)
FALSE_WAKE_CONFIRMATIONS = 2


def _cancel_open_passes(session: Session, utterance_id: str, reason: str) -> int:
    result = session.execute(
        update(WorkItem)
        .where(
            WorkItem.queue == REVIEW_QUEUE,
            WorkItem.subject_id == utterance_id,
            WorkItem.state.in_(("pending", "leased")),
        )
        .values(state="cancelled", lease_token=None, lease_expires_at=None, last_error=reason)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def record_flags(
    session: Session, vault: Vault, *, user: User, utterance: Utterance, kinds: list[str]
) -> list[str]:
    """Store the flags of one submission and apply their effects. Returns effects applied."""
    effects: list[str] = []
    for kind in kinds:
        session.add(Flag(utterance_id=utterance.id, reviewer_id=user.id, kind=kind))
        audit.record(
            session,
            actor=f"user:{user.handle}",
            action="flag.raised",
            target=f"utterance:{utterance.id}",
            account_id=utterance.account_id,
            details={"kind": kind},
        )
    session.flush()
    if any(k in RESTRICTING for k in kinds) and not utterance.restricted:
        restrict(session, utterance, actor=f"user:{user.handle}")
        effects.append("restricted")
    if "false_wake" in kinds:
        confirmations = session.execute(
            select(func.count(func.distinct(Flag.reviewer_id))).where(
                Flag.utterance_id == utterance.id, Flag.kind == "false_wake"
            )
        ).scalar_one()
        if user.role == "lead" or confirmations >= FALSE_WAKE_CONFIRMATIONS:
            delete_false_wake(session, vault, utterance, actor=f"user:{user.handle}")
            effects.append("deleted_false_wake")
    return effects


def restrict(session: Session, utterance: Utterance, *, actor: str) -> None:
    utterance.restricted = True
    cancelled = _cancel_open_passes(session, utterance.id, "moved to the restricted queue")
    outcome = outcome_for(session, utterance.id)
    outcome.state, outcome.updated_at = "restricted", utcnow()
    audit.record(
        session,
        actor=actor,
        action="clip.restricted",
        target=f"utterance:{utterance.id}",
        account_id=utterance.account_id,
        details={"open_passes_cancelled": cancelled},
    )


def shred_clip(
    session: Session, vault: Vault, utterance: Utterance, *, actor: str, reason: str
) -> int:
    """Crypto-shred every blob of a clip, cancel its open passes and wipe its words."""
    blobs = (
        session.execute(
            select(Blob).where(Blob.utterance_id == utterance.id, Blob.deleted_at.is_(None))
        )
        .scalars()
        .all()
    )
    for blob in blobs:
        vault.shred_blob(session, blob, actor=actor, reason=reason)
    _cancel_open_passes(session, utterance.id, reason)
    session.execute(
        update(Annotation).where(Annotation.utterance_id == utterance.id).values(transcript="")
    )
    utterance.device_asr_sealed = None
    utterance.draft_text = None
    utterance.redactions = []
    utterance.status = "deleted"
    utterance.deleted_at = utcnow()
    return len(blobs)


def delete_false_wake(session: Session, vault: Vault, utterance: Utterance, *, actor: str) -> None:
    """Shred the audio and wipe the words; keep the false-wake label and the wake score."""
    shredded = shred_clip(session, vault, utterance, actor=actor, reason="false_wake")
    outcome = outcome_for(session, utterance.id)
    outcome.state, outcome.method, outcome.transcript = "deleted_false_wake", None, None
    outcome.intent, outcome.updated_at = "false_wake", utcnow()
    session.execute(
        update(Flag)
        .where(Flag.utterance_id == utterance.id, Flag.kind == "false_wake", Flag.status == "open")
        .values(status="confirmed", resolved_at=utcnow())
    )
    audit.record(
        session,
        actor=actor,
        action="clip.deleted_false_wake",
        target=f"utterance:{utterance.id}",
        account_id=utterance.account_id,
        details={"blobs_shredded": shredded},
    )
