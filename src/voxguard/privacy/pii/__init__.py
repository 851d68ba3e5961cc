"""Spoken-form PII detection for lower-case, unpunctuated assistant transcripts.

``PiiDetector.detect`` returns disjoint spans with original character offsets and original word
indices (over ``text.split()``), so each span can be bleeped by word timings.
"""

from .engine import (
    SPACY_MODEL,
    InvalidInputError,
    PiiDetector,
    SpacyModelMissingError,
    get_detector,
    redact_jsonl,
    warm_up_in_background,
)
from .entities import ALL_TYPES
from .merge import PiiSpan
from .numbers import NormalisedText, normalise

__all__ = [
    "ALL_TYPES",
    "SPACY_MODEL",
    "InvalidInputError",
    "NormalisedText",
    "PiiDetector",
    "PiiSpan",
    "SpacyModelMissingError",
    "get_detector",
    "normalise",
    "redact_jsonl",
    "warm_up_in_background",
]
