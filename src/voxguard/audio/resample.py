"""The one resampler: any supported source rate to the 16 kHz every other part works at."""

from __future__ import annotations

import math

import numpy as np

TARGET_RATE = 16_000  # what ASR models are trained on, what is stored and what reviewers hear

# resample_poly designs a filter with ~20 * max(up, down) taps; every common rate (8 k … 192 k,
# the 11.025 k family included) needs at most 640, while an odd rate like 44 101 Hz would need a
# multi-million-tap filter, an easy way to burn CPU and memory.
MAX_RATIO_TERM = 1_000


def resample_ratio(rate: int) -> tuple[int, int]:
    """(up, down): TARGET_RATE / rate in lowest terms."""
    g = math.gcd(TARGET_RATE, rate)
    return TARGET_RATE // g, rate // g


def is_cheap_to_resample(rate: int) -> bool:
    """Whether `rate` reaches TARGET_RATE with a filter of bounded size."""
    return max(resample_ratio(rate)) <= MAX_RATIO_TERM


def to_target_rate(samples: np.ndarray, rate: int) -> np.ndarray:
    """Mono float samples at `rate` as float32 at TARGET_RATE (a new array unless already there).

    Callers check their input: this is the arithmetic only.
    """
    if rate == TARGET_RATE or samples.size == 0:
        return np.ascontiguousarray(samples, dtype=np.float32)
    # Imported on first use: scipy.signal takes about a second to import, and most uploads
    # (and every CLI start) never need it.
    from scipy.signal import resample_poly

    up, down = resample_ratio(rate)
    return np.ascontiguousarray(resample_poly(samples, up, down), dtype=np.float32)
