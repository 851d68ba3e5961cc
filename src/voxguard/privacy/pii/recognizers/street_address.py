""" "twelve oak street", "221 b baker street", "100 main avenue apartment 4", "p o box 12".

Anchored on a street suffix ("street", "avenue", ...): the street name is read leftwards, then a
house number (or a residence cue such as "i live on"), then rightwards a direction, a unit
("apartment 4 b") and a US city, state and zip. The tagger finds the addresses this shape misses
(other languages' street words, postcodes and cities after the street).
"""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from voxguard.asr.number_words import DIGIT_WORDS
from voxguard.privacy.pii.entities import STREET_ADDRESS
from voxguard.privacy.pii.lexicon import (
    ADDRESS_STOP,
    DIRECTIONS,
    PREFIX_STREET_WORDS,
    STREET_SUFFIXES,
    UNIT_WORDS,
    US_STATES,
    US_STATES_MULTI,
    WAKE_WORDS,
    WEAK_STREET_SUFFIXES,
)

from . import scores
from .base import SpokenRecognizer, Tok, phrase_before, result

# text2num leaves an isolated small number as a word ("at one church close")
_SMALL_NUMBER_WORDS = frozenset(w for w, d in DIGIT_WORDS.items() if d != "0" and len(w) > 1)
_HOUSE_NUMBER_RE = re.compile(r"\d{1,5}[a-z]?")
_STREET_NAME_RE = re.compile(r"[a-z][a-z'\-]*|\d{1,3}(?:st|nd|rd|th)")
_RESIDENCE_CUES = (
    ("live", "on"),
    ("live", "at"),
    ("lives", "on"),
    ("lives", "at"),
    ("address", "is"),
    ("located", "at"),
    ("moved", "to"),
    ("living", "on"),
    ("living", "at"),
    ("deliver", "to"),
    ("ship", "to"),
)
_UNITS_BEFORE_NUMBER = ("flat", "apartment", "apt", "unit")
MAX_STREET_NAME_WORDS = 4
MAX_HOUSE_NUMBER_GROUPS = 3
MAX_CITY_WORDS = 3
ZIP_LENGTHS = (5, 9)


def _is_house_number(t: str) -> bool:
    return bool(_HOUSE_NUMBER_RE.fullmatch(t)) or t in _SMALL_NUMBER_WORDS


def _street_name_word(t: str) -> bool:
    if t in ADDRESS_STOP or t in WAKE_WORDS or t in _SMALL_NUMBER_WORDS:
        return False
    return bool(_STREET_NAME_RE.fullmatch(t))


def _letter(w: str) -> bool:
    return len(w) == 1 and w.isalpha()


def _street_name_start(words: list[str], s: int) -> int:
    """First word of the street name ending before suffix s (== s when there is none)."""
    k = s
    while (
        k - 1 >= 0
        and s - k < MAX_STREET_NAME_WORDS
        and _street_name_word(words[k - 1])
        and not (words[k - 1] in STREET_SUFFIXES and k < s)
    ):
        k -= 1
    return k


def _house_number_start(words: list[str], first: int) -> int | None:
    """Start of the house number (up to three groups, optional letter: "221 b") before the
    street name that starts at ``first``, or None."""
    h = first - 1
    if h - 1 >= 0 and _letter(words[h]) and _is_house_number(words[h - 1]):
        h -= 1
    if h < 0 or not _is_house_number(words[h]):
        return None
    g = h
    while g - 1 >= 0 and _is_house_number(words[g - 1]) and h - g < MAX_HOUSE_NUMBER_GROUPS - 1:
        g -= 1
    return g


def _unit_words_after(words: list[str], e: int) -> int:
    """Past a direction and a unit after the street: "north", "apartment 4 b", "suite 100"."""
    n = len(words)
    if e < n and words[e] in DIRECTIONS and words[e] not in ("s", "e", "n", "w"):
        e += 1
    if (
        e + 1 < n
        and words[e] in UNIT_WORDS
        and words[e] not in ("number", "no")
        and (_is_house_number(words[e + 1]) or _letter(words[e + 1]))
    ):
        e += 2
        if e < n and _letter(words[e]) and words[e] not in ("a", "i"):
            e += 1
    return e


