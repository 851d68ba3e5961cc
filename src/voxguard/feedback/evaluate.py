"""Measuring the assistant against what reviewers settled: ASR error rates and intent scores.

Figures come only from the curated set. Engines hear the anonymized review copy (the only
audio that may leave review), and every hypothesis goes through the same PII redaction as the
review draft before it is compared, so a name the device heard counts as a match for the
reviewers' ``[PERSON]`` rather than as an error, and no raw name reaches a report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from voxguard.audio import TARGET_RATE, decode_audio
from voxguard.db.models import Blob
from voxguard.db.session import Database
from voxguard.feedback.curated import SPLITS, CuratedClip, iter_curated
from voxguard.feedback.errors import HeldOutTooSmall, NothingCurated
from voxguard.feedback.metrics import confusion, edits, intent_scores, ratio_estimate
from voxguard.vault.service import Vault

DEVICE = "device"
Transcriber = Callable[[np.ndarray, int], str]
Progress = Callable[[int, int], None]
GROUPINGS = ("locale", "device type", "device confidence", "week")
WORST_CLIPS = 12


def confidence_bucket(confidence: float) -> str:
    for upper, name in ((0.4, "< 0.4"), (0.6, "0.4–0.6"), (0.8, "0.6–0.8")):
        if confidence < upper:
            return name
    return "≥ 0.8"


def groups_of(clip: CuratedClip) -> dict[str, str]:
    year, week, _ = clip.recorded_at.isocalendar()
    return {
        "locale": clip.locale,
        "device type": clip.device_type,
        "device confidence": confidence_bucket(clip.device_confidence),
        "week": f"{year}-W{week:02d}",
    }


def measured_on(splits: Sequence[str], clips: int, accounts: int) -> str:
    if tuple(splits) == ("test",):
        return (
            f"{clips} clips of {accounts} held-out accounts (the test split): no adapted model "
            "was built from them or from anyone else of these speakers"
        )
    return (
        f"{clips} curated clips of {accounts} accounts ({', '.join(splits)}); the device and the "
        "stock engines were not built from them"
    )


@dataclass
class ClipResult:
    clip: CuratedClip
    hypotheses: dict[str, str] = field(default_factory=dict)


def selected(
    db: Database, now: datetime, splits: Sequence[str], limit: int | None
) -> Iterable[CuratedClip]:
    for count, clip in enumerate(iter_curated(db, now, splits=tuple(splits)), start=1):
        yield clip
        if limit is not None and count >= limit:
            return


def _redactor() -> Callable[[str], str]:
    from voxguard.privacy.pii import get_detector

    detector = get_detector()
    return lambda text: detector.redact(text)[0] if text.strip() else ""


def _device_texts(db: Database, vault: Vault, clips: Sequence[CuratedClip]) -> list[str]:
    """The device's words, opened in one read only to go straight through the redaction."""
    with db.read() as session:
        return [
            vault.open_device_text(
                session, account_id=c.account_id, utterance_id=c.id, sealed=c.device_text_sealed
            )
            for c in clips
        ]


def _review_copy_audio(db: Database, vault: Vault, clip: CuratedClip) -> tuple[np.ndarray, int]:
    assert clip.review_copy_id is not None
    with db.read() as session:
        blob = session.get(Blob, clip.review_copy_id)
        assert blob is not None and blob.kind == "review_copy"  # never the original voice
        wav = vault.get(session, blob)
    return decode_audio(wav, max_duration_s=None).samples, TARGET_RATE


def transcribe_curated(
    db: Database,
    vault: Vault,
    clips: Iterable[CuratedClip],
    engines: dict[str, Transcriber],
    *,
    total: int | None = None,
    progress: Progress | None = None,
    redact: Callable[[str], str] | None = None,
) -> list[ClipResult]:
    """The device's text and each engine's transcript of the review copy, all redacted."""
    redact = redact or _redactor()
    results = []
    for done, clip in enumerate(clips, start=1):
        [device_text] = _device_texts(db, vault, [clip])
        result = ClipResult(clip, {DEVICE: redact(device_text)})
        if engines and clip.review_copy_id is not None:
            audio, rate = _review_copy_audio(db, vault, clip)
            for name, transcribe in engines.items():
                result.hypotheses[name] = redact(transcribe(audio, rate))
        results.append(result)
        if progress:
            progress(done, max(total or done, done))
    return results


def _require(results: Sequence[Any], splits: Sequence[str]) -> None:
    if results:
        return
    if tuple(splits) == ("test",):
        raise HeldOutTooSmall(
            "no curated clip of a held-out account yet (the test split is about 10 % of "
            "accounts): figures on training accounts would not be honest"
        )
    raise NothingCurated("the curated set has no clip to measure on")


