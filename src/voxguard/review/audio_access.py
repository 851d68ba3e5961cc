"""Short-lived signed audio URLs: only the leaseholder, only briefly, every fetch audited."""

from __future__ import annotations

import hashlib
import time

from itsdangerous import Signer
from sqlalchemy import ColumnElement, Integer, String, and_, bindparam, select, update
from sqlalchemy.orm import Session

from voxguard import audit
from voxguard.db.base import UTCDateTime, utcnow
from voxguard.db.models import Blob, ClipOutcome, Exposure, User, Utterance, WorkItem
from voxguard.review.assignment import holds_lease
from voxguard.review.errors import AudioDenied, NotFound
from voxguard.vault.service import Vault


def _signer(secret: bytes) -> Signer:
    # The salt keeps these signatures from being valid for anything else signed with the secret.
    return Signer(secret, salt="voxguard review audio url", digest_method=hashlib.sha256)


def _signed(task_id: str, user_id: str, expires: int) -> bytes:
    return f"{task_id}:{user_id}:{expires}".encode()


def signed_audio_url(secret: bytes, task_id: str, user_id: str, ttl_seconds: int) -> str:
    expires = int(time.time()) + ttl_seconds
    signature = _signer(secret).get_signature(_signed(task_id, user_id, expires)).decode()
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
    if not _signer(secret).verify_signature(_signed(task_id, user.id, expires), signature):
        raise AudioDenied("audio link is not valid for you")
    if expires < time.time():
        raise AudioDenied("audio link expired; ask for a fresh one with a heartbeat")
    row = session.execute(_LEASED_CLIP_AUDIO, {"task_id": task_id, "reviewer_id": user.id}).first()
    if row is None or not holds_lease(row, user, utcnow()):
        raise AudioDenied("you do not hold the lease on this task")
    utterance: Utterance = row.Utterance
    if utterance.deleted_at is not None:
        raise NotFound("this clip was deleted")
    audio = _listen(session, vault, user, utterance, row.Blob, {"task": task_id})
    if row.exposure_id is not None and row.audio_fetched_at is None:
        session.execute(_FIRST_FETCH, {"exposure_id": row.exposure_id, "at": utcnow()})
    return audio


def live_review_copy(utterance_id: ColumnElement[str] | str) -> ColumnElement[bool]:
    """The clip's review copy that is not shredded: the one reviewers and staff hear."""
    return and_(
        Blob.utterance_id == utterance_id,
        Blob.kind == "review_copy",
        Blob.deleted_at.is_(None),
    )


# Built once (hot path): the lease, the clip, its review copy and the caller's exposure.
_LEASED_CLIP_AUDIO = (
    select(
        WorkItem.owner,
        WorkItem.state,
        WorkItem.lease_expires_at,
        Utterance,
        Blob,
        Exposure.id.label("exposure_id"),
        Exposure.audio_fetched_at,
    )
    .join(Utterance, Utterance.id == WorkItem.subject_id)
    .outerjoin(Blob, live_review_copy(Utterance.id))
    .outerjoin(
        Exposure,
        and_(
            Exposure.reviewer_id == bindparam("reviewer_id", type_=String()),
            Exposure.utterance_id == Utterance.id,
        ),
    )
    .where(WorkItem.id == bindparam("task_id", type_=String()))
)
_FIRST_FETCH = (
    update(Exposure)
    .where(
        Exposure.id == bindparam("exposure_id", type_=Integer()),
        Exposure.audio_fetched_at.is_(None),
    )
    .values(audio_fetched_at=bindparam("at", type_=UTCDateTime()))
    .execution_options(synchronize_session=False)
)


def _listen(
    session: Session,
    vault: Vault,
    user: User,
    utterance: Utterance,
    blob: Blob | None,
    details: dict[str, str],
) -> bytes:
    """Decrypt the clip's review copy (never the original) and record the listen."""
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
    blob = session.execute(select(Blob).where(live_review_copy(utterance.id))).scalar()
    return _listen(session, vault, user, utterance, blob, {"purpose": purpose})
