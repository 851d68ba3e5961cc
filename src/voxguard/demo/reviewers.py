"""Simulated reviewers: the demo starts with some clips already settled, through the real services.

Two simulated reviewers per region (as many as a clip needs for agreement) lease the next task,
fetch its review copy, "hear" it at the fastest playback the product allows, and submit what the
speaker really said (the scenario's text and intent) as a reviewer would type it: a name or number
the review copy bleeped is written as its tag ("call [PERSON] on [PHONE_NUMBER]"). A name the
bleeps missed (the draft's ASR misheard it, so no bleep covered it) is heard, and written down as
heard: the check of what reviewers type then hides it and sends the clip to the privacy officer,
so the demo's restricted queue shows the case it exists for. Their agreement accepts the clip
exactly as two people's would, so the curated set, ``voxguard export``, ``eval`` and /reports
have data on the demo. They leave a few clips in every region's queue for a visitor to review.
"""

from __future__ import annotations

import difflib
import io
import time
from collections import Counter
from dataclasses import dataclass

import soundfile as sf
import sqlalchemy as sa

from voxguard.db.models import ClipOutcome, User, Utterance
from voxguard.demo.scenario import COMMANDS, DemoCommand
from voxguard.people.service import create_user
from voxguard.privacy.pii import get_detector
from voxguard.privacy.pii.typed import TAG
from voxguard.review import assignment, audio_access, submission
from voxguard.runtime import Runtime

LEFT_FOR_VISITORS = 2  # clips per region the simulated reviewers leave in the queue
AUDIO_URL_SECONDS = 60


@dataclass(frozen=True)
class SimulatedReviews:
    submitted: int
    outcomes: dict[str, int]  # clip outcome state -> clips


def create_simulated_reviewers(rt: Runtime, regions: set[str]) -> dict[str, list[User]]:
    """``reviewers_per_clip`` reviewer accounts per region; nobody knows their passwords."""
    reviewers: dict[str, list[User]] = {}
    with rt.db.session() as session:
        for region in sorted(regions):
            reviewers[region] = [
                create_user(
                    session,
                    rt.vault,
                    username=f"simulated-reviewer-{region}-{n}",
                    role="reviewer",
                    region=region,
                    actor="demo",
                )[0]
                for n in range(1, rt.settings.reviewers_per_clip + 1)
            ]
    return reviewers


def _command_of(rt: Runtime, utterance_id: str) -> DemoCommand:
    """What the speaker said: the scenario line the demo uploaded as this clip."""
    with rt.db.read() as session:
        client_id = session.execute(
            sa.select(Utterance.client_utterance_id).where(Utterance.id == utterance_id)
        ).scalar_one()
    return COMMANDS[int(client_id.rsplit("-", 1)[1])]


def _review_next(rt: Runtime, user: User, secret: bytes) -> bool:
    """Lease, hear to the end, submit; False when the reviewer's queue is empty."""
    with rt.db.session() as session:
        task = assignment.lease_next(session, rt.settings, user)
    if task is None:
        return False
    url = audio_access.signed_audio_url(secret, task.task_id, user.id, AUDIO_URL_SECONDS)
    expires, signature = url.split("exp=")[1].split("&sig=")
    with rt.db.session() as session:
        audio = audio_access.review_copy_for(
            session, rt.vault, secret, user=user, task_id=task.task_id,
            expires=int(expires), signature=signature,
        )  # fmt: skip
    # Listening takes time: the product refuses a submit before the clip could have been heard.
    seconds = sf.info(io.BytesIO(audio)).duration
    time.sleep(
        max(0.0, seconds / submission.MAX_PLAYBACK_SPEED - submission.PLAYBACK_SLACK_S) + 0.2
    )
    command = _command_of(rt, task.utterance_id)
    with rt.db.read() as session:
        draft = session.get(Utterance, task.utterance_id).draft_text or ""  # type: ignore[union-attr]
    body = submission.Submission(
        transcript=what_a_reviewer_writes(command.text, draft),
        intent=command.intent,
        flags=[],
        played_to_end=True,
        seconds_spent=seconds,
    )
    with rt.db.session() as session:
        submission.submit(session, rt.settings, rt.vault, user, task.task_id, body)
    return True


def what_a_reviewer_writes(said: str, draft: str) -> str:
    """``said`` as heard from the review copy of a clip whose redacted draft is ``draft``.

    Each personal detail of ``said`` (a run the detector hides) is written as its tag where the
    draft has that tag in its place, so a bleep covered it; where the draft has other words
    there (the ASR misheard the name, so nothing was bleeped) it was heard, and is written as
    said. The two texts line up by difflib, with ``said``'s details as their tags."""
    detector = get_detector()
    tagged, spans = detector.redact(said)
    runs = [said[s.start : s.end] for s in spans]  # in order, one per tag of ``tagged``
    heard = tagged.split()
    drafted = draft.split()
    out: list[str] = []
    run = 0
    matcher = difflib.SequenceMatcher(a=heard, b=drafted, autojunk=False)
    for op, a0, a1, _b0, _b1 in matcher.get_opcodes():
        for word in heard[a0:a1]:
            if TAG.fullmatch(word):
                out.append(word if op == "equal" else runs[run])
                run += 1
            else:
                out.append(word)
    return " ".join(out)


def _waiting(rt: Runtime, region: str) -> int:
    with rt.db.read() as session:
        return session.execute(
            sa.select(sa.func.count())
            .select_from(Utterance)
            .where(Utterance.status == "ready_for_review", Utterance.data_region == region)
        ).scalar_one()


def simulate_reviews(
    rt: Runtime, reviewers: dict[str, list[User]], secret: bytes
) -> SimulatedReviews:
    """Each region's simulated reviewers take turns on its queue until LEFT_FOR_VISITORS remain."""
    submitted = 0
    for region, people in reviewers.items():
        rounds = max(0, _waiting(rt, region) - LEFT_FOR_VISITORS)
        for _ in range(rounds):
            for user in people:  # the same clip reaches each in turn: two blind passes
                submitted += _review_next(rt, user, secret)
    with rt.db.read() as session:
        states = Counter(session.execute(sa.select(ClipOutcome.state)).scalars())
    return SimulatedReviews(submitted, dict(states))
