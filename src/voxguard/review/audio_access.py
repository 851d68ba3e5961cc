"""Short-lived signed audio URLs: only the leaseholder, only briefly, every fetch audited."""

from __future__ import annotations

import hashlib
import hmac
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxguard import audit
from voxguard.db.base import utcnow
from voxguard.db.models import Blob, ClipOutcome, Exposure, User, Utterance
from voxguard.review.assignment import held_task
from voxguard.review.errors import AudioDenied, NotFound
from voxguard.vault.service import Vault


def _signature(secret: bytes, task_id: str, user_id: str, expires: int) -> str:
    message = f"{task_id}:{user_id}:{expires}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def signed_audio_url(secret: bytes, task_id: str, user_id: str, ttl_seconds: int) -> str:
    expires = int(time.time()) + ttl_seconds
    signature = _signature(secret, task_id, user_id, expires)
    return f"/api/v1/review/tasks/{task_id}/audio?exp={expires}&sig={signature}"


def review_copy_for(
    session: Session,
    vault: Vault,
    secret: bytes,
    *,
    user: User,
    task_id: str,
    expires: int,
    signature: str,
) -> bytes:
    """The decrypted review copy of the caller's leased task, or AudioDenied."""
    expected = _signature(secret, task_id, user.id, expires)
    if not hmac.compare_digest(expected, signature):
        raise AudioDenied("audio link is not valid for you")
    if expires < time.time():
        raise AudioDenied("audio link expired; ask for a fresh one with a heartbeat")
    item = held_task(session, user, task_id, lock=False)
    if item is None:
        raise AudioDenied("you do not hold the lease on this task")
    utterance = session.get(Utterance, item.subject_id)
    if utterance is None or utterance.deleted_at is not None:
        raise NotFound("this clip was deleted")
    audio = _listen(session, vault, user, utterance, {"task": task_id})
    exposure = session.execute(
        select(Exposure).where(
            Exposure.reviewer_id == user.id, Exposure.utterance_id == utterance.id
        )
    ).scalar_one_or_none()
    if exposure is not None and exposure.audio_fetched_at is None:
        exposure.audio_fetched_at = utcnow()
    return audio


def _listen(
    session: Session, vault: Vault, user: User, utterance: Utterance, details: dict[str, str]
) -> bytes:
    """Decrypt the clip's review copy (never the original) and record the listen."""
    blob = session.execute(
        select(Blob).where(
            Blob.utterance_id == utterance.id,
            Blob.kind == "review_copy",
            Blob.deleted_at.is_(None),
        )
    ).scalar_one_or_none()
    if blob is None:
        raise NotFound("this clip has no review copy")
    audio = vault.get(session, blob)
    audit.record(
        session,
        actor=f"user:{user.handle}",
        action="clip.listened",
        target=f"utterance:{utterance.id}",
        account_id=utterance.account_id,
        details={**details, "role": user.role, "region": user.region},
    )
    return audio


def staff_review_copy(
    session: Session, vault: Vault, *, user: User, utterance_id: str, purpose: str
) -> bytes:
    """The review copy for a lead adjudicating or an officer deciding a restricted clip.

    Only clips that are in that person's queue: adjudication for leads, restricted for officers.
    Still the anonymized, bleeped copy — never the original — and audited like any listen.
    """
    utterance = session.get(Utterance, utterance_id)
    if utterance is None or utterance.deleted_at is not None:
        raise NotFound(f"clip {utterance_id} does not exist or was deleted")
    if purpose == "restricted" and not utterance.restricted:
        raise AudioDenied("this clip is not in the restricted queue")
    if purpose == "adjudication":
        state = session.execute(
            select(ClipOutcome.state).where(ClipOutcome.utterance_id == utterance_id)
        ).scalar_one_or_none()
        if state != "adjudication" or utterance.restricted:
            raise AudioDenied("this clip is not waiting for adjudication")
    return _listen(session, vault, user, utterance, {"purpose": purpose})
