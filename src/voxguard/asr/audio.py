"""Audio helpers of the asr package: validation, 16 kHz resampling, file reading, noise floor."""

from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf

from voxguard.asr.base import TARGET_RATE, AsrInputError, UnreadableAudioError

AUDIO_SUFFIXES = (".wav", ".flac")
NOISE_FLOOR_DBFS = -72.0
NOISE_SEED = 20_240_917  # fixed: the same clip must always decode the same way


def to_16k_mono(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Validate float mono audio and resample it to 16 kHz (float32, clipped to [-1, 1])."""
    if not isinstance(audio, np.ndarray):
        raise AsrInputError(f"audio must be a numpy array, got {type(audio).__name__}")
    if audio.ndim != 1:
        raise AsrInputError(f"audio must be mono (1-D), got shape {audio.shape}")
    if not isinstance(sample_rate, int | np.integer) or sample_rate <= 0:
        raise AsrInputError(f"sample_rate must be a positive integer, got {sample_rate!r}")
    x = np.asarray(audio, dtype=np.float32)
    if x.size and not np.isfinite(x).all():
        raise AsrInputError("audio contains NaN or infinite samples")
    if sample_rate != TARGET_RATE and x.size:
        from scipy.signal import resample_poly  # slow import (~0.5 s); only when resampling

        g = gcd(int(sample_rate), TARGET_RATE)
        x = resample_poly(x, TARGET_RATE // g, int(sample_rate) // g).astype(np.float32)
    return np.clip(x, -1.0, 1.0)


def add_noise_floor(audio: np.ndarray, dbfs: float = NOISE_FLOOR_DBFS) -> np.ndarray:
    """Add deterministic white noise at `dbfs` RMS.

    Pocketsphinx grammar/alignment search stops early on runs of exact digital zeros (synthesised
    speech has them); a floor this low is inaudible and does not change recognition otherwise.
    """
    rng = np.random.default_rng(NOISE_SEED)
    noise = rng.standard_normal(audio.shape[0]).astype(np.float32) * np.float32(10 ** (dbfs / 20))
    return audio + noise


def to_pcm16(audio: np.ndarray) -> bytes:
    """Little-endian 16-bit PCM bytes, the only input format pocketsphinx accepts."""
    return (np.clip(audio, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


def read_audio(path: Path) -> tuple[np.ndarray, int]:
    """Decode a WAV/FLAC file to float32 mono; raise UnreadableAudioError naming it on failure."""
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except Exception as exc:  # soundfile raises several types (LibsndfileError, RuntimeError, ...)
        raise UnreadableAudioError(f"cannot decode audio file {path}: {exc}") from exc
    mono = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
    if mono.size and not np.isfinite(mono).all():
        raise UnreadableAudioError(f"audio file {path} contains NaN or infinite samples")
    return np.ascontiguousarray(mono), int(rate)
