"""The self-service privacy page (/me): a person's choices, recordings, who listened, their data.

Opened through a single-use link from the operator's app (then a short session cookie, no
password). Plain words, no jargon; every action goes through the same services as the privacy
API, acting as the person ("self-service" in the audit log). Scripts and styles are files under
/static/me/: nothing inline.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse
from fastapi.templating import Jinja2Templates

from voxguard.consent import access_log, erasure, recordings, self_service
from voxguard.consent import service as consent
from voxguard.consent.access_log import Access
from voxguard.consent.errors import LinkUnusable, ScopeMissing, TokenMissing
from voxguard.consent.self_service import Speaker
from voxguard.db.base import utcnow
from voxguard.db.models import Account
from voxguard.runtime import Runtime
from voxguard.web.deps import get_runtime, runtime_of
from voxguard.web.privacy_api import (
    Consent,
    ConsentAnswer,
    ErasureReceipt,
    consent_answer,
    erased,
    export_response,
    receipt,
    save_consent,
    wav_response,
)
from voxguard.web.security import SAFE_METHODS, is_https

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(tags=["self-service"])
Rt = Annotated[Runtime, Depends(get_runtime)]
COOKIE = "vg_me"
CSRF_HEADER = "X-CSRF-Token"
ACTOR = self_service.ACTOR


def _speaker(rt: Runtime, cookie: str | None) -> Speaker | None:
    with rt.db.lookup() as session:
        return self_service.speaker_of(session, cookie)


async def current_speaker(request: Request) -> Speaker:
    """The person whose page this is (401 without a live session; 403 without the CSRF token
    on a change)."""
    speaker = await run_in_threadpool(_speaker, runtime_of(request), request.cookies.get(COOKIE))
    if speaker is None:
        raise TokenMissing("open your privacy page from the link in your app")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), speaker.csrf_token.encode()):
            raise ScopeMissing(f"missing or wrong {CSRF_HEADER} header")
    return speaker


Me = Annotated[Speaker, Depends(current_speaker)]


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    return _private(templates.TemplateResponse(request, name, context, status_code=status))


# ----------------------------------------------------------------------------- plain words

REGIONS = {"eu": "the EU", "us": "the US", "uk": "the UK"}
WHO = {
    "reviewer": "A reviewer",
    "lead": "A senior reviewer",
    "privacy_officer": "A privacy officer",
    "machine:speech-recognition": "Our speech recognition (a machine, not a person)",
    "machine:voice-anonymizer": "Our voice disguiser (a machine, not a person)",
    "machine:retention": "Our automatic clean-up",
    "you": "You",
}
DID = {
    "viewed": "saw the written text, with personal details hidden, of",
    "listened": "heard a voice-disguised copy of",
    "transcribed": "wrote down what was said in",
    "anonymized": "disguised the voice in",
    "flagged": "flagged",
    "adjudicated": "settled the final transcript of",
    "exported": "downloaded a copy of your data, including",
    "deleted": "deleted",
}
WHY = {
    "review": "to check the transcript",
    "gold_check": "as a quality check",
    "adjudication": "because two reviewers disagreed",
    "restricted_review": "because a reviewer flagged it for a privacy officer",
    "asr_draft": "so reviewers start from a draft with personal details hidden",
    "anonymization": "so nobody can recognise your voice",
    "deleted_by_staff": "after it was flagged",
    "retention": "because the time you chose to keep it ran out",
    "erasure_request": "because you asked",
    "data_export": "",
}
FLAGGED_AS = {  # review/flags.py FLAG_KINDS and PII_TYPED, in the person's words
    "false_wake": "not meant for the assistant",
    "sensitive": "sensitive",
    "distress": "a sign of distress",
    "unintelligible": "hard to make out",
    "other_language": "in another language",
    "pii_audible": "personal details could still be heard",
    "pii_typed": "personal details could still be heard (what the reviewer wrote was not kept)",
}
STATE = {
    "stored": "Kept",
    "in_review": "Being reviewed",
    "reviewed": "Reviewed",
    "deleted": "Deleted",
    "expired": "Deleted (time ran out)",
}
SAMPLED = {
    "drawn": "Picked at random for review",
    "drawn_low_confidence": "Picked for review: the assistant was unsure what you said",
    "not_drawn": "Not picked for review",
    "account_cap": "Not picked: enough of your recordings were reviewed this month",
    "no_review_consent": "Not reviewed: you said no to review",
}


def when(at: datetime) -> str:
    """E.g. "3 March at 14:02 UTC" (the year too when it is not this one). The page does not
    know the speaker's time zone, so it says which one it uses rather than leave it to guess."""
    year = "" if at.year == utcnow().year else f" {at.year}"
    return f"{at.day} {at:%B}{year} at {at:%H:%M} UTC"


def _who(entry: Access) -> str:
    who = WHO.get(entry.actor) or WHO.get(entry.role, "Someone")
    if entry.role == "machine" and entry.actor.startswith("export:"):
        who = "A dataset export"
    if entry.region and entry.role != "machine":
        who += f" in {REGIONS.get(entry.region, entry.region.upper())}"
    return who


