"""envwarp's voice-source options (source.py): breathiness, H1 level, harmonic comb, voiced tilt."""

import dataclasses

import numpy as np
import pytest
import scipy.signal as ssig

from tests.privacy.test_anonymize import SR, speechlike, vowel
from voxguard.privacy.anonymize import EnvelopeWarpAnonymizer, get_anonymizer
from voxguard.privacy.anonymize.pitch import analyse
from voxguard.privacy.anonymize.pitchwarp import equaliser_db
from voxguard.privacy.anonymize.source import SourceParams, f0_and_voicing

# No envelope change at all: whatever differs from the input is the source change.
NO_ENV = {
    "warp_range": (1.0, 1.0),
    "min_abs_log_warp": 0.0,
    "wobble_range": (0.0, 0.0),
    "tilt_range": (0.0, 0.0),
    "ripple_db_range": (0.0, 0.0),
}


def _source_only(**source: tuple[float, float]) -> EnvelopeWarpAnonymizer:
    an = get_anonymizer("envwarp", **NO_ENV, **source)
    assert isinstance(an, EnvelopeWarpAnonymizer)
    return an


def _harmonic_db(y: np.ndarray, f0: float, harmonics: range) -> np.ndarray:
    """Level (dB) of each harmonic of the steady middle of a signal."""
    mid = y[len(y) // 4 : 3 * len(y) // 4].astype(np.float64)
    freqs, p = ssig.welch(mid, SR, nperseg=4096)
    return np.array([10 * np.log10(p[np.abs(freqs - k * f0) < f0 / 4].max()) for k in harmonics])


def _hnr_db(y: np.ndarray, f0: float, lo_hz: float, hi_hz: float) -> float:
    """Harmonic peaks against the valleys between them, averaged over a band (dB)."""
    mid = y[len(y) // 4 : 3 * len(y) // 4].astype(np.float64)
    freqs, p = ssig.welch(mid, SR, nperseg=4096)
    out = []
    for k in range(int(np.ceil(lo_hz / f0)), int(hi_hz / f0)):
        peak = p[np.abs(freqs - k * f0) < f0 / 4].max()
        valley = p[np.abs(freqs - (k + 0.5) * f0) < f0 / 8].mean()
        out.append(10 * np.log10(peak / valley))
    return float(np.mean(out))


@pytest.mark.parametrize("f0", [90.0, 150.0, 260.0])
def test_f0_and_voicing_track_a_vowel_and_reject_noise(f0: float) -> None:
    frames = analyse(vowel(seconds=1.0, f0=f0).astype(np.float64), SR)
    est, voicing = f0_and_voicing(np.abs(frames.spec) ** 2, SR)
    voiced = voicing > 0.5
    assert voiced.mean() > 0.8
    assert np.median(est[voiced]) == pytest.approx(f0, rel=0.04)
    noise = 0.1 * np.random.default_rng(1).standard_normal(SR)
    _, nv = f0_and_voicing(np.abs(analyse(noise, SR).spec) ** 2, SR)
    assert nv.mean() < 0.05


def test_no_source_change_is_the_identity() -> None:
    x = speechlike()
    np.testing.assert_allclose(_source_only()(x, SR, 0), x, atol=2e-6)
    assert not SourceParams().active


def test_breathiness_fills_the_gaps_between_harmonics_above_the_cutoff() -> None:
    """Fails if breathiness is disabled: the harmonics-to-noise ratio above the cutoff must fall,
    and below it stay."""
    x = vowel(seconds=1.5, formants=(700.0, 1800.0, 2800.0))
    an = _source_only(breath_range=(0.8, 0.8), breath_cutoff_hz_range=(1500.0, 1500.0))
    y = an(x, SR, 2)
    assert an.params_for(2).source.breath == pytest.approx(0.8)
    assert _hnr_db(x, 120.0, 2500.0, 3500.0) - _hnr_db(y, 120.0, 2500.0, 3500.0) > 10.0
    assert _hnr_db(x, 120.0, 200.0, 700.0) - _hnr_db(y, 120.0, 200.0, 700.0) < 3.0


def test_h1_and_the_comb_follow_the_pitch() -> None:
    """H1 goes up by about the drawn dB; the comb lifts even harmonics against odd ones, at the
    harmonics of whatever the F0 is (so no fixed filter can undo both voices at once)."""
    h = range(1, 9)
    for f0 in (110.0, 170.0):
        x = vowel(seconds=1.5, f0=f0)
        h1 = _harmonic_db(_source_only(h1_db_range=(9.0, 9.0))(x, SR, 1), f0, h)
        h1 -= _harmonic_db(x, f0, h)
        rel = h1 - h1[2:].mean()  # loudness matching moves every harmonic alike
        assert rel[0] == pytest.approx(9.0, abs=2.5)
        assert np.all(np.abs(rel[2:]) < 1.5)
        comb = _harmonic_db(_source_only(comb_db_range=(6.0, 6.0))(x, SR, 1), f0, h)
        comb -= _harmonic_db(x, f0, h)
        even, odd = comb[1::2].mean(), comb[0::2].mean()
        assert even - odd == pytest.approx(12.0, abs=3.5)


def test_voiced_tilt_leaves_unvoiced_frames_alone() -> None:
    rng = np.random.default_rng(4)
    noise = (0.1 * rng.standard_normal(SR)).astype(np.float32)
    x = np.concatenate([vowel(seconds=1.0), noise])
    y = _source_only(voiced_tilt_range=(-8.0, -8.0))(x, SR, 3).astype(np.float64)
    ratio = np.sqrt(np.mean(y[-SR // 2 :] ** 2) / np.mean(x[-SR // 2 :] ** 2))
    # Only the loudness matching (one factor for the whole signal) touches the noise half.
    gain = np.sqrt(np.mean(y[: SR // 2] ** 2) / np.mean(x[: SR // 2] ** 2))
    assert ratio != pytest.approx(gain, rel=0.1)
    f, px = ssig.welch(x[SR // 4 : 3 * SR // 4], SR, nperseg=1024)
    _, py = ssig.welch(y[SR // 4 : 3 * SR // 4], SR, nperseg=1024)
    d = 10 * np.log10(py / px)
    assert d[(f > 3000) & (f < 5000)].mean() - d[(f > 300) & (f < 600)].mean() < -15.0


def test_source_draws_follow_the_ranges_and_leave_the_envelope_draw_unchanged() -> None:
    plain = EnvelopeWarpAnonymizer()
    with_source = EnvelopeWarpAnonymizer(
        breath_range=(0.2, 0.6),
        breath_cutoff_hz_range=(1000.0, 2500.0),
        h1_db_range=(-10.0, 10.0),
        comb_db_range=(-8.0, 8.0),
        voiced_tilt_range=(-6.0, 6.0),
    )
    draws = [with_source.params_for(s) for s in range(200)]
    for s in range(20):
        assert dataclasses.replace(draws[s], source=SourceParams()) == plain.params_for(s)
    src = [d.source for d in draws]
    assert min(p.breath for p in src) >= 0.2 and max(p.breath for p in src) <= 0.6
    cut = np.array([p.breath_cutoff_hz for p in src])
    assert cut.min() >= 1000.0 and cut.max() <= 2500.0
    assert np.std([p.h1_db for p in src]) > 3.0 and np.std([p.comb_db for p in src]) > 2.0
    assert all(p.active for p in src)


def test_breath_noise_is_seeded() -> None:
    an = _source_only(breath_range=(0.5, 0.5))
    x = speechlike()
    np.testing.assert_array_equal(an(x, SR, 7), an(x, SR, 7))
    assert np.max(np.abs(an(x, SR, 7) - an(x, SR, 8))) > 1e-3


def test_source_ranges_are_checked() -> None:
    with pytest.raises(ValueError, match="breath_range"):
        get_anonymizer("envwarp", breath_range=(0.5, 1.2))
    with pytest.raises(ValueError, match="comb_db_range"):
        get_anonymizer("envwarp", comb_db_range=(8.0, -8.0))


def test_voiced_ripple_colours_voiced_frames_only_and_its_draw_keeps_a_floor() -> None:
    an = _source_only(
        voiced_ripple_db_range=(10.0, 10.0),
        voiced_tilt_range=(-8.0, 8.0),
        min_abs_voiced_tilt=5.0,
    )
    p = an.params_for(6).source
    assert p.voiced_ripple_db == 10.0 and len(p.voiced_ripple) == an.ripple_components
    assert all(abs(an.params_for(s).source.voiced_tilt_db_per_octave) >= 5.0 for s in range(50))
    rng = np.random.default_rng(5)
    noise = 0.1 * rng.standard_normal(SR)
    x = np.concatenate([vowel(seconds=1.0), noise]).astype(np.float32)
    y = an(x, SR, 6).astype(np.float64)

    def gain_db(part: slice) -> tuple[np.ndarray, np.ndarray]:
        f, px = ssig.welch(x[part], SR, nperseg=512)
        _, py = ssig.welch(y[part], SR, nperseg=512)
        return f, 10 * np.log10(py / px)

    band = slice(10, 200)  # 300 Hz - 6 kHz
    f, voiced = gain_db(slice(SR // 4, 3 * SR // 4))
    want = equaliser_db(p.voiced_tilt_db_per_octave, p.voiced_ripple, 10.0, f, SR)
    # The voiced half follows the drawn curve (up to the loudness factor) ...
    assert np.corrcoef(voiced[band], want[band])[0, 1] > 0.9
    # ... the noise half only gets the loudness factor: flat.
    _, unvoiced = gain_db(slice(SR + SR // 4, 2 * SR - SR // 4))
    assert np.std(unvoiced[band]) < 1.0
    with pytest.raises(ValueError, match="min_abs_voiced_tilt"):
        get_anonymizer("envwarp", voiced_tilt_range=(-2.0, 2.0), min_abs_voiced_tilt=5.0)
