"""What leads and privacy officers work from: the adjudication and restricted queues.

A clip in adjudication becomes a ``Case``: its candidates word-diffed against each other, and
the transcript and intent to prefill (``best_candidate``, then ``majority_intent``), so the
lead starts from the likeliest answer. Pages render the case; they decide nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxguard import audit
from voxguard.config import Settings
from voxguard.db.models import Annotation, ClipOutcome, Flag, User, Utterance
from voxguard.review.consensus import majority_intent, reopen
from voxguard.review.diff import Marked, Word, mark_differences, tokens
from voxguard.review.errors import Conflict, NotFound
from voxguard.review.flags import RESTRICTING, shred_clip
from voxguard.review.text import pair_wer
from voxguard.vault.service import Vault


def _candidates(session: Session, utterance_id: str) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Annotation, User.handle)
        .join(User, User.id == Annotation.reviewer_id)
        .where(Annotation.utterance_id == utterance_id, Annotation.is_gold.is_(False))
        .order_by(Annotation.submitted_at)
    ).all()
    return [
        {"reviewer": handle, "transcript": a.transcript, "intent": a.intent, "flags": a.flags}
        for a, handle in rows
    ]


def _clip_summary(utterance: Utterance) -> dict[str, Any]:
    # The same allow-list reviewers get: no account, serial or names.
    return {
        "id": utterance.id,
        "locale": utterance.locale,
        "device_type": utterance.device_type,
        "duration_s": round(utterance.duration_s, 3),
        "draft_text": utterance.draft_text or "",
    }


def adjudication_queue(session: Session, limit: int = 100) -> list[dict[str, Any]]:
    rows = session.execute(
        select(ClipOutcome, Utterance)
        .join(Utterance, Utterance.id == ClipOutcome.utterance_id)
        .where(ClipOutcome.state == "adjudication", Utterance.deleted_at.is_(None))
        .order_by(ClipOutcome.updated_at)
        .limit(limit)
    ).all()
    return [
        {**_clip_summary(u), "pair_wer": o.pair_wer, "candidates": _candidates(session, u.id)}
        for o, u in rows
    ]


# ----------------------------------------------------------------------------- one case


LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# A reviewer without gold clips counts as middling: neither trusted nor distrusted.
UNKNOWN_GOLD_WER = 0.5


def best_candidate(
    transcripts: Sequence[str], handles: Sequence[str], gold_wer: Mapping[str, float | None]
) -> int:
    """The candidate to prefill: closest to the others, then the better gold record, then first.

    With two candidates the distance ties, so the reviewer with the lower gold WER wins.
    """
    if len(transcripts) <= 1:
        return 0

    def score(i: int) -> tuple[float, float, int]:
        distance = sum(pair_wer(transcripts[i], t) for j, t in enumerate(transcripts) if j != i)
        record = gold_wer.get(handles[i])
        return (round(distance, 6), UNKNOWN_GOLD_WER if record is None else record, i)

    return min(range(len(transcripts)), key=score)


def prefill_intent(intents: Sequence[str], best: int) -> str:
    """The majority among the intents given (a false wake gives none), else the best pass's."""
    if not intents:
        return ""
    return majority_intent([i for i in intents if i]) or intents[best]


@dataclass(frozen=True)
class Candidate:
    """One blind pass as the lead compares it."""

    letter: str
    reviewer: str
    transcript: str
    intent: str
    flags: list[str]
    marked: Marked  # where it differs from the prefilled pass (that one: from every other)
    best: bool  # the pass the decision is prefilled from
    gold_wer: float | None


@dataclass(frozen=True)
class Case:
    """A clip waiting for a lead: its passes compared, and the decision prefilled."""

    id: str
    locale: str
    device_type: str
    duration_s: float
    draft: list[Word]
    pair_wer: float | None
    candidates: list[Candidate]
    final_transcript: str
    final_intent: str
    intents_agree: bool
    false_wake: bool


