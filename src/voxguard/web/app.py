"""The FastAPI application factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from voxguard import __version__
from voxguard.runtime import Runtime
from voxguard.web import (
    auth_api,
    auth_pages,
    ingest_api,
    lead_api,
    lead_pages,
    pages,
    review_api,
    review_pages,
)
from voxguard.web.errors import install_error_handlers


def create_app(rt: Runtime) -> FastAPI:
    app = FastAPI(
        title="voxguard",
        version=__version__,
        description="Privacy-first human review of voice-assistant recordings.",
    )
    app.state.runtime = rt
    app.state.home_links = []
    install_error_handlers(app)
    apis = (ingest_api, auth_api, review_api, lead_api)
    for module in (*apis, pages, auth_pages, review_pages, lead_pages):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