def _what(entry: Access, recorded: dict[str, datetime]) -> str:
    made = recorded.get(entry.recording_id or "")
    return f"your recording from {when(made)}" if made else "one of your recordings"


def sentence(entry: Access, recorded: dict[str, datetime]) -> str:
    """One access in plain words, e.g. "A reviewer in the EU heard a voice-disguised copy of
    your recording from 3 March at 14:00 on 3 March at 14:02, to check the transcript."""
    who, what = _who(entry), _what(entry, recorded)
    if entry.action == "flagged":
        kind = entry.purpose.split(":", 1)[-1]
        said = FLAGGED_AS.get(kind, kind.replace("_", " "))
        return f"{who} flagged {what} as “{said}” on {when(entry.at)}."
    why = WHY.get(entry.purpose, "")
    return f"{who} {DID[entry.action]} {what} on {when(entry.at)}{', ' + why if why else ''}."


# One review pass is several accesses (the text seen, the copy heard, the words written): the
# page tells them as one visit, as the person would, so the few people stand out.
DID_IN_A_VISIT = {
    "viewed": "saw the written text with personal details hidden",
    "listened": "heard a voice-disguised copy",
    "transcribed": "wrote down what was said",
    "adjudicated": "settled the final transcript",
}
VISIT = timedelta(minutes=30)


# The machine steps that prepare one recording for review, told as one.
PREPARED_BY = {
    "asr_draft": "wrote down what was said, with personal details hidden, as a draft",
    "anonymization": "disguised the voice so nobody can recognise it",
}


def _grouped(
    entries: Sequence[Access], key: Callable[[Access], tuple[Any, ...] | None]
) -> list[list[Access]]:
    """Accesses (oldest first) in groups of one ``key`` within VISIT of the group's first; an
    access whose key is None is a group of its own."""
    out: list[list[Access]] = []
    latest: dict[tuple[Any, ...], list[Access]] = {}
    for entry in entries:
        k = key(entry)
        group = latest.get(k) if k is not None else None
        if group is not None and entry.at - group[0].at <= VISIT:
            group.append(entry)
            continue
        out.append([entry])
        if k is not None:
            latest[k] = out[-1]
    return out


def visits(entries: Sequence[Access]) -> list[list[Access]]:
    """Accesses as visits: one person's uses of one recording for one purpose."""
    return _grouped(
        entries,
        lambda e: (
            (e.actor, e.recording_id, e.purpose)
            if e.role != "machine" and e.action in DID_IN_A_VISIT
            else None
        ),
    )


def preparations(entries: Sequence[Access]) -> list[list[Access]]:
    """Machine steps as the preparation of each recording for review (draft, voice disguise)."""
    return _grouped(
        entries,
        lambda e: (e.recording_id,) if e.role == "machine" and e.purpose in PREPARED_BY else None,
    )


def preparation_sentence(steps: Sequence[Access], recorded: dict[str, datetime]) -> str:
    """E.g. "On 3 March at 14:01 UTC our machines (no person) prepared your recording from 3 March
    at 14:00 UTC for review: wrote down what was said, ... and disguised the voice ..."."""
    first = steps[0]
    if len(steps) == 1:
        return sentence(first, recorded)
    did = list(dict.fromkeys(PREPARED_BY[s.purpose] for s in steps))
    return (
        f"On {when(first.at)} our machines (no person) prepared {_what(first, recorded)} for "
        f"review: {' and '.join(did)}."
    )


def visit_sentence(visit: Sequence[Access], recorded: dict[str, datetime]) -> str:
    """A visit in plain words: one access as ``sentence`` says it; several as one sentence,
    e.g. "On 3 March at 14:02 UTC a reviewer in the EU, to check the transcript, used your
    recording from 3 March at 14:00 UTC: heard a voice-disguised copy and wrote down what was
    said."."""
    first = visit[0]
    if len(visit) == 1:
        return sentence(first, recorded)
    did = list(dict.fromkeys(DID_IN_A_VISIT[e.action] for e in visit))
    done = did[0] if len(did) == 1 else ", ".join(did[:-1]) + " and " + did[-1]
    who = _who(first)
    why = WHY.get(first.purpose, "")
    return (
        f"On {when(first.at)} {who[0].lower()}{who[1:]}{', ' + why + ',' if why else ''} used "
        f"{_what(first, recorded)}: {done}."
    )


