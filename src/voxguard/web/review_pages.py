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

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
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


def watermark_svg(handle: str) -> str:
    text = escape(handle, quote=True)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_TILE_W}" height="{_TILE_H}">'
        '<g fill="#808080" font-family="system-ui, sans-serif" font-size="17" '
        'font-weight="600" transform="rotate(-22 150 85)">'
        f'<text x="24" y="62">{text}</text><text x="174" y="142">{text}</text>'
        "</g></svg>"
    )


@router.get("/review/watermark.svg")
def watermark(user: PageReviewer) -> Response:
    """The signed-in reviewer's watermark tile; review.css points at it, so the page needs no
    inline style (the Content-Security-Policy allows none)."""
    return Response(
        watermark_svg(user.handle),
        media_type="image/svg+xml",
        headers={"Cache-Control": "private, no-store"},
    )


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, user: PageReviewer) -> HTMLResponse:
    available = getattr(request.app.state, "wavesurfer_available", None)
    if available is None:  # vendor mount not installed on this app: look at the disk ourselves
        available = wavesurfer_available()
    context = page_context(
        request,
        handle=user.handle,
        wavesurfer_url=WAVESURFER_URL,
        wavesurfer_available=available,
    )
    response = templates.TemplateResponse(request, "review.html", context)
    # The page embeds the session's CSRF token: keep it out of shared caches and history.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
