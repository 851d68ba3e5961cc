"""Dataset writers, one per export format, each streaming: a clip in, its row out.

Every writer writes only the exported fields (clip id, split, settled transcript and intent,
locale, device type, duration, review method) and, when asked, the anonymized review copy.
Never the device's raw text, the account, the device or the original voice.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Protocol

from voxguard.audio import TARGET_RATE
from voxguard.feedback.curated import SPLITS, CuratedClip
from voxguard.feedback.errors import UnknownFormat

FORMATS = ("nemo", "hf", "parquet", "csv", "jsonl")
AUDIO_CHOICES = ("anonymized", "none")
COLUMNS = ("id", "split", "text", "intent", "locale", "device_type", "duration_s", "method")
SAMPLE_RATE = TARGET_RATE  # review copies are 16 kHz mono PCM16 WAV
_BATCH_ROWS = 500  # Parquet row group; bounds what a writer holds
_SHARD_ROWS = 20_000  # rows per Parquet file (a few hundred MB with audio)


def record_of(clip: CuratedClip) -> dict[str, Any]:
    return {
        "id": clip.id,
        "split": clip.split,
        "text": clip.text,
        "intent": clip.intent,
        "locale": clip.locale,
        "device_type": clip.device_type,
        "duration_s": round(clip.duration_s, 3),
        "method": clip.method,
    }


def audio_path(clip: CuratedClip) -> str:
    return f"audio/{clip.split}/{clip.id}.wav"


class DatasetWriter(Protocol):
    def write(self, clip: CuratedClip, wav: bytes | None) -> None: ...

    def finish(self) -> None:
        """Complete the files (called once, only when every clip was written)."""
        ...


class _PerSplitText:
    """One open text file per split, opened on its first row (no empty files)."""

    def __init__(self, root: Path, name: Callable[[str], str]) -> None:
        self.root, self._name = root, name
        self.files: dict[str, IO[str]] = {}

    def file(self, split: str) -> IO[str]:
        handle = self.files.get(split)
        if handle is None:
            handle = self.files[split] = (self.root / self._name(split)).open(
                "w", encoding="utf-8", newline=""
            )
        return handle

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


def _write_wav(root: Path, clip: CuratedClip, wav: bytes | None) -> str | None:
    if wav is None:
        return None
    relative = audio_path(clip)
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(wav)
    return relative


class JsonlWriter:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.out = _PerSplitText(root, lambda split: f"{split}.jsonl")

    def write(self, clip: CuratedClip, wav: bytes | None) -> None:
        row = record_of(clip)
        relative = _write_wav(self.root, clip, wav)
        if relative:
            row["audio"] = relative
        self.out.file(clip.split).write(json.dumps(row, ensure_ascii=False) + "\n")

    def finish(self) -> None:
        self.out.close()


class CsvWriter:
    def __init__(self, root: Path, with_audio: bool) -> None:
        self.root = root
        self.columns = (*COLUMNS, "audio") if with_audio else COLUMNS
        self.out = _PerSplitText(root, lambda split: f"{split}.csv")
        self.writers: dict[str, Any] = {}

    def write(self, clip: CuratedClip, wav: bytes | None) -> None:
        writer = self.writers.get(clip.split)
        if writer is None:
            writer = self.writers[clip.split] = csv.DictWriter(
                self.out.file(clip.split), fieldnames=self.columns
            )
            writer.writeheader()
        row = record_of(clip)
        relative = _write_wav(self.root, clip, wav)
        if relative:
            row["audio"] = relative
        writer.writerow(row)

    def finish(self) -> None:
        self.out.close()


class NemoWriter:
    """NeMo ASR manifests: ``{split}_manifest.json``, a JSON object per line; paths relative."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.out = _PerSplitText(root, lambda split: f"{split}_manifest.json")

    def write(self, clip: CuratedClip, wav: bytes | None) -> None:
        relative = _write_wav(self.root, clip, wav)
        line = {
            "audio_filepath": relative,
            "duration": round(clip.duration_s, 3),
            "text": clip.text,
            "intent": clip.intent,
            "id": clip.id,
        }
        self.out.file(clip.split).write(json.dumps(line, ensure_ascii=False) + "\n")

    def finish(self) -> None:
        self.out.close()


