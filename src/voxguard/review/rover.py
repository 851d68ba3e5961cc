"""Word-level majority merge of several transcripts (ROVER-style).

Every hypothesis is aligned to a pivot (the one closest to all others) by edit distance; each
pivot slot and each insertion gap then takes the word most hypotheses put there (a deletion
counts as a vote for nothing).
"""

from __future__ import annotations

from collections import Counter

from voxguard.review.text import normalise, wer

Alignment = tuple[list[str | None], list[list[str]]]  # per pivot word; insertions before slot i


def _align(pivot: list[str], hyp: list[str]) -> Alignment:
    n, m = len(pivot), len(hyp)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = i
    for j in range(m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i][j] = min(
                cost[i - 1][j - 1] + (pivot[i - 1] != hyp[j - 1]),
                cost[i - 1][j] + 1,
                cost[i][j - 1] + 1,
            )
    slots: list[str | None] = [None] * n
    inserts: list[list[str]] = [[] for _ in range(n + 1)]
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and cost[i][j] == cost[i - 1][j - 1] + (pivot[i - 1] != hyp[j - 1]):
            slots[i - 1] = hyp[j - 1]
            i, j = i - 1, j - 1
        elif i > 0 and cost[i][j] == cost[i - 1][j] + 1:
            slots[i - 1] = None
            i -= 1
        else:
            inserts[i].insert(0, hyp[j - 1])
            j -= 1
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
