"""The learned PII tagger beside the rules: held-out recall floors, hard negatives, demo phrases.

The slice in data/pii_slice.jsonl is made by ``bench/pii_corpus.py`` from locales and templates
the tagger never saw in training (its values differ from the benchmark's held-out split too);
regenerate it with ``.venv/bin/python bench/pii_corpus.py``.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

import pytest

from tests.support import needs
from voxguard.privacy.pii import PiiDetector, PiiSpan
from voxguard.privacy.pii.numbers import NormalisedText, normalise
from voxguard.privacy.pii.tagger import PiiTagger, TaggerModelError
from voxguard.privacy.pii.tagger.model import MODEL_DIR, MODEL_NAME

SLICE = Path(__file__).parent / "data" / "pii_slice.jsonl"
# Word recall floors per type on the slice (share of the value's words that are hidden), a
# little under what the shipped model scores on it (PERSON 0.985, STREET_ADDRESS 0.982,
# EMAIL_ADDRESS 0.993, PHONE_NUMBER 0.987, CREDIT_CARD 1.0; bench/pii_data.py reports the full
# held-out split), so that any real loss fails. The goal is 0.95 everywhere.
RECALL_FLOORS = {
    "PERSON": 0.95,
    "STREET_ADDRESS": 0.97,
    "EMAIL_ADDRESS": 0.98,
    "PHONE_NUMBER": 0.98,
    "CREDIT_CARD": 0.98,
}
MIN_WORD_PRECISION = 0.85
# Share of the value's words hidden under their own type (a town inside an address read as a
# person is hidden, but the reviewer sees [PERSON]): the shipped model's figures on the slice,
# PERSON 0.931, STREET_ADDRESS 0.998, EMAIL_ADDRESS 0.962, PHONE_NUMBER 0.987, CREDIT_CARD 1.0,
# less a little (addresses were 0.755 before the tagger's reading of a run named the type of
# the guessing rules' words inside it).
TYPED_RECALL_FLOORS = {
    "PERSON": 0.92,
    "STREET_ADDRESS": 0.98,
    "EMAIL_ADDRESS": 0.95,
    "PHONE_NUMBER": 0.97,
    "CREDIT_CARD": 0.98,
}
# Requests without PII, said the way people say them: nothing may be bleeped.
HARD_NEGATIVES = (
    "set an alarm for seven thirty",
    "tell me a joke",
    "set an alarm for seven thirty tomorrow morning",
    "wake me up at six fifteen",
    "what is the weather like in lisbon this weekend",
    "play some relaxing jazz in the kitchen",
    "remind me to pick up the dry cleaning at five",
    "turn the living room lights down to thirty percent",
    "add oat milk and eggs to my shopping list",
    "how long will it take to drive to the airport",
    "read me the latest news headlines",
    "send a message to mum saying i will be late",
    "book a table for four at eight forty five",
    "set a timer for twenty five minutes",
    "what is four hundred and twelve divided by seven",
    "play track two",
    "call mom",
    "turn the volume up to eleven",
    "how many calories are in two slices of pizza",
    "what time does the pharmacy close",
    "is it going to rain on the twenty third of april",
    "convert one hundred dollars to euros",
    "play the top forty songs of nineteen ninety nine",
    "please open my contact list",
    # the demo's own requests
    "play some relaxing music in the kitchen",
    "remind me to pick up the laundry at five",
    "put milk and bread on my shopping list",
    "order two large pizzas with extra cheese",
    "what's on my calendar for tomorrow",
)


@pytest.fixture(scope="module")
def det() -> PiiDetector:
    detector = PiiDetector()
    assert detector.tagger is not None, "the shipped tagger model did not load"
    return detector


def _slice() -> list[dict]:
    return [json.loads(line) for line in SLICE.read_text(encoding="utf-8").splitlines()]


def hidden_words(det: PiiDetector, text: str) -> set[int]:
    return {w for s in det.detect(text) for w in range(s.word_start, s.word_end)}


def test_heldout_slice_meets_the_recall_floors(det: PiiDetector) -> None:
    gold_words: dict[str, int] = {}
    found: dict[str, int] = {}
    predicted = correct = 0
    for row in _slice():
        hidden = hidden_words(det, row["text"])
        gold = {w for s, e, _ in row["spans"] for w in range(s, e)}
        for s, e, typ in row["spans"]:
            gold_words[typ] = gold_words.get(typ, 0) + e - s
            found[typ] = found.get(typ, 0) + len(hidden & set(range(s, e)))
        predicted += len(hidden)
        correct += len(hidden & gold)
    recall = {t: found[t] / gold_words[t] for t in gold_words}
    assert set(recall) == set(RECALL_FLOORS)
    low = {t: round(r, 3) for t, r in recall.items() if r < RECALL_FLOORS[t]}
    assert not low, f"word recall under the floor: {low} (all: {recall})"
    assert correct / predicted >= MIN_WORD_PRECISION


def test_heldout_slice_values_keep_their_own_type(det: PiiDetector) -> None:
    gold_words: dict[str, int] = {}
    typed: dict[str, int] = {}
    for row in _slice():
        types = {
            w: s.type for s in det.detect(row["text"]) for w in range(s.word_start, s.word_end)
        }
        for s, e, typ in row["spans"]:
            gold_words[typ] = gold_words.get(typ, 0) + e - s
            typed[typ] = typed.get(typ, 0) + sum(1 for w in range(s, e) if types.get(w) == typ)
    recall = {t: typed[t] / gold_words[t] for t in gold_words}
    low = {t: round(r, 3) for t, r in recall.items() if r < TYPED_RECALL_FLOORS[t]}
    assert not low, f"typed word recall under the floor: {low} (all: {recall})"


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives_are_never_bleeped(det: PiiDetector, text: str) -> None:
    assert det.detect(text) == []


def test_demo_call_hides_the_whole_name_and_the_number(det: PiiDetector) -> None:
    text = "call john smith on five five five one two one two"
    redacted, spans = det.redact(text)
    assert redacted == "call [PERSON] on [PHONE_NUMBER]"
    assert [(s.type, s.word_start, s.word_end) for s in spans] == [
        ("PERSON", 1, 3),
        ("PHONE_NUMBER", 4, 11),
    ]


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        # multi-word e-mail local part: nothing of the name is left
        ("email barbara m probst at freemail dot hu", "barbara m probst at freemail dot hu"),
        # a middle initial, a possessive, a title
        ("text barbara m probst that i'm late", "barbara m probst"),
        ("what is george eliot's address", "george eliot's"),
        ("doctor burke called about the results", "doctor burke"),
        # a month that is also a given name stays a name where a name stands
        ("call june", "june"),
        # an address outside the US pattern, with postcode and city
        (
            "deliver it to ulica jana pawla twelve b zero zero nine five zero warszawa",
            "ulica jana pawla twelve b zero zero nine five zero warszawa",
        ),
        # a street word written joined to a name no list has (bench/pii_blind.py, look half)
        ("the party is at sapilastie one", "sapilastie one"),
        ("the party is at conradiallee thirty", "conradiallee thirty"),
    ],
)
def test_hard_positives_are_fully_hidden(det: PiiDetector, text: str, hidden: str) -> None:
    words = text.split()
    start = " ".join(words).index(hidden)
    first = len(" ".join(words)[:start].split())
    want = set(range(first, first + len(hidden.split())))
    assert want <= hidden_words(det, text), det.detect(text)


def test_no_presidio_warnings_on_ordinary_requests(
    det: PiiDetector, caplog: pytest.LogCaptureFixture
) -> None:
    """spaCy labels we do not use (CARDINAL, DATE, MONEY...) are ignored, not warned about."""
    with caplog.at_level(logging.WARNING):
        det.detect("buy three apples for five dollars on monday at seven")
        det.detect("play the second song by the beatles from nineteen sixty five")
    assert not [r for r in caplog.records if "not mapped" in r.getMessage()]


def test_the_model_ships_in_the_package_and_is_checked(tmp_path: Path) -> None:
    assert (MODEL_DIR / f"{MODEL_NAME}.crfsuite").stat().st_size < 20_000_000
    det = PiiDetector(use_spacy=False)
    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR, copy)
    PiiTagger(det.lexicon, copy)  # an exact copy loads
    model = copy / f"{MODEL_NAME}.crfsuite"
    data = model.read_bytes()
    model.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(TaggerModelError, match="SHA-256"):
        PiiTagger(det.lexicon, copy)
    model.write_bytes(data)
    names = copy / f"{MODEL_NAME}-names.json.gz"
    # the name gazetteer is checked too: the tagger's features depend on it
    names_data = names.read_bytes()
    assert len(names_data) < 200_000
    names.write_bytes(names_data + b"\0")
    with pytest.raises(TaggerModelError, match="SHA-256"):
        PiiTagger(det.lexicon, copy)
    names.unlink()
    with pytest.raises(TaggerModelError, match="missing"):
        PiiTagger(det.lexicon, copy)
    meta_path = copy / f"{MODEL_NAME}.json"
    meta = json.loads(meta_path.read_text())
    meta["feature_version"] += 1
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(TaggerModelError, match="features"):
        PiiTagger(det.lexicon, copy)
    model.unlink()
    meta_path.unlink()
    with pytest.raises(TaggerModelError, match="unreadable"):
        PiiTagger(det.lexicon, copy)


def test_features_of_a_repeater_without_a_number(det: PiiDetector) -> None:
    """ "double" followed by no digit is not a number run (this once looped forever)."""
    from voxguard.privacy.pii.tagger import sentence_features

    feats = sentence_features(["that", "is", "double", "trouble"], det.lexicon)
    assert len(feats) == 4
    assert not any(f.startswith("runlen=") for f in feats[2])
    assert det.detect("call double trouble") is not None


def test_features_of_a_street_joined_to_its_name(det: PiiDetector) -> None:
    """A long unknown word ending in a street word is a street ("sapilastie"), and the words
    around it know; an English word with that ending ("during", "bring") is not."""
    from voxguard.privacy.pii.tagger import sentence_features

    feats = sentence_features(["the", "party", "is", "at", "sapilastie", "one"], det.lexicon)
    assert "c=streetsuffix" in feats[4]
    assert "street_behind" in feats[5]
    for word in ("during", "bringing", "delegate"):
        assert "c=streetsuffix" not in sentence_features([word], det.lexicon)[0]


def test_the_tagger_reads_spacy_entity_labels(det: PiiDetector) -> None:
    """spaCy's entity label of each word (GPE, PERSON ...) is one of the tagger's features."""
    from voxguard.privacy.pii.tagger import sentence_features

    norm = normalise("what is the weather like in london today")
    _, labels = det.rule_analysis(norm)
    assert labels[6] == "GPE" and labels[0] is None
    feats = sentence_features([w.core for w in norm.words], det.lexicon, None, None, labels)
    assert "ner=GPE" in feats[6] and "1:ner=GPE" in feats[5] and "-1:ner=GPE" in feats[7]
    assert not any(f.startswith("ner=") for f in feats[0])


def test_the_tagger_reads_names_that_context_makes_names(det: PiiDetector) -> None:
    """With every name-list word capitalised, spaCy reads "bob dean" after "about" as a person
    and "rock" before "music" not; that reading is a feature of the word and its neighbours."""
    from voxguard.privacy.pii.tagger import sentence_features

    norm = normalise("what do you know about bob dean")
    _, labels = det.rule_analysis(norm)
    assert labels[5:] == [None, None]  # the first, careful reading does not see the name
    names = det.read_as_names(norm, labels)
    assert names == [False] * 5 + [True, True]
    feats = sentence_features([w.core for w in norm.words], det.lexicon, None, None, labels, names)
    assert "namesner=PERSON" in feats[5] and "1:namesner=PERSON" in feats[4]
    assert not any("namesner" in f for f in feats[0])
    for text in ("play some rock music", "mark this as read", "set an alarm for seven thirty"):
        norm = normalise(text)
        assert not any(det.read_as_names(norm, det.rule_analysis(norm)[1])), text


def test_the_name_reading_reuses_the_first_reading_only_for_the_same_text(
    det: PiiDetector,
) -> None:
    """When capitalising name-list words changes nothing beyond what the careful casing did,
    the first NER pass already read that very text: its PERSON words are the answer."""

    norm = normalise("text raju that i am late")  # "raju" is capitalised by both casings
    _, labels = det.rule_analysis(norm)
    assert det.read_as_names(norm, labels) == [label == "PERSON" for label in labels]
    forged = ["PERSON"] * len(labels)  # not consulted when the casings differ
    norm = normalise("tell me about bob dean")
    assert det.read_as_names(norm, forged) != [True] * len(forged)


def test_a_name_grows_over_likely_neighbours_only(det: PiiDetector) -> None:
    """The span extension of ``combine``: a word next to a name joins it from the lower
    threshold; number words and function words never do, nor words under that threshold."""
    from voxguard.privacy.pii.merge import combine

    norm = normalise("call anna q kowalska a five now")
    probs = [0.01, 0.9, 0.12, 0.8, 0.3, 0.4, 0.05]
    tagged = [("PERSON", p) if p >= 0.25 else (None, p) for p in probs]
    tagged[4] = (None, 0.3)  # "a": the tagger's guard would not let it be a name either
    tagged[5] = (None, 0.2)  # "five"
    spans = combine(norm, [], tagged, det.lexicon, extend_threshold=0.1)
    assert [(s.type, s.word_start, s.word_end) for s in spans] == [("PERSON", 1, 4)]
    tagged[3] = (None, 0.05)  # "kowalska" unread: "q" is no longer between two names
    without = combine(norm, [], tagged, det.lexicon, extend_threshold=None)
    assert [(s.word_start, s.word_end) for s in without] == [(1, 2)]


@pytest.mark.parametrize(
    ("text", "first", "joined"),
    [
        ("remind me to email robertas a nauseda", 4, True),  # a middle initial
        ("did bac tung bui reply", 1, True),  # a middle name WordNet lists as a noun
        ("ask mary and john about it", 1, False),  # a function word
        ("let mary know bob is late", 1, False),  # a verb
        ("call anna five bob", 1, False),  # a number
    ],
)
def test_a_word_between_two_names_joins_them_unless_it_says_something(
    det: PiiDetector, text: str, first: int, joined: bool
) -> None:
    """``_fill_between_names``: the tagger reads the words at ``first`` and two after it as
    names and not the word between (0.05, under every threshold); it is the name's middle
    unless it is a function word, a verb or an adjective, or a number."""
    from voxguard.privacy.pii.merge import combine

    norm = normalise(text)
    tagged: list[tuple[str | None, float]] = [(None, 0.05)] * len(norm.words)
    tagged[first] = tagged[first + 2] = ("PERSON", 0.9)
    spans = combine(norm, [], tagged, det.lexicon, extend_threshold=None)
    apart = [(first, first + 1), (first + 2, first + 3)]
    assert [(s.word_start, s.word_end) for s in spans] == (
        [(first, first + 3)] if joined else apart
    )


@pytest.mark.parametrize(
    ("text", "probs", "hidden"),
    [
        # the tagger's beliefs on these requests (pii-tagger-v5): an article it half believes
        ("tell mary a story", [0.0, 0.9, 0.39, 0.28], [1]),
        ("tell john a joke", [0.0, 1.0, 0.3, 0.25], [1]),
        # a middle initial it believes, with a surname that is an English word
        ("send maria a brown the file", [0.0, 0.92, 0.62, 0.5, 0.0, 0.0], [1, 2, 3]),
        ("rita a quintero called", [0.9, 0.3, 0.9, 0.0], [0, 1, 2]),  # no English word after
        # "i" before a verb or function word is the speaker, and so is the verb
        ("text maria i am late", [0.0, 0.99, 0.8, 0.3, 0.0], [1]),
        ("tell john i called", [0.0, 1.0, 0.73, 0.75], [1]),
        ("call maria i brown", [0.0, 0.9, 0.8, 0.9], [1, 2, 3]),  # a name list's word
    ],
)
def test_an_article_or_the_speaker_after_a_name_is_no_more_of_it(
    det: PiiDetector, text: str, probs: list[float], hidden: list[int]
) -> None:
    from voxguard.privacy.pii.merge import combine

    norm = normalise(text)
    tagged = [("PERSON", p) if p >= 0.25 else (None, p) for p in probs]
    spans = combine(norm, [], tagged, det.lexicon, extend_threshold=0.1)
    assert sorted(w for s in spans for w in range(s.word_start, s.word_end)) == hidden


@pytest.mark.parametrize(
    ("text", "run_start", "named"),
    [
        # first name, initial, surname, then the street named before its number
        ("ship to durdica h orsulic jurkoviceva four a slash zero", 2, [2, 3, 4]),
        # the initial and surname of a name found just before the run
        ("jasminka m brcko mletacka one nine two oh zero nine klanjec", 1, [0, 1, 2]),
        # guards: no initial, or "a" (an article as often as an initial)
        ("ship to rokov perivoj seven a", 2, []),
        ("ship to ana a horvat ulica seven", 2, []),
    ],
)
def test_an_initial_at_an_address_runs_start_makes_a_name(
    det: PiiDetector, text: str, run_start: int, named: list[int]
) -> None:
    """The tagger reads the address from ``run_start`` on (from word 1, with word 0 a name,
    in the second case); a lone letter before the house number names no street."""
    from voxguard.privacy.pii.merge import combine

    norm = normalise(text)
    tagged: list[tuple[str | None, float]] = [
        ("STREET_ADDRESS", 0.9) if k >= run_start else (None, 0.0) for k in range(len(norm.words))
    ]
    if run_start == 1:
        tagged[0] = ("PERSON", 0.9)
    spans = combine(norm, [], tagged, det.lexicon)
    people = [w for s in spans if s.type == "PERSON" for w in range(s.word_start, s.word_end)]
    assert people == named


@pytest.mark.parametrize(
    ("text", "run_start", "hidden_from"),
    [
        ("is there parking near so thirty two ngo eighty seven hoang dieu", 5, 4),  # "số"
        ("ship it to số nine phan dinh phung", 4, 3),
        ("ship it to nr seven strada florilor", 4, 3),
        ("i think so twelve main street", 3, 2),  # an English "so": a bleep accepted
        ("i think so twelve of them", None, None),  # no address, nothing hidden
    ],
)
def test_the_word_for_number_before_a_house_number_is_the_addresss(
    det: PiiDetector, text: str, run_start: int | None, hidden_from: int | None
) -> None:
    """The tagger reads the address from its house number on (from ``run_start``); the word
    for "number" said before that is the address's too. An English "so" said there is hidden
    with it, one word too many where Vietnamese "số" would otherwise be heard."""
    from voxguard.privacy.pii.merge import combine

    norm = normalise(text)
    tagged: list[tuple[str | None, float]] = [
        ("STREET_ADDRESS", 0.9) if run_start is not None and k >= run_start else (None, 0.0)
        for k in range(len(norm.words))
    ]
    spans = combine(norm, [], tagged, det.lexicon, extend_threshold=0.1)
    got = [(s.type, s.word_start, s.word_end) for s in spans]
    assert got == (
        [] if hidden_from is None else [("STREET_ADDRESS", hidden_from, len(norm.words))]
    )


def test_a_house_number_stays_hidden_when_its_street_is_read_as_a_name(
    det: PiiDetector,
) -> None:
    """The tagger reads "kovaca twelve" as an address; the person rule reads "maria a kovaca"
    as a name, and its type wins. The run left ("twelve") is still a house number: the tagger
    found a street beside it, so it is no bare count to give back."""
    from voxguard.privacy.pii.merge import combine

    norm = normalise("deliver to maria a kovaca twelve")
    tagged: list[tuple[str | None, float]] = [
        (None, 0.0),
        (None, 0.0),
        ("PERSON", 0.9),
        ("PERSON", 0.5),
        ("STREET_ADDRESS", 0.6),
        ("STREET_ADDRESS", 0.9),
    ]
    spans = combine(norm, [_rule(norm, "PERSON", 2, 5)], tagged, det.lexicon)
    assert _spans(norm, spans) == [("PERSON", "maria a kovaca"), ("STREET_ADDRESS", "twelve")]


# Real requests the tagger never trained on (SLURP devel, odd ids): word recall of their gold
# person names: the goal, which the shipped model meets with one word to spare (87 of 90
# words, 0.967; one word is 1.1 points).
SLURP_PERSON_RECALL_FLOOR = 0.95


def test_real_requests_meet_the_person_recall_floor(det: PiiDetector) -> None:
    import sys

    needs.shared("slurp/devel.jsonl")

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    import pii_data

    rows = pii_data.read_slurp(needs.shared_data())
    examples = pii_data.slurp_examples(rows, lambda i: i % 2 == 1)
    gold_words = found = 0
    for ex in examples:
        persons = [g for g in ex.gold if g.type == "PERSON"]
        if not persons:
            continue
        hidden = [(s.start, s.end) for s in det.detect(ex.text)]
        for g in persons:
            for m in re.finditer(r"\S+", ex.text[g.start : g.end]):
                a, b = g.start + m.start(), g.start + m.end()
                gold_words += 1
                found += any(s < b and a < e for s, e in hidden)
    assert gold_words > 50
    assert found / gold_words >= SLURP_PERSON_RECALL_FLOOR, (found, gold_words)


def test_the_dev_split_scores_real_requests_a_dev_model_never_trained_on() -> None:
    import sys

    needs.shared("slurp/devel.jsonl")
    needs.shared("wnut17/wnut17train.conll")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    import pii_corpus
    import pii_data

    data = needs.shared_data()
    trained = {u.id for u in pii_corpus.training_corpus(data, per_template=1, dev=True)}
    shipped = {u.id for u in pii_corpus.training_corpus(data, per_template=1)}
    scored = {
        ex.id for ex in pii_data.slurp_examples(pii_data.read_slurp(data), pii_corpus.is_dev_slurp)
    }
    assert len(scored) > 200
    # the dev requests are even ids: the shipped model trains on them (except those naming a
    # public artist), a --dev model on none; and no odd id the benchmark reports is among them
    assert len(scored & shipped) > 0.9 * len(scored)
    assert not scored & trained
    assert all(int(i.removeprefix("slurp-")) % 2 == 0 for i in scored)


def test_a_word_that_is_no_everyday_english_needs_less_to_be_bleeped(det: PiiDetector) -> None:
    tagger = det.tagger
    assert tagger is not None
    rare, everyday = tagger.info.rare_word_threshold, tagger.info.threshold
    assert rare < everyday
    for word in ("raju", "okonkwo", "claire"):  # no English word; a given name first
        assert tagger.cut_for(word) == rare, word
    for word in ("lights", "drive", "weather", "will"):  # words a reviewer needs
        assert tagger.cut_for(word) == everyday, word
    # tag() cuts each word at its own threshold
    for text in ("call raju about the lights", "share my location with okonkwo tonight"):
        words = text.split()
        for word, probs, (typ, _) in zip(
            words, tagger.probabilities(words), tagger.tag(words), strict=True
        ):
            assert (typ is not None) == (sum(probs.values()) >= tagger.cut_for(word)), word


def test_the_tagger_alone_never_takes_a_request_word_for_a_name(det: PiiDetector) -> None:
    from voxguard.privacy.pii.merge import _tagger_may_claim

    lexicon = det.lexicon
    assert not _tagger_may_claim("PERSON", "traffic", lexicon)  # "is traffic heavy"
    assert not _tagger_may_claim("PERSON", "alarm", lexicon)
    # a request's word that a name list has stays a name where a name stands
    assert _tagger_may_claim("PERSON", "june", lexicon)  # a month and a given name
    assert _tagger_may_claim("PERSON", "read", lexicon)  # a surname
    # before a number it may join the number's bleep ("florea number thirty two")
    assert _tagger_may_claim("PERSON", "number", lexicon, before_number=True)
    assert _tagger_may_claim("STREET_ADDRESS", "traffic", lexicon) is False


def test_a_word_read_as_part_of_a_full_name_needs_less_to_be_bleeped(det: PiiDetector) -> None:
    """A word spaCy reads as a person together with its neighbour ("bob dean") is bleeped from
    the rare-word cut; a word read as a name alone ("Pick up the laundry") keeps its own."""
    from voxguard.privacy.pii.tagger.model import _in_full_names

    tagger = det.tagger
    assert tagger is not None
    assert _in_full_names([False, True, True, False, True]) == [False, True, True, False, False]
    assert tagger.cut_for("dean", in_full_name=True) == tagger.info.rare_word_threshold
    assert tagger.cut_for("dean") == tagger.threshold > tagger.info.rare_word_threshold
    words = ["what", "do", "you", "know", "about", "bob", "dean"]
    reading = [False] * 5 + [True, True]
    probs = [sum(p.values()) for p in tagger.probabilities(words, None, None, reading)]
    for word, typ, prob in zip(
        words[7:],
        [t for t, _ in tagger.tag(words, None, None, reading)][7:],
        probs[7:],
        strict=True,
    ):
        assert (typ is not None) == (prob >= tagger.info.rare_word_threshold), word


def test_an_address_grows_over_the_house_number_after_it(det: PiiDetector) -> None:
    """Where the house number follows the street ("sapilastie one"), a number word right
    after an address joins it from the lower threshold; a number elsewhere does not."""
    from voxguard.privacy.pii.merge import combine

    norm = normalise("the party is at sapilastie one at seven")
    probs = [0.0, 0.0, 0.0, 0.0, 0.6, 0.2, 0.0, 0.2]
    tagged = [("STREET_ADDRESS", p) if p >= 0.25 else (None, p) for p in probs]
    spans = combine(norm, [], tagged, det.lexicon, extend_threshold=0.1)
    assert [(s.type, s.word_start, s.word_end) for s in spans] == [("STREET_ADDRESS", 4, 6)]
    assert combine(norm, [], tagged, det.lexicon)[0].word_end == 5  # no extension asked


def _rule(norm: NormalisedText, typ: str, w0: int, w1: int) -> PiiSpan:
    words = norm.words
    return PiiSpan(words[w0].core_start, words[w1 - 1].core_end, typ, 0.6, w0, w1)


def _spans(norm: NormalisedText, spans: list[PiiSpan]) -> list[tuple[str, str]]:
    words = [w.core for w in norm.words]
    return [(s.type, " ".join(words[s.word_start : s.word_end])) for s in spans]


@pytest.mark.parametrize(
    ("text", "address_run", "rule", "expected"),
    [
        # a phone pattern between the street and its town is a postcode
        (
            "send it to rua augusta twenty one seven one nine nine zero two lisboa",
            (3, 14),
            ("PHONE_NUMBER", 7, 13),
            [("STREET_ADDRESS", "rua augusta twenty one seven one nine nine zero two lisboa")],
        ),
        # the same digits with an extension after them: a phone number
        (
            "send it to rua augusta twenty one seven one nine nine zero two ext four",
            (3, 15),
            ("PHONE_NUMBER", 7, 13),
            [
                ("STREET_ADDRESS", "rua augusta twenty one"),
                ("PHONE_NUMBER", "seven one nine nine zero two"),
                ("STREET_ADDRESS", "ext four"),
            ],
        ),
        # a town after the house number
        (
            "ship to twelve harbour lane tapolcafa please",
            (2, 6),
            ("PERSON", 5, 6),
            [("STREET_ADDRESS", "twelve harbour lane tapolcafa")],
        ),
        # a street's own name beside its street word
        (
            "ship to largo salvador costa sixty seven",
            (2, 7),
            ("PERSON", 3, 5),
            [("STREET_ADDRESS", "largo salvador costa sixty seven")],
        ),
        # a name further along a street's name than its street word
        (
            "ship to avenida juan pablo duarte twelve santiago",
            (2, 8),
            ("PERSON", 4, 6),
            [("STREET_ADDRESS", "avenida juan pablo duarte twelve santiago")],
        ),
        # the street's name said first, right before its house number, no street word after
        (
            "send the package to traugutta thirty nine fifty eight elblag poland",
            (4, 11),
            ("PERSON", 4, 5),
            [("STREET_ADDRESS", "traugutta thirty nine fifty eight elblag poland")],
        ),
        # a name said before the address, which the tagger's run swallowed: still a person
        (
            "ship to olga vinogradov double four two jalakas isle",
            (2, 9),
            ("PERSON", 2, 4),
            [("PERSON", "olga vinogradov"), ("STREET_ADDRESS", "double four two jalakas isle")],
        ),
    ],
)
def test_the_tagger_names_the_type_of_a_guessing_rule_inside_its_run(
    det: PiiDetector,
    text: str,
    address_run: tuple[int, int],
    rule: tuple[str, int, int],
    expected: list[tuple[str, str]],
) -> None:
    """A phone pattern between a street and its town is a postcode, and a name after an
    address's numbers is a town: where the tagger reads one address run through them, the
    run keeps its type. At the run's edges the rule's type stands: a name just before an
    address, a phone number right after one, a number followed by more digits."""
    from voxguard.privacy.pii.merge import combine

    norm = normalise(text)
    first, end = address_run
    tagged: list[tuple[str | None, float]] = [
        ("STREET_ADDRESS", 1.0) if first <= k < end else (None, 0.0) for k in range(len(norm.words))
    ]
    spans = combine(norm, [_rule(norm, *rule)], tagged, det.lexicon)
    assert _spans(norm, spans) == expected


@pytest.mark.parametrize(
    ("text", "run_start", "expected"),
    [
        # the English order: house number, street name, street word; before it, a name
        (
            "ship to maksim tarassov two twenty five vaht well suite six",
            2,
            [
                ("PERSON", "maksim tarassov"),
                ("STREET_ADDRESS", "two twenty five vaht well suite six"),
            ],
        ),
        # the street word right after the number, before the street's name: the same
        (
            "ship to trong c hai pham eighty three duong ba trieu",
            2,
            [("PERSON", "trong c hai pham"), ("STREET_ADDRESS", "eighty three duong ba trieu")],
        ),
        # ... but a word meaning "number" before it is the address's ("số")
        (
            "my address is số forty two đường lê lợi",
            3,
            [("STREET_ADDRESS", "số forty two đường lê lợi")],
        ),
        # "st" after a number may be a saint's, not a street word said first
        (
            "ship to jurkoviceva twelve st james",
            2,
            [("STREET_ADDRESS", "jurkoviceva twelve st james")],
        ),
        # the street word first: the words before the number are the street's
        (
            "my address is jurkoviceva four a zagreb",
            3,
            [("STREET_ADDRESS", "jurkoviceva four a zagreb")],
        ),
        # a unit after the number is no street word: "flat" is one in the postal list
        (
            "navigate to jordybaan three hundred flat fifty six",
            2,
            [("STREET_ADDRESS", "jordybaan three hundred flat fifty six")],
        ),
        # a request's word before the number is no name
        (
            "customer address eighty one arslan spurs",
            1,
            [("STREET_ADDRESS", "address eighty one arslan spurs")],
        ),
    ],
)
def test_a_name_before_an_english_order_address_is_a_person(
    det: PiiDetector, text: str, run_start: int, expected: list[tuple[str, str]]
) -> None:
    """The tagger reads a name said just before an address as the address's start; where the
    address is said the English way it starts at its house number."""
    from voxguard.privacy.pii.merge import combine

    norm = normalise(text)
    tagged: list[tuple[str | None, float]] = [
        ("STREET_ADDRESS", 0.9) if k >= run_start else (None, 0.0) for k in range(len(norm.words))
    ]
    assert _spans(norm, combine(norm, [], tagged, det.lexicon)) == expected


@pytest.mark.parametrize(
    ("text", "read_as_name", "kept"),
    [
        ("find flights to kaarina in october", 3, False),  # a place after a place cue
        ("what's the weather in kevin ville", 5, False),  # the town's second word
        ("how far is mikkeli from here", 3, False),
        ("check the forecast for hulmeville", 4, False),
        ("book a popular bar in chowchilla", 5, False),
        ("please order one train ticket to los angeles", 6, False),
        ("set the forecast for anna's party", 4, True),
        ("put lunch with ignacy in my calendar", 1, False),  # an event, no name
        ("send the forecast to anna", 4, True),  # who it is sent to
        ("text the directions from bob", 4, True),
        ("how far is john's house", 3, True),  # whose house
        ("what's the weather in paris for anna", 6, True),  # a function word ends the place
    ],
)
def test_the_tagger_names_nobody_where_a_request_names_a_place_or_an_event(
    det: PiiDetector, text: str, read_as_name: int, kept: bool
) -> None:
    from voxguard.privacy.pii.merge import combine

    norm = normalise(text)
    tagged: list[tuple[str | None, float]] = [(None, 0.01)] * len(norm.words)
    tagged[read_as_name] = ("PERSON", 0.9)
    spans = combine(norm, [], tagged, det.lexicon)
    assert bool(spans) == kept


def test_a_request_word_left_alone_at_an_address_edge_is_given_back(det: PiiDetector) -> None:
    from voxguard.privacy.pii.merge import combine

    norm = normalise("call safura zorlu on plus nine one two three four five six seven")
    tagged: list[tuple[str | None, float]] = [(None, 0.0)] * len(norm.words)
    tagged[3] = ("STREET_ADDRESS", 0.3)
    name = _rule(norm, "PERSON", 1, 3)
    phone = _rule(norm, "PHONE_NUMBER", 4, len(norm.words))
    assert [t for t, _ in _spans(norm, combine(norm, [name, phone], tagged, det.lexicon))] == [
        "PERSON",
        "PHONE_NUMBER",
    ]


def test_a_name_joined_into_an_e_mail_is_the_e_mail(det: PiiDetector) -> None:
    from voxguard.privacy.pii.merge import combine

    norm = normalise("mail viktor underscore szabo at example dot com")
    tagged = [(None, 0.0)] + [("EMAIL_ADDRESS", 1.0)] * 7
    name = _rule(norm, "PERSON", 1, 2)
    mail = _rule(norm, "EMAIL_ADDRESS", 2, 8)
    assert _spans(norm, combine(norm, [name, mail], tagged, det.lexicon)) == [
        ("EMAIL_ADDRESS", "viktor underscore szabo at example dot com")
    ]
    # a name with digits after it is the local part
    norm = normalise("reply to gonzalez one nine six oh at gmail dot com")
    tagged = [(None, 0.0)] * 2 + [("EMAIL_ADDRESS", 1.0)] * 9
    name = _rule(norm, "PERSON", 2, 3)
    mail = _rule(norm, "EMAIL_ADDRESS", 3, 11)
    assert _spans(norm, combine(norm, [name, mail], tagged, det.lexicon)) == [
        ("EMAIL_ADDRESS", "gonzalez one nine six oh at gmail dot com")
    ]
    # an e-mail found from its "at" on: the digits before it are its local part, though the
    # tagger reads them as a house number
    norm = normalise("send it to kristjan sorokin one nine eight four at salu dot com")
    tagged = [(None, 0.0)] * 3 + [("STREET_ADDRESS", 0.97)] * 6 + [("EMAIL_ADDRESS", 1.0)] * 4
    name = _rule(norm, "PERSON", 3, 5)
    assert _spans(norm, combine(norm, [name], tagged, det.lexicon)) == [
        ("PERSON", "kristjan sorokin"),
        ("EMAIL_ADDRESS", "one nine eight four at salu dot com"),
    ]
    # ... but a rule's phone number stays one
    phone = _rule(norm, "PHONE_NUMBER", 5, 9)
    assert _spans(norm, combine(norm, [name, phone], tagged, det.lexicon))[1] == (
        "PHONE_NUMBER",
        "one nine eight four",
    )
    # a name before an e-mail said with no joining word keeps its type
    norm = normalise("mail viktor szabo at example dot com")
    tagged = [(None, 0.0)] + [("EMAIL_ADDRESS", 1.0)] * 6
    name = _rule(norm, "PERSON", 1, 2)
    assert _spans(norm, combine(norm, [name], tagged, det.lexicon))[0] == ("PERSON", "viktor")


def test_a_request_word_inside_an_address_joins_it(det: PiiDetector) -> None:
    """ "number" is a request's own word, which the tagger alone may not hide as an address;
    between two parts of one address that the tagger reads through it, it is the address's."""
    from voxguard.privacy.pii.merge import combine

    norm = normalise("ship it to bulevardul florea number thirty two")
    addr = ("STREET_ADDRESS", 0.9)
    tagged = [(None, 0.0)] * 3 + [addr] * 5
    street = _rule(norm, "PERSON", 3, 5)
    assert _spans(norm, combine(norm, [street], tagged, det.lexicon, 0.1)) == [
        ("STREET_ADDRESS", "bulevardul florea number thirty two")
    ]
    assert _spans(norm, combine(norm, [street], tagged, det.lexicon)) == [
        ("STREET_ADDRESS", "bulevardul florea"),
        ("STREET_ADDRESS", "thirty two"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "please send the parcel to rua augusta twenty one apartment four one one zero zero "
            "two three lisboa",
            [
                (
                    "STREET_ADDRESS",
                    "rua augusta twenty one apartment four one one zero zero two three lisboa",
                )
            ],
        ),
        (
            "my new address is kossuth lajos utca twelve budapest",
            [("STREET_ADDRESS", "kossuth lajos utca twelve budapest")],
        ),
        (
            "ship to anna kowalska twelve oak street springfield",
            [("PERSON", "anna kowalska"), ("STREET_ADDRESS", "twelve oak street springfield")],
        ),
        # the house number and the town beside a street the tagger reads only faintly
        (
            "how far is it to eight hauptstrasse berlin",
            [("STREET_ADDRESS", "eight hauptstrasse berlin")],
        ),
        # a request's own words after the address stay
        (
            "deliver to twelve oak street tomorrow morning",
            [("STREET_ADDRESS", "twelve oak street")],
        ),
        (
            "we live at forty two elm road call five five five one two one two",
            [
                ("STREET_ADDRESS", "forty two elm road"),
                ("PHONE_NUMBER", "five five five one two one two"),
            ],
        ),
    ],
)
def test_addresses_read_out_keep_their_type(
    det: PiiDetector, text: str, expected: list[tuple[str, str]]
) -> None:
    words = text.split()
    spans = det.detect(text)
    assert [(s.type, " ".join(words[s.word_start : s.word_end])) for s in spans] == expected
