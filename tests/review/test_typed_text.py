"""A reviewer's transcript is read for PII unless it is a tag-free draft word for word."""

from __future__ import annotations

import pytest

from voxguard.review import typed_text


def test_a_tag_free_draft_confirmed_word_for_word_is_not_read_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read: list[str] = []
    monkeypatch.setattr(typed_text, "redact_typed", lambda text: read.append(text) or None)
    typed = typed_text.reviewer_transcript(" set an alarm for seven ", "set an alarm for seven")
    assert (typed.text, typed.found, read) == ("set an alarm for seven", (), [])
    # a changed word, or tags whose neighbours the draft's detector saw in another context
    typed_text.reviewer_transcript("set an alarm for eleven", "set an alarm for seven")
    typed_text.reviewer_transcript("call [PERSON] smith", "call [PERSON] smith")
    typed_text.reviewer_transcript("call mia", None)
    assert read == ["set an alarm for eleven", "call [PERSON] smith", "call mia"]
