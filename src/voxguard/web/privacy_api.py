"""The privacy API an operator's app calls on behalf of a speaker (service token, scope privacy).

Every route is under ``/api/v1/accounts/{account_ref}/``; an unknown, erased or malformed
reference is a 404. The account reference never reaches the audit log or the server's log
(see ``voxguard.web.logs``): the domain works with the internal account id.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from voxguard.consent import service as consent
from voxguard.consent.service_tokens import Caller, authenticate
from voxguard.db.models import ConsentRecord
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


def _authenticate(rt: Runtime, token: str | None, scope: str) -> Caller:
    with rt.db.lookup() as session:
        return authenticate(session, token, scope)


async def privacy_app(request: Request) -> Caller:
    """The calling app, if its token carries the ``privacy`` scope (401 / 403 otherwise)."""
    return await run_in_threadpool(
        _authenticate, runtime_of(request), bearer_token(request), "privacy"
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


def put_consent_of(rt: Runtime, account_ref: str, body: Consent, *, source: str, actor: str):  # type: ignore[no-untyped-def]
    with rt.db.session() as session:
        account = consent.get_account(session, account_ref)
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
    return JSONResponse(put_consent_of(rt, account_ref, body, source="api", actor=app.actor))
