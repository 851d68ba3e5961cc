"""psola (exploration method): Praat's "Change gender" with random targets per utterance.

Praat comes from praat-parselmouth in the eval extra: without it these tests skip on a
developer's machine and fail under CI (tests.support.needs); the input checks and the
clear error for a missing Praat run either way.
"""

import sys
from types import ModuleType

import numpy as np
import pytest
import soundfile as sf

from tests.privacy.test_anonymize import (
    F0,
    FORMANTS,
    SR,
    assert_rejects_bad_input,
    formant_estimates,
    pitch_estimate,
    speechlike,
    vowel,
)
from tests.privacy.test_tdpsola import assert_pitch_moves_as_drawn, praat_f0_quantile
from tests.support import needs
from voxguard.privacy.anonymize import (
    EXPLORATION_METHODS,
    METHODS,
    AnonymizationError,
    Anonymizer,
    PsolaAnonymizer,
    get_anonymizer,
)


@pytest.fixture
def praat() -> ModuleType:
    return needs.module("parselmouth", "praat-parselmouth is not installed (the eval extra)")


def test_registered_for_exploration_only() -> None:
    """Built by name for the benchmark, but not offered as a service method."""
    assert "psola" in EXPLORATION_METHODS and "psola" not in METHODS
    an = get_anonymizer("psola", semitone_range=(2.0, 5.0))
    assert isinstance(an, PsolaAnonymizer) and isinstance(an, Anonymizer)
    assert an.name == "psola" and an.semitone_range == (2.0, 5.0)
    with pytest.raises(AnonymizationError, match="bad parameters"):
        get_anonymizer("psola", no_such_range=(1.0, 2.0))


@pytest.mark.parametrize("sr", [8000, 16000, 22050])
def test_same_length_float32_finite_and_peak(praat: ModuleType, sr: int) -> None:
    x = speechlike(sr, 1.3)
    x[100:140] = 1.0  # a clipped burst must not make the output clip
    y = get_anonymizer("psola")(x, sr, 3)
    assert y.shape == x.shape and y.dtype == np.float32
    assert np.all(np.isfinite(y))
    assert np.max(np.abs(y)) <= 0.99 + 1e-6
    assert np.sqrt(np.mean(y**2)) > 0.01


def test_deterministic_per_seed_and_seeds_differ(praat: ModuleType) -> None:
    an = get_anonymizer("psola")
    x = speechlike()
    np.testing.assert_array_equal(an(x, SR, 42), an(x, SR, 42))
    assert np.max(np.abs(an(x, SR, 42) - an(x, SR, 43))) > 1e-3


def test_silence_and_very_short_audio(praat: ModuleType) -> None:
    an = get_anonymizer("psola")
    y = an(np.zeros(SR, dtype=np.float32), SR, 1)
    assert y.shape == (SR,) and not np.any(y)
    # Shorter than Praat's pitch window: padded for the analysis, trimmed after.
    for n in (0, 1, 17, 200, 1700):
        x = (0.3 * np.sin(np.arange(n) / 3.0)).astype(np.float32)
        for sr in (8000, SR):
            y = an(x, sr, 5)
            assert y.shape == (n,) and y.dtype == np.float32 and np.all(np.isfinite(y))


def test_pitch_moves_as_drawn(praat: ModuleType) -> None:
    """The median F0 moves by the drawn semitones, up for some seeds and down for others."""
    assert pitch_estimate(vowel(seconds=1.0), SR) == pytest.approx(F0, rel=0.02)
    an = PsolaAnonymizer()
    assert all(3.0 <= abs(an.params_for(seed).semitones) <= 7.5 for seed in range(4))
    assert_pitch_moves_as_drawn(an)


@pytest.mark.parametrize("ratio", [1.2, 1 / 1.2])
def test_formants_move_by_the_ratio_and_pitch_stays(praat: ModuleType, ratio: float) -> None:
    an = PsolaAnonymizer(
        semitone_range=(0.0, 0.0),
        formant_ratio_range=(1.2, 1.2),
        pitch_range_factor_range=(1.0, 1.0),
    )
    seed = next(s for s in range(20) if an.params_for(s).formant_ratio == pytest.approx(ratio))
    y = an(vowel(seconds=1.0), SR, seed)
    assert pitch_estimate(y, SR) == pytest.approx(F0, rel=0.03)
    # F1 and F2 (the resonators are sharp; F3 may fall outside a 12-pole fit's bandwidth test).
    got = formant_estimates(y, SR)
    for want in FORMANTS[:2]:
        assert np.min(np.abs(got - want * ratio)) < 0.06 * want * ratio


def test_real_speech_where_praats_own_change_gender_never_returned(praat: ModuleType) -> None:
    """Praat's "Sound & Pitch: Change gender" spun forever on this clip (its pitch track dips to
    68 Hz) with these draws; psola's step-by-step Manipulation returns, and moves the median F0
    of real speech by the drawn semitones."""
    x, sr = sf.read(
        needs.shared("speechocean762-adults/SPEAKER0024/000240116.flac"), dtype="float32"
    )
    an = PsolaAnonymizer(
        semitone_range=(5.142, 5.142),
        formant_ratio_range=(1.2127, 1.2127),
        pitch_range_factor_range=(1.4908, 1.4908),
    )
    seed = next(
        s
        for s in range(50)
        if an.params_for(s).semitones > 0 and an.params_for(s).formant_ratio > 1
    )
    y = an(x, sr, seed)
    assert y.shape == x.shape and np.all(np.isfinite(y))
    assert praat_f0_quantile(y, sr, 0.5) == pytest.approx(
        praat_f0_quantile(x, sr, 0.5) * 2 ** (5.142 / 12), rel=0.05
    )


def test_bad_input_and_bad_ranges_raise() -> None:
    """Checked before Praat is needed, so these run without parselmouth too."""
    an = PsolaAnonymizer()
    assert_rejects_bad_input(an)
    with pytest.raises(AnonymizationError, match="seed"):
        an(np.zeros(100, dtype=np.float32), SR, True)
    # the ranges and the tilt are PsolaDraw's and tilt_spectrum's, shared with tdpsola and
    # tested with it (tests/privacy/test_tdpsola.py)
    with pytest.raises(AnonymizationError, match="formant_ratio_range"):
        PsolaAnonymizer(formant_ratio_range=(0.8, 1.2))
    with pytest.raises(AnonymizationError, match="min_pitch_hz"):
        PsolaAnonymizer(min_pitch_hz=400.0, max_pitch_hz=300.0)


def test_missing_praat_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules makes `import parselmouth` raise ImportError.
    monkeypatch.setitem(sys.modules, "parselmouth", None)
    with pytest.raises(AnonymizationError, match="praat-parselmouth"):
        PsolaAnonymizer()(speechlike(), SR, 1)
