"""Duration-preserving pitch shift: phase-vocoder time stretch, then polyphase resampling.

The phase vocoder is vectorised over frames: the phase of every output frame is the input phase
plus a cumulative sum of per-frame phase increments (which depend only on the input), and
identity phase locking (Laroche & Dolson 1999) ties each bin to its nearest spectral peak,
found for all frames at once with running maxima/minima of peak indices.
"""

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import scipy.fft as sfft
import scipy.signal as ssig
from numpy.lib.stride_tricks import sliding_window_view

from voxguard.privacy.anonymize.base import fit_length
from voxguard.privacy.anonymize.lpc import periodic_hann

# Finest pitch-ratio step; 1/48 of the ratio is ~0.6 semitone at worst, far below what matters
# for anonymization, and keeps the polyphase filters short.
_MAX_DENOMINATOR = 48


def stft_params(sample_rate: int) -> tuple[int, int]:
    # ~32 ms window (resolves harmonics of low voices), 75 % overlap for a smooth vocoder.
    n_fft = int(2 ** np.ceil(np.log2(0.032 * sample_rate)))
    return n_fft, n_fft // 4


@dataclass(frozen=True)
class Frames:
    """Hann-windowed STFT of a signal padded by one window on each side (stft_params' grid)."""

    spec: np.ndarray  # (n_frames, n_fft // 2 + 1)
    n_fft: int
    hop: int
    window: np.ndarray
    pad: int


def analyse(x: np.ndarray, sample_rate: int) -> Frames:
    n_fft, hop = stft_params(sample_rate)
    window = periodic_hann(n_fft)
    pad = n_fft
    n_frames = int(np.ceil((x.size + 2 * pad - n_fft) / hop)) + 1
    xp = np.zeros((n_frames - 1) * hop + n_fft)
    xp[pad : pad + x.size] = x
    spec = sfft.rfft(sliding_window_view(xp, n_fft)[::hop] * window, axis=-1)
    return Frames(spec, n_fft, hop, window, pad)


def overlap_add(blocks: np.ndarray, hop: int) -> np.ndarray:
    """Sum windowed frames ``hop`` apart; divided by 1.5, what Hann squared at 75 % overlap
    sums to."""
    n_frames, n_fft = blocks.shape
    n_parts = n_fft // hop
    parts = blocks.reshape(n_frames, n_parts, hop)
    out = np.zeros((n_frames + n_parts - 1, hop))
    for j in range(n_parts):  # loops over the hop-sized quarters of a frame, not over frames
        out[j : j + n_frames] += parts[:, j, :]
    return out.reshape(-1)[: (n_frames - 1) * hop + n_fft] / 1.5


def _nearest_peak(mag: np.ndarray) -> np.ndarray:
    """For every (frame, bin) the bin index of the nearest local magnitude peak in that frame."""
    n_bins = mag.shape[1]
    peak = np.zeros_like(mag, dtype=bool)
    peak[:, 1:-1] = (mag[:, 1:-1] > mag[:, :-2]) & (mag[:, 1:-1] >= mag[:, 2:])
    bins = np.broadcast_to(np.arange(n_bins), mag.shape)
    left = np.maximum.accumulate(np.where(peak, bins, -1), axis=1)
    right = np.minimum.accumulate(np.where(peak, bins, n_bins)[:, ::-1], axis=1)[:, ::-1]
    has_left = left >= 0
    has_right = right < n_bins
    use_left = has_left & (~has_right | (bins - left <= right - bins))
    nearest = np.where(use_left, left, np.where(has_right, right, bins))
    return nearest


def time_stretch(x: np.ndarray, factor: float, sample_rate: int) -> np.ndarray:
    """Phase-vocoder stretch: output is about len(x) * factor samples long, same pitch."""
    if x.size == 0 or factor == 1.0:
        return x.copy()
    frames = analyse(x, sample_rate)
    spec, n_fft, hop, pad = frames.spec, frames.n_fft, frames.hop, frames.pad
    n_frames = spec.shape[0]

    # Output frame m reads the input at fractional frame position m / factor.
    n_out = int(np.ceil((n_frames - 1) * factor))
    steps = np.minimum(np.arange(n_out) / factor, n_frames - 1 - 1e-9)
    i0 = np.minimum(steps.astype(np.int64), n_frames - 2)
    frac = (steps - i0)[:, None]
    mag_all = np.abs(spec)
    phase_all = np.angle(spec)
    mag = (1.0 - frac) * mag_all[i0] + frac * mag_all[i0 + 1]

    expected = 2.0 * np.pi * hop * np.arange(spec.shape[1]) / n_fft
    dphi = phase_all[i0 + 1] - phase_all[i0] - expected
    dphi -= 2.0 * np.pi * np.round(dphi / (2.0 * np.pi))
    increment = expected + dphi
    acc = np.empty_like(increment)
    acc[0] = phase_all[0]
    np.cumsum(increment[:-1], axis=0, out=acc[1:])
    acc[1:] += phase_all[0]

    # Identity phase locking: bins follow their peak's phase, keeping the vertical phase
    # relations of each partial, which removes most of the vocoder's "phasiness".
    nearest = _nearest_peak(mag)
    rows = np.arange(mag.shape[0])[:, None]
    phase_in = phase_all[i0]
    locked = acc[rows, nearest] + phase_in - phase_in[rows, nearest]

    blocks = sfft.irfft(mag * np.exp(1j * locked), n=n_fft, axis=-1) * frames.window
    y = overlap_add(blocks, hop)
    start = round(pad * factor)
    want = round(x.size * factor)
    return fit_length(y[start:], want)


def ratio_fraction(ratio: float) -> Fraction:
    return Fraction(ratio).limit_denominator(_MAX_DENOMINATOR)


def pitch_shift(
    x: np.ndarray,
    sample_rate: int,
    ratio: float,
    stretch: Callable[[np.ndarray, float, int], np.ndarray] | None = None,
) -> np.ndarray:
    """Multiplies every frequency by ~ratio (quantised to a small fraction), keeping the length.

    ``stretch`` changes the duration without the pitch: the phase vocoder here by default, or
    another (envwarp passes WSOLA's)."""
    if x.size == 0:
        return x.copy()
    frac = ratio_fraction(ratio)
    if frac == 1:
        return x.copy()
    stretched = (stretch or time_stretch)(x, float(frac), sample_rate)
    return play_faster(stretched, frac, x.size)


def play_faster(stretched: np.ndarray, frac: Fraction, length: int) -> np.ndarray:
    """``stretched`` played ``frac`` times faster, cut or padded to ``length`` samples: what a
    stretch by ``frac`` needs to come back to its length with every frequency times ``frac``.
    resample_poly low-passes first, so nothing aliases."""
    return fit_length(ssig.resample_poly(stretched, frac.denominator, frac.numerator), length)
