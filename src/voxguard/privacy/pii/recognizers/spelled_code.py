"""IBANs, UK postcodes and account codes spelled letter by letter ("g b eight two ...")."""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from voxguard.asr.number_words import DIGIT_WORDS
from voxguard.privacy.pii.entities import ACCOUNT_NUMBER, IBAN_CODE, POSTCODE
from voxguard.privacy.pii.lexicon import IBAN_LENGTHS, wordset

from . import scores
from .base import ALNUM_RE, SpokenRecognizer, Tok, result
from .number_cues import ACCOUNT, nearest_cue

_UK_POSTCODE_RE = re.compile(r"[a-z]{1,2}\d[a-z\d]?\d[a-z]{2}")
# Isolated digit words that text2num leaves alone ("s w one a one a a"); "o" stays a letter.
_CODE_DIGITS = {word: digit for word, digit in DIGIT_WORDS.items() if word != "o"}
_POSTCODE_CUES = wordset("postcode code is at in")
_MIN_IBAN_CHARS = 15
_MAX_UK_POSTCODE_CHARS = 7
_MIN_ACCOUNT_CODE_CHARS = 6


def iban_ok(code: str) -> bool:
    code = code.upper()
    if len(code) < _MIN_IBAN_CHARS or not code[:2].isalpha() or not code[2:4].isdigit():
        return False
    moved = code[4:] + code[:4]
    num = "".join(str(int(ch, 36)) for ch in moved)
    return int(num) % 97 == 1


def _code_piece(t: str) -> bool:
    return t in _CODE_DIGITS or (
        bool(ALNUM_RE.fullmatch(t)) and (len(t) == 1 or any(c.isdigit() for c in t))
    )


def _iban_end(chars: list[str], k: int) -> int | None:
    """End (exclusive, in pieces) of a checksum-valid IBAN starting at piece k, or None."""
    joined = "".join(chars[k:])
    country = joined[:2]
    if country not in IBAN_LENGTHS or not joined[2:4].isdigit() or len(chars[k]) > 2:
        return None
    want, acc = IBAN_LENGTHS[country], ""
    for m in range(k, len(chars)):
        acc += chars[m]
        if len(acc) >= want:
            return m + 1 if len(acc) == want and iban_ok(acc) else None
    return None


def _uk_postcode_end(chars: list[str], k: int) -> int | None:
    """End of the shortest window from piece k that is a whole UK postcode, or None."""
    for m in range(k + 1, min(len(chars), k + 8) + 1):
        cand = "".join(chars[k:m])
        if len(cand) > _MAX_UK_POSTCODE_CHARS:
            return None
        if _UK_POSTCODE_RE.fullmatch(cand) and cand[0].isalpha():
            return m
    return None


class SpelledCodeRecognizer(SpokenRecognizer):
    """IBANs, UK postcodes and account codes spelled letter by letter ("g b eight two ...")."""

    ENTITIES = (IBAN_CODE, POSTCODE, ACCOUNT_NUMBER)

    def find(self, toks: list[Tok], nlp_artifacts: NlpArtifacts | None) -> list[RecognizerResult]:
        out: list[RecognizerResult] = []
        n, i = len(toks), 0
        while i < n:
            if not _code_piece(toks[i].text):
                i += 1
                continue
            j = i
            while j < n and _code_piece(toks[j].text):
                j += 1
            out += self._scan_run(toks, i, j)
            i = j
        return out

    def _scan_run(self, toks: list[Tok], i: int, j: int) -> list[RecognizerResult]:
        chars = [_CODE_DIGITS.get(toks[k].text, toks[k].text) for k in range(i, j)]
        iban_cue = any(toks[k].text == "iban" for k in range(max(0, i - 5), i))
        out: list[RecognizerResult] = []
        k = 0
        while k < len(chars):
            if (end := _iban_end(chars, k)) is not None:
                out.append(result(IBAN_CODE, toks, i + k, i + end, scores.CHECKSUM_VALID))
                k = end
                continue
            if iban_cue and len("".join(chars[k:])) >= _MIN_IBAN_CHARS:
                # said after "iban" but the checksum fails (a misheard digit): still hide it all
                out.append(result(IBAN_CODE, toks, i + k, j, scores.SHAPE_ONLY))
                return out
            if (end := _uk_postcode_end(chars, k)) is not None:
                prev = toks[i + k - 1].text if i + k > 0 else ""
                cued = prev in _POSTCODE_CUES
                score = scores.PATTERN_IN_CONTEXT if cued else scores.SHAPE_ONLY
                out.append(result(POSTCODE, toks, i + k, i + end, score))
                k = end
                continue
            k += 1
        if not out and self._is_account_code(toks, i, chars):
            out.append(result(ACCOUNT_NUMBER, toks, i, j, scores.GROUPED_LIKE_ID))
        return out

    @staticmethod
    def _is_account_code(toks: list[Tok], i: int, chars: list[str]) -> bool:
        """Letters mixed with digits after an account cue: an account or reference code."""
        code = "".join(chars)
        return (
            nearest_cue(toks, i)[0] == ACCOUNT
            and len(code) >= _MIN_ACCOUNT_CODE_CHARS
            and any(c.isdigit() for c in code)
            and any(c.isalpha() for c in code)
        )
