"""Who listened: every access to an account's data, as the speaker may see it.

Built from the exposures (a reviewer was handed a clip and shown its redacted draft) and the
audit chain (listens, transcripts, flags, adjudications, deletions, the machine steps, exports).
People appear only under a pseudonymous code that is different for every account, with their
role and region: two speakers comparing their logs cannot tell whether the same person heard
both, and nobody learns a reviewer's name or handle.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxguard.consent.exports import exports_holding
from voxguard.db.models import AuditEvent, Exposure, User, WorkItem
from voxguard.work.queues import PREPARE_REVIEW_COPY

ACTIONS: tuple[str, ...] = (
    "viewed",
    "listened",
    "transcribed",
    "anonymized",
    "flagged",
    "adjudicated",
    "exported",
    "deleted",
)
# Audit actions that touch a speaker's data, and what the speaker is told about them.
_HUMAN_EVENTS = {
    "clip.listened": "listened",
    "review.submitted": "transcribed",
    "flag.raised": "flagged",
    "review.adjudicated": "adjudicated",
    "restricted.delete": "deleted",
    "clip.deleted_false_wake": "deleted",
}
_OWNER_EVENTS = {"recording.erased": "deleted", "account.exported": "exported"}
_MACHINE_EVENTS = ("job.completed",)
_RETENTION_EVENTS = ("recording.expired",)
_LOGGED_ACTIONS = (*_HUMAN_EVENTS, *_OWNER_EVENTS, *_MACHINE_EVENTS, *_RETENTION_EVENTS)
# The machine steps of the privacy pipeline, in the order they run.
MACHINE_STEPS = (
    ("machine:speech-recognition", "transcribed", "asr_draft"),
    ("machine:voice-anonymizer", "anonymized", "anonymization"),
)


@dataclass(frozen=True)
class Access:
    at: datetime
    actor: str  # a pseudonymous code, "machine:…", or "you"
    role: str  # reviewer | lead | privacy_officer | machine | account holder
    region: str | None
    action: str
    recording_id: str | None
    purpose: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "role": self.role,
            "region": self.region,
            "action": self.action,
            "recording_id": self.recording_id,
            "purpose": self.purpose,
        }


def reviewer_code(secret: bytes, account_id: str, user_id: str) -> str:
    """A person's code in one account's log; another account's log gives them another."""
    digest = hmac.new(secret, f"{account_id}:{user_id}".encode(), hashlib.sha256).digest()
    return "person-" + base64.b32encode(digest[:5]).decode()[:6]


def _purpose(event: AuditEvent, details: dict[str, Any], role: str) -> str:
    if event.action == "clip.listened":
        purpose = details.get("purpose")
        if purpose == "adjudication":
            return "adjudication"
        if purpose == "restricted":
            return "restricted_review"
        return "review"
    if event.action == "flag.raised":
        return f"flag:{details.get('kind', 'other')}"
    if event.action in ("restricted.delete", "clip.deleted_false_wake"):
        return "deleted_by_staff"
    return "adjudication" if role == "lead" and event.action != "review.submitted" else "review"


def _recording_of(event: AuditEvent, details: dict[str, Any]) -> str | None:
    if event.target.startswith("utterance:"):
        return event.target.split(":", 1)[1]
    clip = details.get("clip")
    return clip if isinstance(clip, str) else None


def access_log(session: Session, secret: bytes, account_id: str) -> list[Access]:
    """Every access to the account's data, oldest first."""
    events = list(
        session.execute(
            select(AuditEvent)
            .where(
                AuditEvent.account_id == account_id,
                AuditEvent.action.in_(_LOGGED_ACTIONS),
            )
            .order_by(AuditEvent.seq)
        ).scalars()
    )
    exposures = list(
        session.execute(
            select(Exposure).where(Exposure.account_id == account_id).order_by(Exposure.id)
        ).scalars()
    )
    handles = {e.actor.split(":", 1)[1] for e in events if e.actor.startswith("user:")}
    people = {
        u.handle: u for u in session.execute(select(User).where(User.handle.in_(handles))).scalars()
    }
    by_id = {u.id: u for u in people.values()}
    missing = {x.reviewer_id for x in exposures} - set(by_id)
    if missing:
        for user in session.execute(select(User).where(User.id.in_(missing))).scalars():
            by_id[user.id] = user
    jobs = _job_subjects(session, events)

    entries: list[Access] = []
    for exposure in exposures:
        user = by_id.get(exposure.reviewer_id)
        entries.append(
            Access(
                at=exposure.exposed_at,
                actor=reviewer_code(secret, account_id, exposure.reviewer_id),
                role=user.role if user else "reviewer",
                region=user.region if user else None,
                action="viewed",
                recording_id=exposure.utterance_id,
                purpose="gold_check" if exposure.is_gold else "review",
            )
        )
    for event in events:
        details = json.loads(event.details or "{}")
        if event.action in _MACHINE_EVENTS:
            entries.extend(_machine_steps(event, details, jobs))
        elif event.action in _RETENTION_EVENTS:
            recording = _recording_of(event, details)
            entries.append(
                Access(event.at, event.actor, "machine", None, "deleted", recording, "retention")
            )
        elif event.action in _OWNER_EVENTS:
            entries.append(
                Access(
                    at=event.at,
                    actor="you",
                    role="account holder",
                    region=None,
                    action=_OWNER_EVENTS[event.action],
                    recording_id=_recording_of(event, details),
                    purpose="erasure_request"
                    if event.action == "recording.erased"
                    else "data_export",
                )
            )
        else:
            handle = event.actor.split(":", 1)[1] if event.actor.startswith("user:") else ""
            user = people.get(handle)
            role = details.get("role") or (user.role if user else "staff")
            entries.append(
                Access(
                    at=event.at,
                    actor=reviewer_code(secret, account_id, user.id if user else event.actor),
                    role=role,
                    region=details.get("region") or (user.region if user else None),
                    action=_HUMAN_EVENTS[event.action],
                    recording_id=_recording_of(event, details),
                    purpose=_purpose(event, details, role),
                )
            )
    for held in exports_holding(session, account_id):
        entries.append(
            Access(
                at=held.at,
                actor=f"export:{held.export_id}",
                role="machine",
                region=None,
                action="exported",
                recording_id=held.utterance_id,
                purpose=held.purpose,
            )
        )
    entries.sort(key=lambda a: a.at)
    return entries


def _job_subjects(session: Session, events: list[AuditEvent]) -> dict[str, str]:
    ids = [e.target.split(":", 1)[1] for e in events if e.action in _MACHINE_EVENTS]
    if not ids:
        return {}
    rows = session.execute(
        select(WorkItem.id, WorkItem.subject_id).where(WorkItem.id.in_(ids))
    ).all()
    return {row.id: row.subject_id for row in rows}


def _machine_steps(
    event: AuditEvent, details: dict[str, Any], jobs: dict[str, str]
) -> list[Access]:
    if details.get("kind") != PREPARE_REVIEW_COPY or details.get("outcome") != "review_copy_ready":
        return []
    recording = jobs.get(event.target.split(":", 1)[1])
    return [
        Access(event.at, actor, "machine", None, action, recording, purpose)
        for actor, action, purpose in MACHINE_STEPS
    ]
