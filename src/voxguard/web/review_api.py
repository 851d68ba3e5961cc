"""The reviewer JSON API (see docs/review-api.md). Thin: every rule lives in voxguard.review."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from voxguard.db.models import User
from voxguard.people.policies import ReviewTaskPolicy
from voxguard.review import assignment, audio_access, submission
from voxguard.review.intents import intent_list
from voxguard.review.stats import shift_stats
from voxguard.review.views import task_view
from voxguard.review.waiting import waiting_for
from voxguard.runtime import Runtime
from voxguard.web.deps import get_runtime
from voxguard.web.security import require_policy

router = APIRouter(prefix="/api/v1/review", tags=["review"])
Rt = Annotated[Runtime, Depends(get_runtime)]


# The hot routes return JSONResponse themselves: a dict return would be checked against its
# annotation on one more trip through the thread pool (FastAPI does so for sync routes).

# One policy for the resource; each route names its action (user dependencies check CSRF).
Leaser = Annotated[User, Depends(require_policy(ReviewTaskPolicy, "lease"))]
Listener = Annotated[User, Depends(require_policy(ReviewTaskPolicy, "fetch_audio"))]
Beater = Annotated[User, Depends(require_policy(ReviewTaskPolicy, "heartbeat"))]
Skipper = Annotated[User, Depends(require_policy(ReviewTaskPolicy, "skip"))]
Submitter = Annotated[User, Depends(require_policy(ReviewTaskPolicy, "submit"))]
Viewer = Annotated[User, Depends(require_policy(ReviewTaskPolicy, "view_stats"))]


def _audio_secret(rt: Runtime) -> bytes:
    return rt.vault.derived_secret("review-audio-url")


def _next_task_view(rt: Runtime, session: Session, user: User) -> dict[str, Any] | None:
    task = assignment.lease_next(session, rt.settings, user)
    if task is None:
        return None
    return task_view(
        session,
        task,
        secret=_audio_secret(rt),
        user_id=user.id,
        audio_url_seconds=rt.settings.audio_url_seconds,
    )


@router.post("/lease", responses={204: {"description": "nothing is due"}})
def lease(rt: Rt, user: Leaser) -> Response:
    with rt.db.session() as session:
        view = _next_task_view(rt, session, user)
    return Response(status_code=204) if view is None else JSONResponse(view)


@router.get("/tasks/{task_id}/audio")
def audio(
    task_id: str,
    rt: Rt,
    user: Listener,
    exp: Annotated[int, Query()],
    sig: Annotated[str, Query(max_length=64)],
) -> Response:
    with rt.db.session() as session:
        wav = audio_access.review_copy_for(
            session,
            rt.vault,
            _audio_secret(rt),
            user=user,
            task_id=task_id,
            expires=exp,
            signature=sig,
        )
    return Response(
        wav,
        media_type="audio/wav",
        headers={"Cache-Control": "no-store", "Content-Disposition": "inline"},
    )


@router.post("/tasks/{task_id}/heartbeat")
def heartbeat(task_id: str, rt: Rt, user: Beater) -> JSONResponse:
    with rt.db.session() as session:
        expires, seconds = submission.heartbeat(session, rt.settings, user, task_id)
    return JSONResponse(
        {
            "lease_expires_at": expires.isoformat(),
            "lease_seconds": seconds,
            "audio_url": audio_access.signed_audio_url(
                _audio_secret(rt), task_id, user.id, rt.settings.audio_url_seconds
            ),
        }
    )


@router.post("/tasks/{task_id}/skip", status_code=204)
def skip(task_id: str, rt: Rt, user: Skipper) -> Response:
    with rt.db.session() as session:
        submission.skip(session, user, task_id)
    return Response(status_code=204)


@router.post("/tasks/{task_id}/submit")
def submit(
    task_id: str,
    body: submission.Submission,
    rt: Rt,
    user: Submitter,
    next_task: Annotated[bool, Query(alias="next")] = False,
) -> JSONResponse:
    """With ``?next=true`` the answer also carries the next task (as ``POST /lease`` would
    answer, or null when none is due), leased in the same transaction: the workbench saves a
    round trip between clips, and the server one sign-in check and one commit."""
    if next_task:
        ReviewTaskPolicy.require(user, "lease")
    with rt.db.session() as session:
        result = submission.submit(session, rt.settings, rt.vault, user, task_id, body)
        answer: dict[str, Any] = {"status": result.status, "effects": result.effects}
        if next_task:
            answer["next"] = _next_task_view(rt, session, user)
    return JSONResponse(answer)


@router.get("/stats")
def stats(request: Request, rt: Rt, user: Viewer) -> dict[str, object]:
    web_session = request.state.web_session
    with rt.db.read() as session:
        figures = shift_stats(session, user, web_session.created_at)
    return {
        "done_this_shift": figures.done_this_shift,
        "median_seconds": figures.median_seconds,
        "gold_accuracy": figures.gold_accuracy,
        "shift_started_at": web_session.created_at.isoformat(),
    }


@router.get("/waiting")
def waiting(rt: Rt, user: Viewer) -> JSONResponse:
    """The review tasks waiting, how many of them the caller may be handed, and how many each
    assignment rule hides from the caller (what the empty workbench explains)."""
    with rt.db.read() as session:
        reasons = waiting_for(session, rt.settings, user)
    return JSONResponse(reasons.as_dict())


@router.get("/intents")
def intents(rt: Rt, user: Viewer) -> dict[str, list[str]]:
    """The deployment's intent list (``intents_file``), the only values submit accepts."""
    return {"intents": list(intent_list(rt.settings).names)}
