"""tdpsola: Praat's "Change gender" steps on our own pitch marks (numpy and scipy only)."""

import numpy as np
import pytest
import scipy.signal as ssig
import soundfile as sf

from tests.privacy.test_anonymize import (
    F0,
    FORMANTS,
    SR,
    assert_rejects_bad_input,
    formant_estimates,
    pitch_estimate,
    speechlike,
    voiced,
    vowel,
)
from tests.support import needs
from voxguard.privacy.anonymize import (
    DEFAULT_METHOD,
    EXPLORATION_METHODS,
    METHODS,
    AnonymizationError,
    get_anonymizer,
)
from voxguard.privacy.anonymize.tdpsola import (
    PsolaDraw,
    PsolaParams,
    TdPsolaAnonymizer,
    change_voice,
    pitch_marks,
    pitch_track,
)


def test_the_default_service_method_needs_no_praat() -> None:
    """numpy and scipy only: the service's default, unlike Praat's psola."""
    assert "tdpsola" in METHODS and "tdpsola" not in EXPLORATION_METHODS
    assert DEFAULT_METHOD == "tdpsola"
    an = get_anonymizer("tdpsola", semitone_range=(2.0, 5.0))
    assert isinstance(an, TdPsolaAnonymizer) and an.semitone_range == (2.0, 5.0)
    with pytest.raises(AnonymizationError, match="bad parameters"):
        get_anonymizer("tdpsola", no_such_range=(1.0, 2.0))


def _glide(sr: int, seconds: float, f0_from: float, f0_to: float) -> tuple[np.ndarray, np.ndarray]:
    """A vowel whose pitch glides, and the sample of each of its glottal pulses."""
    n = int(sr * seconds)
    f0 = np.geomspace(f0_from, f0_to, n)
    phase = np.cumsum(f0 / sr)
    pulses_at = np.flatnonzero(np.diff(np.floor(phase)) > 0) + 1
    pulses = np.zeros(n)
    pulses[pulses_at] = 1.0
    return voiced(pulses, sr), pulses_at


def test_one_mark_per_period_at_the_same_phase_of_each() -> None:
    """Through a gliding pitch, each mark sits the same few samples from its pulse: PSOLA's
    grains are then cut at the same point of every period."""
    x, pulses_at = _glide(SR, 1.0, 100.0, 180.0)
    marks = pitch_marks(x, SR, pitch_track(x, SR)).at
    inner = pulses_at[(pulses_at > 0.1 * SR) & (pulses_at < 0.85 * SR)]
    nearest = marks[np.argmin(np.abs(marks[:, None] - inner[None, :]), axis=0)]
    offsets = nearest - inner
    assert np.unique(nearest).size == inner.size  # one mark per pulse, none shared
    assert np.ptp(offsets) <= 2 and np.all(np.abs(offsets) < 0.25 * SR / 180.0)


def test_no_marks_in_noise_and_silence() -> None:
    rng = np.random.default_rng(3)
    noise = 0.1 * rng.standard_normal(SR)
    assert pitch_marks(noise, SR, pitch_track(noise, SR)).at.size < 5
    silence = np.zeros(SR)
    assert pitch_marks(silence, SR, pitch_track(silence, SR)).at.size == 0


def test_noise_is_not_made_periodic() -> None:
    """Unvoiced stretches are cut where the time axis maps them, never repeated: stretched
    noise has no period for a listener (or an ASR) to hear as a buzz."""
    rng = np.random.default_rng(5)
    noise = 0.1 * rng.standard_normal(SR)
    for ratio in (0.75, 1.35):
        y = change_voice(noise, SR, PsolaParams(4.0, ratio, 1.0))
        ac = np.correlate(y, y, "full")[y.size - 1 :]
        lags = ac[int(0.002 * SR) : int(0.02 * SR)]
        assert np.max(np.abs(lags)) < 0.1 * ac[0]


def assert_pitch_moves_as_drawn(an: PsolaDraw) -> None:
    """The vowel's F0 moves by each seed's drawn semitones, up for some seeds, down for others
    (psola's test asks the same of Praat's)."""
    x = vowel(seconds=1.0)
    directions = set()
    for seed in range(4):
        params = an.params_for(seed)
        y = an(x, SR, seed)  # type: ignore[operator]
        assert pitch_estimate(y, SR) == pytest.approx(F0 * 2 ** (params.semitones / 12), rel=0.03)
        directions.add(np.sign(params.semitones))
    assert directions == {-1.0, 1.0}


def test_pitch_moves_as_drawn_both_ways() -> None:
    assert_pitch_moves_as_drawn(TdPsolaAnonymizer(tilt_range=(0.0, 0.0)))


@pytest.mark.parametrize("ratio", [1.2, 1 / 1.2])
def test_formants_move_by_the_ratio_and_pitch_stays(ratio: float) -> None:
    y = change_voice(vowel(seconds=1.0).astype(np.float64), SR, PsolaParams(0.0, ratio, 1.0))
    assert pitch_estimate(y, SR) == pytest.approx(F0, rel=0.03)
    got = formant_estimates(y, SR)
    for want in FORMANTS:
        assert np.min(np.abs(got - want * ratio)) < 0.03 * want * ratio


def praat_f0_quantile(y: np.ndarray, sr: int, quantile: float) -> float:
    """Praat's pitch quantile: a measurement that shares nothing with tdpsola's own tracker."""
    praat = needs.module("parselmouth", "praat-parselmouth is not installed (the dev extra)")
    pitch = praat.Sound(y.astype(np.float64), sampling_frequency=sr).to_pitch_ac(
        pitch_floor=50.0, pitch_ceiling=800.0
    )
    return float(praat.praat.call(pitch, "Get quantile", 0.0, 0.0, quantile, "Hertz"))


