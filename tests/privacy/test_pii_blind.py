"""bench/pii_blind.py, the blind PII evaluation set: its halves share nothing, its gold is the
values it spoke, and the shipped detector keeps its figures on the ``look`` half (the half that
may be tuned on; ``sealed`` is only scored by ``bench/pii_data.py --split blind-sealed``)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import pii_blind
from voxguard.privacy.pii import PiiDetector

BENCH = Path(pii_blind.__file__).parent

# Word recall floors on the look half, a little under what the shipped detector scores there
# (bench/pii_data.py --split blind-look), so that a real loss fails.
LOOK_RECALL_FLOORS = {
    "PERSON": 0.97,
    "STREET_ADDRESS": 0.98,
    "EMAIL_ADDRESS": 0.99,
    "PHONE_NUMBER": 0.99,
    "CREDIT_CARD": 0.99,
}
# Share of the words of the look half's requests without PII that may be bleeped (4.5 % now:
# unknown town names, "find flights to kaarina", which the tagger's lower cut for words that are
# no everyday English bleeps; 3.4 % before that cut, which raised real-request and WNUT names).
LOOK_NEGATIVE_BLEEP_CEILING = 0.05


@pytest.fixture(scope="module")
def look() -> list[pii_blind.Utterance]:
    """The look half as ``bench/pii_data.py --split blind-look`` scores it: made in a process with
    PYTHONHASHSEED=0 (Faker draws some values from sets, whose order follows the hash seed)."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    out = subprocess.run(
        [sys.executable, str(BENCH / "pii_blind.py"), "look", "--jsonl"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [pii_blind.Utterance.from_json(json.loads(line)) for line in out.splitlines()]


@pytest.mark.parametrize(
    ("one", "other"), [("look", "sealed"), ("look", "sealed2"), ("sealed", "sealed2")]
)
def test_the_halves_share_no_locale_template_or_word_name(one: str, other: str) -> None:
    assert not set(pii_blind.LOCALES[one]) & set(pii_blind.LOCALES[other])
    assert not set(pii_blind.WORD_NAMES[one]) & set(pii_blind.WORD_NAMES[other])
    a, b = pii_blind.TEMPLATES[one], pii_blind.TEMPLATES[other]
    assert set(a) == set(b)
    for kind in a:
        assert not set(a[kind]) & set(b[kind]), kind
    with pytest.raises(ValueError, match="half"):
        pii_blind.blind_utterances("heldout")


def test_the_set_is_the_same_in_every_run_and_its_gold_is_what_it_spoke(
    look: list[pii_blind.Utterance],
) -> None:
    again = pii_blind.blind_utterances("look")
    assert [u.to_json() for u in again] == [u.to_json() for u in pii_blind.blind_utterances("look")]
    assert len(look) == len(again) == sum(pii_blind.PER_KIND.values())
    assert {u.locale for u in look} == set(pii_blind.LOCALES["look"])
    kinds = {u.template.split("-")[1] for u in look}
    assert kinds == set(pii_blind.TEMPLATES["look"])
    for u in look:
        assert all(" " not in w and w for w in u.words), u.words
        if u.source == "blind_neg":
            assert u.spans == []
            continue
        assert u.spans, u.text
        for s, e, _ in u.spans:
            assert 0 <= s < e <= len(u.words)


def test_numbers_are_said_the_ways_people_say_them() -> None:
    say = pii_blind.number_words
    assert say(5850, with_and=True) == ["five", "thousand", "eight", "hundred", "and", "fifty"]
    assert say(5850, with_and=False) == ["five", "thousand", "eight", "hundred", "fifty"]
    assert say(2007, with_and=True) == ["two", "thousand", "and", "seven"]
    rng = random.Random(1)
    assert pii_blind.pair_words("4111", rng) == ["forty", "one", "eleven"]
    digits = pii_blind.digit_words("5550", rng, zero="oh")
    assert digits in (["five", "five", "five", "oh"], ["triple", "five", "oh"])


def test_the_look_half_meets_the_recall_floors_without_bleeping_requests(
    look: list[pii_blind.Utterance],
) -> None:
    det = PiiDetector()
    gold_words: dict[str, int] = {}
    found: dict[str, int] = {}
    negative_words = negative_bleeped = 0
    for u in look:
        hidden = {w for s in det.detect(u.text) for w in range(s.word_start, s.word_end)}
        if u.source == "blind_neg":
            negative_words += len(u.words)
            negative_bleeped += len(hidden)
        for s, e, typ in u.spans:
            gold_words[typ] = gold_words.get(typ, 0) + e - s
            found[typ] = found.get(typ, 0) + len(hidden & set(range(s, e)))
    recall = {t: found[t] / gold_words[t] for t in gold_words}
    assert set(recall) == set(LOOK_RECALL_FLOORS)
    low = {t: round(r, 3) for t, r in recall.items() if r < LOOK_RECALL_FLOORS[t]}
    assert not low, f"word recall under the floor: {low} (all: {recall})"
    assert negative_bleeped / negative_words <= LOOK_NEGATIVE_BLEEP_CEILING, negative_bleeped
