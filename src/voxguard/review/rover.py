"""Word-level majority merge of several transcripts (ROVER-style).

Every hypothesis is aligned to a pivot (the one closest to all others) by word-level edit
distance (RapidFuzz's Levenshtein opcodes); each pivot slot and each insertion gap then takes the
word most hypotheses put there (a deletion counts as a vote for nothing).
"""

from __future__ import annotations

from collections import Counter

from rapidfuzz.distance import Levenshtein

from voxguard.review.text import normalise, wer

Alignment = tuple[list[str | None], list[list[str]]]  # per pivot word; insertions before slot i


def _align(pivot: list[str], hyp: list[str]) -> Alignment:
    slots: list[str | None] = [None] * len(pivot)  # a deleted pivot word stays None
    inserts: list[list[str]] = [[] for _ in range(len(pivot) + 1)]
    for op in Levenshtein.opcodes(pivot, hyp):
        if op.tag == "insert":
            inserts[op.src_start].extend(hyp[op.dest_start : op.dest_end])
        elif op.tag != "delete":  # equal or replace: one hypothesis word per pivot word
            slots[op.src_start : op.src_end] = hyp[op.dest_start : op.dest_end]
    return slots, inserts


def _majority(votes: list[str | None], quorum: int) -> str | None:
    word, count = Counter(votes).most_common(1)[0]
    return word if count >= quorum else None


def rover_merge(transcripts: list[str]) -> str:
    hyps = [normalise(t) for t in transcripts]
    if len(hyps) == 1:
        return hyps[0]
    pivot_text = min(hyps, key=lambda h: sum(wer(other, h) for other in hyps))
    pivot = pivot_text.split()
    alignments = [_align(pivot, h.split()) for h in hyps]
    quorum = len(hyps) // 2 + 1
    merged: list[str] = []
    for position in range(len(pivot) + 1):
        # Insertions: a gap's k-th inserted word wins if a majority put it there.
        longest = max(len(a[1][position]) for a in alignments)
        for k in range(longest):
            votes = [a[1][position][k] if k < len(a[1][position]) else None for a in alignments]
            word = _majority(votes, quorum)
            if word:
                merged.append(word)
        if position < len(pivot):
            word = _majority([a[0][position] for a in alignments], quorum)
            if word:
                merged.append(word)
    return " ".join(merged)
