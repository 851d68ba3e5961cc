"""The listening page (/review): the reviewer's workbench.

The page is a shell; the clip, its draft and audio come from the reviewer JSON API
(docs/review-api.md) through the ES modules in static/review/. The page itself carries only the
session's CSRF token and the reviewer's public handle (for the watermark): never an account
reference, device serial or name.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from voxguard.db.models import User
from voxguard.web.security import page_context, require_role
from voxguard.web.vendor import WAVESURFER_URL, wavesurfer_available

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)
PageReviewer = Annotated[User, Depends(require_role("reviewer", "lead", page=True))]

# The watermark tile: the handle twice, staggered and tilted, so a photo or screenshot of any
# part of the screen shows whose session it was. Grey, so one tile suits light and dark themes.
_TILE_W, _TILE_H = 300, 170


def watermark_data_uri(handle: str) -> str:
    text = escape(handle, quote=True)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_TILE_W}" height="{_TILE_H}">'
        '<g fill="#808080" font-family="system-ui, sans-serif" font-size="17" '
        'font-weight="600" transform="rotate(-22 150 85)">'
        f'<text x="24" y="62">{text}</text><text x="174" y="142">{text}</text>'
        "</g></svg>"
    )
    # Fully percent-encoded: no quote or bracket can end the CSS url() or the HTML attribute.
    return "data:image/svg+xml," + quote(svg, safe="")


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, user: PageReviewer) -> HTMLResponse:
    available = getattr(request.app.state, "wavesurfer_available", None)
    if available is None:  # vendor mount not installed on this app: look at the disk ourselves
        available = wavesurfer_available()
    context = page_context(
        request,
        handle=user.handle,
        watermark_uri=watermark_data_uri(user.handle),
        wavesurfer_url=WAVESURFER_URL,
        wavesurfer_available=available,
    )
    response = templates.TemplateResponse(request, "review.html", context)
    # The page embeds the session's CSRF token: keep it out of shared caches and history.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
