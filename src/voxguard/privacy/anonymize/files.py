"""Anonymizing a folder of audio files, reproducibly."""

import hashlib
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from voxguard.audio import encode_wav_pcm16
from voxguard.audio import files as audio_files
from voxguard.privacy.anonymize.base import AnonymizationError, UnreadableAudioError
from voxguard.privacy.anonymize.registry import get_anonymizer


def file_seed(seed: int, stem: str) -> int:
    """Per-file seed from the run seed and the file's stem: stable across runs and machines."""
    digest = hashlib.sha256(f"voxguard-anonymize:{int(seed)}:{stem}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _list_inputs(in_dir: Path) -> list[Path]:
    try:
        return audio_files.list_audio_files(in_dir)
    except audio_files.DuplicateClipId as exc:  # both would be written as <stem>.wav
        raise AnonymizationError(str(exc)) from exc


def _check_readable(files: list[Path]) -> None:
    # Header check up front so a damaged file fails the run before any output is written.
    for path in files:
        audio_files.check_audio_file(path, error=UnreadableAudioError)


def anonymize_directory(
    in_dir: Path,
    out_dir: Path,
    method: str,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
    *,
    params: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Anonymizes every audio file of in_dir into out_dir/<stem>.wav (16-bit PCM, same rate).

    Files are processed in name order; each gets the seed file_seed(seed, stem), so a file's
    output depends only on its own content, stem, method and the run seed. An unreadable file
    stops the run with UnreadableAudioError naming it; nothing is skipped silently.
    progress(done, total) is called once before the first file and after each file.
    """
    anonymizer = get_anonymizer(method, **dict(params or {}))
    files = _list_inputs(Path(in_dir))
    _check_readable(files)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    total = len(files)
    if progress is not None:
        progress(0, total)
    written: list[Path] = []
    for done, path in enumerate(files, start=1):
        audio, rate = audio_files.read_audio_file(path, error=UnreadableAudioError)
        result = anonymizer(audio, rate, file_seed(seed, path.stem))
        target = out_dir / f"{path.stem}.wav"
        tmp = out_dir / f".{path.stem}.wav.partial"
        # Write then rename: an interrupted run never leaves a truncated file under the real name.
        tmp.write_bytes(encode_wav_pcm16(result, rate))
        os.replace(tmp, target)
        written.append(target)
        if progress is not None:
            progress(done, total)
    return written
