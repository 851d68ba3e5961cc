"""Deciding a clip from its blind passes.

After the configured N passes: equal normalised transcripts are accepted; close ones (pairwise WER
under ``consensus_close_wer``) get one more pass and a ROVER-style merge; the rest, or an intent
without a majority, go to a lead for adjudication.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import combinations

from sqlalchemy import String, bindparam, func, select
from sqlalchemy.orm import Session

from voxguard import audit, work
from voxguard.config import Settings
from voxguard.db.base import utcnow
from voxguard.db.models import Annotation, ClipOutcome, Utterance, WorkItem
from voxguard.review.errors import Conflict, NotFound
from voxguard.review.intents import intent_list
from voxguard.review.rover import rover_merge
from voxguard.review.text import normalise, pair_wer
from voxguard.review.typed_text import check_lead_text
from voxguard.work.queues import REVIEW_QUEUE, REVIEW_TASK

FINAL_STATES = ("accepted", "restricted", "deleted_false_wake")


_CLIP = bindparam("utterance_id", type_=String())
# Built once: both run on every submission.
_OUTCOME = select(ClipOutcome).where(ClipOutcome.utterance_id == _CLIP)
_OPEN_TASKS = (
    select(func.count())
    .select_from(WorkItem)
    .where(
        WorkItem.queue == REVIEW_QUEUE,
        WorkItem.subject_id == _CLIP,
        WorkItem.state.in_(("pending", "leased")),
    )
)


def outcome_for(session: Session, utterance_id: str) -> ClipOutcome:
    outcome = session.execute(_OUTCOME, {"utterance_id": utterance_id}).scalar_one_or_none()
    if outcome is None:
        outcome = ClipOutcome(utterance_id=utterance_id, state="in_review", details={})
        session.add(outcome)
    return outcome


def _open_tasks(session: Session, utterance_id: str) -> int:
    count: int = session.execute(_OPEN_TASKS, {"utterance_id": utterance_id}).scalar_one()
    return count


def majority_intent(intents: Sequence[str]) -> str | None:
    """The intent chosen more often than any other; None on a tie or with no intents.

    Consensus accepts a clip only with a majority intent; the adjudication page prefills it.
    """
    counts = Counter(intents).most_common(2)
    if counts and (len(counts) == 1 or counts[0][1] > counts[1][1]):
        return counts[0][0]
    return None


def reopen(session: Session, settings: Settings, utterance: Utterance, actor: str) -> int:
    """Send a clip back to the general pool with the passes it still lacks."""
    done = session.execute(
        select(func.count())
        .select_from(Annotation)
        .where(Annotation.utterance_id == utterance.id, Annotation.is_gold.is_(False))
    ).scalar_one()
    missing = max(0, settings.reviewers_per_clip - done)
    outcome = outcome_for(session, utterance.id)
    outcome.state, outcome.updated_at = "in_review", utcnow()
    for _ in range(missing):
        work.enqueue(
            session,
            queue=REVIEW_QUEUE,
            kind=REVIEW_TASK,
            subject_id=utterance.id,
            account_id=utterance.account_id,
        )
    if not missing:
        evaluate(session, settings, utterance.id, actor)
    return missing


def evaluate(session: Session, settings: Settings, utterance_id: str, actor: str) -> ClipOutcome:
    """Re-decide a clip after a submission; a no-op while passes are still open."""
    outcome = outcome_for(session, utterance_id)
    if outcome.state in FINAL_STATES or outcome.state == "adjudication":
        return outcome
    if _open_tasks(session, utterance_id):
        return outcome
    annotations = (
        session.execute(
            select(Annotation)
            .where(Annotation.utterance_id == utterance_id, Annotation.is_gold.is_(False))
            .order_by(Annotation.submitted_at)
        )
        .scalars()
        .all()
    )
    if len(annotations) < settings.reviewers_per_clip:
        return outcome
    transcripts = [a.transcript for a in annotations]
    intent = majority_intent([a.intent for a in annotations])
    worst = max((pair_wer(a, b) for a, b in combinations(transcripts, 2)), default=0.0)
    outcome.pair_wer = worst
    normalised = {normalise(t) for t in transcripts}
    if len(normalised) == 1 and intent is not None:
        _accept(outcome, normalised.pop(), intent, "agreement")
    elif outcome.state == "extra_pass" and intent is not None:
        _accept(outcome, rover_merge(transcripts), intent, "rover")
    elif worst <= settings.consensus_close_wer and outcome.state == "in_review":
        outcome.state = "extra_pass"
        utterance = session.get(Utterance, utterance_id)
        assert utterance is not None
        work.enqueue(
            session,
            queue=REVIEW_QUEUE,
            kind=REVIEW_TASK,
            subject_id=utterance_id,
            account_id=utterance.account_id,
            priority=50,
        )
    else:
        outcome.state = "adjudication"
    outcome.updated_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action="review.outcome",
        target=f"utterance:{utterance_id}",
        details={
            "state": outcome.state,
            "method": outcome.method,
            "passes": len(annotations),
            "pair_wer": round(worst, 3),
        },
    )
    if outcome.state == "accepted":
        utterance = session.get(Utterance, utterance_id)
        if utterance is not None:
            utterance.status = "reviewed"
    return outcome


def _accept(outcome: ClipOutcome, transcript: str, intent: str, method: str) -> None:
    outcome.state, outcome.method = "accepted", method
    outcome.transcript, outcome.intent = transcript, intent


def adjudicate(
    session: Session,
    settings: Settings,
    utterance_id: str,
    *,
    transcript: str,
    intent: str,
    lead_id: str,
    lead_handle: str,
) -> ClipOutcome:
    utterance = session.get(Utterance, utterance_id)
    outcome = session.get(ClipOutcome, utterance_id)
    if utterance is None or outcome is None:
        raise NotFound(f"clip {utterance_id} is not waiting for adjudication")
    if outcome.state != "adjudication" or utterance.restricted or utterance.deleted_at:
        raise Conflict(f"clip {utterance_id} is {outcome.state}, not waiting for adjudication")
    intent = intent_list(settings).check(intent)
    check_lead_text(transcript)
    _accept(outcome, normalise(transcript), intent, "lead")
    outcome.decided_by = lead_id
    outcome.updated_at = utcnow()
    utterance.status = "reviewed"
    audit.record(
        session,
        actor=f"user:{lead_handle}",
        action="review.adjudicated",
        target=f"utterance:{utterance_id}",
        account_id=utterance.account_id,
        details={"intent": intent},
    )
    return outcome
