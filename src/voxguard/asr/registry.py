"""Engine lookup (one cached instance per process) and whole-directory transcription."""

import json
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from voxguard.asr.adaptation import AsrAdaptation
from voxguard.asr.base import (
    AsrEngine,
    AsrInputError,
    Transcript,
    UnknownEngineError,
    UnreadableAudioError,
)
from voxguard.audio import files as audio_files

DEFAULT_ENGINE = "whisper"
ENGINE_NAMES = ("whisper", "pocketsphinx")

_engines: dict[tuple[str, int | None, str | None], AsrEngine] = {}
_lock = threading.Lock()


def _build(name: str, cpu_threads: int | None, adaptation: AsrAdaptation | None) -> AsrEngine:
    if name == "whisper":
        from voxguard.asr.whisper import WhisperEngine

        return WhisperEngine(cpu_threads=cpu_threads, adaptation=adaptation)
    from voxguard.asr.sphinx import PocketSphinxEngine

    return PocketSphinxEngine(adaptation=adaptation)


def _adaptation_key(adaptation: AsrAdaptation | None) -> tuple[str, ...] | None:
    """Adaptations differ by directory and by what they set: candidates built in memory (``adapt
    asr`` trying Whisper vocabularies) share a directory."""
    if adaptation is None:
        return None
    a = adaptation
    return (str(a.directory), a.id, a.hotwords, a.initial_prompt)


def get_engine(
    name: str = DEFAULT_ENGINE,
    *,
    cpu_threads: int | None = None,
    adaptation: AsrAdaptation | None = None,
) -> AsrEngine:
    """The engine called `name` ("whisper" or "pocketsphinx"), loaded once per process.

    `cpu_threads` applies to whisper only (``Settings.asr_cpu_threads``; None: the usable cores,
    at most 4). `adaptation`: an adapted model (`voxguard adapt asr`) for the engine.
    Raises UnknownEngineError (a ValueError) for any other name.
    """
    if name not in ENGINE_NAMES:
        raise UnknownEngineError(
            f"unknown ASR engine {name!r}; choose one of: {', '.join(ENGINE_NAMES)}"
        )
    key = (
        name,
        cpu_threads if name == "whisper" else None,
        _adaptation_key(adaptation),
    )
    with _lock:  # also stops two threads from loading the same model at once
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = _build(name, cpu_threads, adaptation)
    return engine


def transcript_record(clip_id: str, transcript: Transcript) -> dict[str, object]:
    """The JSON object written per clip: {"id", "text", "words": [{"word", "start", "end"}]}."""
    return {
        "id": clip_id,
        "text": transcript.text,
        "words": [w.to_dict() for w in transcript.words],
    }


def list_audio_files(in_dir: Path) -> list[Path]:
    """The audio files directly inside `in_dir`, sorted by name; clip ids must be unique."""
    try:
        return audio_files.list_audio_files(in_dir)
    except (NotADirectoryError, audio_files.DuplicateClipId) as exc:
        raise AsrInputError(str(exc)) from exc


def read_audio(path: Path) -> tuple[np.ndarray, int]:
    """Decode an audio file to float32 mono; raise UnreadableAudioError naming it on failure."""
    return audio_files.read_audio_file(path, error=UnreadableAudioError)


def transcribe_directory(
    in_dir: Path,
    out_jsonl: Path,
    engine: str = DEFAULT_ENGINE,
    progress: Callable[[int, int], None] | None = None,
    *,
    cpu_threads: int | None = None,
) -> int:
    """Transcribe every audio file in `in_dir` (not recursive) into JSON lines at `out_jsonl`.

    Lines are in file-name order, one per clip: {"id": stem, "text", "words": [...]}. Returns the
    number of clips. `progress(done, total)` is called once with done=0, then after every clip.
    An undecodable file raises UnreadableAudioError naming it; nothing is skipped, and on any error
    `out_jsonl` is left untouched (results are written to a side file and renamed at the end).
    """
    out_jsonl = Path(out_jsonl)
    files = list_audio_files(Path(in_dir))
    asr = get_engine(engine, cpu_threads=cpu_threads)
    total = len(files)
    if progress is not None:
        progress(0, total)
    partial = out_jsonl.with_name(out_jsonl.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as out:
            for done, path in enumerate(files, start=1):
                audio, rate = read_audio(path)
                record = transcript_record(path.stem, asr.transcribe(audio, rate))
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                if progress is not None:
                    progress(done, total)
        partial.replace(out_jsonl)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return total
