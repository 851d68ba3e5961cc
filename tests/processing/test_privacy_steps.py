"""The privacy steps on real speech: spoken digits are bleeped where they are said, and the
anonymized voice keeps its words by the ASR engine's own measure."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import resample_poly

from voxguard.asr import align, get_engine
from voxguard.config import Settings
from voxguard.demo.speech import synthesize
from voxguard.processing.pipeline import ReviewCopy
from voxguard.processing.steps import anonymize_voice, asr_draft, bleep_pii, pii_spans
from voxguard.review.text import wer

RATE = 16_000


def _speech(text: str, voice: str = "en+m1") -> np.ndarray:
    audio, rate = synthesize(text, voice)
    assert rate == 22_050
    return resample_poly(audio, 320, 441).astype(np.float32)


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(redaction_mode="tone", redaction_margin_s=0.05)


def test_spoken_phone_number_is_bleeped_at_the_right_time(settings: Settings) -> None:
    text = "please call five five five one two one two now"
    audio = _speech(text)
    copy = ReviewCopy(samples=audio, sample_rate=RATE, seed=1)
    for step in (asr_draft(settings), pii_spans, bleep_pii(settings)):
        copy = step(copy)
    assert "[PHONE_NUMBER]" in (copy.draft_text or "")
    assert not any(ch.isdigit() for ch in copy.draft_text or "")
    [span] = [s for s in copy.redactions if s["type"] == "PHONE_NUMBER"]
    # Independent timing: force-align the known text with pocketsphinx.
    words = align(audio, RATE, text)
    digits = [w for w in words if w.word in ("five", "one", "two")]
    first, last = digits[0].start, digits[-1].end
    covered = max(0.0, min(span["end"], last) - max(span["start"], first))
    assert covered >= 0.9 * (last - first), (span, first, last)
    assert span["start"] >= words[0].start - 0.2  # "please" is not wiped out
    # Inside the span: only the bleep tone remains.
    a, b = int(span["start"] * RATE) + 10, int(span["end"] * RATE) - 10
    spectrum = np.abs(np.fft.rfft(copy.samples[a:b]))
    assert abs(np.argmax(spectrum) * RATE / (b - a) - 1000) < 10
    # Outside the span the speech is untouched.
    np.testing.assert_array_equal(
        copy.samples[: int(span["start"] * RATE)], audio[: int(span["start"] * RATE)]
    )


def test_a_known_phrase_keeps_its_words_through_anonymization(settings: Settings) -> None:
    text = "please set an alarm for seven tomorrow morning"
    audio = _speech(text)
    engine = get_engine(settings.asr_engine)
    before = engine.transcribe(audio, RATE).text
    anonymize = anonymize_voice(settings)
    # Per-utterance random parameters: judge the typical draw (the median of three seeds),
    # since the evaluation shows about 1 % of draws lose a word or two.
    errors, heard = [], []
    for seed in (41, 42, 43):
        copy = anonymize(ReviewCopy(samples=audio, sample_rate=RATE, seed=seed))
        assert not np.allclose(copy.samples, audio, atol=1e-3)
        after = engine.transcribe(copy.samples, RATE).text
        errors.append(wer(before, after))
        heard.append(after)
    # Synthetic espeak speech suffers more than real speech (bench/privacy_eval.py measures
    # 7.7 % on LJ Speech); here a typical draw may lose at most three of eight words.
    assert sorted(errors)[1] <= 0.4, (before, heard)
    assert sum("alarm" in text for text in heard) >= 2, heard
