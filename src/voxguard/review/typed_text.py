"""What staff type about a clip never stores personal details (``privacy.pii.typed``).

- A reviewer's transcript: a name or number found in it is stored as its tag, and the clip is
  flagged ``pii_typed`` (``flags.py``): the reviewer heard what the bleeps missed, so the clip
  leaves review before a second reviewer hears it, and never enters a dataset.
- A lead's gold reference or adjudicated transcript is refused instead (``PersonalDetailsTyped``):
  it is the text later reviewers are measured against or the dataset keeps, and the lead, who
  chose the words, can write the tag or flag the clip for the privacy officer.
"""

from __future__ import annotations

from voxguard.privacy.pii.typed import TAG, TypedRedaction, redact_typed
from voxguard.review.errors import PersonalDetailsTyped

# The submit's effect that tells the workbench what was stored instead.
TYPED_PII_HIDDEN = "typed_pii_hidden"


def reviewer_transcript(text: str, draft: str | None = None) -> TypedRedaction:
    """``text`` as it may be stored. A transcript that is the draft word for word, and a draft
    with no tag in it, is returned as it is: the detector already read that very text when it
    made the draft and found nothing (reading it again cost 4 ms of server CPU per submit,
    bench/review_load.py)."""
    text = text.strip()
    if draft is not None and text == draft.strip() and not TAG.search(draft):
        return TypedRedaction(text, ())
    return redact_typed(text)


def check_lead_text(text: str) -> None:
    """Refuse a lead's text that names personal details, saying which and what to write."""
    typed = redact_typed(text.strip())
    if typed.found:
        kinds = ", ".join(typed.found)
        raise PersonalDetailsTyped(
            f"the transcript names personal details ({kinds}); write the tag instead, as in "
            f'"{typed.text}", or flag the clip for the privacy officer if they can be heard'
        )
