"""Phone, card, SSN, account numbers and US zip codes read out as digits.

A run of digit tokens is classified by its length, its grouping, a checksum and the nearest cue
word before it; the first rule of ``_RULES`` that matches decides the type and score.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from voxguard.privacy.pii.entities import (
    ACCOUNT_NUMBER,
    CREDIT_CARD,
    PHONE_NUMBER,
    POSTCODE,
    US_SSN,
)
from voxguard.privacy.pii.lexicon import wordset

from . import scores
from .base import SpokenRecognizer, Tok, is_digit_tok, result
from .number_cues import ACCOUNT, CARD, CVV, PHONE, SSN, card_cue_after, nearest_cue

_YEAR_RE = re.compile(r"(19|20)\d\d")
_ROUND_RE = re.compile(r"\d*[1-9]0{5,}")
_POSTCODE_CUE_RE = re.compile(r"\b(zip|zipcode|postcode|postal code|post code|zip code)\b")
_FILLERS = wordset("uh um er ah hmm")
_DIGIT_JOINERS = wordset("dash hyphen -") | _FILLERS
_NEAR_WORDS = wordset("in near around")


def luhn_ok(digits: str) -> bool:
    total = 0
    for k, ch in enumerate(reversed(digits)):
        d = int(ch)
        if k % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def digit_runs(toks: list[Tok]) -> list[tuple[int, int]]:
    """Maximal runs of digit tokens, allowing "dash"/fillers between groups."""
    runs: list[tuple[int, int]] = []
    i, n = 0, len(toks)
    while i < n:
        if not is_digit_tok(toks[i].text):
            i += 1
            continue
        j = i + 1
        while j < n:
            if is_digit_tok(toks[j].text):
                j += 1
            elif toks[j].text in _DIGIT_JOINERS and j + 1 < n and is_digit_tok(toks[j + 1].text):
                j += 2
            else:
                break
        runs.append((i, j))
        i = j
    return runs


def looks_like_date(parts: list[str]) -> bool:
    """Month, day, year read as numbers ("12 25 2023", "12 25 20 23") or a time stamp
    ("2017 03 18 06 30 05"): not a phone number."""
    if any(_YEAR_RE.fullmatch(p) for p in parts) and all(
        len(p) <= 2 or _YEAR_RE.fullmatch(p) for p in parts
    ):
        return True
    vals = [int(p) for p in parts]
    if len(vals) == 3 and len(parts[2]) == 4:
        a, b, y = vals
    elif len(vals) == 4 and len(parts[2]) == 2 and len(parts[3]) == 2 and vals[2] in (19, 20):
        a, b, y = vals[0], vals[1], vals[2] * 100 + vals[3]
    else:
        return False
    if not 1900 <= y <= 2099:
        return False
    return (1 <= a <= 12 and 1 <= b <= 31) or (1 <= b <= 12 and 1 <= a <= 31)


@dataclass(frozen=True)
class _Run:
    """One run of spoken digits and what surrounds it."""

    parts: list[str]  # the digit tokens ("555", "12", "34")
    digits: str
    groups: list[int]  # lengths of the digit groups, dashes split groups
    cue: str | None
    cue_distance: int
    before: list[str]  # up to four words before the run

    @property
    def n(self) -> int:
        return len(self.digits)

    def is_amount(self) -> bool:
        """ "a million", "2 billion", "1 000 000": amounts, not identifiers."""
        return any(_ROUND_RE.fullmatch(p) for p in self.parts) or (
            len(self.parts) > 1 and all(p == "000" for p in self.parts[1:])
        )


# (test, type, score); the first test that holds decides. None as type: not PII.
_RULES: tuple[tuple[Callable[[_Run], bool], str | None, float], ...] = (
    (
        lambda r: r.n in (5, 9) and bool(_POSTCODE_CUE_RE.search(" ".join(r.before))),
        POSTCODE,
        scores.PATTERN_IN_CONTEXT,
    ),
    # "restaurants near 9 0 2 1 0"
    (
        lambda r: (
            r.n == 5 and len(r.parts) >= 3 and r.before[-1:] != [] and r.before[-1] in _NEAR_WORDS
        ),
        POSTCODE,
        scores.WEAK_SHAPE,
    ),
    (lambda r: r.cue == CVV and 3 <= r.n <= 4, CREDIT_CARD, scores.PLAUSIBLE),
    (lambda r: r.cue == CARD and 12 <= r.n <= 19, CREDIT_CARD, scores.CUED_VALUE),
    # a digit lost or doubled by ASR still counts
    (lambda r: r.cue == SSN and 8 <= r.n <= 10, US_SSN, scores.CUED_VALUE),
    # "last four of my social"
    (lambda r: r.cue == SSN and r.n == 4 and r.cue_distance <= 4, US_SSN, scores.SHAPE_ONLY),
    (lambda r: r.cue == ACCOUNT and r.n >= 4, ACCOUNT_NUMBER, scores.ACCOUNT_CUED),
    (lambda r: r.cue == PHONE and 7 <= r.n <= 15, PHONE_NUMBER, scores.CUED_VALUE),
    (lambda r: r.n == 9 and r.groups == [3, 2, 4], US_SSN, scores.GROUPED_LIKE_ID),
    (lambda r: 13 <= r.n <= 19 and luhn_ok(r.digits), CREDIT_CARD, scores.PATTERN_IN_CONTEXT),
    (lambda r: 7 <= r.n <= 15 and looks_like_date(r.parts), None, 0.0),
    (lambda r: 7 <= r.n <= 15, PHONE_NUMBER, scores.PLAUSIBLE),
    (lambda r: 16 <= r.n <= 19, CREDIT_CARD, scores.SHAPE_ONLY),
    (lambda r: r.n > 19 and not looks_like_date(r.parts), ACCOUNT_NUMBER, scores.WEAK_SHAPE),
)


def classify(run: _Run) -> tuple[str, float] | None:
    if run.is_amount():
        return None
    for test, entity, score in _RULES:
        if test(run):
            return (entity, score) if entity is not None else None
    return None


class SpokenNumberRecognizer(SpokenRecognizer):
    """Phone, card, SSN and account numbers read out as digits."""

    ENTITIES = (PHONE_NUMBER, CREDIT_CARD, US_SSN, ACCOUNT_NUMBER, POSTCODE)

    def find(self, toks: list[Tok], nlp_artifacts: NlpArtifacts | None) -> list[RecognizerResult]:
        out: list[RecognizerResult] = []
        for i, j in digit_runs(toks):
            parts = [t.text for t in toks[i:j] if is_digit_tok(t.text)]
            cue, distance = nearest_cue(toks, i)
            if cue is None and card_cue_after(toks, j):
                cue = CARD
            run = _Run(
                parts,
                "".join(p.replace("-", "") for p in parts),
                [len(g) for p in parts for g in p.split("-")],
                cue,
                distance,
                [t.text for t in toks[max(0, i - 4) : i]],
            )
            found = classify(run)
            if found is None:
                continue
            entity, score = found
            # "plus 44 ..." belongs to the phone number
            start = i - 1 if entity == PHONE_NUMBER and i > 0 and toks[i - 1].text == "plus" else i
            out.append(result(entity, toks, start, j, score))
        return out
