"""Source-filter anonymizer: random pitch shift of the LPC residual, random envelope warp, McAdams.

One LPC analysis separates the voice into an excitation (the residual, carrying pitch) and a
spectral envelope (the all-pole filter, carrying formants). The two are changed independently,
with parameters drawn per utterance from a seeded generator:

* pitch: the residual is pitch-shifted by a random number of semitones (phase vocoder + polyphase
  resampling), so the new pitch does not drag the formants along;
* envelope: each complex pole's angle goes through a piecewise-linear vocal-tract-length warp
  (factor beta), a monotone sinusoidal "wobble" that moves neighbouring formants by different
  amounts, and the McAdams power (alpha); pole radii are raised to a random power (formant
  bandwidth), and the shifted residual is filtered through the new all-pole filter with a random
  spectral tilt.

Because a same-speaker pair of utterances gets independent draws, an attacker who anonymizes
their enrolment audio the same way still compares two different random voices. Every extra
random direction (wobble, tilt) raised that attacker's error more than widening one range did;
the compound formant shift is bounded (max_formant_ratio) because unbounded draws that moved F1
by up to 2x made Whisper fail outright on a few per cent of utterances.

Measured at the defaults (resemblyzer on FSDD: 6 speakers x 16 three-second utterances of six
digits, upsampled to 16 kHz; Whisper tiny.en agreement with its own transcript of the original on
32 LJ Speech clips x 3 seeds): lazy-informed EER 30 %, ignorant EER 21 %, agreement WER 8 %.
McAdams alone, alpha 0.8 fixed / drawn from [0.75, 0.9]: lazy-informed EER 4 % / 8 %, ignorant
18 % / 20 %, WER 6 %. These are development figures; bench/privacy_eval.py is the reference.
"""

import dataclasses
from dataclasses import dataclass

import numpy as np
import scipy.fft as sfft

from voxguard.privacy.anonymize import lpc
from voxguard.privacy.anonymize.base import (
    AnonymizationError,
    finalise_output,
    make_rng,
    validate_input,
)
from voxguard.privacy.anonymize.mcadams import AngleMap, default_lpc_order
from voxguard.privacy.anonymize.pitch import pitch_shift, ratio_fraction

# Breakpoint of the piecewise-linear warp, as a fraction of Nyquist: below it frequencies scale by
# beta, above it a straight line brings Nyquist back to Nyquist so nothing folds over.
_WARP_KNEE = 0.85
# Where the combined formant shift is bounded (F1 to F3 territory), and how often to redraw.
_CHECK_HZ = (500.0, 1000.0, 1500.0, 2500.0)
_MAX_DRAWS = 64


@dataclass(frozen=True)
class PitchWarpParams:
    """The per-utterance draw: pitch shift, envelope warp factor and McAdams coefficient."""

    semitones: float
    warp: float
    alpha: float
    wobble: float = 0.0
    wobble_harmonic: int = 1
    bandwidth: float = 1.0
    tilt_db_per_octave: float = 0.0
    # Random smooth equaliser on a log-frequency axis: (amplitude, phase) of cosine ripples,
    # scaled so the curve's largest excursion is ripple_db.
    ripple_db: float = 0.0
    ripple: tuple[tuple[float, float], ...] = ()

    def envelope_map(self) -> AngleMap:
        """The pole-angle map these parameters apply to the spectral envelope."""
        return warp_map(self.warp, self.alpha, self.wobble, self.wobble_harmonic)

    @property
    def pitch_ratio(self) -> float:
        """The frequency ratio actually applied (quantised like the resampler's fraction)."""
        return float(ratio_fraction(2.0 ** (self.semitones / 12.0)))


def warp_map(beta: float, alpha: float, wobble: float = 0.0, harmonic: int = 1) -> AngleMap:
    """Vocal-tract-length warp, then a monotone sinusoidal wobble, then the McAdams power.

    The wobble phi + (wobble / k) sin(k phi) keeps 0 and pi fixed and stays monotone for
    |wobble| < 1; it moves neighbouring formants by different amounts, a direction of change
    that a plain scale factor lacks.
    """
    knee = _WARP_KNEE * np.pi * min(1.0, 1.0 / beta)

    def mapping(phi: np.ndarray) -> np.ndarray:
        upper = beta * knee + (phi - knee) * (np.pi - beta * knee) / (np.pi - knee)
        warped = np.where(phi <= knee, beta * phi, upper)
        if wobble:
            warped = warped + (wobble / harmonic) * np.sin(harmonic * warped)
        return np.power(warped, alpha)

    return mapping


