"""Error rates and intent scores with bootstrap 95 % intervals resampled by account.

Clips of one speaker are not independent (same voice, same habits), so intervals resample
whole accounts: an interval from resampled clips would be too narrow.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import jiwer
import numpy as np

from voxguard.asr.normalize import normalize_text
from voxguard.review.text import normalise

_TAG = re.compile(r"(\[[A-Z_]+\])")


def spoken(text: str) -> str:
    """Spoken form as the engines write it ("7:30" -> "seven thirty"), PII tags kept as tags."""
    parts = _TAG.split(text)
    return normalise(" ".join(p if _TAG.fullmatch(p) else normalize_text(p) for p in parts if p))


BOOTSTRAP_ROUNDS = 1_000
_SEED = 20_261_207  # fixed: the same data give the same interval


@dataclass(frozen=True)
class Edits:
    words: int  # substitutions + deletions + insertions
    ref_words: int
    chars: int
    ref_chars: int


def edits(reference: str, hypothesis: str) -> Edits:
    """Word and character edits of the spoken forms (lower case, numbers as words, tags kept)."""
    ref, hyp = spoken(reference), spoken(hypothesis)
    ref_words, ref_chars = len(ref.split()), len(ref)
    if not ref:
        return Edits(len(hyp.split()), 0, len(hyp), 0)
    if not hyp:
        return Edits(ref_words, ref_words, ref_chars, ref_chars)
    words = jiwer.process_words(ref, hyp)
    chars = jiwer.process_characters(ref, hyp)
    return Edits(
        words.substitutions + words.deletions + words.insertions,
        ref_words,
        chars.substitutions + chars.deletions + chars.insertions,
        ref_chars,
    )


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float
    clips: int
    accounts: int

    def to_dict(self) -> dict[str, float | int]:
        return {
            "value": round(self.value, 4),
            "low": round(self.low, 4),
            "high": round(self.high, 4),
            "clips": self.clips,
            "accounts": self.accounts,
        }


def _cluster_weights(clusters: Sequence[str], rounds: int) -> tuple[np.ndarray, np.ndarray]:
    """(replicate x account multiplicities, account index of each clip)."""
    names, index = np.unique(np.asarray(clusters), return_inverse=True)
    rng = np.random.default_rng(_SEED)
    draws = rng.multinomial(len(names), np.full(len(names), 1 / len(names)), size=rounds)
    return draws, index


def ratio_estimate(
    numerators: Sequence[float],
    denominators: Sequence[float],
    clusters: Sequence[str],
    rounds: int = BOOTSTRAP_ROUNDS,
) -> Estimate:
    """sum(numerators) / sum(denominators) (e.g. corpus WER) with an account-bootstrap interval."""
    num = np.asarray(numerators, dtype=float)
    den = np.asarray(denominators, dtype=float)
    total = den.sum()
    value = float(num.sum() / total) if total else 0.0
    accounts = len(set(clusters))
    if accounts < 2:
        return Estimate(value, value, value, len(num), accounts)
    draws, index = _cluster_weights(clusters, rounds)
    per_num = np.bincount(index, weights=num, minlength=draws.shape[1])
    per_den = np.bincount(index, weights=den, minlength=draws.shape[1])
    sample_den = draws @ per_den
    samples = np.divide(draws @ per_num, sample_den, out=np.zeros(rounds), where=sample_den > 0)
    low, high = np.percentile(samples, [2.5, 97.5])
    return Estimate(value, float(low), float(high), len(num), accounts)


def macro_f1_of(confusion: np.ndarray) -> float:
    """Macro-F1 over every class in the truth or the predictions (as scikit-learn averages)."""
    true_pos = np.diag(confusion)
    predicted = confusion.sum(axis=0)
    actual = confusion.sum(axis=1)
    present = (actual + predicted) > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(predicted + actual > 0, 2 * true_pos / (predicted + actual), 0.0)
    return float(f1[present].mean()) if present.any() else 0.0


def intent_scores(
    truth: Sequence[str],
    predicted: Sequence[str],
    clusters: Sequence[str],
    rounds: int = BOOTSTRAP_ROUNDS,
) -> tuple[Estimate, Estimate]:
    """(accuracy, macro-F1), each with an account-bootstrap interval."""
    labels = sorted(set(truth) | set(predicted))
    position = {label: i for i, label in enumerate(labels)}
    k = len(labels)
    cells = np.asarray(
        [position[t] * k + position[p] for t, p in zip(truth, predicted, strict=True)]
    )
    correct = np.asarray([t == p for t, p in zip(truth, predicted, strict=True)], dtype=float)
    accuracy = ratio_estimate(correct, np.ones_like(correct), clusters, rounds)
    full = np.bincount(cells, minlength=k * k).reshape(k, k)
    value = macro_f1_of(full)
    accounts = len(set(clusters))
    if accounts < 2:
        return accuracy, Estimate(value, value, value, len(cells), accounts)
    draws, index = _cluster_weights(clusters, rounds)
    samples = np.empty(rounds)
    for r in range(rounds):
        weights = draws[r][index]
        samples[r] = macro_f1_of(np.bincount(cells, weights=weights, minlength=k * k).reshape(k, k))
    low, high = np.percentile(samples, [2.5, 97.5])
    return accuracy, Estimate(value, float(low), float(high), len(cells), accounts)


def confusion(
    truth: Sequence[str], predicted: Sequence[str], top: int = 15
) -> tuple[list[str], list[list[int]]]:
    """The confusion matrix over the ``top`` most frequent true labels, the rest as "(other)"."""
    counts: dict[str, int] = {}
    for label in truth:
        counts[label] = counts.get(label, 0) + 1
    kept = sorted(counts, key=lambda label: (-counts[label], label))[:top]
    labels = [*kept, "(other)"] if len(counts) > top or set(predicted) - set(kept) else kept
    position = {label: i for i, label in enumerate(labels)}
    other = position.get("(other)")
    matrix = [[0] * len(labels) for _ in labels]
    for t, p in zip(truth, predicted, strict=True):
        row, col = position.get(t, other), position.get(p, other)
        if row is not None and col is not None:
            matrix[row][col] += 1
    return labels, matrix
