"""Server-rendered pages. Queries live in the services; pages only render."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from voxguard.runtime import Runtime
from voxguard.status import system_status
from voxguard.web.deps import get_runtime
from voxguard.web.security import current_session, page_context
from voxguard.web.vendor import SWAGGER_UI_URL

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def index(request: Request, rt: Annotated[Runtime, Depends(get_runtime)]) -> HTMLResponse:
    """Links for everyone; what is running (database, counts) only for signed-in staff."""
    signed_in = await current_session(request) is not None
    status = await run_in_threadpool(system_status, rt) if signed_in else None
    context = page_context(request, status=status, links=request.app.state.home_links)
    return templates.TemplateResponse(request, "index.html", context)


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI for /openapi.json, served from this origin (no inline script, no CDN)."""
    return templates.TemplateResponse(request, "docs.html", {"swagger": SWAGGER_UI_URL})
