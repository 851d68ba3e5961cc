"""ASGI entry point: ``uvicorn --factory voxguard.web.asgi:app_from_settings``."""

from __future__ import annotations

from fastapi import FastAPI

from voxguard.config import get_settings
from voxguard.db.migrate import ensure_schema_current
from voxguard.runtime import build_runtime
from voxguard.web.app import create_app


def app_from_settings() -> FastAPI:
    rt = build_runtime(get_settings())
    ensure_schema_current(rt.db.engine)
    return create_app(rt)
