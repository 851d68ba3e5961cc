"""Source-filter anonymizer: random pitch shift of the LPC residual, random envelope warp, McAdams.

One LPC analysis separates the voice into an excitation (the residual, carrying pitch) and a
spectral envelope (the all-pole filter, carrying formants). The two are changed independently,
with parameters drawn per utterance from a seeded generator:

* pitch: the residual is pitch-shifted by a random number of semitones (phase vocoder + polyphase
  resampling), so the new pitch does not drag the formants along;
* envelope: each complex pole's angle goes through a piecewise-linear vocal-tract-length warp
  (factor beta) and then the McAdams power (alpha), and the shifted residual is filtered through
  the new all-pole filter.

Because a same-speaker pair of utterances gets independent (semitones, beta, alpha), an attacker
who anonymizes their enrolment audio the same way still compares two different random voices.
Ranges stay moderate so that words remain recognisable.
"""

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


@dataclass(frozen=True)
class PitchWarpParams:
    """The per-utterance draw: pitch shift, envelope warp factor and McAdams coefficient."""

    semitones: float
    warp: float
    alpha: float

    @property
    def pitch_ratio(self) -> float:
        """The frequency ratio actually applied (quantised like the resampler's fraction)."""
        return float(ratio_fraction(2.0 ** (self.semitones / 12.0)))


def warp_map(beta: float, alpha: float) -> AngleMap:
    knee = _WARP_KNEE * np.pi * min(1.0, 1.0 / beta)

    def mapping(phi: np.ndarray) -> np.ndarray:
        upper = beta * knee + (phi - knee) * (np.pi - beta * knee) / (np.pi - knee)
        warped = np.where(phi <= knee, beta * phi, upper)
        return np.power(warped, alpha)

    return mapping


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


def _check_range(values: tuple[float, float], name: str, low: float, high: float) -> None:
    if len(values) != 2 or not low <= values[0] <= values[1] <= high:
        raise AnonymizationError(
            f"{name} must be (low, high) with {low} <= low <= high <= {high}, got {values}"
        )


@dataclass(frozen=True)
class PitchWarpMcAdamsAnonymizer:
    """Random residual pitch shift + random envelope warp + random McAdams, per utterance."""

    name: str = "pitchwarp-mcadams"
    semitone_range: tuple[float, float] = (-4.0, 4.0)
    min_abs_semitones: float = 1.5
    warp_range: tuple[float, float] = (0.87, 1.15)
    alpha_range: tuple[float, float] = (0.85, 0.95)
    lpc_order: int | None = None
    frame_ms: float = 20.0

    def __post_init__(self) -> None:
        _check_range(self.semitone_range, "semitone_range", -12.0, 12.0)
        _check_range(self.warp_range, "warp_range", 0.5, 2.0)
        _check_range(self.alpha_range, "alpha_range", 0.05, 2.0)
        if not 0.0 <= self.min_abs_semitones <= 12.0:
            raise AnonymizationError(
                f"min_abs_semitones must be in [0, 12], got {self.min_abs_semitones}"
            )
        if self.lpc_order is not None and not 2 <= int(self.lpc_order) <= 64:
            raise AnonymizationError(f"lpc_order must be in [2, 64], got {self.lpc_order}")
        if not 5.0 <= float(self.frame_ms) <= 100.0:
            raise AnonymizationError(f"frame_ms must be in [5, 100], got {self.frame_ms}")

    def params_for(self, seed: int) -> PitchWarpParams:
        """The parameters used for an utterance anonymized with `seed`."""
        rng = make_rng(seed)
        semitones = _draw_excluding(rng, *self.semitone_range, self.min_abs_semitones)
        lo, hi = np.log(self.warp_range[0]), np.log(self.warp_range[1])
        # Log-uniform: a 10 % longer and a 10 % shorter vocal tract are equally likely.
        warp = float(np.exp(rng.uniform(lo, hi)))
        alpha = float(rng.uniform(*self.alpha_range))
        return PitchWarpParams(semitones=semitones, warp=warp, alpha=alpha)

    def __call__(self, audio: np.ndarray, sample_rate: int, seed: int) -> np.ndarray:
        x = validate_input(audio, sample_rate)
        if x.size == 0:
            return x.astype(np.float32)
        params = self.params_for(seed)
        sr = int(sample_rate)
        order = self.lpc_order or default_lpc_order(sr)
        grid = lpc.make_grid(x.size, sr, self.frame_ms, order)

        spec, a = lpc.lpc_frames(x, grid, order)
        resp = lpc.polynomial_response(a, grid.n_fft)
        residual = lpc.synthesise(spec * resp, grid)

        shifted = pitch_shift(residual, sr, params.pitch_ratio)

        target = lpc.poly_from_roots(
            lpc.map_pole_angles(lpc.poles(a), warp_map(params.warp, params.alpha))
        )
        shifted_spec = sfft.rfft(lpc.frames(shifted, grid), n=grid.n_fft, axis=-1)
        y = lpc.synthesise(shifted_spec / lpc.polynomial_response(target, grid.n_fft), grid)
        return finalise_output(y, x)
