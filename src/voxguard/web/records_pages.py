"""Records of processing: the privacy officer's page, the file `voxguard report processing`
writes, and a JSON form for an operator's compliance tooling (service token, scope records)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from voxguard.consent.records import (
    NOT_MEASURED,
    ProcessingRecord,
    counts_chart_png,
    measures_chart_png,
    processing_record,
)
from voxguard.consent.service_tokens import Caller
from voxguard.db.models import User
from voxguard.people.policies import ProcessingRecordPolicy
from voxguard.runtime import Runtime
from voxguard.web.deps import get_runtime, runtime_of
from voxguard.web.privacy_api import REFUSALS, authenticate_app, bearer_token
from voxguard.web.security import page_context, require_policy

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
STATIC = Path(__file__).parent / "static"
router = APIRouter()
Rt = Annotated[Runtime, Depends(get_runtime)]
Officer = Annotated[User, Depends(require_policy(ProcessingRecordPolicy, "view", page=True))]
COUNT_LABELS = {
    "stored": "recordings stored",
    "sampled": "sampled for review",
    "reviewed": "reviewed",
    "deleted": "deleted (flagged or on request)",
    "expired": "expired (retention)",
    "opted_out": "accounts opted out of review",
    "erased": "accounts erased",
    "not_stored": "uploads not stored (no consent, or don't save)",
}
RETENTION_LABELS = {
    "dont_save": "don't save",
    "3_months": "3 months",
    "18_months": "18 months",
    "until_deleted": "until deleted",
}


def _data_uri(png: bytes) -> str:
    return f"data:image/png;base64,{base64.b64encode(png).decode()}"


def render_context(record: ProcessingRecord, *, standalone: bool) -> dict[str, Any]:
    chart_src = "/privacy-officer/processing/chart.png"
    measures_src = "/privacy-officer/processing/measures.png" if record.charted else None
    css = ""
    if standalone:
        chart_src = _data_uri(counts_chart_png(record))
        png = measures_chart_png(record)
        measures_src = _data_uri(png) if png else None
        css = (STATIC / "app.css").read_text() + (STATIC / "records.css").read_text()
    return {
        "record": record,
        "standalone": standalone,
        "chart_src": chart_src,
        "measures_src": measures_src,
        "css": css,
        "labels": COUNT_LABELS,
        "retention_labels": RETENTION_LABELS,
        "not_measured": NOT_MEASURED,
    }


def render_standalone(record: ProcessingRecord) -> str:
    """The whole report as one HTML file (styles and chart inside) for `voxguard report`."""
    template = templates.get_template("processing_record.html")
    return template.render(render_context(record, standalone=True))


def _record(rt: Runtime) -> ProcessingRecord:
    with rt.db.read() as session:
        return processing_record(session, rt.settings)


@router.get("/privacy-officer/processing", response_class=HTMLResponse, include_in_schema=False)
def processing_page(request: Request, rt: Rt, user: Officer) -> Response:
    context = page_context(request, **render_context(_record(rt), standalone=False))
    response = templates.TemplateResponse(request, "processing_record.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/privacy-officer/processing/chart.png", include_in_schema=False)
def processing_chart(rt: Rt, user: Officer) -> Response:
    png = counts_chart_png(_record(rt))
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/privacy-officer/processing/measures.png", include_in_schema=False)
def measures_chart(rt: Rt, user: Officer) -> Response:
    png = measures_chart_png(_record(rt))
    if png is None:
        return Response(status_code=404, content="nothing measured yet")
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


async def records_app(request: Request) -> Caller:
    rt, token = runtime_of(request), bearer_token(request)
    return await run_in_threadpool(authenticate_app, rt, token, "records")


@router.get("/api/v1/records-of-processing", tags=["privacy"], responses=REFUSALS)
def records_json(rt: Rt, app: Annotated[Caller, Depends(records_app)]) -> JSONResponse:
    """The records of processing as data (a service token with the ``records`` scope)."""
    return JSONResponse(_record(rt).as_dict())
