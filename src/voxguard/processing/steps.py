"""The privacy steps, in their fixed order, that turn an original into a review copy.

ASR draft with word times -> PII spans -> bleeped audio -> anonymized voice. The redacted draft
and the redacted time spans travel on the ``ReviewCopy``; the pipeline stores them.
"""

from __future__ import annotations

from voxguard.asr import Transcript, get_engine
from voxguard.asr.adaptation import configured_adaptation
from voxguard.config import Settings
from voxguard.privacy.anonymize import get_anonymizer
from voxguard.privacy.pii import get_detector
from voxguard.privacy.redaction import TimeSpan, bleep, merge_spans
from voxguard.processing.pipeline import ReviewCopy, Step, normalise_level


def asr_draft(settings: Settings) -> Step:
    engine = get_engine(
        settings.asr_engine,
        cpu_threads=settings.asr_cpu_threads,
        adaptation=configured_adaptation(settings),  # an adapted model, if the settings choose one
    )

    def step(copy: ReviewCopy) -> ReviewCopy:
        transcript = engine.transcribe(copy.samples, copy.sample_rate)
        return copy.with_(notes={**copy.notes, "transcript": transcript, "engine": engine.name})

    return step


def pii_spans(copy: ReviewCopy) -> ReviewCopy:
    transcript: Transcript = copy.notes["transcript"]  # type: ignore[assignment]
    redacted, spans = get_detector().redact(transcript.text)
    times = [
        TimeSpan(transcript.words[s.word_start].start, transcript.words[s.word_end - 1].end, s.type)
        for s in spans
        if s.word_end > s.word_start
    ]
    return copy.with_(draft_text=redacted, notes={**copy.notes, "pii_times": times})


def bleep_pii(settings: Settings) -> Step:
    def step(copy: ReviewCopy) -> ReviewCopy:
        duration = len(copy.samples) / copy.sample_rate
        spans = merge_spans(copy.notes.get("pii_times", []), settings.redaction_margin_s, duration)  # type: ignore[arg-type]
        samples = bleep(copy.samples, copy.sample_rate, spans, mode=settings.redaction_mode)
        return copy.with_(samples=samples, redactions=[s.to_dict() for s in spans])

    return step


def anonymize_voice(settings: Settings) -> Step:
    anonymizer = get_anonymizer(settings.anonymization_method)

    def step(copy: ReviewCopy) -> ReviewCopy:
        samples = anonymizer(copy.samples, copy.sample_rate, copy.seed)
        return copy.with_(samples=samples, notes={**copy.notes, "anonymizer": anonymizer.name})

    return step


def privacy_steps(settings: Settings) -> tuple[Step, ...]:
    """The review-copy steps in the order DESIGN.md fixes."""
    return (
        asr_draft(settings),
        pii_spans,
        bleep_pii(settings),
        anonymize_voice(settings),
        normalise_level,
    )
