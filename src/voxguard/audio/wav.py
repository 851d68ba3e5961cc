"""Writing the 16-bit PCM WAV that is stored (originals, review copies) and served to reviewers."""

from __future__ import annotations

import struct

import numpy as np

# Review copies play with their peak at -3 dBFS, so every clip is comfortably and similarly loud.
REVIEW_PEAK = 0.708


def to_pcm16(samples: np.ndarray) -> np.ndarray:
    """Float samples clipped to [-1, 1] as little-endian int16, rounded to nearest.

    32767 (not 32768) so +1.0 maps to the largest positive sample. Rounding is done here, not by
    libsndfile, which truncates towards minus infinity when it converts floats itself.
    """
    return np.rint(np.clip(samples, -1.0, 1.0) * np.float32(32767.0)).astype("<i2")


def encode_wav_pcm16(samples: np.ndarray, sample_rate: int) -> bytes:
    """Mono float samples (clipped to [-1, 1]) as a canonical 44-byte-header 16-bit PCM WAV."""
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim != 1:
        raise ValueError(f"samples must be mono (1-D), got shape {x.shape}")
    if not isinstance(sample_rate, int | np.integer) or not 0 < sample_rate <= 0x7FFFFFFF // 2:
        raise ValueError(f"sample_rate must be a positive integer, got {sample_rate!r}")
    if not np.isfinite(x).all():
        raise ValueError("samples contain NaN or infinite values")
    if 2 * x.shape[0] > 0xFFFFFFFF - 36:
        raise ValueError("too many samples for a WAV file (data chunk over 4 GiB)")
    # The header written by hand: byte for byte what libsndfile writes for mono PCM_16, without
    # its virtual-I/O round trips (every upload's stored original is encoded here).
    data = to_pcm16(x).tobytes()
    rate = int(sample_rate)
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF", 36 + len(data), b"WAVE",
        b"fmt ", 16, 1, 1, rate, 2 * rate, 2, 16,  # PCM, mono, byte rate, block align, bits
        b"data", len(data),
    )  # fmt: skip
    return header + data


def normalise_peak(samples: np.ndarray, peak: float = REVIEW_PEAK) -> np.ndarray:
    """Scale so the largest sample is `peak` (float32); near-silence is returned unchanged."""
    x = np.asarray(samples, dtype=np.float32)
    largest = float(np.max(np.abs(x))) if x.size else 0.0
    if largest < 1e-6:
        return x
    return (x * (peak / largest)).astype(np.float32)