def equaliser_db(
    tilt_db_per_octave: float,
    ripple: tuple[tuple[float, float], ...],
    ripple_db: float,
    freqs: np.ndarray,
    sample_rate: int,
) -> np.ndarray:
    """Gain in dB at ``freqs``: spectral tilt around 1 kHz plus the random ripple.

    Both act on log frequency and are flat below 100 Hz; timbre colouring of this kind moves a
    speaker embedding while ASR front ends largely normalise it away (and so does an attacker
    who normalises the channel: see bench/privacy_eval.py).
    """
    f = np.maximum(freqs, 100.0)
    curve = tilt_db_per_octave * np.log2(f / 1000.0)
    if ripple and ripple_db:
        u = np.log2(f / 100.0) / np.log2(max(sample_rate / 200.0, 2.0))
        wave = sum(
            amp * np.cos(2.0 * np.pi * (k + 1) * u + phase) for k, (amp, phase) in enumerate(ripple)
        )
        peak = float(np.max(np.abs(wave)))
        if peak > 0.0:
            curve = curve + ripple_db * wave / peak
    return curve


def _equaliser(params: PitchWarpParams, n_fft: int, sample_rate: int) -> np.ndarray:
    """Zero-phase gain on the rfft grid."""
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    curve_db = equaliser_db(
        params.tilt_db_per_octave, params.ripple, params.ripple_db, freqs, sample_rate
    )
    return 10.0 ** (curve_db / 20.0)


def _draw_excluding(rng: np.random.Generator, lo: float, hi: float, min_abs: float) -> float:
    """Uniform on [lo, hi] with the open band (-min_abs, min_abs) cut out."""
    pieces = [(lo, min(hi, -min_abs)), (max(lo, min_abs), hi)]
    pieces = [(a, b) for a, b in pieces if b > a]
    if not pieces:
        return float(rng.uniform(lo, hi))
    total = sum(b - a for a, b in pieces)
    u = float(rng.uniform(0.0, total))
    for a, b in pieces:
        if u <= b - a:
            return a + u
        u -= b - a
    return pieces[-1][1]


def check_range(values: tuple[float, float], name: str, low: float, high: float) -> None:
    if len(values) != 2 or not low <= values[0] <= values[1] <= high:
        raise AnonymizationError(
            f"{name} must be (low, high) with {low} <= low <= high <= {high}, got {values}"
        )


def check_warp_band(warp_range: tuple[float, float], min_abs_log_warp: float) -> None:
    """The excluded band |log warp| < min_abs_log_warp must leave some of warp_range to draw."""
    lo, hi = np.log(warp_range)
    if not 0.0 <= min_abs_log_warp <= max(-lo, hi):
        raise AnonymizationError(
            f"min_abs_log_warp must be in [0, {max(-lo, hi):.3f}] for warp_range "
            f"{warp_range}, got {min_abs_log_warp}"
        )


def check_excluded_band(
    value_range: tuple[float, float], min_abs: float, range_name: str, min_name: str
) -> None:
    """A band |value| < min_abs cut out of value_range (0: no band) must leave some of it."""
    widest = max(-value_range[0], value_range[1], 0.0)
    if not 0.0 <= min_abs <= widest and min_abs != 0.0:
        raise AnonymizationError(
            f"{min_name} must be in [0, {widest}] for {range_name} {value_range}, got {min_abs}"
        )


def check_semitone_band(semitone_range: tuple[float, float], min_abs_semitones: float) -> None:
    """The same for |semitones| < min_abs_semitones in semitone_range (0: no band)."""
    check_excluded_band(semitone_range, min_abs_semitones, "semitone_range", "min_abs_semitones")


def check_ripple_components(n: int, most: int) -> None:
    if not 1 <= n <= most:
        raise AnonymizationError(f"ripple_components must be in [1, {most}], got {n}")


# normalise_f0_hz (exploration): men's and women's formants differ by about 1.17 where their F0
# differs by about 1.8, so formants move by the F0 ratio to this power; the warp then varies by
# up to ±10 % per utterance.
_FORMANT_PER_F0_POWER = 0.27
_NORMALISED_LOG_WARP_JITTER = 0.1


