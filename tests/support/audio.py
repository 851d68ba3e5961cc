"""Small audio made by the tests themselves."""

from __future__ import annotations

import io

import numpy as np
import soundfile as sf


def tone(seconds: float = 1.0, rate: int = 16_000, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def encode(
    samples: np.ndarray, rate: int = 16_000, fmt: str = "WAV", subtype: str | None = None
) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


def tone_wav(seconds: float = 1.0, rate: int = 16_000) -> bytes:
    return encode(tone(seconds, rate), rate)
