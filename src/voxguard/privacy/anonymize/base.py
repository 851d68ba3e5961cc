"""Shared interface, errors and input/output conventions of the voice anonymizers."""

from typing import Protocol, runtime_checkable

import numpy as np

# Output peak never exceeds this, so 16-bit PCM export cannot clip.
PEAK_LIMIT = 0.99
MIN_SAMPLE_RATE = 2000
_SEED_MASK = (1 << 64) - 1


class AnonymizationError(ValueError):
    """Base class of the anonymization package's input errors."""


class InvalidAudioError(AnonymizationError):
    """The audio array or sample rate given to an anonymizer is not usable."""


class UnreadableAudioError(AnonymizationError):
    """An audio file could not be decoded; the message names the file."""


class UnknownMethodError(AnonymizationError):
    """The anonymization method name is not one of the registered names."""


@runtime_checkable
class Anonymizer(Protocol):
    """A voice anonymizer: mono float audio in [-1, 1] -> same-length float32 audio."""

    name: str

    def __call__(self, audio: np.ndarray, sample_rate: int, seed: int) -> np.ndarray: ...


def validate_input(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Checks shape, values and rate; returns a float64 copy for processing."""
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int | np.integer):
        raise InvalidAudioError(f"sample_rate must be an int, got {type(sample_rate).__name__}")
    if sample_rate < MIN_SAMPLE_RATE:
        raise InvalidAudioError(
            f"sample_rate must be at least {MIN_SAMPLE_RATE} Hz, got {sample_rate}"
        )
    arr = np.asarray(audio)
    if arr.ndim != 1:
        raise InvalidAudioError(f"audio must be mono (1-D), got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.floating):
        # Integer PCM has no agreed scale here; the caller converts it to [-1, 1] floats.
        raise InvalidAudioError(f"audio must be floating point in [-1, 1], got dtype {arr.dtype}")
    x = arr.astype(np.float64, copy=True)
    if x.size and not np.all(np.isfinite(x)):
        raise InvalidAudioError("audio contains NaN or infinite samples")
    return x


def finalise_output(y: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Matches the input's loudness, removes any non-finite value, limits the peak, float32."""
    y = np.nan_to_num(np.asarray(y, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    ref_rms = float(np.sqrt(np.mean(reference**2))) if reference.size else 0.0
    out_rms = float(np.sqrt(np.mean(y**2))) if y.size else 0.0
    if ref_rms == 0.0:
        # Silence in, silence out: nothing the transform produced from zeros is kept.
        return np.zeros(reference.shape, dtype=np.float32)
    if out_rms > 0.0:
        y = y * (ref_rms / out_rms)
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    if peak > PEAK_LIMIT:
        y = y * (PEAK_LIMIT / peak)
    return y.astype(np.float32)


def fit_length(y: np.ndarray, n: int) -> np.ndarray:
    """``y`` cut or zero-padded to ``n`` samples (resampling and overlap-add miss by a few)."""
    return y[:n] if y.size >= n else np.pad(y, (0, n - y.size))


def make_rng(seed: int) -> np.random.Generator:
    """Deterministic generator for any Python int seed (negative or huge included)."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise AnonymizationError(f"seed must be an int, got {type(seed).__name__}")
    return np.random.default_rng(int(seed) & _SEED_MASK)
