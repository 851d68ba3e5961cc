"""The reports page (/reports): the ASR and intent reports `voxguard eval` and `adapt` made.

Each report is rendered once, when it is made (voxguard.feedback.report), and shown here as
stored: the same fragment and stylesheet as its standalone HTML file, charts as inline SVG.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from voxguard.db.models import User
from voxguard.feedback import report
from voxguard.people.policies import FeedbackReportPolicy
from voxguard.runtime import Runtime
from voxguard.web.deps import get_runtime
from voxguard.web.security import page_context, require_policy

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)
Rt = Annotated[Runtime, Depends(get_runtime)]
PageLead = Annotated[User, Depends(require_policy(FeedbackReportPolicy, "view", page=True))]


@router.get("/reports", response_class=HTMLResponse)
def reports_page(
    request: Request,
    rt: Rt,
    user: PageLead,
    report_id: Annotated[str | None, Query(alias="id", max_length=32)] = None,
) -> HTMLResponse:
    with rt.db.read() as session:
        listed = report.list_reports(session)
        chosen_id = report_id or (listed[0]["id"] if listed else None)
        chosen = report.get_report(session, chosen_id) if chosen_id else None
    response = templates.TemplateResponse(
        request,
        "reports.html",
        page_context(
            request,
            reports=listed,
            current=chosen.id if chosen else None,
            body=Markup(chosen.body) if chosen else None,  # rendered with autoescape when made
            missing=report_id is not None and chosen is None,
        ),
        status_code=404 if report_id is not None and chosen is None else 200,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/reports/report.css")
def report_stylesheet(user: PageLead) -> Response:
    return Response(report.STYLESHEET.read_text(encoding="utf-8"), media_type="text/css")
