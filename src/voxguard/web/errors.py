"""Domain refusals as HTTP answers: the one place that picks a status for each, and one JSON
shape for all of them, {"error": code, "detail": message}.

Domain errors carry a code and a message, never a status. A subclass that is not listed below
answers with its nearest listed base's status.
"""

from __future__ import annotations

from typing import TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response

from voxguard.consent.errors import (
    InvalidConsent,
    InvalidErasureRequest,
    InvalidTokenRequest,
    LinkUnusable,
    RightsError,
    ScopeMissing,
    TokenMissing,
    UnknownAccount,
    UnknownErasure,
    UnknownRecording,
)
from voxguard.consent.ledger import LedgerError
from voxguard.ingest.service import UploadRejected
from voxguard.people.errors import (
    AccountDisabled,
    AccountLocked,
    AuthError,
    Forbidden,
    PasswordChangeRequired,
    UnknownUser,
    UserAdminError,
    UserExists,
    WeakPassword,
    WrongPassword,
)
from voxguard.people.totp import TotpSecretUnreadable
from voxguard.privacy.anonymize import AnonymizationError, UnknownMethodError
from voxguard.privacy.calibration import (
    CalibrationError,
    CalibrationUnavailable,
    UnknownCalibrationClip,
)
from voxguard.review.errors import (
    AudioDenied,
    Conflict,
    InvalidStretch,
    LeaseGone,
    NotPlayed,
    PersonalDetailsTyped,
    ReviewError,
)
from voxguard.review.errors import NotFound as ReviewNotFound
from voxguard.review.intents import UnknownIntent
from voxguard.vault.errors import BlobNotFoundError, BlobStoreError, KeyDestroyedError
from voxguard.web.limits import RequestLimitExceeded
from voxguard.web.multipart import FormRejected
from voxguard.web.security import LoginRequired
from voxguard.web.throttle import Throttled

_T = TypeVar("_T")

STATUS_BY_ERROR: dict[type[Exception], int] = {
    UploadRejected: 422,  # refined by its code: UPLOAD_STATUS_BY_CODE
    ReviewError: 400,
    LeaseGone: 409,
    NotPlayed: 422,
    AudioDenied: 403,
    ReviewNotFound: 404,
    Conflict: 409,
    PersonalDetailsTyped: 422,
    InvalidStretch: 422,
    UnknownIntent: 422,
    AuthError: 401,
    AccountLocked: 423,
    AccountDisabled: 403,
    WrongPassword: 403,
    WeakPassword: 422,
    PasswordChangeRequired: 403,
    Forbidden: 403,
    UserAdminError: 422,
    UserExists: 409,
    UnknownUser: 404,
    KeyDestroyedError: 410,
    BlobNotFoundError: 410,
    BlobStoreError: 503,
    TotpSecretUnreadable: 500,
    RightsError: 400,
    UnknownAccount: 404,
    UnknownRecording: 404,
    UnknownErasure: 404,
    InvalidConsent: 422,
    InvalidErasureRequest: 422,
    InvalidTokenRequest: 422,
    TokenMissing: 401,
    ScopeMissing: 403,
    LinkUnusable: 410,
    LedgerError: 503,
    CalibrationError: 400,
    UnknownCalibrationClip: 404,
    CalibrationUnavailable: 503,  # the operator's folder, not the caller's request
    AnonymizationError: 422,  # e.g. a method that is not registered
}
# Every upload refusal is one type; its code says which (the rest, bad metadata or audio: 422).
UPLOAD_STATUS_BY_CODE = {
    "unauthorized": 401,
    "account_erased": 403,
    "wrong_device": 403,
    "wrong_account": 403,
    "utterance_id_conflict": 409,
    "audio_too_long": 413,
    "audio_too_large": 413,  # decodes to more samples than the limit allows
}
# Errors of the lower parts that say what failed without a code of their own.
CODE_BY_ERROR: dict[type[Exception], str] = {
    KeyDestroyedError: "deleted",
    BlobNotFoundError: "audio_missing",
    BlobStoreError: "blob_store_unavailable",
    TotpSecretUnreadable: "totp_secret_unreadable",
    AnonymizationError: "anonymization_refused",
    UnknownMethodError: "unknown_method",
}


def _nearest(table: dict[type[Exception], _T], exc: Exception) -> _T:
    for error_type in type(exc).__mro__:
        if error_type in table:
            return table[error_type]  # type: ignore[index]
    raise LookupError(f"no HTTP answer for {type(exc).__name__}")


def status_for(exc: Exception) -> int:
    """The HTTP status a domain refusal is answered with."""
    if isinstance(exc, UploadRejected):
        return UPLOAD_STATUS_BY_CODE.get(exc.code, 422)
    return _nearest(STATUS_BY_ERROR, exc)


def code_for(exc: Exception) -> str:
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) else _nearest(CODE_BY_ERROR, exc)


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "detail": message}, status_code=status)


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


async def _domain_response(request: Request, exc: Exception) -> Response:
    status = status_for(exc)
    if isinstance(exc, Forbidden) and _is_page(request):
        from voxguard.web.pages import templates  # late: pages is a sibling router module
        from voxguard.web.security import page_context

        # The signed-in person's nav (handle, sign out) and the places they may go instead.
        context = page_context(
            request, message=str(exc), links=getattr(request.app.state, "home_links", [])
        )
        return templates.TemplateResponse(request, "forbidden.html", context, status_code=status)
    response = error_response(status, code_for(exc), str(exc))
    if isinstance(exc, AccountLocked):
        response.headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, TokenMissing):
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def install_error_handlers(app: FastAPI) -> None:
    for error_type in STATUS_BY_ERROR:
        app.add_exception_handler(error_type, _domain_response)  # type: ignore[arg-type]

    @app.exception_handler(FormRejected)
    async def _form(_request: Request, exc: FormRejected) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestLimitExceeded)
    async def _limit(_request: Request, exc: RequestLimitExceeded) -> JSONResponse:
        response = error_response(exc.status_code, exc.code, exc.message)
        response.headers["Connection"] = "close"  # the rest of the body is not wanted
        return response

    @app.exception_handler(Throttled)
    async def _throttled(_request: Request, exc: Throttled) -> JSONResponse:
        response = error_response(429, exc.code, exc.message)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        return error_response(422, "invalid_request", problems)

    @app.exception_handler(LoginRequired)
    async def _login_required(_request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse(exc.location, status_code=303)
