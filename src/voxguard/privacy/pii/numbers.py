"""Spoken-number normalisation that keeps an exact map back to the original words.

Transcripts from the assistant are lower-case words ("call five five five one two one two").
``normalise`` turns spelled numbers into digits with text2num's token-level API and records, for
every token of the normalised text, the range of original words it came from. Any character span
found in the normalised text can then be mapped back to original character offsets and to original
word indices (the unit that carries audio timings).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from text_to_num import find_numbers

from voxguard.asr.number_words import (
    DIGIT_WORDS,
    ONES_WORDS,
    REPEATER_WORDS,
    TENS_WORDS,
    ZERO_IN_CONTEXT,
)

_WORD_RE = re.compile(r"\S+")
# Punctuation trimmed from the edges of a word; "@", "." and "-" inside a word are kept.
_EDGE_PUNCT = "\"'`.,;:!?()[]{}<>«»“”‘’…"


@dataclass(frozen=True)
class Word:
    """One whitespace-separated word of the original text."""

    text: str
    start: int
    end: int
    core_start: int  # offsets of the word without edge punctuation
    core_end: int
    core: str  # lower-cased, edge punctuation trimmed


@dataclass(frozen=True)
class NormToken:
    """A token of the normalised text and the original words [word_start, word_end) it covers."""

    text: str
    start: int
    end: int
    word_start: int
    word_end: int


@dataclass(frozen=True)
class NormalisedText:
    original: str
    words: tuple[Word, ...]
    text: str
    tokens: tuple[NormToken, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int, int, int] | None:
        """Map a char span of ``text`` to (char_start, char_end, word_start, word_end) of the
        original text. Spans are widened to whole words. None if the span covers no token."""
        if end <= start or not self.tokens:
            return None
        starts = [t.start for t in self.tokens]
        first = max(bisect_right(starts, start) - 1, 0)
        if self.tokens[first].end <= start:
            first += 1
        last = bisect_right(starts, end - 1) - 1
        if first >= len(self.tokens) or last < first:
            return None
        w0 = min(t.word_start for t in self.tokens[first : last + 1])
        w1 = max(t.word_end for t in self.tokens[first : last + 1])
        return self.words[w0].core_start, self.words[w1 - 1].core_end, w0, w1


def split_words(text: str) -> list[Word]:
    """Words exactly as ``text.split()`` yields them, with offsets and a normalised core."""
    words: list[Word] = []
    for m in _WORD_RE.finditer(text):
        raw = m.group(0)
        lead = len(raw) - len(raw.lstrip(_EDGE_PUNCT))
        stripped = raw.strip(_EDGE_PUNCT)
        if not stripped:  # a bare punctuation token keeps its full extent
            lead, stripped = 0, raw
        cs = m.start() + lead
        words.append(Word(raw, m.start(), m.end(), cs, cs + len(stripped), stripped.lower()))
    return words


class _Tok:
    """Token adaptor for text2num's ``find_numbers`` (needs all three protocol methods)."""

    __slots__ = ("_blocked", "_text")

    def __init__(self, text: str, blocked: bool = False) -> None:
        self._text = text
        self._blocked = blocked

    def text(self) -> str:
        return self._text

    def nt_separated(self, previous: _Tok) -> bool:
        return False

    def not_a_number_part(self) -> bool:
        return self._blocked


# number words above nine that may sit in a run of digits ("five five five twelve thirty four")
_NUMBER_WORDS = frozenset([*ONES_WORDS[10:], *(w for w in TENS_WORDS if w), "hundred"])


def _is_digitish(core: str) -> bool:
    return core in DIGIT_WORDS or core in REPEATER_WORDS or core in _NUMBER_WORDS or core.isdigit()


