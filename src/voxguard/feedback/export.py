"""Exporting the curated set, with its lineage: the export row, the clips it holds, an audit event.

The files are written into a staging directory beside ``out`` while the curated set streams
past (a page of rows at a time, so memory stays flat however many clips there are); the export
row, its clip list and the audit event are then committed in one transaction, which also checks
that no exported clip left the curated set meanwhile, and the staging directory becomes ``out``.
Any failure leaves neither files nor rows behind.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, not_, select
from sqlalchemy.orm import Session

from voxguard import audit
from voxguard.db.base import new_id, utcnow
from voxguard.db.models import Account, Blob, ClipOutcome, Export, ExportClip, Utterance
from voxguard.db.session import Database
from voxguard.feedback.curated import (
    RULES_VERSION,
    SPLITS,
    CuratedClip,
    count_curated,
    curated,
    iter_curated,
)
from voxguard.feedback.errors import LineageChanged, NothingCurated, OutputUnusable, UnknownFormat
from voxguard.feedback.formats import AUDIO_CHOICES, FORMATS, open_writer
from voxguard.vault.service import Vault

Progress = Callable[[int, int], None]
_LINEAGE_ROWS = 1_000  # clip rows inserted per statement


@dataclass
class ExportResult:
    id: str
    out: Path
    format: str
    audio: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def clips(self) -> int:
        return sum(c["clips"] for c in self.counts.values())


@dataclass(frozen=True)
class ExportRequest:
    format: str
    audio: str
    out: Path
    actor: str
    purpose: str = "export"
    splits: tuple[str, ...] = SPLITS


def check_request(request: ExportRequest) -> None:
    if request.format not in FORMATS:
        raise UnknownFormat(
            f"unknown format {request.format!r}: choose one of {', '.join(FORMATS)}"
        )
    if request.audio not in AUDIO_CHOICES:
        raise UnknownFormat(
            f"unknown audio choice {request.audio!r}: choose one of {', '.join(AUDIO_CHOICES)}"
        )
    if request.format == "nemo" and request.audio == "none":
        raise UnknownFormat("a NeMo manifest lists audio files: use --audio anonymized")
    unknown = set(request.splits) - set(SPLITS)
    if unknown or not request.splits:
        raise UnknownFormat(f"unknown split(s) {sorted(unknown)}: choose from {', '.join(SPLITS)}")


@contextmanager
def staging_for(out: Path, export_id: str) -> Iterator[Path]:
    """A fresh directory beside ``out``; removed unless the caller moved it into place."""
    out = out.resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise OutputUnusable(f"{out} exists and is not an empty directory")
    staging = out.parent / f".{out.name}.{export_id}.partial"
    try:
        staging.mkdir(parents=True)
    except OSError as exc:
        raise OutputUnusable(f"cannot write to {out.parent}: {exc.strerror or exc}") from exc
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _review_copy(db: Database, vault: Vault, clip: CuratedClip) -> bytes:
    if clip.review_copy_id is None:
        raise LineageChanged(f"clip {clip.id} has no review copy any more; run the export again")
    with db.read() as session:
        blob = session.get(Blob, clip.review_copy_id)
        assert blob is not None and blob.kind == "review_copy"  # never the original
        return vault.get(session, blob)


def _still_curated_check(session: Session, export_id: str, now: datetime) -> None:
    """Every exported clip must still be curated as the lineage commits (an erasure may race)."""
    gone = session.execute(
        select(func.count())
        .select_from(ExportClip)
        .join(Utterance, Utterance.id == ExportClip.utterance_id)
        .join(ClipOutcome, ClipOutcome.utterance_id == Utterance.id)
        .join(Account, Account.id == Utterance.account_id)
        .where(ExportClip.export_id == export_id, not_(curated(now)))
    ).scalar_one()
    if gone:
        raise LineageChanged(
            f"{gone} clip(s) left the curated set during the export (erased, opted out or "
            "flagged); nothing was kept: run the export again"
        )


def _record_lineage(
    session: Session, request: ExportRequest, result: ExportResult, lineage: Path, now: datetime
) -> None:
    export = Export(
        id=result.id,
        created_at=now,
        actor=request.actor,
        format=request.format,
        audio=request.audio,
        filter={"rules_version": RULES_VERSION, "splits": list(request.splits)},
        counts={},
        clips=0,
        purpose=request.purpose,
        location=str(result.out),
    )
    session.add(export)
    session.flush()
    with lineage.open(encoding="utf-8") as rows:
        batch: list[dict[str, str]] = []
        for line in rows:
            clip_id, split = line.rstrip("\n").split("\t")
            batch.append({"export_id": result.id, "utterance_id": clip_id, "split": split})
            if len(batch) >= _LINEAGE_ROWS:
                session.execute(insert(ExportClip), batch)
                batch = []
        if batch:
            session.execute(insert(ExportClip), batch)
    _still_curated_check(session, result.id, now)
    # Counted here, not while streaming: memory stays flat however many accounts there are.
    per_split = session.execute(
        select(ExportClip.split, func.count(), func.count(func.distinct(Utterance.account_id)))
        .join(Utterance, Utterance.id == ExportClip.utterance_id)
        .where(ExportClip.export_id == result.id)
        .group_by(ExportClip.split)
    ).all()
    result.counts = {
        split: {"clips": clips, "accounts": accounts}
        for split, clips, accounts in sorted(per_split, key=lambda r: SPLITS.index(r[0]))
    }
    export.counts, export.clips = result.counts, result.clips
    audit.record(
        session,
        actor=request.actor,
        action="dataset.exported",
        target=f"export:{result.id}",
        details={
            "format": request.format,
            "audio": request.audio,
            "purpose": request.purpose,
            "clips": result.clips,
            "counts": result.counts,
            "rules_version": RULES_VERSION,
        },
    )


def run_export(
    db: Database,
    vault: Vault,
    request: ExportRequest,
    *,
    progress: Progress | None = None,
    on_clip: Callable[[CuratedClip], None] | None = None,
) -> ExportResult:
    """Write the curated set (the requested splits) to ``request.out`` and record its lineage.

    ``on_clip`` sees every exported clip (adaptation reads its training set from it).
    """
    check_request(request)
    now = utcnow()
    result = ExportResult(new_id(), request.out.resolve(), request.format, request.audio)
    with staging_for(request.out, result.id) as staging:
        total = count_curated(db, now)
        if progress:
            progress(0, total)
        lineage = staging / ".lineage.tsv"
        clips = dict.fromkeys(SPLITS, 0)
        writer = open_writer(request.format, staging, request.audio == "anonymized")
        seen = 0
        with lineage.open("w", encoding="utf-8") as lineage_rows:
            for clip in iter_curated(db, now):
                seen += 1
                if clip.split in request.splits:
                    wav = _review_copy(db, vault, clip) if request.audio == "anonymized" else None
                    writer.write(clip, wav)
                    lineage_rows.write(f"{clip.id}\t{clip.split}\n")
                    clips[clip.split] += 1
                    if on_clip:
                        on_clip(clip)
                if progress and (seen % 100 == 0 or seen == total):
                    progress(seen, max(total, seen))
        if not any(clips.values()):
            raise NothingCurated(
                "the curated set has no clip to export"
                + ("" if request.splits == SPLITS else f" in {', '.join(request.splits)}")
                + " (accepted or adjudicated clips of consenting accounts, never flagged, "
                "deleted, expired or gold); nothing was written"
            )
        writer.finish()
        with db.session() as session:
            _record_lineage(session, request, result, lineage, now)
            lineage.unlink()
            _write_card(staging, request, result, now)
            _move_into_place(staging, result.out)
            try:
                session.commit()
            except BaseException:
                shutil.rmtree(result.out, ignore_errors=True)
                raise
    return result


def _move_into_place(staging: Path, out: Path) -> None:
    try:
        if out.exists():
            out.rmdir()  # checked empty before the export started
        staging.rename(out)
    except OSError as exc:
        raise OutputUnusable(f"cannot move the export into {out}: {exc.strerror or exc}") from exc


def _write_card(staging: Path, request: ExportRequest, result: ExportResult, now: datetime) -> None:
    card: dict[str, Any] = {
        "export_id": result.id,
        "created_at": now.isoformat(),
        "format": request.format,
        "audio": (
            "anonymized review copies (voice transformed, spoken PII bleeped); never the original"
            if request.audio == "anonymized"
            else "none"
        ),
        "splits": result.counts,
        "split_rule": "by account: no speaker is in two splits; an account keeps its split",
        "curated_rules_version": RULES_VERSION,
        "fields": {
            "text": "settled transcript (spoken form; PII as tags such as [PERSON])",
            "intent": "settled intent",
            "method": "agreement | rover | lead (how reviewers settled it)",
        },
    }
    (staging / "voxguard_export.json").write_text(json.dumps(card, indent=2) + "\n")
