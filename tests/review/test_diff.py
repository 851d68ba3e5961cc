"""The word diff a lead reads: each candidate marked where the others differ."""

from __future__ import annotations

from voxguard.review.diff import mark_differences, tokens


def test_word_diff_marks_each_side() -> None:
    a = mark_differences("turn on the kitchen lights", ["turn off the lights"])
    assert [(w.text, w.diff) for w in a.words] == [
        ("turn", ""),
        ("on", "changed"),
        ("the", ""),
        ("kitchen", "extra"),
        ("lights", ""),
    ]
    assert a.words[1].was == ["off"]
    b = mark_differences("turn off the lights", ["turn on the kitchen lights"])
    assert [w.text for w in b.words if w.diff] == ["off"]
    assert b.words[3].missing_before == ["kitchen"]  # "kitchen" is missing before "lights"
    same = mark_differences("Call [PERSON], now!", ["call [PERSON] now"])
    assert not same.differs and same.words[1].tag
    tail = mark_differences("set an alarm", ["set an alarm for seven"])
    assert tail.missing_after == ["for", "seven"]


def test_a_word_differing_from_any_other_is_marked() -> None:
    marked = mark_differences("play some jazz", ["play some jazz", "play the jazz"])
    assert [(w.text, w.diff, w.was) for w in marked.words] == [
        ("play", "", []),
        ("some", "changed", ["the"]),
        ("jazz", "", []),
    ]
    assert mark_differences("", ["hello"]).missing_after == ["hello"]


def test_tokens_mark_pii_tags_only() -> None:
    assert [(w.text, w.tag) for w in tokens("call [PERSON]. at [TIME] [x]")] == [
        ("call", False),
        ("[PERSON].", True),
        ("at", False),
        ("[TIME]", True),
        ("[x]", False),
    ]
