"""The lead page (/lead) and the privacy officer's restricted queue (/privacy-officer).

Server-rendered from the same services the JSON APIs use (voxguard.web.lead_api); every action
on the pages (listen, accept, gold, retire, delete, dismiss) goes through those APIs from the ES
modules in static/lead/. What is computed here is presentation only: the word-level diff between
candidate transcripts, which candidate prefills the final transcript, and the quality charts
(drawn by voxguard.feedback.charts, the same matplotlib code as the reports, as inline SVG).

Nothing on these pages names who spoke: clip ids, reviewer handles and redacted text only.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

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
from voxguard.review import adjudication, gold
from voxguard.review.intents import intent_list
from voxguard.review.stats import ReviewerRow, dead_lettered_tasks, reviewer_table
from voxguard.review.text import normalise, pair_wer
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

_TAG = re.compile(r"^\[[A-Z_]+\][^\w\s]*$")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


# ----------------------------------------------------------------------------- word diff


@dataclass
class Word:
    """One displayed word of a transcript, and how it differs from the other candidates."""

    text: str
    tag: bool = False  # a PII tag such as [PERSON]
    diff: str = ""  # "" (agrees), "changed" or "extra"
    was: list[str] = field(default_factory=list)  # what the others have instead
    missing_before: list[str] = field(default_factory=list)  # words others have just before it


@dataclass
class Marked:
    words: list[Word]
    missing_after: list[str]  # words others have after the last word

    @property
    def differs(self) -> bool:
        return bool(self.missing_after) or any(w.diff or w.missing_before for w in self.words)


def tokens(text: str) -> list[Word]:
    return [Word(t, tag=bool(_TAG.match(t))) for t in text.split()]


def _key(word: str) -> str:
    # Compare as consensus does (case, punctuation), but keep the word as the reviewer typed it.
    return normalise(word) or word


def mark_differences(text: str, others: Sequence[str]) -> Marked:
    """Mark each word of ``text`` that another transcript does not have at that place.

    One alignment per other transcript (difflib over normalised words); a word is marked when
    any alignment disagrees, so with two candidates each shows exactly where the other differs.
    """
    words = tokens(text)
    keys = [_key(w.text) for w in words]
    missing_after: list[str] = []
    for other in others:
        other_words = other.split()
        other_keys = [_key(w) for w in other_words]
        matcher = difflib.SequenceMatcher(None, other_keys, keys, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            theirs = other_words[i1:i2]
            if op == "equal":
                continue
            if op in ("replace", "insert"):
                for word in words[j1:j2]:
                    if word.diff != "changed":
                        word.diff = "changed" if op == "replace" else "extra"
                    word.was.extend(theirs if op == "replace" else [])
            else:  # delete: the other has words here that this one lacks
                if j1 < len(words):
                    words[j1].missing_before.extend(theirs)
                else:
                    missing_after.extend(theirs)
    return Marked(words, missing_after)


# ----------------------------------------------------------------------------- adjudication


def best_candidate(
    transcripts: Sequence[str], handles: Sequence[str], gold_wer: dict[str, float | None]
) -> int:
    """The candidate to prefill: closest to the others, then the better gold record, then first.

    With two candidates the distance ties, so the reviewer with the lower gold WER wins; a
    reviewer without gold clips counts as middling (0.5), neither trusted nor distrusted.
    """
    if len(transcripts) <= 1:
        return 0

    def score(i: int) -> tuple[float, float, int]:
        distance = sum(pair_wer(transcripts[i], t) for j, t in enumerate(transcripts) if j != i)
        record = gold_wer.get(handles[i])
        return (round(distance, 6), 0.5 if record is None else record, i)

    return min(range(len(transcripts)), key=score)


def _prefill_intent(intents: Sequence[str], best: str) -> str:
    counts = Counter(i for i in intents if i).most_common(2)
    if counts and (len(counts) == 1 or counts[0][1] > counts[1][1]):
        return counts[0][0]
    return best


def adjudication_view(clip: dict[str, Any], gold_wer: dict[str, float | None]) -> dict[str, Any]:
    """One queue entry from ``adjudication_queue`` made ready for the template."""
    candidates = clip["candidates"]
    texts = [c["transcript"] or "" for c in candidates]
    handles = [c["reviewer"] for c in candidates]
    best = best_candidate(texts, handles, gold_wer)
    views = []
    for i, candidate in enumerate(candidates):
        # Everyone is compared with the prefilled candidate; it is compared with everyone.
        others = [t for j, t in enumerate(texts) if j != i] if i == best else [texts[best]]
        marked = mark_differences(texts[i], others)
        views.append(
            {
                "letter": LETTERS[i % len(LETTERS)],
                "reviewer": candidate["reviewer"],
                "transcript": texts[i],
                "intent": candidate["intent"] or "",
                "flags": list(candidate["flags"] or []),
                "marked": marked,
                "best": i == best,
                "gold_wer": gold_wer.get(candidate["reviewer"]),
            }
        )
    intents = [c["intent"] or "" for c in candidates]
    flags = {f for c in candidates for f in (c["flags"] or [])}
    return {
        "id": clip["id"],
        "locale": clip["locale"],
        "device_type": clip["device_type"],
        "duration_s": clip["duration_s"],
        "draft": tokens(clip["draft_text"] or ""),
        "pair_wer": clip["pair_wer"],
        "candidates": views,
        "final_transcript": texts[best] if texts else clip["draft_text"] or "",
        "final_intent": _prefill_intent(intents, intents[best]) if intents else "",
        "intents_agree": len(set(intents)) <= 1,
        "false_wake": "false_wake" in flags,
    }


# ----------------------------------------------------------------------------- charts


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def per_hour(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


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
    clips = [adjudication_view(clip, gold_wer) for clip in queue]
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


def _open(clip: dict[str, Any]) -> bool:
    return any(f["status"] == "open" for f in clip["flags"]) or not clip["flags"]


@router.get("/privacy-officer", response_class=HTMLResponse)
def privacy_officer_page(request: Request, rt: Rt, user: PageOfficer) -> HTMLResponse:
    with rt.db.read() as session:
        queue = adjudication.restricted_queue(session)
    for clip in queue:
        clip["draft"] = tokens(clip["draft_text"])
        clip["kinds"] = sorted({f["kind"] for f in clip["flags"]})
    # Dismissing a flag returns the clip to review, so a restricted clip with no open flag is
    # rare (re-flagged after an earlier dismissal); it is shown apart from what needs a decision.
    context = page_context(
        request,
        waiting=[c for c in queue if _open(c)],
        dismissed=[c for c in queue if not _open(c)],
        can_open=RestrictedQueuePolicy.allows(user, "open"),
        can_decide=RestrictedQueuePolicy.allows(user, "decide"),
    )
    return _no_store(templates.TemplateResponse(request, "privacy_officer.html", context))


__all__ = [
    "Marked",
    "Word",
    "adjudication_view",
    "best_candidate",
    "gold_wer_chart",
    "mark_differences",
    "router",
    "throughput_chart",
    "tokens",
]
