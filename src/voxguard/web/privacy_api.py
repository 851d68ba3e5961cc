"""The privacy API an operator's app calls on behalf of a speaker (service token, scope privacy).

Every route is under ``/api/v1/accounts/{account_ref}/``; an unknown, erased or malformed
reference is a 404. The account reference never reaches the audit log or the server's log
(see ``voxguard.web.logs``): the domain works with the internal account id.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from voxguard import audit
from voxguard.consent import access_log, export, recordings, self_service
from voxguard.consent import erasure as erasure_service
from voxguard.consent import service as consent
from voxguard.consent.service_tokens import Caller, authenticate
from voxguard.db.models import Account, ConsentRecord, Erasure
from voxguard.runtime import Runtime
from voxguard.web.deps import get_runtime, runtime_of

router = APIRouter(prefix="/api/v1", tags=["privacy"])
Rt = Annotated[Runtime, Depends(get_runtime)]
AccountRef = Annotated[str, Path(description="The operator's account reference")]

REFUSALS: dict[int | str, dict[str, str]] = {
    401: {"description": "no service token, or an unknown or revoked one"},
    403: {"description": "a token without the privacy scope, or a device's token"},
    404: {"description": "unknown, erased or malformed account reference"},
}


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def authenticate_app(rt: Runtime, token: str | None, scope: str) -> Caller:
    with rt.db.lookup() as session:
        return authenticate(session, token, scope)


async def privacy_app(request: Request) -> Caller:
    """The calling app, if its token carries the ``privacy`` scope (401 / 403 otherwise)."""
    return await run_in_threadpool(
        authenticate_app, runtime_of(request), bearer_token(request), "privacy"
    )


App = Annotated[Caller, Depends(privacy_app)]


class Consent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    human_review: Literal["opted_in", "opted_out"] = Field(
        description="May people listen to (de-identified) recordings to improve the assistant?"
    )
    store_recordings: bool = Field(description="May recordings be stored at all?")
    model_training: bool = Field(
        description="May reviewed transcripts and audio go into training data for the models?"
    )
    retention: Literal["dont_save", "3_months", "18_months", "until_deleted"] = Field(
        description="How long recordings are kept"
    )
    notice_version: str = Field(
        min_length=1, max_length=32, description="The privacy notice the person agreed under"
    )


class ConsentAnswer(Consent):
    version: int
    changed_at: str


def consent_answer(record: ConsentRecord) -> dict[str, object]:
    return {
        "human_review": record.human_review,
        "store_recordings": record.store_recordings,
        "model_training": record.model_training,
        "retention": record.retention,
        "notice_version": record.notice_version or "-",
        "version": record.version,
        "changed_at": record.created_at.isoformat(),
    }


@router.get("/accounts/{account_ref}/consent", response_model=ConsentAnswer, responses=REFUSALS)
def get_consent(account_ref: AccountRef, rt: Rt, app: App) -> JSONResponse:
    """The consent in force."""
    with rt.db.read() as session:
        account = consent.get_account(session, account_ref)
        return JSONResponse(consent_answer(consent.current_consent(session, account.id)))


def save_consent(
    session: Session, account: Account, body: Consent, *, source: str, actor: str
) -> dict[str, object]:
    record = consent.change_consent(
        session,
        account,
        review=body.human_review,
        store=body.store_recordings,
        model_training=body.model_training,
        retention=body.retention,
        notice_version=body.notice_version,
        source=source,
        actor=actor,
    )
    return consent_answer(record)


@router.put("/accounts/{account_ref}/consent", response_model=ConsentAnswer, responses=REFUSALS)
def put_consent(account_ref: AccountRef, body: Consent, rt: Rt, app: App) -> JSONResponse:
    """Record the person's choices as a new consent version. Opting out of review or storage
    cancels open review work and revokes live leases before this answers."""
    with rt.db.session() as session:
        account = consent.get_account(session, account_ref)
        return JSONResponse(save_consent(session, account, body, source="api", actor=app.actor))


class RecordingItem(BaseModel):
    id: str
    recorded_at: str
    received_at: str
    duration_s: float
    sampled: bool
    sampling_reason: str | None = Field(
        description="drawn, drawn_low_confidence, not_drawn, account_cap or no_review_consent"
    )
    heard_by: int = Field(description="How many people listened to it")
    state: Literal["stored", "in_review", "reviewed", "deleted", "expired"]
    expires_at: str | None = Field(description="When it will be deleted; null: until you delete it")
    has_audio: bool


class RecordingPage(BaseModel):
    recordings: list[RecordingItem]
    total: int
    limit: int
    offset: int


class AccessItem(BaseModel):
    at: str
    actor: str = Field(description="A code for a person, different in every account; or machine:…")
    role: str
    region: str | None
    action: Literal[
        "viewed", "listened", "transcribed", "anonymized", "flagged", "adjudicated", "exported",
        "deleted",
    ]  # fmt: skip
    recording_id: str | None
    purpose: str


class AccessLog(BaseModel):
    accesses: list[AccessItem]


def recordings_page(
    session: Session, account_id: str, limit: int, offset: int
) -> dict[str, object]:
    items, total = recordings.list_recordings(session, account_id, limit=limit, offset=offset)
    return {
        "recordings": [
            {
                **asdict(r),
                "recorded_at": r.recorded_at.isoformat(),
                "received_at": r.received_at.isoformat(),
                "expires_at": r.expires_at.isoformat() if r.expires_at else None,
            }
            for r in items
        ],
        "total": total,
        "limit": limit,
        "offset": offset,
    }


def audited_read(session: Session, *, actor: str, action: str, account_id: str) -> None:
    """Reading a speaker's data on their behalf is an access too, recorded like any other."""
    audit.record(
        session, actor=actor, action=action, target=f"account:{account_id}", account_id=account_id
    )


