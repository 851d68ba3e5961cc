"""Consensus: agreement, extra pass with ROVER merge, adjudication; normalisation and WER."""

from __future__ import annotations

import pytest

from voxguard.review.consensus import majority_intent
from voxguard.review.rover import rover_merge
from voxguard.review.text import normalise, pair_wer, wer


def test_normalise_keeps_tags_and_drops_case_and_punctuation() -> None:
    assert normalise("Call [PERSON], on  Five-Five!") == "call [PERSON] on five-five"


def test_wer_basics() -> None:
    assert wer("set an alarm", "set an alarm") == 0
    assert wer("set an alarm", "set alarm") == pytest.approx(1 / 3)
    assert pair_wer("a b", "a b c d") == 1.0


@pytest.mark.parametrize(
    "hyps,expected",
    [
        (["turn on the lights", "turn on the light", "turn on the lights"], "turn on the lights"),
        (
            ["play jazz music", "play some jazz music", "play some jazz music"],
            "play some jazz music",
        ),
        (["call mum now", "call mum", "call mum"], "call mum"),
        (["set an alarm", "set an alarm", "set a alarm"], "set an alarm"),
    ],
)
def test_rover_majority(hyps: list[str], expected: str) -> None:
    assert rover_merge(hyps) == expected


def test_majority_intent_needs_more_votes_than_any_other() -> None:
    assert majority_intent(["music", "news", "music"]) == "music"
    assert majority_intent(["music"]) == "music"
    assert majority_intent(["music", "news"]) is None
    assert majority_intent(["", "news"]) is None  # a false wake's empty intent is a vote
    assert majority_intent([]) is None
