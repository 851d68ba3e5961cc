"""McAdams-coefficient anonymization (Patino et al., VoicePrivacy 2020 baseline B2), vectorised.

Per 20 ms Hann frame (50 % overlap): LPC by autocorrelation, the poles of 1/A(z), every complex
pole's angle phi in (0, pi) moved to phi**alpha (conjugates follow, real poles stay), the
windowed frame filtered by A(z)/A'(z) (residual, then the new all-pole filter) and overlap-added.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from voxguard.privacy.anonymize import lpc
from voxguard.privacy.anonymize.base import (
    AnonymizationError,
    finalise_output,
    make_rng,
    validate_input,
)

AngleMap = Callable[[np.ndarray], np.ndarray]


def default_lpc_order(sample_rate: int) -> int:
    # The usual rule of thumb (one pole pair per kHz plus a few for tilt): 20 at 16 kHz.
    return int(np.clip(round(sample_rate / 1000) + 4, 8, 32))


def mcadams_map(alpha: float) -> AngleMap:
    def mapping(phi: np.ndarray) -> np.ndarray:
        return np.power(phi, alpha)

    return mapping


def transform_envelope(
    x: np.ndarray,
    sample_rate: int,
    mapping: AngleMap,
    lpc_order: int | None = None,
    frame_ms: float = 20.0,
) -> np.ndarray:
    """Moves the LPC poles of every frame through `mapping` and resynthesises (float64)."""
    if x.size == 0:
        return x.copy()
    order = lpc_order or default_lpc_order(sample_rate)
    grid = lpc.make_grid(x.size, sample_rate, frame_ms, order)
    spec, a = lpc.lpc_frames(x, grid, order)
    new_a = lpc.poly_from_roots(lpc.map_pole_angles(lpc.poles(a), mapping))
    gain = lpc.polynomial_response(a, grid.n_fft) / lpc.polynomial_response(new_a, grid.n_fft)
    return lpc.synthesise(spec * gain, grid)


def _check_alpha(value: float, what: str) -> float:
    value = float(value)
    if not 0.0 < value <= 2.0:
        raise AnonymizationError(f"{what} must be in (0, 2], got {value}")
    return value


@dataclass(frozen=True)
class McAdamsAnonymizer:
    """McAdams anonymizer; alpha drawn per utterance from alpha_range unless alpha is fixed."""

    name: str = "mcadams"
    alpha_range: tuple[float, float] = (0.75, 0.9)
    alpha: float | None = None
    lpc_order: int | None = None
    frame_ms: float = 20.0

    def __post_init__(self) -> None:
        lo, hi = (_check_alpha(v, "alpha_range bound") for v in self.alpha_range)
        if lo > hi:
            raise AnonymizationError(f"alpha_range must be (low, high), got {self.alpha_range}")
        if self.alpha is not None:
            _check_alpha(self.alpha, "alpha")
        if self.lpc_order is not None and not 2 <= int(self.lpc_order) <= 64:
            raise AnonymizationError(f"lpc_order must be in [2, 64], got {self.lpc_order}")
        if not 5.0 <= float(self.frame_ms) <= 100.0:
            raise AnonymizationError(f"frame_ms must be in [5, 100], got {self.frame_ms}")

    def alpha_for(self, seed: int) -> float:
        """The alpha used for an utterance anonymized with `seed`."""
        if self.alpha is not None:
            return float(self.alpha)
        lo, hi = self.alpha_range
        return float(make_rng(seed).uniform(lo, hi))

    def __call__(self, audio: np.ndarray, sample_rate: int, seed: int) -> np.ndarray:
        x = validate_input(audio, sample_rate)
        alpha = self.alpha_for(seed)
        y = transform_envelope(
            x, int(sample_rate), mcadams_map(alpha), self.lpc_order, self.frame_ms
        )
        return finalise_output(y, x)