@router.get("/accounts/{account_ref}/recordings", response_model=RecordingPage, responses=REFUSALS)
def get_recordings(
    account_ref: AccountRef,
    rt: Rt,
    app: App,
    limit: Annotated[int, Query(ge=1, le=recordings.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> JSONResponse:
    """The account's recordings, newest first: whether each was sampled and why, how many people
    heard it, its state and when it expires."""
    with rt.db.session() as session:
        account = consent.get_account(session, account_ref)
        audited_read(session, actor=app.actor, action="recordings.listed", account_id=account.id)
        return JSONResponse(recordings_page(session, account.id, limit, offset))


def wav_response(audio: bytes) -> Response:
    return Response(audio, media_type="audio/wav", headers={"Cache-Control": "no-store"})


@router.get(
    "/accounts/{account_ref}/recordings/{recording_id}/audio",
    response_class=Response,
    responses={**REFUSALS, 200: {"content": {"audio/wav": {}}, "description": "original audio"}},
)
def get_recording_audio(account_ref: AccountRef, recording_id: str, rt: Rt, app: App) -> Response:
    """The speaker's own original recording (never cached)."""
    with rt.db.session() as session:
        account = consent.get_account(session, account_ref)
        audio = recordings.own_audio(session, rt.vault, account.id, recording_id, actor=app.actor)
    return wav_response(audio)


def access_log_of(session: Session, rt: Runtime, account_id: str) -> dict[str, object]:
    entries = access_log.access_log(session, rt.vault.derived_secret("access-log"), account_id)
    return {"accesses": [e.as_dict() for e in entries]}


@router.get("/accounts/{account_ref}/access-log", response_model=AccessLog, responses=REFUSALS)
def get_access_log(account_ref: AccountRef, rt: Rt, app: App) -> JSONResponse:
    """Who listened: every access to this account's data by people (under a code that differs
    in every account, with role and region) and by machines, oldest first."""
    with rt.db.session() as session:
        account = consent.get_account(session, account_ref)
        audited_read(session, actor=app.actor, action="access_log.viewed", account_id=account.id)
        return JSONResponse(access_log_of(session, rt, account.id))


class ErasureReceipt(BaseModel):
    erasure_id: str
    kind: Literal["recording", "account"]
    recording_id: str | None
    requested_at: str
    completed_at: str | None
    exports_holding: list[dict[str, str]] = Field(
        description="Dataset exports made earlier that hold this data: recall them"
    )


def receipt(erasure: Erasure) -> dict[str, object]:
    return {
        "erasure_id": erasure.id,
        "kind": erasure.kind,
        "recording_id": erasure.utterance_id,
        "requested_at": erasure.requested_at.isoformat(),
        "completed_at": erasure.completed_at.isoformat() if erasure.completed_at else None,
        "exports_holding": list((erasure.details or {}).get("exports_holding", [])),
    }


def erased(rt: Runtime, answer: dict[str, object]) -> JSONResponse:
    rt.db.purge_deleted_pages()  # no old copy of a deleted row left in SQLite's log
    return JSONResponse(answer, status_code=202)


@router.delete(
    "/accounts/{account_ref}/recordings/{recording_id}",
    status_code=202,
    response_model=ErasureReceipt,
    responses=REFUSALS,
)
def delete_recording(account_ref: AccountRef, recording_id: str, rt: Rt, app: App) -> JSONResponse:
    """Erase one recording now: its audio crypto-shredded, its rows removed. Idempotent: a
    second call answers with the same receipt."""
    with rt.db.session() as session:
        account = consent.get_account(session, account_ref)
        erasure = erasure_service.erase_recording(
            session, rt.settings, rt.vault, account.id, recording_id, actor=app.actor
        )
        answer = receipt(erasure)
    return erased(rt, answer)


@router.delete(
    "/accounts/{account_ref}", status_code=202, response_model=ErasureReceipt, responses=REFUSALS
)
def delete_account(account_ref: AccountRef, rt: Rt, app: App) -> JSONResponse:
    """Erase the whole account now: its data key destroyed first (every copy anywhere becomes
    noise), then its recordings, devices and consent. The reference is unknown afterwards (404);
    the receipt stays readable at /api/v1/erasures/{erasure_id}."""
    with rt.db.session() as session:
        account = consent.get_account(session, account_ref)
        answer = receipt(
            erasure_service.erase_account(
                session, rt.settings, rt.vault, account.id, actor=app.actor
            )
        )
    return erased(rt, answer)


@router.get(
    "/accounts/{account_ref}/erasures/{erasure_id}",
    response_model=ErasureReceipt,
    responses=REFUSALS,
)
def get_account_erasure(account_ref: AccountRef, erasure_id: str, rt: Rt, app: App) -> JSONResponse:
    """The receipt of an erasure of one of this account's recordings."""
    with rt.db.read() as session:
        account = consent.get_account(session, account_ref)
        return JSONResponse(receipt(erasure_service.get_erasure(session, erasure_id, account.id)))


@router.get("/erasures/{erasure_id}", response_model=ErasureReceipt, responses=REFUSALS)
def get_erasure(erasure_id: str, rt: Rt, app: App) -> JSONResponse:
    """The receipt of any erasure, also of a whole account (whose reference is gone)."""
    with rt.db.read() as session:
        return JSONResponse(receipt(erasure_service.get_erasure(session, erasure_id)))


def export_response(rt: Runtime, account_id: str, *, actor: str) -> StreamingResponse:
    """Record the export, then stream the zip (never cached)."""
    with rt.db.session() as session:
        audited_read(session, actor=actor, action="account.exported", account_id=account_id)
    chunks = export.export_zip(rt.db, rt.vault, rt.vault.derived_secret("access-log"), account_id)
    return StreamingResponse(
        chunks,
        media_type="application/zip",
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": 'attachment; filename="my-voice-data.zip"',
        },
    )


@router.get(
    "/accounts/{account_ref}/export",
    response_class=StreamingResponse,
    responses={**REFUSALS, 200: {"content": {"application/zip": {}}, "description": "a zip"}},
)
def get_export(account_ref: AccountRef, rt: Rt, app: App) -> StreamingResponse:
    """Everything stored about the account as a zip: account.json (consent history, devices by
    serial, recordings with device ASR output, human transcripts and labels), access-log.json,
    and each stored original as WAV."""
    with rt.db.read() as session:
        account_id = consent.get_account(session, account_ref).id
    return export_response(rt, account_id, actor=app.actor)


class SelfServiceLinkAnswer(BaseModel):
    url: str = Field(description="Open in the person's browser; it works once")
    expires_at: str


@router.post(
    "/accounts/{account_ref}/self-service-link",
    status_code=201,
    response_model=SelfServiceLinkAnswer,
    responses=REFUSALS,
)
def post_self_service_link(
    account_ref: AccountRef, request: Request, rt: Rt, app: App
) -> JSONResponse:
    """A single-use sign-in link to the person's privacy page, valid 15 minutes (by default)."""
    with rt.db.session() as session:
        account = consent.get_account(session, account_ref)
        link = self_service.create_link(session, rt.settings, account.id, actor=app.actor)
    url = str(request.url_for("me_link", token=link.token))
    return JSONResponse({"url": url, "expires_at": link.expires_at.isoformat()}, status_code=201)
