"""Where candidate transcripts differ, word by word: what a lead compares when adjudicating.

Words are compared as consensus compares them (``normalise``: case and punctuation do not
count) but kept as the reviewer typed them, and PII tags such as ``[PERSON]`` are marked so a
page can show them apart.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from voxguard.review.text import normalise

_TAG = re.compile(r"^\[[A-Z_]+\][^\w\s]*$")


@dataclass
class Word:
    """One word of a transcript, and how it differs from the other candidates."""

    text: str
    tag: bool = False  # a PII tag such as [PERSON]
    diff: str = ""  # "" (agrees), "changed" or "extra"
    was: list[str] = field(default_factory=list)  # what the others have instead
    missing_before: list[str] = field(default_factory=list)  # words others have just before it


@dataclass
class Marked:
    words: list[Word]
    missing_after: list[str]  # words others have after the last word

    @property
    def differs(self) -> bool:
        return bool(self.missing_after) or any(w.diff or w.missing_before for w in self.words)


def tokens(text: str) -> list[Word]:
    """The words of ``text``, PII tags marked, nothing compared."""
    return [Word(t, tag=bool(_TAG.match(t))) for t in text.split()]


def _key(word: str) -> str:
    # Compare as consensus does (case, punctuation), but keep the word as the reviewer typed it.
    return normalise(word) or word


def mark_differences(text: str, others: Sequence[str]) -> Marked:
    """Mark each word of ``text`` that another transcript does not have at that place.

    One alignment per other transcript (difflib over normalised words); a word is marked when
    any alignment disagrees, so with two candidates each shows exactly where the other differs.
    """
    words = tokens(text)
    keys = [_key(w.text) for w in words]
    missing_after: list[str] = []
    for other in others:
        other_words = other.split()
        other_keys = [_key(w) for w in other_words]
        matcher = difflib.SequenceMatcher(None, other_keys, keys, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            theirs = other_words[i1:i2]
            if op == "equal":
                continue
            if op in ("replace", "insert"):
                for word in words[j1:j2]:
                    if word.diff != "changed":
                        word.diff = "changed" if op == "replace" else "extra"
                    word.was.extend(theirs if op == "replace" else [])
            else:  # delete: the other has words here that this one lacks
                if j1 < len(words):
                    words[j1].missing_before.extend(theirs)
                else:
                    missing_after.extend(theirs)
    return Marked(words, missing_after)


__all__ = ["Marked", "Word", "mark_differences", "tokens"]
