"""The FastAPI application factory."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from voxguard import __version__
from voxguard.privacy.pii import warm_up_in_background
from voxguard.review.intents import intent_list
from voxguard.runtime import Runtime
from voxguard.web import (
    anonymization_pages,
    auth_api,
    auth_pages,
    ingest_api,
    lead_api,
    lead_pages,
    me_pages,
    officer_pages,
    pages,
    privacy_api,
    records_pages,
    report_pages,
    review_api,
    review_pages,
)
from voxguard.web.errors import install_error_handlers
from voxguard.web.headers import SecurityHeaders
from voxguard.web.ingest_api import UPLOAD_PATH
from voxguard.web.limits import RequestLimits
from voxguard.web.logs import install_log_redaction
from voxguard.web.multipart import FORM_OVERHEAD_BYTES, upload_body_limit
from voxguard.web.throttle import Throttle
from voxguard.web.vendor import mount_vendor

FAVICON = Path(__file__).parent / "static" / "favicon.svg"


def create_app(rt: Runtime) -> FastAPI:
    intent_list(rt.settings)  # a missing or malformed intents file stops the start, not a submit

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Sync routes and dependencies run on anyio's default thread pool (40 threads).
        anyio.to_thread.current_default_thread_limiter().total_tokens = rt.settings.web_threads
        install_log_redaction()
        warm_up_in_background()  # what reviewers type is checked for PII on submit
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="voxguard",
        version=__version__,
        description="Privacy-first human review of voice-assistant recordings.",
        docs_url=None,  # pages.api_docs serves Swagger UI from node_modules, not a CDN
        redoc_url=None,
    )
    app.state.runtime = rt
    app.state.throttle = Throttle(rt.settings)
    app.state.home_links = [
        {"href": "/review", "label": "Review workbench (reviewers and leads)"},
        {"href": "/lead", "label": "Lead pages: adjudication, gold, reviewer quality"},
        {"href": "/lead/anonymization", "label": "Hear the anonymization (leads)"},
        {"href": "/reports", "label": "Reports: speech recognition and intents (leads)"},
        {"href": "/privacy-officer", "label": "Privacy officer: restricted queue"},
        {"href": "/privacy-officer/processing", "label": "Privacy officer: records of processing"},
        {"href": "/login", "label": "Sign in"},
        {"href": "/docs", "label": "API documentation (OpenAPI)"},
    ]
    install_error_handlers(app)
    settings = rt.settings
    upload_limit = upload_body_limit(settings.max_upload_bytes, settings.max_metadata_bytes)
    app.add_middleware(
        RequestLimits,
        max_body_bytes=settings.max_request_bytes,
        body_timeout_s=settings.body_timeout_s,
        # A backstop for uploads: the multipart reader refuses (and audits) at upload_limit.
        route_max_body={UPLOAD_PATH: upload_limit + FORM_OVERHEAD_BYTES},
    )
    app.add_middleware(SecurityHeaders)
    trusted_proxies = rt.settings.forwarded_allow_ips.strip()
    if trusted_proxies:
        # In the app, not only in `voxguard serve`, so every ASGI server applies the same rule.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=trusted_proxies)
    apis = (ingest_api, auth_api, review_api, lead_api, privacy_api)
    for module in (
        *apis,
        me_pages,
        records_pages,
        officer_pages,
        pages,
        auth_pages,
        review_pages,
        lead_pages,
        anonymization_pages,
        report_pages,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    mount_vendor(app)  # wavesurfer.js from node_modules, installed by `make install`

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        # Browsers ask for /favicon.ico whatever the page links; the same icon, from the package.
        return FileResponse(FAVICON, media_type="image/svg+xml")

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
