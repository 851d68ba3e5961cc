"""A speaker's own recordings: the list with what happened to each, and their original audio."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voxguard import audit
from voxguard.consent.errors import UnknownRecording
from voxguard.db.models import AuditEvent, Blob, SamplingDecision, Utterance
from voxguard.vault.service import Vault

MAX_PAGE = 200


@dataclass(frozen=True)
class Recording:
    id: str
    recorded_at: datetime
    received_at: datetime
    duration_s: float
    sampled: bool
    sampling_reason: str | None
    heard_by: int  # how many people listened to it
    state: str  # stored | in_review | reviewed | deleted | expired
    expires_at: datetime | None
    has_audio: bool


def recording_state(utterance: Utterance) -> str:
    if utterance.status in ("deleted", "expired"):
        return utterance.status
    if utterance.status == "reviewed":
        return "reviewed"
    if utterance.sampled and utterance.status in ("queued", "ready_for_review"):
        return "in_review"
    return "stored"


def list_recordings(
    session: Session, account_id: str, *, limit: int = 50, offset: int = 0
) -> tuple[list[Recording], int]:
    """One page of the account's recordings, newest first, and how many there are in all."""
    total = session.execute(
        select(func.count()).select_from(Utterance).where(Utterance.account_id == account_id)
    ).scalar_one()
    rows = session.execute(
        select(Utterance, SamplingDecision.reason)
        .outerjoin(SamplingDecision, SamplingDecision.utterance_id == Utterance.id)
        .where(Utterance.account_id == account_id)
        .order_by(Utterance.received_at.desc(), Utterance.id)
        .limit(min(max(limit, 1), MAX_PAGE))
        .offset(max(offset, 0))
    ).all()
    ids = [u.id for u, _ in rows]
    heard = _listeners(session, ids)
    with_audio = set(
        session.execute(
            select(Blob.utterance_id).where(
                Blob.utterance_id.in_(ids), Blob.kind == "original", Blob.deleted_at.is_(None)
            )
        ).scalars()
    )
    return [
        Recording(
            id=u.id,
            recorded_at=u.recorded_at,
            received_at=u.received_at,
            duration_s=round(u.duration_s, 3),
            sampled=u.sampled,
            sampling_reason=reason,
            heard_by=heard.get(u.id, 0),
            state=recording_state(u),
            expires_at=u.expires_at,
            has_audio=u.id in with_audio,
        )
        for u, reason in rows
    ], total


def _listeners(session: Session, utterance_ids: list[str]) -> dict[str, int]:
    if not utterance_ids:
        return {}
    targets = {f"utterance:{i}": i for i in utterance_ids}
    rows = session.execute(
        select(AuditEvent.target, func.count(func.distinct(AuditEvent.actor)))
        .where(AuditEvent.action == "clip.listened", AuditEvent.target.in_(targets))
        .group_by(AuditEvent.target)
    ).all()
    return {targets[target]: count for target, count in rows}


def own_recording(session: Session, account_id: str, recording_id: str) -> Utterance:
    utterance = session.get(Utterance, recording_id) if len(recording_id) <= 32 else None
    if utterance is None or utterance.account_id != account_id:
        raise UnknownRecording("no such recording")
    return utterance


def own_audio(
    session: Session, vault: Vault, account_id: str, recording_id: str, *, actor: str
) -> bytes:
    """The original audio of the speaker's own recording, decrypted; the access is audited."""
    utterance = own_recording(session, account_id, recording_id)
    blob = session.execute(
        select(Blob).where(
            Blob.utterance_id == utterance.id, Blob.kind == "original", Blob.deleted_at.is_(None)
        )
    ).scalar_one_or_none()
    if blob is None:
        raise UnknownRecording("this recording's audio is no longer stored")
    audio = vault.get(session, blob)
    audit.record(
        session,
        actor=actor,
        action="recording.played_by_owner",
        target=f"utterance:{utterance.id}",
        account_id=account_id,
    )
    return audio
