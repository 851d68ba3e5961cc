"""The privacy officer's third answer to a clip restricted because personal details could be
heard: hide them and send the clip back to review.

Deleting loses a recording the speaker agreed to share; dismissing says the flag was wrong and
sends the clip back as it is, so a name the bleeps missed would reach the next reviewer. Hiding
bleeps the stretches the officer marks in the review copy (a new copy is sealed, the old one
shredded), optionally replaces the draft with one that names nobody, and then returns the clip
to review for the passes it still lacks. Its flags stay on it, so it never enters a dataset
(``feedback.curated``), and the officer's choice is an audit event with the number of
stretches, never their words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxguard import audit
from voxguard.audio import TARGET_RATE, decode_audio, encode_wav_pcm16
from voxguard.config import Settings
from voxguard.db.models import Blob, Flag, User
from voxguard.privacy.redaction import TimeSpan, bleep, merge_spans
from voxguard.review.adjudication import restricted_clip
from voxguard.review.audio_access import live_review_copy
from voxguard.review.consensus import reopen
from voxguard.review.errors import Conflict, InvalidStretch, NotFound
from voxguard.review.flags import PII_TYPED, RESTRICTING
from voxguard.review.typed_text import check_lead_text
from voxguard.vault.service import Vault

# The flags whose clips may be hidden and returned: personal details heard, not a sensitive or
# distressing recording, which no bleep makes fit for review.
HIDEABLE_FLAGS = ("pii_audible", PII_TYPED)
MAX_STRETCHES = 8
HIDDEN_TYPE = "HIDDEN"  # the label reviewers see on the waveform, as [PERSON] on a bleep


def hideable(flags: Sequence[Mapping[str, str]]) -> bool:
    """Whether a restricted clip with these flags (``kind``, ``status``) may be hidden and
    returned: open restricting flags, every one of them for personal details heard (an
    "unintelligible" beside them does not matter)."""
    kinds = {f["kind"] for f in flags if f["status"] == "open" and f["kind"] in RESTRICTING}
    return bool(kinds) and kinds <= set(HIDEABLE_FLAGS)


def _checked_stretches(
    stretches: Sequence[tuple[float, float]], duration_s: float
) -> list[TimeSpan]:
    if not 1 <= len(stretches) <= MAX_STRETCHES:
        raise InvalidStretch(f"mark between 1 and {MAX_STRETCHES} stretches to hide")
    out = []
    for start, end in stretches:
        if not 0 <= start < end <= duration_s + 0.05:  # a player's end time may round up
            raise InvalidStretch(
                f"stretch {start:.2f}-{end:.2f} s is not inside the clip (0-{duration_s:.2f} s)"
            )
        out.append(TimeSpan(start, min(end, duration_s), HIDDEN_TYPE))
    return out


def hide_and_return(
    session: Session,
    settings: Settings,
    vault: Vault,
    officer: User,
    utterance_id: str,
    stretches: Sequence[tuple[float, float]],
    draft_text: str | None = None,
) -> int:
    """Bleep ``stretches`` (seconds) in the clip's review copy, set ``draft_text`` if given
    (refused if it names personal details), resolve its PII flags and send it back to review.
    Returns the number of stretches bleeped (after merging overlaps and margins)."""
    utterance = restricted_clip(session, utterance_id, lock=True)  # a second hide gets 404
    flags = (
        session.execute(
            select(Flag).where(
                Flag.utterance_id == utterance_id,
                Flag.status == "open",
                Flag.kind.in_(RESTRICTING),
            )
        )
        .scalars()
        .all()
    )
    if not hideable([{"kind": f.kind, "status": f.status} for f in flags]):
        raise Conflict(
            "only a clip flagged because personal details could be heard can be hidden and "
            "returned; delete it or dismiss the flag"
        )
    if draft_text is not None:
        check_lead_text(draft_text)
    copy = session.execute(select(Blob).where(live_review_copy(utterance_id))).scalar_one_or_none()
    if copy is None:
        raise NotFound(f"clip {utterance_id} has no review copy")
    decoded = decode_audio(vault.get(session, copy), max_duration_s=None)
    duration_s = len(decoded.samples) / decoded.sample_rate
    spans = merge_spans(
        _checked_stretches(stretches, duration_s), settings.redaction_margin_s, duration_s
    )
    samples = bleep(decoded.samples, decoded.sample_rate, spans, mode=settings.redaction_mode)
    actor = f"user:{officer.handle}"
    vault.put(
        session,
        account_id=utterance.account_id,
        utterance_id=utterance_id,
        kind="review_copy",
        plaintext=encode_wav_pcm16(samples, TARGET_RATE),
    )
    vault.shred_blob(session, copy, actor=actor, reason="review_copy_rebleeped")
    utterance.redactions = [*(utterance.redactions or []), *(s.to_dict() for s in spans)]
    if draft_text is not None:
        utterance.draft_text = draft_text.strip()
    for flag in flags:
        flag.status, flag.resolved_by = "confirmed", officer.id
    utterance.restricted = False
    reopen(session, settings, utterance, actor)
    audit.record(
        session,
        actor=actor,
        action="restricted.hide",
        target=f"utterance:{utterance_id}",
        account_id=utterance.account_id,
        details={"stretches": len(spans), "draft_replaced": draft_text is not None},
    )
    return len(spans)
