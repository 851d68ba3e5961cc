"""One JSON error shape for every refusal: {"error": code, "detail": message}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response

from voxguard.ingest.service import UploadRejected
from voxguard.people.errors import AccountLocked, AuthError, Forbidden, UserAdminError
from voxguard.people.totp import TotpSecretUnreadable
from voxguard.review.errors import ReviewError
from voxguard.review.intents import UnknownIntent
from voxguard.vault.errors import BlobNotFoundError, BlobStoreError, KeyDestroyedError
from voxguard.web.multipart import FormRejected
from voxguard.web.security import LoginRequired


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "detail": message}, status_code=status)


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def _auth_response(request: Request, exc: AuthError) -> Response:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, AccountLocked) else None
    if isinstance(exc, Forbidden) and _is_page(request):
        from voxguard.web.pages import templates  # late: pages is a sibling router module

        return templates.TemplateResponse(
            request, "forbidden.html", {"message": exc.message}, status_code=exc.status
        )
    response = error_response(exc.status, exc.code, exc.message)
    if headers:
        response.headers.update(headers)
    return response


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(UploadRejected)
    async def _upload(_request: Request, exc: UploadRejected) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(FormRejected)
    async def _form(_request: Request, exc: FormRejected) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(ReviewError)
    async def _review(_request: Request, exc: ReviewError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(UnknownIntent)
    async def _unknown_intent(_request: Request, exc: UnknownIntent) -> JSONResponse:
        return error_response(422, exc.code, exc.message)

    @app.exception_handler(KeyDestroyedError)
    async def _shredded(_request: Request, exc: KeyDestroyedError) -> JSONResponse:
        return error_response(410, "deleted", str(exc))

    @app.exception_handler(BlobNotFoundError)
    async def _missing_blob(_request: Request, exc: BlobNotFoundError) -> JSONResponse:
        return error_response(410, "audio_missing", str(exc))

    @app.exception_handler(BlobStoreError)
    async def _store_down(_request: Request, exc: BlobStoreError) -> JSONResponse:
        return error_response(503, "blob_store_unavailable", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        return error_response(422, "invalid_request", problems)

    # --- people: sign-in, sessions, roles, CSRF, user administration ---
    @app.exception_handler(AuthError)
    async def _auth(request: Request, exc: AuthError) -> Response:
        return _auth_response(request, exc)

    @app.exception_handler(LoginRequired)
    async def _login_required(_request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse(exc.location, status_code=303)

    @app.exception_handler(UserAdminError)
    async def _user_admin(_request: Request, exc: UserAdminError) -> JSONResponse:
        return error_response(exc.status, exc.code, str(exc))

    @app.exception_handler(TotpSecretUnreadable)
    async def _totp_unreadable(_request: Request, exc: TotpSecretUnreadable) -> JSONResponse:
        return error_response(500, "totp_secret_unreadable", str(exc))