def _state_length(words: list[str], k: int) -> int:
    if k < len(words) and words[k] in US_STATES:
        return 1
    for multi in US_STATES_MULTI:
        if tuple(words[k : k + len(multi)]) == multi:
            return len(multi)
    return 0


def _city_state_zip_end(words: list[str], e: int) -> int:
    """Past "springfield illinois 6 2 7 0 1" after the street, when a US state is there."""
    n = len(words)
    for city_len in range(0, MAX_CITY_WORDS + 1):
        k = e + city_len
        if city_len and not all(
            re.fullmatch(r"[a-z]+", w) and w not in ADDRESS_STOP for w in words[e:k]
        ):
            return e
        state_len = _state_length(words, k)
        if not state_len:
            continue
        end = k + state_len
        digits, z = "", end
        while z < n and words[z].isdigit() and len(digits) < max(ZIP_LENGTHS):
            digits += words[z]
            z += 1
        return z if len(digits) in ZIP_LENGTHS else end
    return e


def _po_boxes(toks: list[Tok], words: list[str]) -> list[RecognizerResult]:
    """ "p o box 12", "po box 12", "post office box 12"."""
    out = []
    n = len(words)
    for i in range(n):
        if words[i] != "box" or i + 1 >= n or not words[i + 1].isdigit():
            continue
        if i >= 2 and words[i - 2 : i] in (["p", "o"], ["post", "office"]):
            s = i - 2
        elif i >= 1 and words[i - 1] in ("po", "p.o."):
            s = i - 1
        else:
            continue
        e = i + 1
        while e < n and words[e].isdigit():
            e += 1
        out.append(result(STREET_ADDRESS, toks, s, e, scores.PATTERN_IN_CONTEXT))
    return out


def _streets_named_after_the_word(toks: list[Tok], words: list[str]) -> list[RecognizerResult]:
    """ "via roma twelve", "calle mayor five", "ten rue de la paix": a prefix street word, the
    street's name (up to four words), and a house number after the name or before the word."""
    out = []
    n = len(words)
    for s, word in enumerate(words):
        if word not in PREFIX_STREET_WORDS:
            continue
        e = s + 1
        while e < n and e - s <= MAX_STREET_NAME_WORDS and _street_name_word(words[e]):
            e += 1
        if e == s + 1:
            continue
        if e < n and _is_house_number(words[e]):
            end = e + 1
            while end < n and _is_house_number(words[end]) and end - e < MAX_HOUSE_NUMBER_GROUPS:
                end += 1
            out.append(result(STREET_ADDRESS, toks, s, end, scores.PATTERN_IN_CONTEXT))
        elif s > 0 and _is_house_number(words[s - 1]):
            out.append(result(STREET_ADDRESS, toks, s - 1, e, scores.PATTERN_IN_CONTEXT))
    return out


class StreetAddressRecognizer(SpokenRecognizer):
    """Street addresses said the English way (see the module doc)."""

    ENTITIES = (STREET_ADDRESS,)

    def find(self, toks: list[Tok], nlp_artifacts: NlpArtifacts | None) -> list[RecognizerResult]:
        out: list[RecognizerResult] = []
        words = [t.text for t in toks]
        taken = 0
        for s, word in enumerate(words):
            if s < taken or word not in STREET_SUFFIXES:
                continue
            first = _street_name_start(words, s)
            if first == s:
                continue
            start = _house_number_start(words, first)
            score = scores.PATTERN_IN_CONTEXT
            if start is None:
                # without a number, "on elm street" is a place unless a residence cue says
                # otherwise ("i live on oak street"); "park", "hill" need a number
                if word in WEAK_STREET_SUFFIXES or not phrase_before(words, first, _RESIDENCE_CUES):
                    continue
                start, score = first, scores.PLAUSIBLE
            # a unit before the number: "flat 4 12 oak street"
            if (
                start - 2 >= 0
                and words[start - 2] in _UNITS_BEFORE_NUMBER
                and _is_house_number(words[start - 1])
            ):
                start -= 2
            end = _city_state_zip_end(words, _unit_words_after(words, s + 1))
            out.append(result(STREET_ADDRESS, toks, start, end, score))
            taken = end
        out.extend(_po_boxes(toks, words))
        out.extend(_streets_named_after_the_word(toks, words))
        return out