class ParquetWriter:
    """``{split}/part-NNNNN.parquet`` shards; audio as Hugging Face's Audio storage struct."""

    def __init__(self, root: Path, with_audio: bool) -> None:
        import pyarrow as pa

        self.pa = pa
        self.root = root
        fields = [
            pa.field("id", pa.string()),
            pa.field("split", pa.string()),
            pa.field("text", pa.string()),
            pa.field("intent", pa.string()),
            pa.field("locale", pa.string()),
            pa.field("device_type", pa.string()),
            pa.field("duration_s", pa.float64()),
            pa.field("method", pa.string()),
        ]
        if with_audio:
            fields.append(
                pa.field("audio", pa.struct([("bytes", pa.binary()), ("path", pa.string())]))
            )
        self.schema = pa.schema(fields)
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.writers: dict[str, Any] = {}
        self.shard_rows: dict[str, int] = {}
        self.shards: dict[str, int] = {}
        self.files: list[Path] = []

    def write(self, clip: CuratedClip, wav: bytes | None) -> None:
        row = record_of(clip)
        if wav is not None:
            row["audio"] = {"bytes": wav, "path": f"{clip.id}.wav"}
        batch = self.rows.setdefault(clip.split, [])
        batch.append(row)
        if len(batch) >= _BATCH_ROWS:
            self._flush(clip.split)

    def _flush(self, split: str) -> None:
        import pyarrow.parquet as pq

        batch = self.rows.get(split)
        if not batch:
            return
        if self.shard_rows.get(split, 0) >= _SHARD_ROWS:
            self.writers.pop(split).close()
            self.shard_rows[split] = 0
        writer = self.writers.get(split)
        if writer is None:
            number = self.shards.get(split, 0)
            self.shards[split] = number + 1
            path = self.root / split / f"part-{number:05d}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = self.writers[split] = pq.ParquetWriter(path, self.schema, compression="zstd")
            self.files.append(path)
        writer.write_table(self.pa.Table.from_pylist(batch, schema=self.schema))
        self.shard_rows[split] = self.shard_rows.get(split, 0) + len(batch)
        self.rows[split] = []

    def finish(self) -> None:
        for split in list(self.rows):
            self._flush(split)
        for writer in self.writers.values():
            writer.close()
        self.writers.clear()


class HfWriter:
    """A Hugging Face ``DatasetDict`` (``save_to_disk``), built offline from Parquet shards."""

    def __init__(self, root: Path, with_audio: bool) -> None:
        self.root, self.with_audio = root, with_audio
        self.work = root / ".parquet"
        self.parquet = ParquetWriter(self.work, with_audio)

    def write(self, clip: CuratedClip, wav: bytes | None) -> None:
        self.parquet.write(clip, wav)

    def finish(self) -> None:
        self.parquet.finish()
        datasets = import_datasets_offline()
        features = {
            "id": datasets.Value("string"),
            "split": datasets.Value("string"),
            "text": datasets.Value("string"),
            "intent": datasets.Value("string"),
            "locale": datasets.Value("string"),
            "device_type": datasets.Value("string"),
            "duration_s": datasets.Value("float64"),
            "method": datasets.Value("string"),
        }
        if self.with_audio:
            features["audio"] = datasets.Audio(sampling_rate=SAMPLE_RATE)
        parts = {}
        for split in SPLITS:
            files = sorted(str(p) for p in (self.work / split).glob("*.parquet"))
            if files:
                parts[split] = datasets.Dataset.from_parquet(
                    files,
                    features=datasets.Features(features),
                    cache_dir=str(self.root / ".hf-cache"),
                )
        datasets.DatasetDict(parts).save_to_disk(str(self.root))
        del parts  # release the memory-mapped cache before it is removed
        shutil.rmtree(self.work)
        shutil.rmtree(self.root / ".hf-cache", ignore_errors=True)


def import_datasets_offline() -> Any:
    """``datasets`` with every hub call switched off (no network at run time)."""
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ["HF_HUB_OFFLINE"] = "1"
    import datasets

    datasets.disable_progress_bars()  # the CLI has its own
    return datasets


def open_writer(fmt: str, root: Path, with_audio: bool) -> DatasetWriter:
    if fmt == "jsonl":
        return JsonlWriter(root)
    if fmt == "csv":
        return CsvWriter(root, with_audio)
    if fmt == "nemo":
        return NemoWriter(root)
    if fmt == "parquet":
        return ParquetWriter(root, with_audio)
    if fmt == "hf":
        return HfWriter(root, with_audio)
    raise UnknownFormat(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