def _view(session: Any, rt: Runtime, account: Account) -> dict[str, Any]:
    record = consent.current_consent(session, account.id)
    items, total = recordings.list_recordings(session, account.id, limit=recordings.MAX_PAGE)
    recorded = {r.id: r.recorded_at for r in items}
    entries = access_log.access_log(session, rt.vault.derived_secret("access-log"), account.id)
    return {
        "consent": consent_answer(record),
        "recordings": [
            {
                "id": r.id,
                "when": when(r.recorded_at),
                "seconds": f"{r.duration_s:.1f}",
                "state": STATE[r.state],
                "sampled": SAMPLED.get(r.sampling_reason or "", ""),
                "heard_by": r.heard_by,
                "expires": when(r.expires_at) if r.expires_at else None,
                "has_audio": r.has_audio,
                "deletable": r.state not in ("deleted", "expired"),
            }
            for r in items
        ],
        "total": total,
        # People first: what the page is asked ("who listened"); the machine steps, one or two
        # per recording, would bury them, so they come apart (folded on the page).
        "timeline": [
            {
                "when": v[0].at.isoformat(),
                "text": visit_sentence(v, recorded),
                "action": "listened" if any(e.action == "listened" for e in v) else v[0].action,
            }
            for v in reversed(visits([e for e in entries if e.role != "machine"]))
        ],
        "machine_steps": [
            {
                "when": steps[0].at.isoformat(),
                "text": preparation_sentence(steps, recorded),
                "action": steps[0].action,
            }
            for steps in reversed(preparations([e for e in entries if e.role == "machine"]))
        ],
        "notice_version": rt.settings.privacy_notice_version,
    }


# ----------------------------------------------------------------------------- the link


@router.get(
    self_service.LINK_ROUTE, response_class=HTMLResponse, include_in_schema=False, name="me_link"
)
def link_page(token: str, request: Request, rt: Rt) -> Response:
    """Opening the link shows a button: a link checker fetching it does not use it up."""
    try:
        with rt.db.read() as session:
            self_service.check_link(session, token)
    except LinkUnusable as exc:
        return _page(request, "me_link.html", {"problem": exc.message}, status=410)
    return _page(request, "me_link.html", {"problem": None, "token": token})


@router.post(self_service.LINK_ROUTE, include_in_schema=False)
def open_link(token: str, request: Request, rt: Rt) -> Response:
    try:
        with rt.db.session() as session:
            opened = self_service.open_link(session, rt.settings, token)
    except LinkUnusable as exc:
        return _page(request, "me_link.html", {"problem": exc.message}, status=410)
    response = RedirectResponse("/me", status_code=303)
    response.set_cookie(
        COOKIE,
        opened.cookie_value,
        max_age=rt.settings.self_service_session_minutes * 60,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
        path="/me",
    )
    return _private(response)


# ----------------------------------------------------------------------------- the page


@router.get("/me", response_class=HTMLResponse, include_in_schema=False)
def me_page(request: Request, rt: Rt) -> Response:
    speaker = _speaker(rt, request.cookies.get(COOKIE))
    if speaker is None:
        return _page(request, "me_link.html", {"problem": "signed_out"}, status=401)
    with rt.db.read() as session:
        account = session.get(Account, speaker.account_id)
        if account is None:
            return _page(request, "me_link.html", {"problem": "signed_out"}, status=401)
        context = _view(session, rt, account)
    return _page(request, "me.html", {**context, "csrf_token": speaker.csrf_token})


def _account(session: Any, speaker: Speaker) -> Account:
    account = session.get(Account, speaker.account_id)
    if account is None:
        raise TokenMissing("this page's account no longer exists")
    return account


@router.put("/me/api/consent", response_model=ConsentAnswer)
def me_put_consent(body: Consent, rt: Rt, me: Me) -> JSONResponse:
    """Save the person's choices (a new consent version; opting out takes effect at once)."""
    with rt.db.session() as session:
        answer = save_consent(
            session, _account(session, me), body, source="self_service", actor=ACTOR
        )
    return JSONResponse(answer)


@router.get(
    "/me/api/recordings/{recording_id}/audio",
    response_class=Response,
    responses={200: {"content": {"audio/wav": {}}}, 401: {}, 404: {}},
)
def me_audio(recording_id: str, rt: Rt, me: Me) -> Response:
    with rt.db.session() as session:
        audio = recordings.own_audio(session, rt.vault, me.account_id, recording_id, actor=ACTOR)
    return wav_response(audio)


@router.delete("/me/api/recordings/{recording_id}", status_code=202, response_model=ErasureReceipt)
def me_delete_recording(recording_id: str, rt: Rt, me: Me) -> JSONResponse:
    with rt.db.session() as session:
        answer = receipt(
            erasure.erase_recording(
                session,
                rt.settings,
                rt.vault,
                me.account_id,
                recording_id,
                actor=ACTOR,
                channel="self_service",
            )
        )
    return erased(rt, answer)


@router.delete("/me/api/account", status_code=202, response_model=ErasureReceipt)
def me_delete_account(request: Request, rt: Rt, me: Me) -> JSONResponse:
    with rt.db.session() as session:
        answer = receipt(
            erasure.erase_account(
                session, rt.settings, rt.vault, me.account_id, actor=ACTOR, channel="self_service"
            )
        )
    response = erased(rt, answer)
    response.delete_cookie(COOKIE, path="/me", httponly=True, samesite="strict")
    return response


@router.get(
    "/me/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}}}},
)
def me_export(rt: Rt, me: Me) -> StreamingResponse:
    return export_response(rt, me.account_id, actor=ACTOR)


@router.post("/me/api/sign-out", status_code=204)
def me_sign_out(request: Request, rt: Rt, me: Me) -> Response:
    with rt.db.session() as session:
        self_service.end_session(session, request.cookies.get(COOKIE, ""))
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/me", httponly=True, samesite="strict")
    return response


__all__ = ["router", "sentence"]
