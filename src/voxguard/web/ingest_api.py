"""POST /api/v1/utterances: devices upload one utterance (audio + metadata)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from voxguard.ingest.service import UploadRejected, check_token, ingest_upload, record_refusal
from voxguard.runtime import Runtime
from voxguard.web.deps import get_runtime
from voxguard.web.multipart import FormRejected, read_form

router = APIRouter(prefix="/api/v1", tags=["ingest"])


class UploadAnswer(BaseModel):
    id: str | None
    sampled: bool
    stored: bool


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@router.post(
    "/utterances",
    status_code=status.HTTP_201_CREATED,
    response_model=UploadAnswer,
    responses={
        200: {"description": "a retry of an utterance already stored: the same record"},
        202: {"description": "accepted but not stored: the account gave no storage consent"},
        401: {"description": "missing, unknown or revoked device token"},
        403: {"description": "token of another device or account"},
        409: {"description": "utterance_id already used for other audio"},
        413: {"description": "upload or audio too large or too long"},
        415: {"description": "not multipart/form-data"},
        422: {"description": "bad metadata, missing fields, or not decodable audio"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["audio", "metadata"],
                        "properties": {
                            "audio": {"type": "string", "format": "binary"},
                            "metadata": {"type": "string", "description": "JSON object"},
                        },
                    }
                }
            },
        }
    },
)
async def upload_utterance(
    request: Request, rt: Annotated[Runtime, Depends(get_runtime)]
) -> JSONResponse:
    """Store one utterance; idempotent on the client's ``utterance_id``."""
    token = _bearer(request)
    caller = await run_in_threadpool(check_token, rt.db, token)
    try:
        form = await read_form(
            request.headers.get("content-type"),
            request.headers.get("content-length"),
            request.stream(),
            {"audio": rt.settings.max_upload_bytes, "metadata": rt.settings.max_metadata_bytes},
        )
    except FormRejected as exc:
        await run_in_threadpool(record_refusal, rt.db, UploadRejected(exc.code, exc.message))
        raise
    result = await run_in_threadpool(
        ingest_upload,
        rt.db,
        rt.vault,
        rt.settings,
        caller=caller,
        metadata_raw=form["metadata"],
        audio=form["audio"],
    )
    code = 201 if result.created and result.stored else (202 if not result.stored else 200)
    answer = UploadAnswer(id=result.id, sampled=result.sampled, stored=result.stored)
    return JSONResponse(answer.model_dump(), status_code=code)
