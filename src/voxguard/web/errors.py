"""One JSON error shape for every refusal: {"error": code, "detail": message}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from voxguard.ingest.service import UploadRejected
from voxguard.review.errors import ReviewError
from voxguard.web.multipart import FormRejected


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "detail": message}, status_code=status)


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

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        return error_response(422, "invalid_request", problems)
