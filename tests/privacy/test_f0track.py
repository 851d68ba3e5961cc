"""f0track: F0 and voicing per sample, as tdpsola's pitch marks need them."""

import numpy as np
import pytest
import soundfile as sf

from tests.privacy.test_anonymize import SR, vowel
from tests.support import needs
from voxguard.privacy.anonymize.f0track import pitch_track, voiced_runs


@pytest.mark.parametrize("f0", [90.0, 120.0, 220.0, 310.0, 450.0])
def test_steady_vowels_from_low_men_to_high_women(f0: float) -> None:
    """No octave error at either end of the range (a short window and a lag-boosting
    correction once put high voices an octave or more low)."""
    track = pitch_track(vowel(seconds=0.6, f0=f0).astype(np.float64), SR)
    inner = slice(int(0.1 * SR), int(0.5 * SR))
    assert track.voiced[inner].all()
    # the pulse train's period is a whole number of samples
    assert np.median(track.f0[inner]) == pytest.approx(SR / round(SR / f0), rel=0.02)


def test_silence_noise_and_a_quiet_tail_are_unvoiced() -> None:
    rng = np.random.default_rng(2)
    assert not pitch_track(np.zeros(SR), SR).voiced.any()
    assert pitch_track(0.1 * rng.standard_normal(SR), SR).voiced.mean() < 0.05
    # the same vowel 40 dB down after a loud one: background, under the silence gate
    loud = vowel(seconds=0.5).astype(np.float64)
    track = pitch_track(np.concatenate([loud, 0.01 * loud]), SR)
    assert track.voiced[int(0.1 * SR) : int(0.4 * SR)].all()
    assert not track.voiced[int(0.6 * SR) :].any()
    assert voiced_runs(track)[0][0] < int(0.05 * SR)


def test_short_input() -> None:
    for n in (0, 1, 17, 200):
        track = pitch_track(np.full(n, 0.1), SR)
        assert track.f0.shape == (n,) and track.voiced.shape == (n,)
        assert np.all(np.isfinite(track.f0))


@pytest.mark.parametrize(
    "clip",
    [
        "speechocean762-adults/SPEAKER0024/000240116.flac",  # a female speaker
        "speechocean762-adults/SPEAKER0739/007390072.flac",
    ],
)
def test_real_speech_agrees_with_praat(clip: str) -> None:
    """Praat's "To Pitch (ac)" as the reference: the voicing decisions agree on at least 90 %
    of its frames, and F0 within 7 % on 90 % of the frames both call voiced."""
    praat = needs.module("parselmouth", "praat-parselmouth is not installed (the dev extra)")
    x, sr = sf.read(needs.shared(clip), dtype="float64")
    pitch = praat.Sound(x, sampling_frequency=sr).to_pitch_ac(
        time_step=0.01, pitch_floor=60.0, pitch_ceiling=500.0
    )
    reference = pitch.selected_array["frequency"]
    at = np.clip((pitch.xs() * sr).astype(int), 0, x.size - 1)
    track = pitch_track(x, sr)
    assert np.mean(track.voiced[at] == (reference > 0)) >= 0.9
    both = track.voiced[at] & (reference > 0)
    ratio = track.f0[at][both] / reference[both]
    assert np.mean(np.abs(np.log(ratio)) < np.log(1.07)) >= 0.9
