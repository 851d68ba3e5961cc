"""Drifting envelope warp: envwarp's phase-keeping formant warp and equaliser, changing in time.

envwarp draws one formant warp and one equaliser per utterance. An attacker who normalises the
channel (divides out each utterance's long-term average spectrum) removes a fixed equaliser
entirely, and with it most of envwarp's privacy. Here the parameters follow smooth random
trajectories inside the utterance instead: at "knots" every ``knot_seconds`` a new formant warp
(around a per-utterance centre), wobble, tilt and log-frequency ripple are drawn, and every STFT
frame cross-fades (raised cosine) between its two neighbouring knots. What an utterance-level
normalisation can remove is only the trajectory's average; the rest changes faster than it can
follow, which is what bench/privacy_eval.py's sliding-window attacker tests.

The signal path is envwarp's (reshape_envelope): per-frame LPC envelope moved along the frequency
axis and coloured, fine structure and phase kept, so bursts and fricatives stay sharp. An optional
pitch shift per utterance goes through WSOLA, as in envwarp.

Measured (bench/privacy_eval.py, speechocean762 tuning half; README, "Privacy that survives
channel normalisation"): drifting does NOT buy privacy that survives normalisation. The
drifting equaliser alone leaves 3.3 % lazy-informed EER after utterance-level normalisation
(22.5 % before): resemblyzer averages its 1.6 s partials and the time-varying part averages out.
A drifting warp did no better than a fixed one with the same ranges. The method stays registered
as that measured comparison, with its voicing gate (unvoiced_warp: fricatives keep their
spectra), whose word saving was inside the noise.
"""

import dataclasses
from dataclasses import dataclass

import numpy as np

from voxguard.privacy.anonymize import wsola
from voxguard.privacy.anonymize.base import (
    AnonymizationError,
    finalise_output,
    make_rng,
    validate_input,
)
from voxguard.privacy.anonymize.envwarp import (
    EnvWarpParams,
    draw_excluding,
    reshape_envelope,
    source_bins,
)
from voxguard.privacy.anonymize.pitch import analyse, ratio_fraction, stft_params
from voxguard.privacy.anonymize.pitchwarp import (
    check_range,
    check_ripple_components,
    check_semitone_band,
    check_warp_band,
    equaliser_db,
)


