"""speechocean762-adults: the primary multi-speaker set of bench/privacy_eval.py.

100 real adult speakers (50 F / 50 M, non-native English) reading 10 sentences each. The speakers
are split BY SPEAKER into a tuning half and a held-out half: within each gender, speakers are
ordered by a SHA-256 of their id and dealt alternately, so each half has 25 F + 25 M and the
split never changes with the data's file order. Parameters are tuned on the tuning half only;
the held-out half is reported beside it.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

FOLDER = "speechocean762-adults"
HALVES = ("tune", "heldout")


@dataclass(frozen=True)
class Clip:
    path: Path
    speaker: str
    gender: str  # "F" or "M"
    text: str  # the prompt the speaker read (upper case)
    seconds: float


def _rank(speaker: str) -> str:
    return hashlib.sha256(f"speechocean-split/{speaker}".encode()).hexdigest()


def read_speakers(root: Path) -> dict[str, str]:
    """speaker id -> gender ("F"/"M")."""
    with (root / "speakers.tsv").open(newline="") as fh:
        return {row["speaker_id"]: row["gender"] for row in csv.DictReader(fh, delimiter="\t")}


def split_speakers(genders: dict[str, str]) -> dict[str, str]:
    """speaker id -> "tune" or "heldout", balanced within each gender, fixed by the ids alone."""
    out: dict[str, str] = {}
    for gender in sorted(set(genders.values())):
        ranked = sorted((s for s, g in genders.items() if g == gender), key=_rank)
        for i, speaker in enumerate(ranked):
            out[speaker] = HALVES[i % 2]
    return out


def read_clips(root: Path) -> dict[str, list[Clip]]:
    """speaker id -> clips in file order (utterance id)."""
    genders = read_speakers(root)
    by_speaker: dict[str, list[Clip]] = {}
    with (root / "transcripts.tsv").open(newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            speaker = row["speaker_id"]
            by_speaker.setdefault(speaker, []).append(
                Clip(
                    root / row["path"],
                    speaker,
                    genders[speaker],
                    row["text"],
                    float(row["duration_s"]),
                )
            )
    return {s: sorted(c, key=lambda c: c.path.name) for s, c in sorted(by_speaker.items())}


def half_speakers(root: Path, half: str, per_gender: int) -> list[str]:
    """The first `per_gender` speakers of each gender in one half (in split-rank order), so a
    --quick run uses a fixed sub-sample of the same half."""
    if half not in HALVES:
        raise ValueError(f"half must be one of {HALVES}, got {half!r}")
    genders = read_speakers(root)
    split = split_speakers(genders)
    chosen: list[str] = []
    for gender in ("F", "M"):
        ranked = sorted(
            (s for s, g in genders.items() if g == gender and split[s] == half), key=_rank
        )
        chosen += ranked[:per_gender]
    return chosen
