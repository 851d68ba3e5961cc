"""The trained PII tagger (a linear-chain CRF, python-crfsuite) shipped inside the package.

``model/pii-tagger-v<N>.crfsuite`` is rebuilt deterministically by ``bench/train_pii_tagger.py``;
``model/pii-tagger-v<N>.json`` records how (corpus, seed, parameters), the feature version it was
trained on, its SHA-256 and that of the name gazetteer beside it
(``pii-tagger-v<N>-names.json.gz``), and the probability thresholds (set from the cost of a miss,
shown on the tuning split). Nothing is ever downloaded: a missing or altered file is an error.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from voxguard.privacy.pii.lexicon import Lexicon

from .features import FEATURE_VERSION, sentence_features
from .names import Gazetteer

MODEL_VERSION = 5
MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_NAME = f"pii-tagger-v{MODEL_VERSION}"
OUTSIDE = "O"


class TaggerModelError(RuntimeError):
    """The shipped tagger model is missing, altered, or was trained on other features."""


@dataclass(frozen=True)
class TaggerInfo:
    version: int
    feature_version: int
    sha256: str
    # A word is PII when the tagger gives it at least this probability of not being "O".
    threshold: float
    labels: tuple[str, ...]
    names_sha256: str
    # A word right next to a name the tagger found joins it from this lower probability on.
    extend_threshold: float
    # A word that is not an everyday English word (``Lexicon.not_everyday``) is PII from this
    # lower probability on: bleeping it costs the reviewer little of the request.
    rare_word_threshold: float


def read_info(model_dir: Path = MODEL_DIR, name: str = MODEL_NAME) -> TaggerInfo:
    meta_path = model_dir / f"{name}.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        return TaggerInfo(
            int(meta["version"]),
            int(meta["feature_version"]),
            str(meta["sha256"]),
            float(meta["threshold"]),
            tuple(meta["labels"]),
            str(meta["names_sha256"]),
            float(meta["extend_threshold"]),
            float(meta["rare_word_threshold"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TaggerModelError(f"PII tagger metadata {meta_path} unreadable: {exc}") from exc


class PiiTagger:
    """Per-word PII probabilities from the shipped CRF. Thread-safe (one lock around crfsuite)."""

    def __init__(
        self, lexicon: Lexicon, model_dir: Path = MODEL_DIR, name: str = MODEL_NAME
    ) -> None:
        import pycrfsuite

        self.info = read_info(model_dir, name)
        path = model_dir / f"{name}.crfsuite"
        if self.info.feature_version != FEATURE_VERSION:
            raise TaggerModelError(
                f"PII tagger {path} was trained on features v{self.info.feature_version}, "
                f"this code makes v{FEATURE_VERSION}: rebuild it with bench/train_pii_tagger.py"
            )
        names_path = model_dir / f"{name}-names.json.gz"
        names_bytes = b""
        for file, want in ((path, self.info.sha256), (names_path, self.info.names_sha256)):
            try:
                data = file.read_bytes()
            except OSError as exc:
                raise TaggerModelError(f"PII tagger file {file} missing: {exc}") from exc
            digest = hashlib.sha256(data).hexdigest()
            if digest != want:
                raise TaggerModelError(
                    f"PII tagger file {file} has SHA-256 {digest}, expected {want}"
                )
            names_bytes = data
        self.gazetteer = Gazetteer.from_bytes(names_bytes)
        self.lexicon = lexicon
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(path))
        self._types = sorted({label[2:] for label in self.info.labels if label != OUTSIDE})
        self._lock = threading.Lock()

    @property
    def threshold(self) -> float:
        return self.info.threshold

    @property
    def extend_threshold(self) -> float:
        return self.info.extend_threshold

    def probabilities(
        self,
        words: Sequence[str],
        rule_types: Sequence[str | None] | None = None,
        entity_labels: Sequence[str | None] | None = None,
        read_as_names: Sequence[bool] | None = None,
    ) -> list[dict[str, float]]:
        """For each word, the probability of each PII type (B- and I- marginals added)."""
        if not words:
            return []
        features = sentence_features(
            words, self.lexicon, rule_types, self.gazetteer, entity_labels, read_as_names
        )
        with self._lock:
            self._tagger.set(features)
            labels = set(self._tagger.labels())
            return [
                {
                    typ: sum(
                        self._tagger.marginal(f"{bio}-{typ}", k)
                        for bio in ("B", "I")
                        if f"{bio}-{typ}" in labels
                    )
                    for typ in self._types
                }
                for k in range(len(words))
            ]

    def tag(
        self,
        words: Sequence[str],
        rule_types: Sequence[str | None] | None = None,
        entity_labels: Sequence[str | None] | None = None,
        read_as_names: Sequence[bool] | None = None,
    ) -> list[tuple[str | None, float]]:
        """(type, probability) per word: the likeliest type when the word is PII with at least
        its cut (``cut_for``), else (None, that probability)."""
        out: list[tuple[str | None, float]] = []
        for word, as_name, probs in zip(
            words,
            _in_full_names(read_as_names or [False] * len(words)),
            self.probabilities(words, rule_types, entity_labels, read_as_names),
            strict=True,
        ):
            pii = sum(probs.values())
            best = max(probs, key=probs.__getitem__) if probs else None
            cut = self.cut_for(word, as_name)
            out.append((best, pii) if best is not None and pii >= cut else (None, pii))
        return out

    def cut_for(self, word: str, in_full_name: bool = False) -> float:
        """The probability from which ``word`` is PII: ``rare_word_threshold`` for a word that
        is no everyday English word or that spaCy reads as part of a full name in its sentence
        (``_in_full_names``): a bleep there costs the reviewer little of the request, a miss
        leaks a name. ``threshold`` for the others."""
        if in_full_name or self.lexicon.not_everyday(word):
            return self.info.rare_word_threshold
        return self.info.threshold


def _in_full_names(read_as_names: Sequence[bool]) -> list[bool]:
    """Words read as a name together with a neighbour ("bob dean", "kat slater"). One ordinary
    word capitalised is often read as a name on its own ("Pick up the laundry", "will it Snow"),
    so a word read alone keeps the ordinary cut (the reading is still one of its features)."""
    n = len(read_as_names)
    return [
        read and ((k > 0 and read_as_names[k - 1]) or (k + 1 < n and read_as_names[k + 1]))
        for k, read in enumerate(read_as_names)
    ]
