"""What every spoken-form recognizer shares: tokens of the normalised text and a Presidio base.

Each recognizer runs on the *normalised* text produced by ``numbers.normalise``: lower-case, one
space between tokens, spelled numbers already turned into digits ("5 5 5 12 34"). They work on
the token sequence rather than on one big regex, because spoken PII is a sequence of words whose
meaning depends on cue words nearby ("account number", "born on", "call").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from voxguard.privacy.pii.lexicon import Lexicon

DIGITS_RE = re.compile(r"\d+(?:-\d+)*")
ALNUM_RE = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Tok:
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Tok]:
    """Tokens of the normalised text (single spaces, so a split keeps exact offsets)."""
    out: list[Tok] = []
    pos = 0
    for part in text.split(" "):
        if part:
            out.append(Tok(part, pos, pos + len(part)))
        pos += len(part) + 1
    return out


def result(entity: str, toks: Sequence[Tok], i: int, j: int, score: float) -> RecognizerResult:
    """A detection over tokens [i, j)."""
    return RecognizerResult(entity, toks[i].start, toks[j - 1].end, score)


def is_digit_tok(t: str) -> bool:
    return bool(DIGITS_RE.fullmatch(t))


def phrase_before(words: Sequence[str], k: int, phrases: Sequence[tuple[str, ...]]) -> bool:
    """True if one of ``phrases`` ends right before word ``k``."""
    return any(k - len(p) >= 0 and tuple(words[k - len(p) : k]) == p for p in phrases)


class SpokenRecognizer(EntityRecognizer):
    """Base: tokenises once and hands tokens to ``find``."""

    ENTITIES: tuple[str, ...] = ()

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        super().__init__(supported_entities=list(self.ENTITIES), supported_language="en")

    def load(self) -> None:  # nothing to load: word lists come with the lexicon
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        wanted = set(entities) if entities else set(self.ENTITIES)
        return [r for r in self.find(tokenize(text), nlp_artifacts) if r.entity_type in wanted]

    def find(self, toks: list[Tok], nlp_artifacts: NlpArtifacts | None) -> list[RecognizerResult]:
        raise NotImplementedError
