"""The learned PII tagger: token features, and the trained CRF shipped with the package."""

from .features import FEATURE_VERSION, sentence_features
from .model import MODEL_NAME, MODEL_VERSION, PiiTagger, TaggerInfo, TaggerModelError

__all__ = [
    "FEATURE_VERSION",
    "MODEL_NAME",
    "MODEL_VERSION",
    "PiiTagger",
    "TaggerInfo",
    "TaggerModelError",
    "sentence_features",
]
