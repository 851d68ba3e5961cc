"""The lead's listening page (/lead/anonymization) and its audio.

Thin over voxguard.privacy.calibration: the page lists the calibration set (consenting voices,
never a recording of the service's accounts) with an original and an anonymized player per
clip; the audio routes render through the same module and record each listen. Leads only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from voxguard.db.models import User
from voxguard.demo.calibration import ensure_calibration_set
from voxguard.people.policies import AnonymizationCalibrationPolicy
from voxguard.privacy import calibration
from voxguard.privacy.anonymize import METHODS
from voxguard.runtime import Runtime
from voxguard.web.deps import get_runtime
from voxguard.web.security import page_context, require_policy

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(tags=["lead"])
Rt = Annotated[Runtime, Depends(get_runtime)]
PageViewer = Annotated[
    User, Depends(require_policy(AnonymizationCalibrationPolicy, "view", page=True))
]
Listener = Annotated[User, Depends(require_policy(AnonymizationCalibrationPolicy, "listen"))]
Method = Annotated[
    str | None,
    Query(max_length=64, description="A registered anonymization method; default: the one in use"),
]
PAGE_PATH = "/lead/anonymization"


def audio_url(clip_id: str, version: calibration.Version, method: str | None = None) -> str:
    query = f"?{urlencode({'method': method})}" if method else ""
    return f"/api/v1/lead/calibration/{quote(clip_id, safe='')}/{version}{query}"


def _clip_views(cal: calibration.CalibrationSet, method: str) -> list[dict[str, Any]]:
    return [
        {
            "id": clip.clip_id,
            "text": clip.text,
            "speaker": clip.speaker,
            "original_url": audio_url(clip.clip_id, "original"),
            "anonymized_url": audio_url(clip.clip_id, "anonymized", method),
            "drawn": calibration.drawn_parameters(method, cal.seed_of(clip.clip_id)),
        }
        for clip in cal.clips()
    ]


@router.get(PAGE_PATH, response_class=HTMLResponse, include_in_schema=False)
def anonymization_page(
    request: Request, rt: Rt, user: PageViewer, method: Method = None
) -> HTMLResponse:
    configured = rt.settings.anonymization_method
    chosen = method or configured
    status, problem, clips, parameters = 200, "", [], []
    if chosen not in METHODS:
        status, problem = 422, f"There is no anonymization method called “{chosen}”."
    else:
        try:
            ensure_calibration_set(rt.settings)
            cal = calibration.CalibrationSet.from_settings(rt.settings)
            clips = _clip_views(cal, chosen)
            parameters = calibration.method_parameters(chosen)
        except calibration.CalibrationError as exc:
            status, problem = 503, str(exc)
    context = page_context(
        request,
        clips=clips,
        methods=METHODS,
        method=chosen,
        configured=configured,
        parameters=parameters,
        problem=problem,
        custom_set=rt.settings.calibration_dir is not None,
    )
    response = templates.TemplateResponse(
        request, "anonymization.html", context, status_code=status
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/api/v1/lead/calibration/{clip_id}/{version}")
def calibration_audio(
    clip_id: str,
    version: calibration.Version,
    rt: Rt,
    user: Listener,
    method: Method = None,
) -> Response:
    """A calibration clip as recorded (16 kHz) or anonymized; each fetch is an audit event."""
    ensure_calibration_set(rt.settings)
    wav = calibration.listen(
        rt.db,
        calibration.CalibrationSet.from_settings(rt.settings),
        actor=f"user:{user.handle}",
        clip_id=clip_id,
        version=version,
        method=method or rt.settings.anonymization_method,
    )
    return Response(wav, media_type="audio/wav", headers={"Cache-Control": "no-store"})