@dataclass(frozen=True)
class PitchWarpMcAdamsAnonymizer:
    """Random residual pitch shift + random envelope warp + random McAdams, per utterance."""

    name: str = "pitchwarp-mcadams"
    # Defaults chosen on the privacy/utility frontier measured with resemblyzer (FSDD, lazy-informed
    # attacker) and Whisper tiny.en agreement (LJ Speech); see the package docstring for figures.
    # Defaults are the "x1.25" ranges of bench/privacy_eval.py: lazy-informed EER 32 % at 7.7 %
    # ASR-agreement WER on LJ Speech (the x1 ranges gave 28 % at 6.5 %).
    semitone_range: tuple[float, float] = (-7.5, 7.5)
    min_abs_semitones: float = 3.125
    warp_range: tuple[float, float] = (0.757, 1.322)
    alpha_range: tuple[float, float] = (0.688, 0.938)
    wobble_range: tuple[float, float] = (-0.5, 0.5)
    bandwidth_range: tuple[float, float] = (0.757, 1.322)
    tilt_range: tuple[float, float] = (-7.5, 7.5)
    ripple_db_range: tuple[float, float] = (0.0, 0.0)
    ripple_components: int = 4
    max_formant_ratio: float = 1.455
    lpc_order: int | None = None
    frame_ms: float = 20.0
    # Off by default (exploration): a voice whose median F0 is under this is shifted up, one
    # over it down, and the formant warp goes the same way as the pitch, so that no draw
    # makes a high voice higher with a longer vocal tract (what Whisper hears worst).
    toward_f0_hz: float | None = None
    # Off by default (exploration): every voice's median F0 is moved to this, give or take
    # normalise_jitter_semitones, and its formants toward the middle by the same ratio to the
    # power _FORMANT_PER_F0_POWER, so that speakers differ less in the two cues rather than by
    # a random amount.
    normalise_f0_hz: float | None = None
    normalise_jitter_semitones: float = 2.0

    def __post_init__(self) -> None:
        check_range(self.semitone_range, "semitone_range", -12.0, 12.0)
        check_range(self.warp_range, "warp_range", 0.5, 2.0)
        check_range(self.alpha_range, "alpha_range", 0.05, 2.0)
        check_range(self.wobble_range, "wobble_range", -0.9, 0.9)
        check_range(self.bandwidth_range, "bandwidth_range", 0.25, 4.0)
        check_range(self.tilt_range, "tilt_range", -12.0, 12.0)
        check_range(self.ripple_db_range, "ripple_db_range", 0.0, 12.0)
        check_ripple_components(self.ripple_components, 8)
        if not 1.05 <= self.max_formant_ratio <= 4.0:
            raise AnonymizationError(
                f"max_formant_ratio must be in [1.05, 4], got {self.max_formant_ratio}"
            )
        if not 0.0 <= self.min_abs_semitones <= 12.0:
            raise AnonymizationError(
                f"min_abs_semitones must be in [0, 12], got {self.min_abs_semitones}"
            )
        if self.lpc_order is not None and not 2 <= int(self.lpc_order) <= 64:
            raise AnonymizationError(f"lpc_order must be in [2, 64], got {self.lpc_order}")
        if not 5.0 <= float(self.frame_ms) <= 100.0:
            raise AnonymizationError(f"frame_ms must be in [5, 100], got {self.frame_ms}")

    def _draw(self, rng: np.random.Generator) -> PitchWarpParams:
        semitones = _draw_excluding(rng, *self.semitone_range, self.min_abs_semitones)
        lo, hi = np.log(self.warp_range[0]), np.log(self.warp_range[1])
        # Log-uniform: a 10 % longer and a 10 % shorter vocal tract are equally likely.
        warp = float(np.exp(rng.uniform(lo, hi)))
        alpha = float(rng.uniform(*self.alpha_range))
        wobble = float(rng.uniform(*self.wobble_range))
        harmonic = int(rng.integers(1, 4))
        blo, bhi = np.log(self.bandwidth_range[0]), np.log(self.bandwidth_range[1])
        bandwidth = float(np.exp(rng.uniform(blo, bhi)))
        tilt = float(rng.uniform(*self.tilt_range))
        ripple_db = float(rng.uniform(*self.ripple_db_range))
        amps = rng.uniform(-1.0, 1.0, self.ripple_components)
        phases = rng.uniform(0.0, 2.0 * np.pi, self.ripple_components)
        return PitchWarpParams(
            semitones=semitones,
            warp=warp,
            alpha=alpha,
            wobble=wobble,
            wobble_harmonic=harmonic,
            bandwidth=bandwidth,
            tilt_db_per_octave=tilt,
            ripple_db=ripple_db,
            ripple=tuple((float(a), float(p)) for a, p in zip(amps, phases, strict=True)),
        )

    def _toward(
        self, params: PitchWarpParams, f0_hz: float | None, rng: np.random.Generator
    ) -> PitchWarpParams:
        if f0_hz is None:
            return params
        if self.normalise_f0_hz is not None:
            to_centre = 12.0 * float(np.log2(self.normalise_f0_hz / f0_hz))
            jitter = float(rng.uniform(-1.0, 1.0)) * self.normalise_jitter_semitones
            jitter_warp = rng.uniform(-_NORMALISED_LOG_WARP_JITTER, _NORMALISED_LOG_WARP_JITTER)
            warp = float(2.0 ** (_FORMANT_PER_F0_POWER * to_centre / 12.0) * np.exp(jitter_warp))
            return dataclasses.replace(params, semitones=to_centre + jitter, warp=warp)
        if self.toward_f0_hz is None:
            return params
        up = f0_hz < self.toward_f0_hz
        warp = max(params.warp, 1.0 / params.warp) if up else min(params.warp, 1.0 / params.warp)
        semitones = abs(params.semitones) if up else -abs(params.semitones)
        return dataclasses.replace(params, semitones=semitones, warp=warp)

    def _f0(self, x: np.ndarray, sample_rate: int) -> float | None:
        if self.toward_f0_hz is None and self.normalise_f0_hz is None:
            return None  # the default never analyses the voice's pitch
        from voxguard.privacy.anonymize.source import median_f0  # source imports this module

        return median_f0(x, sample_rate)

    def params_for(
        self, seed: int, sample_rate: int, f0_hz: float | None = None
    ) -> PitchWarpParams:
        """The parameters used for an utterance anonymized with `seed` at `sample_rate`.

        The warp, wobble and McAdams power compound: drawn independently they sometimes move F1
        by a factor of two, which ASR does not survive. Draws whose combined formant shift at
        any of _CHECK_HZ exceeds max_formant_ratio (either way) are redrawn from the same
        seeded generator, which also centres the otherwise upward McAdams bias of F1.
        """
        rng = make_rng(seed)
        nyquist = sample_rate / 2.0
        hz = np.array([f for f in _CHECK_HZ if f < 0.9 * nyquist])
        phi = np.pi * hz / nyquist
        limit = np.log(self.max_formant_ratio)
        best: PitchWarpParams | None = None
        best_dev = np.inf
        for _ in range(_MAX_DRAWS):
            params = self._toward(self._draw(rng), f0_hz, rng)
            mapped = params.envelope_map()(phi)
            dev = float(np.max(np.abs(np.log(mapped / phi)))) if hz.size else 0.0
            if dev <= limit:
                return params
            if dev < best_dev:
                best, best_dev = params, dev
        assert best is not None
        return best

    def __call__(self, audio: np.ndarray, sample_rate: int, seed: int) -> np.ndarray:
        x = validate_input(audio, sample_rate)
        if x.size == 0:
            return x.astype(np.float32)
        sr = int(sample_rate)
        params = self.params_for(seed, sr, self._f0(x, sr))
        order = self.lpc_order or default_lpc_order(sr)
        grid = lpc.make_grid(x.size, sr, self.frame_ms, order)

        spec, a = lpc.lpc_frames(x, grid, order)
        resp = lpc.polynomial_response(a, grid.n_fft)
        residual = lpc.synthesise(spec * resp, grid)

        shifted = pitch_shift(residual, sr, params.pitch_ratio)

        target = lpc.poly_from_roots(
            lpc.map_pole_angles(lpc.poles(a), params.envelope_map(), params.bandwidth)
        )
        shifted_spec = sfft.rfft(lpc.frames(shifted, grid), n=grid.n_fft, axis=-1)
        gain = _equaliser(params, grid.n_fft, sr)
        y = lpc.synthesise(
            shifted_spec * (gain / lpc.polynomial_response(target, grid.n_fft)), grid
        )
        return finalise_output(y, x)
