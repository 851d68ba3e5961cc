"""A date after "born", "birthday", "date of birth", "d o b"."""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from voxguard.asr.number_words import ORDINAL_WORDS
from voxguard.privacy.pii.entities import DATE_OF_BIRTH
from voxguard.privacy.pii.lexicon import MONTHS, wordset

from . import scores
from .base import SpokenRecognizer, Tok, result

_ORD_RE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)")
_YEAR_RE = re.compile(r"(19|20)\d\d")
_DOB_CUES = wordset("born birthday birthdate dob birth bday b-day")
# Words allowed between the cue and the date ("born on the", "birthday is")
_DOB_SKIP = wordset("is was on the in of 's : date was's my her his")
MAX_WORDS_BEFORE_DATE = 4


def _year_at(words: list[str], k: int) -> int:
    """Length (tokens) of a year starting at k: "1980", "19 80", "2005"; 0 if none."""
    n = len(words)
    if k < n and _YEAR_RE.fullmatch(words[k]):
        return 1
    if k + 1 < n and words[k] in ("19", "20") and re.fullmatch(r"\d\d", words[k + 1]):
        return 2
    return 0


def _is_day(words: list[str], k: int) -> bool:
    """ "4th", "fourth" or "4" (text2num makes "twenty first" into "21st")."""
    if k >= len(words):
        return False
    w = words[k]
    m = _ORD_RE.fullmatch(w)
    number = int(m.group(1)) if m else int(w) if w.isdigit() else None
    return w in ORDINAL_WORDS or (number is not None and 1 <= number <= 31)


def _day_month_end(words: list[str], j: int) -> int:
    """ "4th [of] july [of] [1980]" from j: its end, or 0."""
    n = len(words)
    if not _is_day(words, j):
        return 0
    m = j + 1
    if m < n and words[m] == "of":
        m += 1
    if m >= n or words[m] not in MONTHS:
        return 0
    e = m + 1
    if e < n and words[e] == "of":
        y = _year_at(words, e + 1)
        return e + 1 + y if y else e
    return e + _year_at(words, e)


def _month_day_end(words: list[str], j: int) -> int:
    """ "july [the] 4th [1980]" or "july 1980" from j: its end, or 0."""
    n = len(words)
    if j >= n or words[j] not in MONTHS:
        return 0
    e = j + 1
    if e < n and words[e] == "the":
        e += 1
    if _is_day(words, e):
        return e + 1 + _year_at(words, e + 1)
    y = _year_at(words, j + 1)
    return j + 1 + y if y else 0


def _numeric_date_end(words: list[str], j: int) -> int:
    """ "4 7 1980", "04 07 19 80" from j: its end, or 0."""
    if j + 2 >= len(words) or not (words[j].isdigit() and words[j + 1].isdigit()):
        return 0
    a, b = int(words[j]), int(words[j + 1])
    y = _year_at(words, j + 2)
    if y and 1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12):
        return j + 2 + y
    return 0


def date_length(words: list[str], k: int, allow_year_only: bool) -> int:
    """Length in tokens of a date expression starting at token k, or 0."""
    j = k + 1 if k < len(words) and words[k] == "the" else k
    end = _day_month_end(words, j) or _month_day_end(words, j) or _numeric_date_end(words, j)
    if not end and allow_year_only and (y := _year_at(words, j)):
        end = j + y
    return end - k if end else 0


def _is_cue(words: list[str], c: int) -> bool:
    return words[c] in _DOB_CUES or (c >= 2 and words[c - 2 : c + 1] == ["d", "o", "b"])


class DateOfBirthRecognizer(SpokenRecognizer):
    """A date after "born", "birthday", "date of birth", "d o b"."""

    ENTITIES = (DATE_OF_BIRTH,)

    def find(self, toks: list[Tok], nlp_artifacts: NlpArtifacts | None) -> list[RecognizerResult]:
        out: list[RecognizerResult] = []
        words = [t.text for t in toks]
        for c in range(len(words)):
            if not _is_cue(words, c):
                continue
            for k in range(c + 1, min(len(words), c + 1 + MAX_WORDS_BEFORE_DATE)):
                length = date_length(words, k, allow_year_only=words[c] == "born")
                if length:
                    s = k + 1 if words[k] == "the" else k
                    out.append(
                        result(DATE_OF_BIRTH, toks, s, k + length, scores.PATTERN_IN_CONTEXT)
                    )
                    break
                if words[k] not in _DOB_SKIP:
                    break
        return out
