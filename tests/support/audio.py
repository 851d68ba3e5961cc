"""Small audio made by the tests themselves."""

from __future__ import annotations

import io
import struct

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


def flac_with_total_samples(data: bytes, total: int) -> bytes:
    """A FLAC whose STREAMINFO declares ``total`` frames, whatever it really holds."""
    # STREAMINFO is the first metadata block: its 36-bit sample count starts in the low nibble
    # of byte 21 of the file; metadata blocks carry no checksum.
    assert data[:4] == b"fLaC"
    damaged = bytearray(data)
    damaged[21] = (damaged[21] & 0xF0) | ((total >> 32) & 0x0F)
    damaged[22:26] = struct.pack(">I", total & 0xFFFFFFFF)
    return bytes(damaged)
