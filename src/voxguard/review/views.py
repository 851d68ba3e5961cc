"""What a reviewer may see of a task: built from an allow-list, never from the whole row."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from voxguard.db.models import Utterance
from voxguard.review.assignment import LeasedTask
from voxguard.review.audio_access import signed_audio_url


def task_view(
    session: Session, task: LeasedTask, *, secret: bytes, user_id: str, audio_url_seconds: int
) -> dict[str, Any]:
    utterance = session.get(Utterance, task.utterance_id)
    assert utterance is not None
    return {
        "task_id": task.task_id,
        "clip": {
            "id": utterance.id,
            "locale": utterance.locale,
            "device_type": utterance.device_type,
            "duration_s": round(utterance.duration_s, 3),
            "draft_text": utterance.draft_text or "",
            "redactions": [
                {"start": r["start"], "end": r["end"], "type": r["type"]}
                for r in (utterance.redactions or [])
            ],
            "audio_url": signed_audio_url(secret, task.task_id, user_id, audio_url_seconds),
        },
        "lease_expires_at": task.lease_expires_at.isoformat(),
        "lease_seconds": task.lease_seconds,
    }
