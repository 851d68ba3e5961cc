"""WORLD-vocoder anonymizer (benchmark comparison only): F0 transform + envelope warp.

Measured by bench/privacy_eval.py beside the service's methods when ``pyworld`` is installed
(the ``eval`` extra). It is not one of the service's methods: on the speechocean762 tuning half
it sat below the envwarp frontier and its analysis + synthesis alone cost about 0.026 CPU
seconds per audio second at a 10 ms frame period, above the 0.02 budget.

WORLD (``pyworld``) analyses speech into an F0 contour, a smooth spectral envelope and a band
aperiodicity, and synthesises speech back from them. Per utterance, with seeded draws:

* F0: shifted by a random number of semitones (never close to zero) and its excursions around the
  utterance's mean scaled by a random factor (a flatter or livelier intonation);
* envelope: the frequency axis goes through the same random vocal-tract-length warp + wobble as
  ``envwarp`` (formants move, neighbouring ones by different amounts).
"""

from dataclasses import dataclass

import numpy as np

from voxguard.privacy.anonymize.base import (
    AnonymizationError,
    finalise_output,
    make_rng,
    validate_input,
)
from voxguard.privacy.anonymize.pitchwarp import warp_map

_F0_FLOOR = 60.0
_F0_CEIL = 500.0


def _vocoder():  # type: ignore[no-untyped-def]
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pyworld imports pkg_resources
            import pyworld
    except ImportError as exc:
        raise AnonymizationError(
            "the world-vtln comparison needs the WORLD vocoder: pip install 'voxguard[eval]'"
        ) from exc
    return pyworld


@dataclass(frozen=True)
class WorldParams:
    semitones: float
    f0_range_scale: float
    warp: float
    wobble: float
    wobble_harmonic: int


@dataclass(frozen=True)
class WorldVtlnAnonymizer:
    """WORLD analysis, random F0 shift / range and envelope warp, WORLD synthesis."""

    name: str = "world-vtln"
    semitone_range: tuple[float, float] = (-4.0, 4.0)
    min_abs_semitones: float = 1.5
    f0_range_scale: tuple[float, float] = (0.7, 1.3)
    warp_range: tuple[float, float] = (0.85, 1.18)
    min_abs_log_warp: float = 0.06
    wobble_range: tuple[float, float] = (-0.3, 0.3)
    frame_ms: float = 10.0

    def params_for(self, seed: int) -> WorldParams:
        rng = make_rng(seed)

        def excluding(lo: float, hi: float, m: float) -> float:
            pieces = [(a, b) for a, b in ((lo, min(hi, -m)), (max(lo, m), hi)) if b > a]
            if not pieces:
                return float(rng.uniform(lo, hi))
            widths = np.array([b - a for a, b in pieces])
            k = int(rng.choice(len(pieces), p=widths / widths.sum()))
            return float(rng.uniform(*pieces[k]))

        lo, hi = np.log(self.warp_range)
        return WorldParams(
            semitones=excluding(*self.semitone_range, self.min_abs_semitones),
            f0_range_scale=float(rng.uniform(*self.f0_range_scale)),
            warp=float(np.exp(excluding(float(lo), float(hi), self.min_abs_log_warp))),
            wobble=float(rng.uniform(*self.wobble_range)),
            wobble_harmonic=int(rng.integers(1, 4)),
        )

    def __call__(self, audio: np.ndarray, sample_rate: int, seed: int) -> np.ndarray:
        x = validate_input(audio, sample_rate)
        sr = int(sample_rate)
        if x.size < sr * self.frame_ms / 1000.0 * 4 or not np.any(x):
            return finalise_output(x, x)  # too short to analyse: silence or a click
        pw = _vocoder()
        p = self.params_for(seed)
        f0, t = pw.dio(x, sr, f0_floor=_F0_FLOOR, f0_ceil=_F0_CEIL, frame_period=self.frame_ms)
        f0 = pw.stonemask(x, f0, t, sr)
        sp = pw.cheaptrick(x, f0, t, sr, f0_floor=_F0_FLOOR)
        ap = pw.d4c(x, f0, t, sr)

        voiced = f0 > 0
        if voiced.any():
            log_f0 = np.log(f0[voiced])
            mean = float(log_f0.mean())
            shifted = mean + p.f0_range_scale * (log_f0 - mean) + p.semitones * np.log(2) / 12
            f0 = f0.copy()
            f0[voiced] = np.exp(shifted)

        n_bins = sp.shape[1]
        phi = np.linspace(0.0, np.pi, n_bins)
        mapped = warp_map(p.warp, 1.0, p.wobble, p.wobble_harmonic)(phi)
        src = np.interp(phi, mapped, phi) * (n_bins - 1) / np.pi
        i0 = np.minimum(src.astype(np.int64), n_bins - 2)
        frac = src - i0
        log_sp = np.log(np.maximum(sp, 1e-16))
        sp = np.exp(log_sp[:, i0] * (1.0 - frac) + log_sp[:, i0 + 1] * frac)

        y = pw.synthesize(f0, np.ascontiguousarray(sp), ap, sr, self.frame_ms)
        y = y[: x.size] if y.size >= x.size else np.pad(y, (0, x.size - y.size))
        return finalise_output(y, x)
