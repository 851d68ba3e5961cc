"""Reports as a lead reads them: charts first, the figures beside them, stored for /reports.

``render`` turns the figures of ``feedback.evaluate`` into an HTML fragment (charts as inline
SVG); ``save`` keeps it in the database for the /reports page and returns the self-contained
HTML file (the fragment plus its stylesheet, nothing loaded from anywhere).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from voxguard import audit
from voxguard.db.base import new_id, utcnow
from voxguard.db.models import Report
from voxguard.feedback.charts import Interval, confusion_chart, interval_chart

TEMPLATES = Path(__file__).with_name("templates")
STYLESHEET = TEMPLATES / "report.css"
TITLES = {
    "asr": "Speech recognition against reviewers' transcripts",
    "nlu": "Intents against reviewers' labels",
}
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _intervals(rows: dict[str, Any], group: str, measure: str) -> list[Interval]:
    return [
        Interval(
            group,
            system,
            row[measure]["value"],
            row[measure]["low"],
            row[measure]["high"],
            row[measure]["clips"],
        )
        for system, row in rows.items()
    ]


def charts_for(data: dict[str, Any]) -> dict[str, str]:
    measure = "wer" if data["kind"] == "asr" else "accuracy"
    label = "word error rate" if data["kind"] == "asr" else "intent accuracy"
    charts = {
        "overall": interval_chart(
            _intervals(data["overall"], "all clips", measure),
            title=f"{label.capitalize()} of each system, with 95 % intervals",
            value_label=label,
            css_class=f"{data['kind']}-overall",
        )
    }
    for grouping, groups in data["by"].items():
        intervals = [i for group, rows in groups.items() for i in _intervals(rows, group, measure)]
        charts[f"by {grouping}"] = interval_chart(
            intervals,
            title=f"{label.capitalize()} by {grouping}, with 95 % intervals",
            value_label=label,
            css_class=f"{data['kind']}-by-{grouping.replace(' ', '-')}",
        )
    if data["kind"] == "nlu":
        charts["confusion"] = confusion_chart(
            data["confusion"]["labels"],
            data["confusion"]["matrix"],
            title="Confusion of the device's intents against reviewers' labels",
            css_class="nlu-confusion",
        )
    return charts


def render_body(report_id: str, data: dict[str, Any], created_at: datetime) -> str:
    return _env.get_template("report_body.html").render(
        report_id=report_id,
        data=data,
        charts=charts_for(data),
        title=TITLES[data["kind"]],
        created_at=created_at.strftime("%Y-%m-%d %H:%M UTC"),
        pct=pct,
    )


def standalone(title: str, body: str) -> str:
    return _env.get_template("report_file.html").render(
        title=title, body=body, css=STYLESHEET.read_text(encoding="utf-8")
    )


@dataclass(frozen=True)
class SavedReport:
    id: str
    title: str
    html: str  # the self-contained file


def save(session: Session, data: dict[str, Any], *, actor: str) -> SavedReport:
    """Render the report, keep it for /reports, audit it; returns the standalone HTML."""
    report_id, now = new_id(), utcnow()
    body = render_body(report_id, data, now)
    title = TITLES[data["kind"]]
    session.add(
        Report(id=report_id, kind=data["kind"], created_at=now, actor=actor, title=title,
               data=data, body=body)
    )  # fmt: skip
    audit.record(
        session,
        actor=actor,
        action="report.created",
        target=f"report:{report_id}",
        details={"kind": data["kind"], "clips": data["clips"], "accounts": data["accounts"]},
    )
    return SavedReport(report_id, title, standalone(title, body))


def list_reports(session: Session, limit: int = 50) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Report.id, Report.kind, Report.title, Report.created_at, Report.actor)
        .order_by(Report.created_at.desc())
        .limit(limit)
    ).all()
    return [
        {"id": r.id, "kind": r.kind, "title": r.title, "created_at": r.created_at, "actor": r.actor}
        for r in rows
    ]


def get_report(session: Session, report_id: str) -> Report | None:
    return session.get(Report, report_id)
