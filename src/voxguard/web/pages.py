"""Server-rendered pages. Queries live in the services; pages only render."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from voxguard.runtime import Runtime
from voxguard.status import system_status
from voxguard.web.deps import get_runtime

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def index(request: Request, rt: Annotated[Runtime, Depends(get_runtime)]) -> HTMLResponse:
    links = request.app.state.home_links
    return templates.TemplateResponse(
        request, "index.html", {"status": system_status(rt), "links": links}
    )