@dataclass(frozen=True)
class DriftWarpPlan:
    """One utterance's draw: the pitch shift, and the envelope settings at every knot."""

    semitones: float
    knots: tuple[EnvWarpParams, ...]
    knot_seconds: float

    def frame_weights(
        self, n_frames: int, hop: int, offset: int, sample_rate: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """For every frame: index of the knot before it and the raised-cosine weight of the next."""
        centres = (np.arange(n_frames) * hop - offset) / sample_rate
        pos = np.clip(centres / self.knot_seconds, 0.0, len(self.knots) - 1)
        j = np.minimum(pos.astype(np.int64), max(len(self.knots) - 2, 0))
        frac = pos - j
        return j, 0.5 - 0.5 * np.cos(np.pi * frac)


@dataclass(frozen=True)
class DriftWarpAnonymizer:
    """Formant warp and equaliser drifting along smooth random trajectories, phase kept."""

    name: str = "driftwarp"
    # Where the formants sit on average (x warp, log-uniform, |log warp| >= min_abs_log_warp) ...
    warp_range: tuple[float, float] = (0.88, 1.14)
    min_abs_log_warp: float = 0.05
    # ... and how far each knot moves them from there (log warp, uniform in +-warp_drift).
    warp_drift: float = 0.06
    wobble_range: tuple[float, float] = (-0.3, 0.3)
    # Formant contrast (peak-to-valley depth of the envelope, a bandwidth change), per knot.
    contrast_range: tuple[float, float] = (1.0, 1.0)
    # Drawn anew at every knot: what an utterance-level normalisation cannot take out. Milder
    # than envwarp's: a tilt that swings by 16 dB/octave within half a second fades fricatives
    # in and out and breaks a short word's loudness contour.
    tilt_range: tuple[float, float] = (-4.0, 4.0)
    ripple_db_range: tuple[float, float] = (6.0, 10.0)
    ripple_components: int = 6
    knot_seconds: float = 0.5
    # How much of the formant warp and contrast change reaches frames with little energy below
    # 1.5 kHz (fricatives, bursts): 1 = all of it, 0 = none, so /s/ and /sh/ keep their spectra.
    unvoiced_warp: float = 1.0
    semitone_range: tuple[float, float] = (0.0, 0.0)
    min_abs_semitones: float = 0.0

    def __post_init__(self) -> None:
        check_range(self.warp_range, "warp_range", 0.5, 2.0)
        check_warp_band(self.warp_range, self.min_abs_log_warp)
        if not 0.0 <= self.warp_drift <= 0.4:
            raise AnonymizationError(f"warp_drift must be in [0, 0.4], got {self.warp_drift}")
        check_range(self.wobble_range, "wobble_range", -0.9, 0.9)
        check_range(self.contrast_range, "contrast_range", 0.25, 2.0)
        check_range(self.tilt_range, "tilt_range", -12.0, 12.0)
        check_range(self.ripple_db_range, "ripple_db_range", 0.0, 24.0)
        check_ripple_components(self.ripple_components, 16)
        if not 0.1 <= self.knot_seconds <= 10.0:
            raise AnonymizationError(f"knot_seconds must be in [0.1, 10], got {self.knot_seconds}")
        if not 0.0 <= self.unvoiced_warp <= 1.0:
            raise AnonymizationError(f"unvoiced_warp must be in [0, 1], got {self.unvoiced_warp}")
        check_range(self.semitone_range, "semitone_range", -12.0, 12.0)
        check_semitone_band(self.semitone_range, self.min_abs_semitones)

    def plan_for(self, seed: int, seconds: float) -> DriftWarpPlan:
        """The draw for an utterance of ``seconds`` anonymized with ``seed``.

        Knots are drawn in order from one seeded generator, so a longer utterance with the same
        seed starts with the same trajectory.
        """
        rng = make_rng(seed)
        semitones = draw_excluding(rng, *self.semitone_range, self.min_abs_semitones)
        centre = draw_excluding(rng, *np.log(self.warp_range), self.min_abs_log_warp)
        n_knots = int(np.ceil(max(seconds, 0.0) / self.knot_seconds)) + 1
        knots = []
        for _ in range(n_knots):
            knots.append(
                EnvWarpParams(
                    warp=float(np.exp(centre + rng.uniform(-self.warp_drift, self.warp_drift))),
                    wobble=float(rng.uniform(*self.wobble_range)),
                    wobble_harmonic=int(rng.integers(1, 4)),
                    contrast=float(rng.uniform(*self.contrast_range)),
                    tilt_db_per_octave=float(rng.uniform(*self.tilt_range)),
                    ripple_db=float(rng.uniform(*self.ripple_db_range)),
                    ripple=tuple(
                        (float(rng.uniform(0.3, 1.0)), float(rng.uniform(0.0, 2.0 * np.pi)))
                        for _ in range(self.ripple_components)
                    ),
                )
            )
        return DriftWarpPlan(semitones, tuple(knots), self.knot_seconds)

    def __call__(self, audio: np.ndarray, sample_rate: int, seed: int) -> np.ndarray:
        x = validate_input(audio, sample_rate)
        if x.size == 0:
            return x.astype(np.float32)
        sr = int(sample_rate)
        plan = self.plan_for(seed, x.size / sr)
        ratio = float(ratio_fraction(2.0 ** (plan.semitones / 12.0)))
        y = drift_envelope(x, sr, plan, 1.0 / ratio, self.unvoiced_warp)
        if ratio != 1.0:
            # The envelope was warped to warp / ratio: resampling brings it to warp.
            y = wsola.pitch_shift(y, sr, ratio)
        return finalise_output(y, x)


def voicing(x: np.ndarray, sample_rate: int) -> np.ndarray:
    """Per STFT frame (analyse()'s grid), 0 for fricative-like to 1 for vowel-like: the share of
    the frame's energy below 1.5 kHz, mapped from [0.2, 0.7] onto [0, 1]."""
    spec = analyse(x, sample_rate).spec
    power = spec.real**2 + spec.imag**2
    freqs = np.fft.rfftfreq(2 * (spec.shape[1] - 1), 1.0 / sample_rate)
    low = power[:, freqs < 1500.0].sum(axis=1) / np.maximum(power.sum(axis=1), 1e-20)
    return np.clip((low - 0.2) / 0.5, 0.0, 1.0)


def drift_envelope(
    x: np.ndarray,
    sample_rate: int,
    plan: DriftWarpPlan,
    warp_scale: float = 1.0,
    unvoiced_warp: float = 1.0,
) -> np.ndarray:
    """reshape_envelope with every frame's warp and equaliser cross-faded between its knots."""
    n_fft, hop = stft_params(sample_rate)
    n_bins = n_fft // 2 + 1
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    knots = [dataclasses.replace(k, warp=k.warp * warp_scale) for k in plan.knots]
    src_k = np.stack([source_bins(k, n_bins) for k in knots])
    eq_k = np.stack(
        [
            equaliser_db(k.tilt_db_per_octave, k.ripple, k.ripple_db, freqs, sample_rate)
            for k in knots
        ]
    )
    # analyse() pads one window in front: frame m is centred n_fft / 2 samples before m * hop.
    n_frames = int(np.ceil((x.size + n_fft) / hop)) + 1
    j, w = plan.frame_weights(n_frames, hop, n_fft // 2, sample_rate)
    nxt = np.minimum(j + 1, len(knots) - 1)
    w = w[:, None]
    src = src_k[j] * (1.0 - w) + src_k[nxt] * w
    eq = eq_k[j] * (1.0 - w) + eq_k[nxt] * w
    contrast_k = np.array([k.contrast for k in knots])[:, None]
    contrast = contrast_k[j] * (1.0 - w) + contrast_k[nxt] * w
    if unvoiced_warp < 1.0:
        # Unvoiced frames get only the resampling compensation (warp_scale), not the warp.
        amount = (unvoiced_warp + (1.0 - unvoiced_warp) * voicing(x, sample_rate))[:, None]
        plain = source_bins(EnvWarpParams(warp=warp_scale), n_bins)[None]
        src = plain + amount * (src - plain)
        contrast = 1.0 + amount * (contrast - 1.0)
    return reshape_envelope(x, sample_rate, src, eq, contrast)
