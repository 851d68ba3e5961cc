"""A clip in adjudication as a case: which pass prefills the decision, and with what intent."""

from __future__ import annotations

from typing import Any

from voxguard.review.adjudication import (
    adjudication_case,
    awaiting_decision,
    best_candidate,
    prefill_intent,
)


def test_best_candidate_prefers_agreement_then_gold_record() -> None:
    texts = ["play jazz", "play some jazz", "play some jazz now"]
    assert best_candidate(texts, ["A", "B", "C"], {}) == 1  # closest to the others
    pair = ["turn on the lights", "what is the weather"]
    assert best_candidate(pair, ["R-1", "R-2"], {"R-1": 0.4, "R-2": 0.05}) == 1
    assert best_candidate(pair, ["R-1", "R-2"], {"R-1": 0.1}) == 0
    # Without a gold record a reviewer counts as 0.5: better than 0.6, worse than 0.4.
    assert best_candidate(pair, ["R-1", "R-2"], {"R-1": 0.6}) == 1
    assert best_candidate(pair, ["R-1", "R-2"], {}) == 0  # all else equal: the first pass
    assert best_candidate(["only"], ["R-1"], {}) == 0


def test_prefill_intent_is_the_majority_of_given_intents_else_the_best_pass() -> None:
    assert prefill_intent(["music", "news", "music"], 1) == "music"
    assert prefill_intent(["music", "news"], 1) == "news"  # a tie: the prefilled pass's
    assert prefill_intent(["", "news"], 0) == "news"  # a false wake gives no intent
    assert prefill_intent(["", ""], 0) == ""
    assert prefill_intent([], 0) == ""


def _clip(*candidates: tuple[str, str, str, list[str]]) -> dict[str, Any]:
    return {
        "id": "utt-1",
        "locale": "en-GB",
        "device_type": "smart_speaker",
        "duration_s": 2.5,
        "draft_text": "call [PERSON] now",
        "pair_wer": 0.5,
        "candidates": [
            {"reviewer": r, "transcript": t, "intent": i, "flags": f} for r, t, i, f in candidates
        ],
    }


def test_case_prefills_from_the_best_pass_and_marks_the_others_against_it() -> None:
    case = adjudication_case(
        _clip(
            ("R-1", "turn on the lights", "iot_on", []),
            ("R-2", "turn off the lights", "iot_off", ["false_wake"]),
        ),
        {"R-1": 0.3, "R-2": 0.1},
    )
    assert [(c.letter, c.reviewer, c.best) for c in case.candidates] == [
        ("A", "R-1", False),
        ("B", "R-2", True),
    ]
    assert case.final_transcript == "turn off the lights" and case.final_intent == "iot_off"
    assert not case.intents_agree and case.false_wake
    assert [w.text for w in case.candidates[0].marked.words if w.diff] == ["on"]
    assert case.candidates[0].marked.words[1].was == ["off"]
    assert case.candidates[1].gold_wer == 0.1 and case.candidates[1].flags == ["false_wake"]
    assert [(w.text, w.tag) for w in case.draft] == [
        ("call", False),
        ("[PERSON]", True),
        ("now", False),
    ]


def test_case_without_candidates_prefills_the_draft() -> None:
    case = adjudication_case(_clip(), {})
    assert case.candidates == [] and case.final_transcript == "call [PERSON] now"
    assert case.final_intent == "" and case.intents_agree and not case.false_wake


def test_restricted_clip_awaits_a_decision_while_a_flag_is_open() -> None:
    assert awaiting_decision({"flags": [{"kind": "sensitive", "status": "open"}]})
    assert awaiting_decision({"flags": []})
    assert not awaiting_decision({"flags": [{"kind": "sensitive", "status": "dismissed"}]})
