"""Audio files on disk: which files of a folder are audio, and reading one through the decoder.

Parts with their own error types (asr, privacy, ingest) wrap these errors in theirs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from voxguard.audio.decode import AudioLayout, AudioRejected, check_audio, decode_source

# What the decoder accepts, by the usual names; the bytes decide, the suffix only selects files.
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".opus", ".mp3")


class DuplicateClipId(ValueError):
    """Two audio files of one folder share a stem, which names the clip everywhere downstream."""


class UnreadableAudioFile(ValueError):
    """An audio file could not be read or decoded; the message names the file."""


def list_audio_files(folder: Path) -> list[Path]:
    """The audio files directly inside `folder` (not recursive), sorted by name.

    NotADirectoryError when `folder` is not a folder; DuplicateClipId when two files share a stem.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise NotADirectoryError(f"input folder does not exist or is not a directory: {folder}")
    files = sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES
    )
    seen: dict[str, Path] = {}
    for path in files:
        if path.stem in seen:
            raise DuplicateClipId(
                f"two audio files share the id {path.stem!r}: {seen[path.stem].name}, "
                f"{path.name}; rename one of them"
            )
        seen[path.stem] = path
    return files


def read_audio_file(
    path: Path, *, error: type[Exception] = UnreadableAudioFile
) -> tuple[np.ndarray, int]:
    """Decode a file to float32 mono in [-1, 1] at its own rate: (samples, sample_rate).

    A file that cannot be read or decoded raises `error` with a message naming it.
    """
    try:
        source = decode_source(Path(path).read_bytes(), max_duration_s=None)
    except (AudioRejected, OSError) as exc:
        raise error(f"cannot read audio file {path}: {_reason(exc)}") from exc
    samples = source.samples
    np.clip(samples, -1.0, 1.0, out=samples)
    return samples, source.layout.sample_rate


def check_audio_file(path: Path, *, error: type[Exception] = UnreadableAudioFile) -> AudioLayout:
    """Refuse a file read_audio_file would refuse from its headers, without decoding it."""
    try:
        return check_audio(Path(path).read_bytes())
    except (AudioRejected, OSError) as exc:
        raise error(f"cannot read audio file {path}: {_reason(exc)}") from exc


def _reason(exc: AudioRejected | OSError) -> str:
    return exc.strerror or str(exc) if isinstance(exc, OSError) else str(exc)