def _span_octaves(y: np.ndarray, sr: int) -> float:
    return float(np.log2(praat_f0_quantile(y, sr, 0.9) / praat_f0_quantile(y, sr, 0.1)))


def test_pitch_range_scales_the_excursion_around_the_median() -> None:
    """A glide of 100 -> 180 Hz with range factor 0.5 keeps its median and spans half the
    octaves."""
    x, _ = _glide(SR, 1.0, 100.0, 180.0)
    y = change_voice(x, SR, PsolaParams(0.0, 1.0, 0.5))
    assert _span_octaves(y, SR) == pytest.approx(_span_octaves(x, SR) / 2, rel=0.1)
    assert praat_f0_quantile(y, SR, 0.5) == pytest.approx(praat_f0_quantile(x, SR, 0.5), rel=0.03)


def test_real_speech_pitch_moves_by_the_draw() -> None:
    x, sr = sf.read(
        needs.shared("speechocean762-adults/SPEAKER0024/000240116.flac"), dtype="float32"
    )
    an = TdPsolaAnonymizer(
        semitone_range=(5.0, 5.0),
        formant_ratio_range=(1.2, 1.2),
        pitch_range_factor_range=(1.0, 1.0),
    )
    before = praat_f0_quantile(x, sr, 0.5)
    for seed in range(3):
        params = an.params_for(seed)
        y = an(x, sr, seed)
        assert y.shape == x.shape and np.all(np.isfinite(y))
        want = before * 2 ** (params.semitones / 12)
        assert praat_f0_quantile(y, sr, 0.5) == pytest.approx(want, rel=0.03)


@pytest.mark.parametrize("sr", [8000, 16000, 22050])
def test_same_length_float32_finite_and_peak(sr: int) -> None:
    x = speechlike(sr, 1.3)
    x[100:140] = 1.0
    y = get_anonymizer("tdpsola")(x, sr, 3)
    assert y.shape == x.shape and y.dtype == np.float32
    assert np.all(np.isfinite(y)) and np.max(np.abs(y)) <= 0.99 + 1e-6
    assert np.sqrt(np.mean(y**2)) > 0.01


def test_deterministic_per_seed_silence_and_short_input() -> None:
    an = get_anonymizer("tdpsola")
    x = speechlike()
    np.testing.assert_array_equal(an(x, SR, 42), an(x, SR, 42))
    assert np.max(np.abs(an(x, SR, 42) - an(x, SR, 43))) > 1e-3
    assert not np.any(an(np.zeros(SR, dtype=np.float32), SR, 1))
    for n in (0, 1, 17, 200, 1700):
        y = an((0.3 * np.sin(np.arange(n) / 3.0)).astype(np.float32), SR, 5)
        assert y.shape == (n,) and y.dtype == np.float32 and np.all(np.isfinite(y))


def test_tilt_colours_the_spectrum() -> None:
    def centroid(tilt: float) -> float:
        an = TdPsolaAnonymizer(tilt_range=(tilt, tilt))
        freqs, p = ssig.welch(an(speechlike(), SR, 7), SR, nperseg=1024)
        return float(np.sum(freqs * p) / np.sum(p))

    assert centroid(6.0) > centroid(0.0) + 200 > centroid(-6.0) + 400


def test_draws_stay_in_their_ranges_and_spread() -> None:
    an = TdPsolaAnonymizer()
    draws = [an.params_for(seed) for seed in range(200)]
    ratios = np.array([d.formant_ratio for d in draws])
    magnitude = np.exp(np.abs(np.log(ratios)))
    assert np.all((magnitude >= 1.18 - 1e-9) & (magnitude <= 1.4 + 1e-9))
    semitones = np.abs([d.semitones for d in draws])
    assert semitones.min() >= 5.0 and semitones.max() <= 10.0
    tilts = np.array([d.tilt_db_per_octave for d in draws])
    assert tilts.min() >= -9.0 and tilts.max() <= 9.0 and 0.3 < np.mean(tilts > 0) < 0.7
    assert 0.3 < np.mean(ratios > 1.0) < 0.7  # direction is a coin flip
    ranges = np.array([d.pitch_range_factor for d in draws])
    assert ranges.min() >= 0.6 and ranges.max() <= 1.5
    assert len({round(d.semitones, 6) for d in draws}) == 200


def test_bad_input_and_bad_ranges_raise() -> None:
    an = TdPsolaAnonymizer()
    assert_rejects_bad_input(an)
    with pytest.raises(AnonymizationError, match="seed"):
        an(np.zeros(100, dtype=np.float32), SR, True)
    with pytest.raises(AnonymizationError, match="formant_ratio_range"):
        TdPsolaAnonymizer(formant_ratio_range=(0.8, 1.2))
    with pytest.raises(AnonymizationError, match="semitone_range"):
        TdPsolaAnonymizer(semitone_range=(-3.0, 3.0))


def test_marks_stay_a_voice_period_apart_where_the_signal_says_little() -> None:
    """Each next mark is searched from three quarters of the last interval on; on this real
    clip the intervals once shrank towards nothing and the search never ended. They stay
    within the track's range of human voices (60-400 Hz)."""
    x, sr = sf.read(
        needs.shared("speechocean762-adults/SPEAKER0739/007390072.flac"), dtype="float64"
    )
    marks = pitch_marks(x, sr, pitch_track(x, sr))
    assert marks.at.size > 100
    assert np.all(np.diff(marks.at) >= 1)
    assert np.all(marks.periods >= sr / 400.0) and np.all(marks.periods <= sr / 60.0)
