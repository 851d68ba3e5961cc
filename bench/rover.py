"""ROVER merge: the library alignment against the hand-written one it replaced, in one run.

``review.rover.rover_merge`` aligns every hypothesis to a pivot with RapidFuzz's word-level
Levenshtein opcodes. The baseline, "hand-rolled DP", is the pure-Python edit-distance table with
its own back-trace that voxguard used before (kept here, verbatim, only to compare against).
Both merge the same hypotheses; the table reports, per error rate:

- merged WER against the reference (lower is better; the single hypotheses' WER beside it),
- how often the two merges are word-for-word identical,
- microseconds of CPU per alignment (the part replaced) and per whole merge (most of which is
  choosing the pivot); passes alternate between the two, the fastest counts.

Hypotheses are reviewers' transcripts simulated from real voice-assistant commands: SLURP devel
sentences from ../shared/data (or $VOXGUARD_SHARED_DATA) and the demo's own commands. Each
reviewer independently substitutes, deletes or inserts words (a third each) at the given rate,
with a fixed seed. Nothing is tuned on these sentences.

Run: ``.venv/bin/python bench/rover.py [--quick]``. Writes bench/results/rover-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jiwer
from rich.console import Console
from rich.table import Table

from pii_data import shared_data_dir  # type: ignore[import-not-found]  # bench/ is a folder of scripts
from voxguard.demo.scenario import COMMANDS
from voxguard.review import rover
from voxguard.review.text import normalise, wer

RESULTS = Path(__file__).resolve().parent / "results"
console = Console(width=None if sys.stdout.isatty() else 160)

# --- the baseline: the hand-rolled alignment rover.py had before ------------------------------

Alignment = tuple[list[str | None], list[list[str]]]


def _dp_align(pivot: list[str], hyp: list[str]) -> Alignment:
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


def baseline_merge(transcripts: list[str]) -> str:
    hyps = [normalise(t) for t in transcripts]
    if len(hyps) == 1:
        return hyps[0]
    pivot_text = min(hyps, key=lambda h: sum(wer(other, h) for other in hyps))
    pivot = pivot_text.split()
    alignments = [_dp_align(pivot, h.split()) for h in hyps]
    quorum = len(hyps) // 2 + 1

    def majority(votes: list[str | None]) -> str | None:
        word, count = Counter(votes).most_common(1)[0]
        return word if count >= quorum else None

    merged: list[str] = []
    for position in range(len(pivot) + 1):
        longest = max(len(a[1][position]) for a in alignments)
        for k in range(longest):
            votes = [a[1][position][k] if k < len(a[1][position]) else None for a in alignments]
            if word := majority(votes):
                merged.append(word)
        if position < len(pivot) and (word := majority([a[0][position] for a in alignments])):
            merged.append(word)
    return " ".join(merged)


# --- simulated reviewers ------------------------------------------------------------------------


def sentences() -> tuple[list[str], str]:
    found = [normalise(c.text) for c in COMMANDS]
    slurp = shared_data_dir() / "slurp" / "devel.jsonl"
    source = "demo commands"
    if slurp.exists():
        with slurp.open(encoding="utf-8") as fh:
            found += [normalise(json.loads(line)["sentence"]) for line in fh if line.strip()]
        source = "SLURP devel + demo commands"
    else:
        console.print(f"[yellow]{slurp} not found: demo commands only[/]")
    return [s for s in dict.fromkeys(found) if s], source


def reviewer(rng: random.Random, words: list[str], vocabulary: list[str], rate: float) -> str:
    out: list[str] = []
    for word in words:
        if rng.random() >= rate:
            out.append(word)
            continue
        kind = rng.randrange(3)
        if kind == 0:
            out.append(rng.choice(vocabulary))  # substitution
        elif kind == 2:
            out.extend([word, rng.choice(vocabulary)])  # insertion after the word
        # kind == 1: deletion
    return " ".join(out)


def hypothesis_sets(
    texts: list[str], rate: float, reviewers: int, seed: int
) -> list[tuple[str, list[str]]]:
    rng = random.Random(f"{seed}:{rate}:{reviewers}")
    vocabulary = sorted({w for t in texts for w in t.split()})
    return [
        (text, [reviewer(rng, text.split(), vocabulary, rate) for _ in range(reviewers)])
        for text in texts
    ]


def cpu_us(calls: list[Callable[[], int]], repeats: int) -> list[float]:
    """CPU µs per call of each function list entry: passes alternate between the entries, so a
    busy neighbour slows both alike; the fastest pass counts."""
    best = [float("inf")] * len(calls)
    for _ in range(repeats):
        for index, call in enumerate(calls):
            started = time.process_time()
            count = call()
            best[index] = min(best[index], (time.process_time() - started) / count * 1e6)
    return best


def _each(function: Callable[[Any], object], items: list[Any]) -> Callable[[], int]:
    """A pass of `function` over every item; returns how many calls it made."""

    def run() -> int:
        for item in items:
            function(item)
        return len(items)

    return run


def _pairs(sets: list[tuple[str, list[str]]]) -> list[tuple[list[str], list[str]]]:
    """(pivot, hypothesis) word lists, as rover_merge aligns them."""
    out = []
    for _, hyps in sets:
        texts = [normalise(h) for h in hyps]
        pivot = min(texts, key=lambda h: sum(wer(other, h) for other in texts)).split()
        out += [(pivot, t.split()) for t in texts]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="500 sentences, 3 timed passes")
    parser.add_argument("--reviewers", type=int, default=3, help="hypotheses per clip")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    texts, source = sentences()
    if args.quick:
        texts = texts[:500]
    repeats = 3 if args.quick else 7
    table = Table(title=f"ROVER merge of {args.reviewers} simulated reviewers, {len(texts)} "
                  f"sentences ({source})")  # fmt: skip
    for column in ("error rate", "single WER", "merged WER: baseline", "merged WER: library",
                   "identical merges", "µs/align: baseline", "µs/align: library",
                   "µs/merge: baseline", "µs/merge: library"):  # fmt: skip
        table.add_column(column, justify="right")
    rows = []
    for rate in (0.05, 0.1, 0.2, 0.3):
        sets = hypothesis_sets(texts, rate, args.reviewers, args.seed)
        refs = [ref for ref, _ in sets]
        singles = [h for _, hyps in sets for h in hyps]
        old = [baseline_merge(hyps) for _, hyps in sets]
        new = [rover.rover_merge(hyps) for _, hyps in sets]
        row = {
            "error_rate": rate,
            "single_wer": jiwer.wer([r for r, hs in sets for _ in hs], singles),
            "baseline_wer": jiwer.wer(refs, old),
            "library_wer": jiwer.wer(refs, new),
            "identical": sum(a == b for a, b in zip(old, new, strict=True)) / len(sets),
        }
        pairs = _pairs(sets)
        row["baseline_align_us"], row["library_align_us"] = cpu_us(
            [_each(lambda ph: _dp_align(*ph), pairs), _each(lambda ph: rover._align(*ph), pairs)],
            repeats,
        )
        merges = [hyps for _, hyps in sets]
        row["baseline_us"], row["library_us"] = cpu_us(
            [_each(baseline_merge, merges), _each(rover.rover_merge, merges)], repeats
        )
        rows.append(row)
        table.add_row(
            f"{rate:.0%}",
            f"{row['single_wer']:.4f}",
            f"{row['baseline_wer']:.4f}",
            f"{row['library_wer']:.4f}",
            f"{row['identical']:.1%}",
            f"{row['baseline_align_us']:.1f}",
            f"{row['library_align_us']:.1f}",
            f"{row['baseline_us']:.0f}",
            f"{row['library_us']:.0f}",
        )
    console.print(table)
    worse = [r for r in rows if r["library_wer"] > r["baseline_wer"] + 1e-9]
    slower = [r for r in rows if r["library_align_us"] > r["baseline_align_us"]]
    console.print(
        "verdict: "
        + (
            "no loss in merged WER"
            if not worse
            else f"[red]merged WER worse at {len(worse)} rates[/]"
        )
        + ", "
        + (
            "alignment never slower"
            if not slower
            else f"[red]alignment slower at {len(slower)} rates[/]"
        )
    )
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"rover-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps({"source": source, "sentences": len(texts),
                                "reviewers": args.reviewers, "seed": args.seed, "rows": rows},
                               indent=2))  # fmt: skip
    console.print(
        f"saved {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}"
    )
    return 0 if not worse and not slower else 1


if __name__ == "__main__":
    sys.exit(main())
