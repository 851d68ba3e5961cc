"""Bulk import: a folder of audio files or a JSONL manifest, through the same upload service."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from voxguard.audio import DuplicateClipId, list_audio_files
from voxguard.config import Settings
from voxguard.db.session import Database
from voxguard.ingest.service import UploadRejected, ingest_upload
from voxguard.vault.service import Vault


class ManifestError(ValueError):
    pass


@dataclass
class ImportReport:
    stored: int = 0
    sampled: int = 0
    replayed: int = 0
    # Already present and never sampled: ingesting again does not decide again.
    replayed_unsampled: int = 0
    discarded: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ImportItem:
    label: str
    audio_path: Path
    metadata: dict[str, Any]


def _modified_at(path: Path) -> str:
    """When a file carries no recording time, its modification time stands in."""
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat()
    except OSError:
        return datetime.now(UTC).isoformat()


def _folder_items(folder: Path, defaults: dict[str, Any]) -> list[ImportItem]:
    try:
        paths = list_audio_files(folder)  # a file's stem is its utterance_id
    except DuplicateClipId as exc:
        raise ManifestError(f"{folder}: {exc}") from exc
    items = []
    for path in paths:
        meta = {"utterance_id": path.stem, "recorded_at": _modified_at(path), **defaults}
        items.append(ImportItem(path.name, path, meta))
    return items


def _manifest_items(manifest: Path, defaults: dict[str, Any]) -> list[ImportItem]:
    items = []
    with manifest.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                audio = entry.pop("audio")
            except (json.JSONDecodeError, AttributeError, KeyError) as exc:
                raise ManifestError(
                    f"{manifest}:{number}: each line must be a JSON object with an 'audio' path"
                ) from exc
            audio_path = Path(audio) if Path(audio).is_absolute() else manifest.parent / audio
            meta = {"recorded_at": _modified_at(audio_path), **defaults, **entry}
            items.append(ImportItem(f"{manifest.name}:{number}", audio_path, meta))
    return items


def plan_import(source: Path, defaults: dict[str, Any]) -> list[ImportItem]:
    if source.is_dir():
        return _folder_items(source, defaults)
    if source.is_file() and source.suffix.lower() in (".jsonl", ".ndjson"):
        return _manifest_items(source, defaults)
    raise ManifestError(f"{source}: give a folder of audio files or a .jsonl manifest")


def run_import(
    db: Database,
    vault: Vault,
    settings: Settings,
    items: list[ImportItem],
    *,
    token: str,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import every item; ``progress(done, total)`` is called after each one."""
    report = ImportReport()
    for done, item in enumerate(items, 1):
        if progress:
            progress(done - 1, len(items))
        try:
            audio = item.audio_path.read_bytes()
        except OSError as exc:
            report.rejected.append((item.label, f"cannot read {item.audio_path}: {exc.strerror}"))
            continue
        try:
            result = ingest_upload(
                db,
                vault,
                settings,
                token=token,
                metadata_raw=json.dumps(item.metadata).encode(),
                audio=audio,
            )
        except UploadRejected as exc:
            if exc.code in ("unauthorized",):
                raise
            report.rejected.append((item.label, f"{exc.code}: {exc.message}"))
            continue
        if not result.stored:
            report.discarded += 1
        elif not result.created:
            report.replayed += 1
            report.replayed_unsampled += int(not result.sampled)
        else:
            report.stored += 1
            report.sampled += int(result.sampled)
    if progress:
        progress(len(items), len(items))
    return report