def _pre_tokens(words: list[Word]) -> list[tuple[str, int, int]]:
    """Expand "double five" / "triple oh" and read "oh" as zero inside digit runs.

    Returns (text, word_start, word_end) pre-tokens for text2num.
    """
    cores = [w.core for w in words]
    n = len(cores)
    # A run of digit-like words; "oh" only counts as zero inside a run of at least 3 such words,
    # so the interjection in "oh call mom" stays a word.
    digitish = [_is_digitish(c) for c in cores]
    zero_ok = [False] * n
    i = 0
    while i < n:
        if not digitish[i]:
            i += 1
            continue
        j = i
        while j < n and digitish[j]:
            j += 1
        run = cores[i:j]
        real_digits = sum(1 for c in run if c not in ZERO_IN_CONTEXT and c not in REPEATER_WORDS)
        if j - i >= 3 and real_digits >= 1:
            for k in range(i, j):
                zero_ok[k] = True
        i = j

    out: list[tuple[str, int, int]] = []
    i = 0
    while i < n:
        c = cores[i]
        nxt = cores[i + 1] if i + 1 < n else ""
        if (
            c in REPEATER_WORDS
            and (nxt in DIGIT_WORDS or nxt.isdigit())
            and (nxt not in ZERO_IN_CONTEXT or zero_ok[i + 1])
        ):
            digit = "zero" if nxt in ZERO_IN_CONTEXT else nxt
            for _ in range(REPEATER_WORDS[c]):
                out.append((digit, i, i + 2))
            i += 2
            continue
        # the letter "o" inside a spelled code ("six o e e t") stays a letter
        spelled = c == "o" and any(
            0 <= m < n and len(cores[m]) == 1 and cores[m].isalpha() and cores[m] != "o"
            for m in (i - 1, i + 1)
        )
        if c in ZERO_IN_CONTEXT and zero_ok[i] and not spelled:
            out.append(("zero", i, i + 1))
        else:
            out.append((c, i, i + 1))
        i += 1
    return out


def normalise(text: str) -> NormalisedText:
    """Lower-case, trim edge punctuation, and turn spelled numbers into digits.

    Every normalised token is separated by one space and records its original word range.
    """
    words = split_words(text)
    pre = _pre_tokens(words)
    # "o"/"oh" left as words must not be read as zero by text2num either
    occurrences = (
        find_numbers([_Tok(t, blocked=t in ZERO_IN_CONTEXT) for t, _, _ in pre], "en")
        if pre
        else []
    )

    pieces: list[tuple[str, int, int]] = []
    k = 0
    for occ in occurrences:
        while k < occ.start:
            pieces.append(pre[k])
            k += 1
        w0 = pre[occ.start][1]
        w1 = pre[occ.end - 1][2]
        # text2num may leave out a leading "a" ("a hundred"), so take word bounds from pre-tokens.
        pieces.append((occ.text, w0, w1))
        k = occ.end
    pieces.extend(pre[k:])
    # Spoken single digits that text2num left as words (it ignores isolated small numbers)
    # become digits too when they sit next to other digits, e.g. "track two" stays a word but
    # "two five" is digits.
    fixed: list[tuple[str, int, int]] = []
    for idx, (t, a, b) in enumerate(pieces):
        if t in DIGIT_WORDS and t not in ZERO_IN_CONTEXT:
            prev_d = idx > 0 and pieces[idx - 1][0].isdigit()
            next_d = idx + 1 < len(pieces) and pieces[idx + 1][0].isdigit()
            if prev_d or next_d:
                t = DIGIT_WORDS[t]
        fixed.append((t, a, b))

    tokens: list[NormToken] = []
    parts: list[str] = []
    pos = 0
    for t, a, b in fixed:
        if not t:
            continue
        if parts:
            pos += 1
        tokens.append(NormToken(t, pos, pos + len(t), a, b))
        parts.append(t)
        pos += len(t)
    return NormalisedText(text, tuple(words), " ".join(parts), tuple(tokens))


def spoken_digits(tokens: list[str]) -> str:
    """Concatenate digit tokens ("5", "12", "0") into one digit string."""
    return "".join(t for t in tokens if t.isdigit())