def _wer_table(rows: Sequence[ClipResult], systems: Sequence[str]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for system in systems:
        scored = [r for r in rows if system in r.hypotheses]
        if not scored:
            continue
        counts = [edits(r.clip.text, r.hypotheses[system]) for r in scored]
        clusters = [r.clip.account_id for r in scored]
        wer = ratio_estimate([e.words for e in counts], [e.ref_words for e in counts], clusters)
        cer = ratio_estimate([e.chars for e in counts], [e.ref_chars for e in counts], clusters)
        table[system] = {"wer": wer.to_dict(), "cer": cer.to_dict()}
    return table


def asr_report_data(
    results: Sequence[ClipResult], splits: Sequence[str], systems: Sequence[str]
) -> dict[str, Any]:
    """WER and CER per system, overall and by group, with intervals, and the worst clips."""
    _require(results, splits)
    accounts = len({r.clip.account_id for r in results})
    by: dict[str, dict[str, Any]] = {}
    for grouping in GROUPINGS:
        members: dict[str, list[ClipResult]] = {}
        for r in results:
            members.setdefault(groups_of(r.clip)[grouping], []).append(r)
        by[grouping] = {name: _wer_table(rows, systems) for name, rows in sorted(members.items())}
    worst = sorted(
        results,
        key=lambda r: (-_clip_wer(r.clip.text, r.hypotheses.get(DEVICE, "")), r.clip.id),
    )[:WORST_CLIPS]
    return {
        "kind": "asr",
        "measured_on": measured_on(splits, len(results), accounts),
        "splits": list(splits),
        "clips": len(results),
        "accounts": accounts,
        "systems": list(systems),
        "overall": _wer_table(results, systems),
        "by": by,
        "worst": [
            {
                "clip": r.clip.id,
                "reference": r.clip.text,
                "hypotheses": r.hypotheses,
                "device_wer": round(_clip_wer(r.clip.text, r.hypotheses.get(DEVICE, "")), 3),
            }
            for r in worst
        ],
    }


def _clip_wer(reference: str, hypothesis: str) -> float:
    e = edits(reference, hypothesis)
    return e.words / e.ref_words if e.ref_words else float(e.words > 0)


def nlu_report_data(
    clips: Sequence[CuratedClip],
    splits: Sequence[str],
    predictions: dict[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """Intent accuracy and macro-F1 of the device (and of adapted classifiers), with intervals."""
    _require(clips, splits)
    systems: dict[str, Sequence[str]] = {
        DEVICE: [c.device_intent for c in clips],
        **(predictions or {}),
    }
    truth = [c.intent for c in clips]
    clusters = [c.account_id for c in clips]
    overall = {}
    for name, predicted in systems.items():
        accuracy, macro_f1 = intent_scores(truth, predicted, clusters)
        overall[name] = {"accuracy": accuracy.to_dict(), "macro_f1": macro_f1.to_dict()}
    by: dict[str, dict[str, Any]] = {}
    for grouping in ("locale", "device type"):
        members: dict[str, list[int]] = {}
        for i, clip in enumerate(clips):
            members.setdefault(groups_of(clip)[grouping], []).append(i)
        by[grouping] = {}
        for group, indexes in sorted(members.items()):
            by[grouping][group] = {}
            for name, predicted in systems.items():
                accuracy, macro_f1 = intent_scores(
                    [truth[i] for i in indexes],
                    [predicted[i] for i in indexes],
                    [clusters[i] for i in indexes],
                )
                by[grouping][group][name] = {
                    "accuracy": accuracy.to_dict(),
                    "macro_f1": macro_f1.to_dict(),
                }
    labels, matrix = confusion(truth, systems[DEVICE])
    return {
        "kind": "nlu",
        "measured_on": measured_on(splits, len(clips), len(set(clusters))),
        "splits": list(splits),
        "clips": len(clips),
        "accounts": len(set(clusters)),
        "systems": list(systems),
        "overall": overall,
        "by": by,
        "confusion": {"labels": labels, "matrix": matrix},
    }


__all__ = [
    "DEVICE",
    "GROUPINGS",
    "SPLITS",
    "ClipResult",
    "asr_report_data",
    "groups_of",
    "nlu_report_data",
    "selected",
    "transcribe_curated",
]


def count_selected(db: Database, now: datetime, splits: Sequence[str], limit: int | None) -> int:
    total = sum(1 for _ in selected(db, now, splits, limit))  # ids only pass through
    return total


def evaluate_asr(
    db: Database,
    vault: Vault,
    now: datetime,
    engines: dict[str, Transcriber],
    *,
    splits: Sequence[str] = SPLITS,
    limit: int | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    total = count_selected(db, now, splits, limit)
    results = transcribe_curated(
        db, vault, selected(db, now, splits, limit), engines, total=total, progress=progress
    )
    return asr_report_data(results, splits, [DEVICE, *engines])


def evaluate_nlu(
    db: Database,
    vault: Vault,
    now: datetime,
    classifiers: dict[str, Callable[[list[str]], list[str]]] | None = None,
    *,
    splits: Sequence[str] = SPLITS,
    limit: int | None = None,
    redact: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    """Device intents, and each classifier's, against the settled labels.

    A classifier reads what it would read in service: the device's transcript (redacted, as
    the curated transcripts it learnt from are), not the reviewers' text.
    """
    clips = list(selected(db, now, splits, limit))
    predictions: dict[str, Sequence[str]] = {}
    if classifiers and clips:
        redact = redact or _redactor()
        heard = [redact(text) for text in _device_texts(db, vault, clips)]
        predictions = {name: predict(heard) for name, predict in classifiers.items()}
    return nlu_report_data(clips, splits, predictions)
