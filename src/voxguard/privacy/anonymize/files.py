"""Anonymizing a folder of audio files, reproducibly."""

import hashlib
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from voxguard.privacy.anonymize.base import AnonymizationError, UnreadableAudioError
from voxguard.privacy.anonymize.registry import get_anonymizer

AUDIO_SUFFIXES = frozenset({".wav", ".flac"})


def file_seed(seed: int, stem: str) -> int:
    """Per-file seed from the run seed and the file's stem: stable across runs and machines."""
    digest = hashlib.sha256(f"voxguard-anonymize:{int(seed)}:{stem}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def list_audio_files(in_dir: Path) -> list[Path]:
    """Every .wav/.flac directly inside in_dir (not recursive), sorted by name."""
    in_dir = Path(in_dir)
    if not in_dir.is_dir():
        raise NotADirectoryError(f"input folder does not exist or is not a folder: {in_dir}")
    files = sorted(
        p for p in in_dir.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES
    )
    seen: dict[str, Path] = {}
    for path in files:
        if path.stem in seen:
            raise AnonymizationError(
                f"{seen[path.stem].name} and {path.name} would both be written as "
                f"{path.stem}.wav; rename one of them"
            )
        seen[path.stem] = path
    return files


def read_mono(path: Path) -> tuple[np.ndarray, int]:
    """Decodes an audio file to float32 mono (channels averaged); UnreadableAudioError names it."""
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except Exception as exc:  # libsndfile raises several types for damaged or foreign files
        raise UnreadableAudioError(f"cannot read audio file {path}: {exc}") from exc
    if data.shape[1] == 0:
        raise UnreadableAudioError(f"cannot read audio file {path}: it has no channels")
    mono = data.mean(axis=1, dtype=np.float64)
    if not np.all(np.isfinite(mono)):
        raise UnreadableAudioError(f"cannot read audio file {path}: non-finite samples")
    return np.clip(mono, -1.0, 1.0).astype(np.float32), int(rate)


def _check_headers(files: list[Path]) -> None:
    # Header check up front so a damaged file fails the run before any output is written.
    for path in files:
        try:
            info = sf.info(str(path))
        except Exception as exc:
            raise UnreadableAudioError(f"cannot read audio file {path}: {exc}") from exc
        if info.channels < 1 or info.samplerate <= 0:
            raise UnreadableAudioError(
                f"cannot read audio file {path}: {info.channels} channels at {info.samplerate} Hz"
            )


def anonymize_directory(
    in_dir: Path,
    out_dir: Path,
    method: str,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
    *,
    params: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Anonymizes every .wav/.flac of in_dir into out_dir/<stem>.wav (16-bit PCM, same rate).

    Files are processed in name order; each gets the seed file_seed(seed, stem), so a file's
    output depends only on its own content, stem, method and the run seed. An unreadable file
    stops the run with UnreadableAudioError naming it; nothing is skipped silently.
    progress(done, total) is called once before the first file and after each file.
    """
    anonymizer = get_anonymizer(method, **dict(params or {}))
    files = list_audio_files(Path(in_dir))
    _check_headers(files)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    total = len(files)
    if progress is not None:
        progress(0, total)
    written: list[Path] = []
    for done, path in enumerate(files, start=1):
        audio, rate = read_mono(path)
        result = anonymizer(audio, rate, file_seed(seed, path.stem))
        target = out_dir / f"{path.stem}.wav"
        tmp = out_dir / f".{path.stem}.wav.partial"
        # Write then rename: an interrupted run never leaves a truncated file under the real name.
        sf.write(str(tmp), result, rate, subtype="PCM_16", format="WAV")
        os.replace(tmp, target)
        written.append(target)
        if progress is not None:
            progress(done, total)
    return written
