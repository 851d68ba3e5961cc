"""The engine interface, result types and errors of the asr package."""

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

TARGET_RATE = 16_000  # both engines' models are trained on 16 kHz audio


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
