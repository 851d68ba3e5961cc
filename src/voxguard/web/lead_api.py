"""Lead and privacy-officer JSON APIs: adjudication, gold, reviewer quality, restricted queue."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from voxguard.db.models import User, Utterance
from voxguard.people.policies import (
    AdjudicationPolicy,
    FlagPolicy,
    GoldPolicy,
    RestrictedQueuePolicy,
    ReviewerQualityPolicy,
)
from voxguard.review import adjudication, audio_access, consensus, flags, gold, hiding
from voxguard.review.errors import NotFound
from voxguard.review.stats import reviewer_table
from voxguard.runtime import Runtime
from voxguard.web.deps import get_runtime
from voxguard.web.security import require_policy

router = APIRouter(tags=["lead", "privacy officer"])
Rt = Annotated[Runtime, Depends(get_runtime)]
Adjudicator = Annotated[User, Depends(require_policy(AdjudicationPolicy, "decide"))]
AdjudicationViewer = Annotated[User, Depends(require_policy(AdjudicationPolicy, "view"))]
GoldViewer = Annotated[User, Depends(require_policy(GoldPolicy, "view"))]
GoldManager = Annotated[User, Depends(require_policy(GoldPolicy, "manage"))]
QualityViewer = Annotated[User, Depends(require_policy(ReviewerQualityPolicy, "view"))]
FlagConfirmer = Annotated[User, Depends(require_policy(FlagPolicy, "confirm"))]
RestrictedViewer = Annotated[User, Depends(require_policy(RestrictedQueuePolicy, "view"))]
RestrictedOpener = Annotated[User, Depends(require_policy(RestrictedQueuePolicy, "open"))]
RestrictedDecider = Annotated[User, Depends(require_policy(RestrictedQueuePolicy, "decide"))]


class Decision(BaseModel):
    transcript: str = Field(max_length=4000)
    intent: str = Field(min_length=1, max_length=128)


class GoldRequest(Decision):
    clip_id: str = Field(min_length=1, max_length=32)


class RestrictedDecision(BaseModel):
    action: Literal["delete", "dismiss"]


class Stretch(BaseModel):
    start_s: float = Field(ge=0, le=3600)
    end_s: float = Field(ge=0, le=3600)


class HideRequest(BaseModel):
    """Stretches of the review copy to bleep, and a draft that names nobody (optional)."""

    stretches: list[Stretch] = Field(min_length=1, max_length=hiding.MAX_STRETCHES)
    draft: str | None = Field(default=None, max_length=4000)


def _wav(audio: bytes) -> Response:
    return Response(audio, media_type="audio/wav", headers={"Cache-Control": "no-store"})


@router.get("/api/v1/lead/adjudications")
def adjudications(rt: Rt, user: AdjudicationViewer) -> dict[str, object]:
    with rt.db.read() as session:
        return {"clips": adjudication.adjudication_queue(session)}


@router.get("/api/v1/lead/adjudications/{clip_id}/audio")
def adjudication_audio(clip_id: str, rt: Rt, user: AdjudicationViewer) -> Response:
    with rt.db.session() as session:
        return _wav(
            audio_access.staff_review_copy(
                session, rt.vault, user=user, utterance_id=clip_id, purpose="adjudication"
            )
        )


@router.post("/api/v1/lead/adjudications/{clip_id}")
def adjudicate(clip_id: str, body: Decision, rt: Rt, user: Adjudicator) -> dict[str, str]:
    with rt.db.session() as session:
        outcome = consensus.adjudicate(
            session,
            rt.settings,
            clip_id,
            transcript=body.transcript,
            intent=body.intent,
            lead_id=user.id,
            lead_handle=user.handle,
        )
        return {"state": outcome.state, "transcript": outcome.transcript or ""}


@router.get("/api/v1/lead/gold")
def list_gold(rt: Rt, user: GoldViewer) -> dict[str, object]:
    with rt.db.read() as session:
        return {"gold": gold.list_gold(session)}


@router.post("/api/v1/lead/gold", status_code=201)
def add_gold(body: GoldRequest, rt: Rt, user: GoldManager) -> dict[str, str]:
    with rt.db.session() as session:
        clip = gold.add_gold(session, rt.settings, user, body.clip_id, body.transcript, body.intent)
        return {"clip_id": clip.utterance_id, "transcript": clip.transcript}


@router.delete("/api/v1/lead/gold/{clip_id}", status_code=204)
def retire_gold(clip_id: str, rt: Rt, user: GoldManager) -> Response:
    with rt.db.session() as session:
        gold.retire_gold(session, user, clip_id)
    return Response(status_code=204)


@router.get("/api/v1/lead/reviewers")
def reviewers(rt: Rt, user: QualityViewer) -> dict[str, object]:
    with rt.db.read() as session:
        rows = reviewer_table(session, rt.settings.gold_wer_alert)
    return {"gold_wer_alert": rt.settings.gold_wer_alert, "reviewers": [asdict(r) for r in rows]}


@router.post("/api/v1/lead/clips/{clip_id}/false-wake")
def confirm_false_wake(clip_id: str, rt: Rt, user: FlagConfirmer) -> dict[str, str]:
    """A lead's confirmation deletes the clip's audio for good, keeping only the label."""
    with rt.db.session() as session:
        utterance = session.get(Utterance, clip_id)
        if utterance is None or utterance.deleted_at is not None:
            raise NotFound(f"clip {clip_id} does not exist or was already deleted")
        flags.delete_false_wake(session, rt.vault, utterance, actor=f"user:{user.handle}")
    return {"state": "deleted_false_wake"}


@router.get("/api/v1/privacy/restricted")
def restricted(rt: Rt, user: RestrictedViewer) -> dict[str, object]:
    with rt.db.read() as session:
        return {"clips": adjudication.restricted_queue(session)}


@router.get("/api/v1/privacy/restricted/{clip_id}/audio")
def restricted_audio(clip_id: str, rt: Rt, user: RestrictedOpener) -> Response:
    with rt.db.session() as session:
        return _wav(
            audio_access.staff_review_copy(
                session, rt.vault, user=user, utterance_id=clip_id, purpose="restricted"
            )
        )


@router.post("/api/v1/privacy/restricted/{clip_id}")
def decide_restricted(
    clip_id: str, body: RestrictedDecision, rt: Rt, user: RestrictedDecider
) -> dict[str, str]:
    with rt.db.session() as session:
        adjudication.resolve_restricted(session, rt.settings, rt.vault, user, clip_id, body.action)
    return {"action": body.action}


@router.post("/api/v1/privacy/restricted/{clip_id}/hide")
def hide_restricted(
    clip_id: str, body: HideRequest, rt: Rt, user: RestrictedDecider
) -> dict[str, object]:
    with rt.db.session() as session:
        hidden = hiding.hide_and_return(
            session,
            rt.settings,
            rt.vault,
            user,
            clip_id,
            [(s.start_s, s.end_s) for s in body.stretches],
            body.draft,
        )
    return {"action": "hide", "stretches": hidden}
