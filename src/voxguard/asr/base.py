"""The engine interface, result types and errors of the asr package."""

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from voxguard.audio import to_target_rate


@dataclass(frozen=True)
class Word:
    """One spoken-form word with its time span in seconds from the start of the clip."""

    word: str
    start: float
    end: float

    def to_dict(self) -> dict[str, str | float]:
        return {"word": self.word, "start": round(self.start, 3), "end": round(self.end, 3)}


@dataclass(frozen=True)
class Transcript:
    """Spoken-form text (lower-case, no punctuation, numbers as words) and its timed words.

    `text` is always `" ".join(w.word for w in words)`, so a character span of `text` maps to words.
    """

    text: str
    words: list[Word]
    engine: str


@runtime_checkable
class AsrEngine(Protocol):
    name: str

    def transcribe(self, audio: np.ndarray, sample_rate: int) -> Transcript:
        """Transcribe float32 mono audio at any sample rate (resampled to 16 kHz internally)."""
        ...


class AsrError(Exception):
    """Base class of every error raised by the asr package."""


class AsrInputError(AsrError, ValueError):
    """Bad input: wrong audio shape or rate, missing directory, duplicate clip ids, bad text."""


class UnknownEngineError(AsrInputError):
    """`get_engine` was asked for an engine name that does not exist."""


class UnreadableAudioError(AsrInputError):
    """An audio file could not be decoded; the message names the file."""


class AlignmentError(AsrInputError):
    """The text could not be force-aligned to the audio (it probably does not match)."""


class ModelIntegrityError(AsrError, RuntimeError):
    """An installed model file is missing or its SHA-256 differs from the pinned value."""


def to_16k_mono(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Check an engine's input and resample it to 16 kHz (float32, clipped to [-1, 1])."""
    if not isinstance(audio, np.ndarray):
        raise AsrInputError(f"audio must be a numpy array, got {type(audio).__name__}")
    if audio.ndim != 1:
        raise AsrInputError(f"audio must be mono (1-D), got shape {audio.shape}")
    if not isinstance(sample_rate, int | np.integer) or sample_rate <= 0:
        raise AsrInputError(f"sample_rate must be a positive integer, got {sample_rate!r}")
    x = np.asarray(audio, dtype=np.float32)
    if x.size and not np.isfinite(x).all():
        raise AsrInputError("audio contains NaN or infinite samples")
    return np.clip(to_target_rate(x, int(sample_rate)), -1.0, 1.0)