def adjudication_case(clip: Mapping[str, Any], gold_wer: Mapping[str, float | None]) -> Case:
    """One entry of ``adjudication_queue`` as a case; ``gold_wer`` maps handle -> gold WER."""
    candidates = clip["candidates"]
    texts = [c["transcript"] or "" for c in candidates]
    handles = [c["reviewer"] for c in candidates]
    intents = [c["intent"] or "" for c in candidates]
    best = best_candidate(texts, handles, gold_wer)
    views = []
    for i, candidate in enumerate(candidates):
        # Everyone is compared with the prefilled candidate; it is compared with everyone.
        others = [t for j, t in enumerate(texts) if j != i] if i == best else [texts[best]]
        views.append(
            Candidate(
                letter=LETTERS[i % len(LETTERS)],
                reviewer=candidate["reviewer"],
                transcript=texts[i],
                intent=intents[i],
                flags=list(candidate["flags"] or []),
                marked=mark_differences(texts[i], others),
                best=i == best,
                gold_wer=gold_wer.get(candidate["reviewer"]),
            )
        )
    flags = {f for c in candidates for f in (c["flags"] or [])}
    return Case(
        id=clip["id"],
        locale=clip["locale"],
        device_type=clip["device_type"],
        duration_s=clip["duration_s"],
        draft=tokens(clip["draft_text"] or ""),
        pair_wer=clip["pair_wer"],
        candidates=views,
        final_transcript=texts[best] if texts else clip["draft_text"] or "",
        final_intent=prefill_intent(intents, best),
        intents_agree=len(set(intents)) <= 1,
        false_wake="false_wake" in flags,
    )


# ----------------------------------------------------------------------------- restricted


def restricted_queue(session: Session, limit: int = 100) -> list[dict[str, Any]]:
    rows = (
        session.execute(
            select(Utterance)
            .where(Utterance.restricted.is_(True), Utterance.deleted_at.is_(None))
            .order_by(Utterance.received_at)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    result = []
    for u in rows:
        flags = session.execute(
            select(Flag.kind, Flag.status).where(Flag.utterance_id == u.id)
        ).all()
        result.append({**_clip_summary(u), "flags": [{"kind": k, "status": s} for k, s in flags]})
    return result


def awaiting_decision(clip: Mapping[str, Any]) -> bool:
    """A restricted clip with an open flag (or none left) needs an officer's decision.

    Dismissing a flag returns the clip to review, so a restricted clip whose flags are all
    resolved is rare (re-flagged after an earlier dismissal); pages show it apart.
    """
    return any(f["status"] == "open" for f in clip["flags"]) or not clip["flags"]


def restricted_clip(session: Session, utterance_id: str, *, lock: bool = False) -> Utterance:
    """The clip, while it waits in the restricted queue; NotFound otherwise. ``lock``: a
    second officer's decision on it waits, then finds it gone."""
    utterance = session.get(Utterance, utterance_id, with_for_update=lock)
    if utterance is None or not utterance.restricted or utterance.deleted_at is not None:
        raise NotFound(f"clip {utterance_id} is not in the restricted queue")
    return utterance


def resolve_restricted(
    session: Session,
    settings: Settings,
    vault: Vault,
    officer: User,
    utterance_id: str,
    action: str,
) -> str:
    """``delete``: shred now. ``dismiss``: the flag was wrong; the clip goes back to review."""
    utterance = restricted_clip(session, utterance_id)
    actor = f"user:{officer.handle}"
    if action not in ("delete", "dismiss"):
        raise Conflict(f"unknown action {action!r}: use delete or dismiss")
    if action == "delete":
        shred_clip(session, vault, utterance, actor=actor, reason="restricted_delete")
    else:
        utterance.restricted = False
        reopen(session, settings, utterance, actor)
    for flag in session.execute(
        select(Flag).where(
            Flag.utterance_id == utterance_id,
            Flag.status == "open",
            Flag.kind.in_(RESTRICTING),
        )
    ).scalars():
        flag.status = "confirmed" if action == "delete" else "dismissed"
        flag.resolved_by = officer.id
    audit.record(
        session,
        actor=actor,
        action=f"restricted.{action}",
        target=f"utterance:{utterance_id}",
        account_id=utterance.account_id,
    )
    return action


__all__ = [
    "Candidate",
    "Case",
    "adjudication_case",
    "adjudication_queue",
    "awaiting_decision",
    "best_candidate",
    "prefill_intent",
    "resolve_restricted",
    "restricted_clip",
    "restricted_queue",
]
