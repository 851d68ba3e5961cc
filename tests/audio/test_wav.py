"""The WAV we store and serve: canonical 16-bit PCM, rounded, clipped, and read back exactly."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
import soundfile as sf

from tests.support.audio import tone
from voxguard.audio import TARGET_RATE, decode_audio, decode_source, encode_wav_pcm16


def _canonical_header(frames: int, rate: int) -> bytes:
    size = 2 * frames
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF", 36 + size, b"WAVE",
        b"fmt ", 16, 1, 1, rate, 2 * rate, 2, 16,
        b"data", size,
    )  # fmt: skip


@pytest.mark.parametrize(("frames", "rate"), [(0, 16_000), (1, 8_000), (16_000, 16_000)])
def test_a_canonical_44_byte_header(frames: int, rate: int) -> None:
    data = encode_wav_pcm16(tone(frames / rate, rate), rate)
    assert data[:44] == _canonical_header(frames, rate)
    assert len(data) == 44 + 2 * frames
    info = sf.info(io.BytesIO(data))
    assert (info.format, info.subtype, info.channels, info.frames) == ("WAV", "PCM_16", 1, frames)


@pytest.mark.parametrize(("frames", "rate"), [(0, 16_000), (1, 8_000), (64_000, 16_000)])
def test_byte_for_byte_what_libsndfile_writes(frames: int, rate: int) -> None:
    # The header is written by hand; a stored original must not change with that.
    x = np.random.default_rng(frames).uniform(-1.0, 1.0, frames).astype(np.float32)
    buffer = io.BytesIO()
    sf.write(
        buffer, np.frombuffer(encode_wav_pcm16(x, rate)[44:], "<i2"), rate, "PCM_16", format="WAV"
    )
    assert encode_wav_pcm16(x, rate) == buffer.getvalue()


def test_samples_are_rounded_to_nearest_not_truncated() -> None:
    # libsndfile would truncate 0.6 LSB to 0 and -0.4 LSB to -1; stored audio rounds.
    lsb = 1 / 32767
    x = np.array([0.6 * lsb, -0.4 * lsb, 1.0, -1.0, 2.0, -2.0, 0.5], np.float32)
    pcm = np.frombuffer(encode_wav_pcm16(x, TARGET_RATE)[44:], "<i2")
    assert pcm.tolist() == [1, 0, 32767, -32767, 32767, -32767, 16384]


def test_round_trip_through_the_decoder() -> None:
    x = tone(1.0, 22_050)
    source = decode_source(encode_wav_pcm16(x, 22_050), None)
    assert source.layout.sample_rate == 22_050 and source.samples.dtype == np.float32
    np.testing.assert_allclose(source.samples, x, atol=1 / 32_000)
    # what the decoder hands the pipeline is exactly the stored integers / 32768
    data = encode_wav_pcm16(tone(1.0), TARGET_RATE)
    expected = np.frombuffer(data[44:], "<i2").astype(np.float32) / np.float32(32768)
    np.testing.assert_array_equal(decode_audio(data, None).samples, expected)


def test_refuses_what_it_cannot_write() -> None:
    with pytest.raises(ValueError, match="mono"):
        encode_wav_pcm16(np.zeros((10, 2), np.float32), 16_000)
    with pytest.raises(ValueError, match="NaN"):
        encode_wav_pcm16(np.array([0.0, np.nan], np.float32), 16_000)
    with pytest.raises(ValueError, match="sample_rate"):
        encode_wav_pcm16(np.zeros(10, np.float32), 0)
