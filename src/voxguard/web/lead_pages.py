"""The lead page (/lead) and the privacy officer's restricted queue (/privacy-officer).

Server-rendered from the same services the JSON APIs use (voxguard.web.lead_api); every action
on the pages (listen, accept, gold, retire, delete, dismiss) goes through those APIs from the ES
modules in static/lead/. The pages decide nothing: the adjudication cases (word diffs, the
prefilled transcript and intent) come from voxguard.review.adjudication, the figures from
voxguard.review.stats; what is built here is the charts' wording, drawn by
voxguard.feedback.charts (the same matplotlib code as the reports, as inline SVG).

Nothing on these pages names who spoke: clip ids, reviewer handles and redacted text only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from voxguard.db.models import User
from voxguard.feedback.charts import BLUE, Bar, bar_chart
from voxguard.people.policies import (
    AdjudicationPolicy,
    FlagPolicy,
    GoldPolicy,
    RestrictedQueuePolicy,
    ReviewerQualityPolicy,
)
from voxguard.review import adjudication, gold, hiding
from voxguard.review.diff import tokens
from voxguard.review.intents import intent_list
from voxguard.review.stats import ReviewerRow, dead_lettered_tasks, per_hour, reviewer_table
from voxguard.review.waiting import REASON_LABELS, waiting_for_anyone
from voxguard.runtime import Runtime
from voxguard.web.deps import get_runtime
from voxguard.web.security import page_context, require_policy
from voxguard.web.words import counted

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)
Rt = Annotated[Runtime, Depends(get_runtime)]
PageLead = Annotated[User, Depends(require_policy(AdjudicationPolicy, "view", page=True))]
PageOfficer = Annotated[User, Depends(require_policy(RestrictedQueuePolicy, "view", page=True))]


# ----------------------------------------------------------------------------- charts


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def gold_wer_chart(rows: Sequence[ReviewerRow], threshold: float) -> Markup:
    known = [r.gold_wer for r in rows if r.gold_wer is not None]
    largest = min(1.0, max([threshold * 1.5, *known]))  # a WER over 100% still ends the axis
    bars = [
        Bar(
            r.handle,
            r.gold_wer,
            "no gold yet" if r.gold_wer is None else f"{_pct(r.gold_wer)} · {r.gold_clips} gold",
            r.over_threshold,
        )
        for r in rows
    ]
    return Markup(
        bar_chart(
            bars,
            title=f"Gold word error rate per reviewer; alert above {_pct(threshold)}",
            largest=largest,
            tick_label=lambda v: f"{round(v * 100, 1):g}%",
            threshold=threshold,
            threshold_label=f"alert {_pct(threshold)}",
            css_class="gold-wer",
        )
    )


def throughput_chart(rows: Sequence[ReviewerRow]) -> Markup:
    known = [r.clips_per_hour for r in rows if r.clips_per_hour is not None]
    bars = [
        Bar(
            r.handle,
            r.clips_per_hour,
            f"{per_hour(r.clips_per_hour)}/h · {counted(r.clips, 'clip')}"
            if r.clips_per_hour is not None
            else "no timed clips",
        )
        for r in rows
    ]
    return Markup(
        bar_chart(
            bars,
            title="Throughput per reviewer, clips per hour of review time",
            largest=max(known, default=0.0) or 100.0,
            tick_label=lambda v: f"{v:g}",
            css_class="throughput",
            color=BLUE,
        )
    )


# ----------------------------------------------------------------------------- pages


def _no_store(response: HTMLResponse) -> HTMLResponse:
    # The pages embed the session's CSRF token and clip text: keep them out of caches/history.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/lead", response_class=HTMLResponse)
def lead_page(request: Request, rt: Rt, user: PageLead) -> HTMLResponse:
    threshold = rt.settings.gold_wer_alert
    can_gold = GoldPolicy.allows(user, "view")
    can_quality = ReviewerQualityPolicy.allows(user, "view")
    with rt.db.read() as session:
        queue = adjudication.adjudication_queue(session)
        gold_clips = gold.list_gold(session) if can_gold else []
        # The table also tells which candidate to prefill, so it is read for the queue too.
        rows = reviewer_table(session, threshold)
        dead_tasks = dead_lettered_tasks(session)
        waiting = waiting_for_anyone(session, rt.settings)
    gold_wer = {r.handle: r.gold_wer for r in rows}
    # Charts show who has worked; people without a clip yet stay in the table only.
    charted = [r for r in rows if r.clips]
    clips = [adjudication.adjudication_case(clip, gold_wer) for clip in queue]
    context = page_context(
        request,
        clips=clips,
        dead_tasks=dead_tasks,
        waiting=waiting,
        reason_labels=REASON_LABELS,
        account_cap=rt.settings.reviewer_account_cap_30d,
        gold_clips=gold_clips,
        rows=rows if can_quality else [],
        can_gold=can_gold,
        can_quality=can_quality,
        can_manage_gold=GoldPolicy.allows(user, "manage"),
        can_decide=AdjudicationPolicy.allows(user, "decide"),
        can_confirm_false_wake=FlagPolicy.allows(user, "confirm"),
        threshold=threshold,
        gold_rate=rt.settings.gold_rate,
        over_threshold=sum(1 for r in rows if r.over_threshold),
        gold_chart=gold_wer_chart(charted, threshold) if can_quality and charted else None,
        throughput=throughput_chart(charted) if can_quality and charted else None,
        not_charted=len(rows) - len(charted),
        intents=intent_list(rt.settings).names,
        per_hour=per_hour,
    )
    return _no_store(templates.TemplateResponse(request, "lead.html", context))


@router.get("/privacy-officer", response_class=HTMLResponse)
def privacy_officer_page(request: Request, rt: Rt, user: PageOfficer) -> HTMLResponse:
    with rt.db.read() as session:
        queue = adjudication.restricted_queue(session)
    for clip in queue:
        clip["draft"] = tokens(clip["draft_text"])
        clip["kinds"] = sorted({f["kind"] for f in clip["flags"]})
        clip["hideable"] = hiding.hideable(clip["flags"])
    context = page_context(
        request,
        waiting=[c for c in queue if adjudication.awaiting_decision(c)],
        dismissed=[c for c in queue if not adjudication.awaiting_decision(c)],
        can_open=RestrictedQueuePolicy.allows(user, "open"),
        can_decide=RestrictedQueuePolicy.allows(user, "decide"),
    )
    return _no_store(templates.TemplateResponse(request, "privacy_officer.html", context))


__all__ = ["gold_wer_chart", "router", "throughput_chart"]
