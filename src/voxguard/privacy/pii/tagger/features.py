"""Token features of the PII tagger: the same function builds them for training and at run time.

A word is described by what it is (its letters, suffixes, shape) and by what it belongs to (a
given name, a surname, an English word, a number word, a street word, a country, a mail
provider...; the names also from the shipped gazetteer of Faker's many locales, ``names.py``),
then by the same of its neighbours, by its place in a run of number words, by the
e-mail shape around it ("... at ... dot ..."), by what the rule recognizers said about it and by
spaCy's entity label (a place the English NER recognises is seldom a person).
Word classes, not only word identities, are what lets the tagger read names and streets from
languages it never saw.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from voxguard.asr.number_words import (
    DIGIT_WORDS,
    ORDINAL_WORDS,
    REPEATER_WORDS,
    TENS_WORDS,
)
from voxguard.privacy.pii.lexicon import (
    MONTHS,
    RELATIONS,
    STRONG_NAME_CUES,
    WAKE_WORDS,
    Lexicon,
)

from .words import (
    ADDRESS_CUES,
    CARD_CUES,
    COUNTRY_WORDS,
    EMAIL_JOINERS,
    MAIL_PROVIDERS,
    PHONE_CUES,
    STREET_WORDS,
    TITLES,
    TLDS,
    UNIT_WORDS,
    is_number_word,
    joined_street_word,
)

if TYPE_CHECKING:
    from .names import Gazetteer

# Bump when the features change: a model trained on other features must not load.
FEATURE_VERSION = 5

_FOLD = str.maketrans(
    {"ł": "l", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "đ": "d", "ı": "i", "þ": "th", "ð": "d"}
)
_TENS = frozenset(w for w in TENS_WORDS if w)
_NUMBER_JOINERS = frozenset({"and", "dash", "hyphen", *REPEATER_WORDS})
_WINDOW = 2
# Word classes also given for the neighbours (the class names of ``_classes``).
_CONTEXT_CLASSES = frozenset(
    {
        "namecue",
        "phonecue",
        "cardcue",
        "addrcue",
        "stop",
        "month",
        "wake",
        "ordinal",
        "num",
        "digit",
        "first",
        "sur",
        "namedom",
        "eng",
        "unknown",
        "street",
        "streetsuffix",
        "unit",
        "title",
        "joiner",
        "tld",
        "mail",
        "country",
        "letter",
        "relation",
        "gfirst",
        "gsur",
        "gname_noneng",
        "poss",
    }
)


# Features that name the word itself (not its class): training drops some of them inside PII
# values so that the tagger learns names and streets from their class and context.
IDENTITY_PREFIXES = ("w=", "s2=", "s3=", "s4=", "p3=")
CONTEXT_IDENTITY_PREFIXES = ("-1:w=", "1:w=")
# A name list's verdict on the word itself: training drops it inside some PII values, so that a
# name missing from every list (a language no list has) still reads as a name from its context.
NAME_LIST_FEATURES = frozenset(
    ["c=first", "c=sur", "c=namedom", "c=gfirst", "c=gsur", "c=gname_noneng"]
)


def fold(word: str) -> str:
    """Lower case, diacritics removed ("Łódź" -> "lodz")."""
    word = word.lower().translate(_FOLD)
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _classes(w: str, lexicon: Lexicon, gazetteer: Gazetteer | None = None) -> list[str]:
    """Classes of one folded, possessive-free word."""
    out: list[str] = []
    if gazetteer is not None:
        named = False
        if w in gazetteer.first:
            out.append("gfirst")
            named = True
        if w in gazetteer.last:
            out.append("gsur")
            named = True
        # a gazetteer name that is no English word ("ildiko", not "rose"): the strong evidence
        if named and lexicon.has_vocab and not lexicon.is_english(w):
            out.append("gname_noneng")
    if is_number_word(w):
        out.append("num")
        if w in DIGIT_WORDS:
            out.append("digit")
        elif w in _TENS:
            out.append("tens")
        elif w in ("hundred", "thousand", "million"):
            out.append("scale")
    elif w in ORDINAL_WORDS:
        out.append("ordinal")
    if any(c.isdigit() for c in w):
        out.append("hasdigit")
    if len(w) == 1 and w.isalpha():
        out.append("letter")
    if w in lexicon.first_names:
        out.append("first")
    if w in lexicon.surnames:
        out.append("sur")
    if lexicon.name_dominant(w):
        out.append("namedom")
    if lexicon.has_vocab:
        out.append("eng" if lexicon.is_english(w) else "unknown")
    # a street word joined to an unknown name; an English word ("during", "delegate") is none
    if joined_street_word(w, lexicon):
        out.append("streetsuffix")
    if w in lexicon.stop_words:
        out.append("stop")
    for name, words in (
        ("street", STREET_WORDS),
        ("unit", UNIT_WORDS),
        ("title", TITLES),
        ("joiner", EMAIL_JOINERS),
        ("tld", TLDS),
        ("mail", MAIL_PROVIDERS),
        ("country", COUNTRY_WORDS),
        ("relation", RELATIONS),
        ("month", MONTHS),
        ("wake", WAKE_WORDS),
        ("namecue", STRONG_NAME_CUES),
        ("phonecue", PHONE_CUES),
        ("cardcue", CARD_CUES),
        ("addrcue", ADDRESS_CUES),
    ):
        if w in words:
            out.append(name)
    return out


def _streetish(classes: list[str]) -> bool:
    return "street" in classes or "streetsuffix" in classes


def _number_runs(bare: Sequence[str]) -> list[tuple[int, int, int]]:
    """Per word: (length of its run of number words, position in it, digits said) or zeros.

    "and", "dash", "double" inside a run belong to it; "oh"/"o" count as a digit in a run."""
    n = len(bare)
    out = [(0, 0, 0)] * n
    i = 0
    while i < n:
        if not is_number_word(bare[i]) and bare[i] not in REPEATER_WORDS:
            i += 1
            continue
        j = i
        while j < n and (
            is_number_word(bare[j])
            or (bare[j] in _NUMBER_JOINERS and j + 1 < n and is_number_word(bare[j + 1]))
        ):
            j += 1
        if j == i:  # "double" with no number after it
            i += 1
            continue
        digits = sum(1 for w in bare[i:j] if w in DIGIT_WORDS or w in _TENS) + sum(
            len(w) for w in bare[i:j] if w.isdigit()
        )
        for k in range(i, j):
            out[k] = (j - i, k - i, digits)
        i = j
    return out


def _bucket(value: int, edges: Sequence[int]) -> str:
    for edge in edges:
        if value <= edge:
            return str(edge)
    return f"{edges[-1]}+"


def _email_shape(bare: Sequence[str]) -> tuple[list[bool], list[bool]]:
    """(before an "at" that is followed by "dot", after such an "at") for every word."""
    n = len(bare)
    before, after = [False] * n, [False] * n
    for a, w in enumerate(bare):
        if w != "at" and "@" not in w:
            continue
        if not any(bare[k] in ("dot", "period", "point") for k in range(a + 1, min(n, a + 6))):
            continue
        for k in range(max(0, a - 5), a):
            before[k] = True
        for k in range(a + 1, min(n, a + 8)):
            after[k] = True
    return before, after


def sentence_features(
    words: Sequence[str],
    lexicon: Lexicon,
    rule_types: Sequence[str | None] | None = None,
    gazetteer: Gazetteer | None = None,
    entity_labels: Sequence[str | None] | None = None,
    read_as_names: Sequence[bool] | None = None,
) -> list[list[str]]:
    """Feature strings for each word of ``words`` (``text.split()`` of a spoken-form text).

    ``rule_types``: per word, the type a rule recognizer gave it (or None); ``gazetteer``: the
    name lists shipped with the model (``PiiTagger`` passes them); ``entity_labels``: per word,
    spaCy's entity label (GPE, LOC, PERSON ...) or None."""
    folded = [fold(w.strip('.,;:!?"()')) for w in words]
    possessive = [w.endswith("'s") for w in folded]
    bare = [w[:-2] if p and len(w) > 2 else w for w, p in zip(folded, possessive, strict=True)]
    classes = [_classes(w, lexicon, gazetteer) for w in bare]
    for k, p in enumerate(possessive):
        if p:  # "george eliot's": the word before a possessive is often the rest of the name
            classes[k].append("poss")
    runs = _number_runs(bare)
    mail_before, mail_after = _email_shape(bare)
    n = len(words)
    out: list[list[str]] = []
    for i, w in enumerate(bare):
        f = ["bias", "w=" + w, "len=" + _bucket(len(w), (1, 2, 3, 5, 8))]
        if len(w) > 3:
            f += ["s2=" + w[-2:], "s3=" + w[-3:], "s4=" + w[-4:], "p3=" + w[:3]]
        if "-" in w:
            f.append("hyphen")
        if "'" in w:
            f.append("apos")
        f += ["c=" + c for c in classes[i]]
        run_len, run_pos, run_digits = runs[i]
        if run_len:
            f += [
                "runlen=" + _bucket(run_len, (1, 2, 3, 5, 8, 12, 16)),
                "rundig=" + _bucket(run_digits, (1, 2, 4, 6, 9, 12, 16, 19)),
                "runstart" if run_pos == 0 else "runin",
            ]
        if mail_before[i]:
            f.append("mail_before_at")
        if mail_after[i]:
            f.append("mail_after_at")
        if rule_types is not None and rule_types[i]:
            f.append("rule=" + rule_types[i])
        if entity_labels is not None and entity_labels[i]:
            f.append("ner=" + entity_labels[i])
        if read_as_names is not None and read_as_names[i]:
            f.append("namesner=PERSON")
        for off in range(-_WINDOW, _WINDOW + 1):
            if off == 0:
                continue
            k = i + off
            if k < 0:
                f.append(f"{off}:BOS")
                continue
            if k >= n:
                f.append(f"{off}:EOS")
                continue
            # the neighbour's word only next door: further out its class, so the tagger learns
            # "a name cue two words back" rather than the words of its training templates
            if abs(off) == 1:
                f.append(f"{off}:w={bare[k]}")
            f += [f"{off}:c={c}" for c in classes[k] if c in _CONTEXT_CLASSES]
            if rule_types is not None and rule_types[k] and abs(off) == 1:
                f.append(f"{off}:rule={rule_types[k]}")
            if entity_labels is not None and entity_labels[k] and abs(off) == 1:
                f.append(f"{off}:ner={entity_labels[k]}")
            if read_as_names is not None and read_as_names[k] and abs(off) == 1:
                f.append(f"{off}:namesner=PERSON")
        # a street word shortly ahead or behind: most words between a house number and the city
        ahead = any(_streetish(classes[k]) for k in range(i + 1, min(n, i + 5)))
        behind = any(_streetish(classes[k]) for k in range(max(0, i - 6), i))
        if ahead:
            f.append("street_ahead")
        if behind:
            f.append("street_behind")
        out.append(f)
    return out
