"""Transcript normalisation and word error rate between transcripts."""

from __future__ import annotations

import re

import jiwer

_TAG = re.compile(r"\[[A-Z_]+\]")
_PUNCT = re.compile(r"[^\w\s\[\]'_-]")


def normalise(text: str) -> str:
    """Lower-case words, keep PII tags upper-case, drop punctuation, fold spaces."""
    tags: list[str] = []

    def keep(match: re.Match[str]) -> str:
        tags.append(match.group(0))
        return f" __tag{len(tags) - 1}__ "

    text = _TAG.sub(keep, text)
    text = _PUNCT.sub(" ", text.lower())
    words = [
        tags[int(w[5:-2])] if w.startswith("__tag") and w.endswith("__") else w
        for w in text.split()
    ]
    return " ".join(words)


def wer(reference: str, hypothesis: str) -> float:
    ref, hyp = normalise(reference), normalise(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return float(jiwer.wer(ref, hyp))


def pair_wer(a: str, b: str) -> float:
    """Symmetric: the larger of the two directions, so order does not matter."""
    return max(wer(a, b), wer(b, a))
