"""driftwarp: envwarp's envelope warp and equaliser, drifting inside the utterance."""

import numpy as np
import pytest
import scipy.signal as ssig

from tests.privacy.test_anonymize import FORMANTS, SR, formant_estimates, vowel
from voxguard.privacy.anonymize import AnonymizationError, DriftWarpAnonymizer, get_anonymizer
from voxguard.privacy.anonymize.pitchwarp import equaliser_db

# Only the drifting equaliser: no formant warp, so the output / input spectrum is the equaliser.
EQ_ONLY = {
    "warp_range": (1.0, 1.0),
    "min_abs_log_warp": 0.0,
    "warp_drift": 0.0,
    "wobble_range": (0.0, 0.0),
    "knot_seconds": 1.0,
}


def _noise(seconds: float) -> np.ndarray:
    return (0.1 * np.random.default_rng(3).standard_normal(int(SR * seconds))).astype(np.float32)


def _gain_db(x: np.ndarray, y: np.ndarray, start_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Output / input power spectrum (dB) of a 0.25 s stretch starting at start_s."""
    a, b = int(start_s * SR), int((start_s + 0.25) * SR)
    freqs, px = ssig.welch(x[a:b], SR, nperseg=512)
    _, py = ssig.welch(y[a:b], SR, nperseg=512)
    return freqs, 10 * np.log10(py / px)


def test_the_equaliser_follows_its_knots_in_time() -> None:
    """Around each knot the output is coloured by that knot's equaliser, and the knots differ:
    a single utterance-wide equaliser (what channel normalisation removes) would fail this."""
    an = get_anonymizer("driftwarp", **EQ_ONLY)
    x = _noise(4.0)
    y = an(x, SR, 5).astype(np.float64)
    plan = an.plan_for(5, x.size / SR)
    assert len(plan.knots) == 5
    band = slice(10, 200)  # 300 Hz - 6 kHz
    measured = []
    for k in (1, 2, 3):
        freqs, gain = _gain_db(x, y, k - 0.125)
        knot = plan.knots[k]
        want = equaliser_db(knot.tilt_db_per_octave, knot.ripple, knot.ripple_db, freqs, SR)
        # Loudness matching shifts every frequency alike: compare shapes, not levels.
        got = gain[band] - gain[band].mean()
        want = want[band] - want[band].mean()
        assert np.corrcoef(got, want)[0, 1] > 0.9
        measured.append(got)
    # The colouring changes by many dB from one knot to the next.
    assert np.std(measured[0] - measured[1]) > 3.0
    assert np.std(measured[1] - measured[2]) > 3.0


def test_the_formant_warp_drifts_around_its_centre() -> None:
    an = DriftWarpAnonymizer(
        warp_range=(0.85, 0.85),
        min_abs_log_warp=0.0,
        warp_drift=0.12,
        wobble_range=(0.0, 0.0),
        tilt_range=(0.0, 0.0),
        ripple_db_range=(0.0, 0.0),
        knot_seconds=1.0,
    )
    # A seed whose middle knot sits well away from both of its neighbours.
    seed = next(
        s
        for s in range(100)
        for w in [[k.warp for k in an.plan_for(s, 4.0).knots]]
        if min(abs(np.log(w[2] / w[1])), abs(np.log(w[2] / w[3]))) > 0.1
    )
    warps = [k.warp for k in an.plan_for(seed, 4.0).knots]
    y = an(vowel(seconds=4.0), SR, seed).astype(np.float64)
    f1 = {}
    for k in (1, 2, 3):
        part = y[int((k - 0.3) * SR) : int((k + 0.3) * SR)]
        f1[k] = formant_estimates(part, SR)[0]
        assert f1[k] == pytest.approx(FORMANTS[0] * warps[k], rel=0.06)
    # F1 moves by 10 % or more from one second to the next: the warp is not one per utterance.
    assert abs(np.log(f1[2] / f1[1])) > 0.07 and abs(np.log(f1[2] / f1[3])) > 0.07


def test_plans_are_seeded_stay_in_range_and_extend_with_the_length() -> None:
    an = DriftWarpAnonymizer()
    plans = [an.plan_for(s, 3.0) for s in range(200)]
    assert an.plan_for(7, 3.0) == plans[7]
    assert all(len(p.knots) == 7 for p in plans)  # every 0.5 s from 0 to 3 s
    centres = np.array([np.mean(np.log([k.warp for k in p.knots])) for p in plans])
    # The per-utterance centre keeps away from the identity warp on both sides.
    assert np.mean(centres > 0) == pytest.approx(0.5, abs=0.12)
    assert np.mean(np.abs(centres) > 0.02) > 0.9
    log_warps = np.log([k.warp for p in plans for k in p.knots])
    lo, hi = np.log(an.warp_range)
    assert log_warps.min() >= lo - an.warp_drift and log_warps.max() <= hi + an.warp_drift
    tilts = np.array([k.tilt_db_per_octave for p in plans for k in p.knots])
    assert tilts.min() >= an.tilt_range[0] and tilts.max() <= an.tilt_range[1]
    # A longer utterance with the same seed starts on the same trajectory.
    assert an.plan_for(7, 6.0).knots[:7] == plans[7].knots


def test_pitch_shift_option_moves_the_pitch() -> None:
    from tests.privacy.test_anonymize import F0, pitch_estimate

    an = get_anonymizer("driftwarp", **EQ_ONLY, semitone_range=(3.0, 3.0))
    y = an(vowel(seconds=1.5), SR, 2)
    assert pitch_estimate(y, SR) == pytest.approx(F0 * 2 ** (3 / 12), rel=0.04)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"warp_range": (1.2, 1.1)}, "warp_range"),
        ({"warp_range": (0.95, 1.05), "min_abs_log_warp": 0.2}, "min_abs_log_warp"),
        ({"warp_drift": 0.5}, "warp_drift"),
        ({"knot_seconds": 0.0}, "knot_seconds"),
        ({"unvoiced_warp": 1.5}, "unvoiced_warp"),
        ({"ripple_components": 0}, "ripple_components"),
        ({"tilt_range": (-20.0, 0.0)}, "tilt_range"),
        ({"semitone_range": (-2.0, 2.0), "min_abs_semitones": 3.0}, "min_abs_semitones"),
    ],
)
def test_bad_parameters_are_rejected(params: dict, match: str) -> None:
    with pytest.raises(AnonymizationError, match=match):
        get_anonymizer("driftwarp", **params)


def test_unvoiced_warp_zero_leaves_fricatives_and_warps_vowels() -> None:
    plain = {
        "warp_range": (0.8, 0.8),
        "min_abs_log_warp": 0.0,
        "warp_drift": 0.0,
        "wobble_range": (0.0, 0.0),
        "tilt_range": (0.0, 0.0),
        "ripple_db_range": (0.0, 0.0),
    }
    gated = get_anonymizer("driftwarp", **plain, unvoiced_warp=0.0)
    everywhere = get_anonymizer("driftwarp", **plain)
    hiss = ssig.lfilter(*ssig.butter(4, 3500, "high", fs=SR), _noise(1.5)).astype(np.float32)

    def centroid(y: np.ndarray) -> float:
        f, p = ssig.welch(y, SR, nperseg=512)
        return float((f * p).sum() / p.sum())

    # An /s/-like hiss keeps its spectrum when gated, and moves down with the warp otherwise.
    assert centroid(gated(hiss, SR, 1)) == pytest.approx(centroid(hiss), rel=0.01)
    assert centroid(everywhere(hiss, SR, 1)) < 0.95 * centroid(hiss)
    # A vowel is warped either way.
    f1 = formant_estimates(gated(vowel(seconds=1.5), SR, 1), SR)[0]
    assert f1 == pytest.approx(FORMANTS[0] * 0.8, rel=0.06)
