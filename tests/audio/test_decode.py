"""The one decoder: accepted formats, normalisation, every refusal, lying headers, fuzzing."""

from __future__ import annotations

import io
import struct
import tracemalloc

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voxguard.audio import (
    REJECT_CODES,
    TARGET_RATE,
    AudioRejected,
    DecodedAudio,
    check_audio,
    decode_audio,
    decode_source,
    encode_wav_pcm16,
)

LIMIT_S = 60.0


def tone(seconds: float, rate: int = TARGET_RATE, freq: float = 440.0, amp: float = 0.3):
    t = np.arange(round(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def encode(samples: np.ndarray, rate: int, fmt: str, subtype: str) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


def dominant_hz(x: np.ndarray, rate: int = TARGET_RATE) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return float(np.fft.rfftfreq(x.size, 1 / rate)[np.argmax(spectrum)])


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def rejection(data: bytes, max_duration_s: float = LIMIT_S) -> AudioRejected:
    with pytest.raises(AudioRejected) as info:
        decode_audio(data, max_duration_s)
    assert info.value.code in REJECT_CODES
    assert str(info.value)  # a human-readable message, always
    return info.value


def wav_with_data_size(samples: np.ndarray, declared_bytes: int) -> bytes:
    """A 16 kHz PCM16 WAV whose data chunk header declares `declared_bytes`."""
    wav = encode_wav_pcm16(samples, TARGET_RATE)
    return wav[:40] + struct.pack("<I", declared_bytes) + wav[44:]


# --- accepted formats -------------------------------------------------------------------------

LOSSLESS = [("WAV", "PCM_16"), ("WAV", "PCM_24"), ("WAV", "FLOAT"), ("WAVEX", "PCM_16"),
            ("FLAC", "PCM_16"), ("FLAC", "PCM_24")]  # fmt: skip
LOSSY = [("OGG", "VORBIS"), ("OGG", "OPUS"), ("MP3", "MPEG_LAYER_III")]


@pytest.mark.parametrize(("fmt", "subtype"), LOSSLESS)
def test_lossless_formats_round_trip_exactly(fmt: str, subtype: str) -> None:
    x = tone(2.0)
    out = decode_audio(encode(x, TARGET_RATE, fmt, subtype), LIMIT_S)
    assert isinstance(out, DecodedAudio)
    assert out.source_format == ("WAV" if fmt == "WAVEX" else fmt)
    assert out.source_subtype == subtype
    assert out.sample_rate == out.source_sample_rate == TARGET_RATE
    assert out.source_channels == 1
    assert out.samples.dtype == np.float32 and out.samples.ndim == 1
    assert out.duration_s == pytest.approx(2.0)
    np.testing.assert_allclose(out.samples, x, atol=1 / 16_000)


@pytest.mark.parametrize(("fmt", "subtype"), LOSSY)
def test_lossy_formats_round_trip(fmt: str, subtype: str) -> None:
    x = tone(2.0)
    out = decode_audio(encode(x, TARGET_RATE, fmt, subtype), LIMIT_S)
    assert out.source_format == fmt
    assert out.source_subtype == subtype
    assert out.samples.dtype == np.float32 and out.samples.ndim == 1
    assert out.duration_s == pytest.approx(2.0, abs=0.05)
    assert dominant_hz(out.samples) == pytest.approx(440, abs=5)
    assert rms(out.samples) == pytest.approx(rms(x), rel=0.15)


def test_44k1_stereo_becomes_16k_mono_with_the_right_duration() -> None:
    left, right = tone(3.0, 44_100, amp=0.4), tone(3.0, 44_100, amp=0.2)
    data = encode(np.stack([left, right], axis=1), 44_100, "WAV", "PCM_16")
    out = decode_audio(data, LIMIT_S)
    assert out.sample_rate == TARGET_RATE
    assert (out.source_sample_rate, out.source_channels) == (44_100, 2)
    assert out.samples.shape == (48_000,)
    assert out.duration_s == pytest.approx(3.0)
    assert dominant_hz(out.samples) == pytest.approx(440, abs=2)
    # mean downmix: a 0.3 amplitude sine
    assert rms(out.samples[1000:-1000]) == pytest.approx(0.3 / np.sqrt(2), rel=0.01)


def test_downmix_is_the_channel_mean() -> None:
    x = tone(1.0, 48_000)
    out = decode_audio(encode(np.stack([x, -x], axis=1), 48_000, "FLAC", "PCM_24"), LIMIT_S)
    assert np.abs(out.samples).max() < 1e-3  # opposite channels cancel


@pytest.mark.parametrize("rate", [8_000, 11_025, 22_050, 24_000, 32_000, 48_000, 96_000])
def test_common_rates_resample_to_16k(rate: int) -> None:
    out = decode_audio(encode(tone(2.0, rate), rate, "WAV", "PCM_16"), LIMIT_S)
    assert out.samples.shape == (32_000,)
    assert dominant_hz(out.samples) == pytest.approx(440, abs=2)


def test_out_of_range_values_are_clipped() -> None:
    loud = np.full(1600, 3.0, dtype=np.float32)
    loud[::2] = -7.5
    out = decode_audio(encode(loud, TARGET_RATE, "WAV", "FLOAT"), LIMIT_S)
    assert out.samples.max() == 1.0 and out.samples.min() == -1.0


# --- refusals ---------------------------------------------------------------------------------


def test_empty_bytes() -> None:
    assert rejection(b"").code == "empty"


@pytest.mark.parametrize(
    "data",
    [
        encode_wav_pcm16(np.zeros(0, dtype=np.float32), TARGET_RATE),
        encode(np.zeros((0, 2), dtype=np.float32), 44_100, "WAV", "FLOAT"),
        encode(np.zeros(0, dtype=np.float32), TARGET_RATE, "OGG", "VORBIS"),
    ],
    ids=["wav-pcm16", "wav-float-stereo", "ogg-vorbis"],
)
def test_zero_length_audio(data: bytes) -> None:
    assert rejection(data).code == "empty"


@pytest.mark.parametrize(
    "data",
    [
        b"hello, this is a text file, not a recording\n" * 20,
        b'{"utterance_id": "u1", "audio": "base64..."}',
        b"\x89PNG\r\n\x1a\n" + bytes(200),
        b"%PDF-1.7\n" + bytes(200),
        b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(200),  # RIFF, but an image
        b"\x00" * 1000,
        b"x",
    ],
    ids=["text", "json", "png", "pdf", "webp", "zeros", "one-byte"],
)
def test_not_audio(data: bytes) -> None:
    assert rejection(data).code == "not_audio"


def _wav(seconds: float = 1.0) -> bytes:
    return encode_wav_pcm16(tone(seconds), TARGET_RATE)


def _flipped(data: bytes, start: int, count: int = 64) -> bytes:
    damaged = bytearray(data)
    for i in range(start, start + count):
        damaged[i] ^= 0x5A
    return bytes(damaged)


def _nan_wav() -> bytes:
    x = tone(0.5)
    x[100] = np.nan
    x[200] = np.inf
    return encode(x, TARGET_RATE, "WAV", "FLOAT")


CORRUPT = {
    "wav-header-cut": lambda: _wav()[:30],
    "riff-only": lambda: b"RIFF",
    "wav-no-data-chunk": lambda: _wav()[:36],
    "wav-nan-inf": _nan_wav,
    "flac-cut": lambda: (lambda d: d[: len(d) // 2])(
        encode(tone(2), TARGET_RATE, "FLAC", "PCM_16")
    ),
    "flac-damaged": lambda: (lambda d: _flipped(d, len(d) // 3))(
        encode(tone(2), TARGET_RATE, "FLAC", "PCM_16")
    ),
    "flac-magic-only": lambda: b"fLaC",
    "vorbis-cut": lambda: (lambda d: d[: len(d) // 2])(
        encode(tone(2), TARGET_RATE, "OGG", "VORBIS")
    ),
    "vorbis-damaged": lambda: (lambda d: _flipped(d, len(d) // 3))(
        encode(tone(2), TARGET_RATE, "OGG", "VORBIS")
    ),
    "opus-cut": lambda: (lambda d: d[: len(d) // 2])(encode(tone(2), TARGET_RATE, "OGG", "OPUS")),
    "opus-cut-at-page-boundary": lambda: (lambda d: d[: d.rfind(b"OggS")])(
        encode(tone(2), TARGET_RATE, "OGG", "OPUS")
    ),
    "opus-damaged": lambda: (lambda d: _flipped(d, len(d) // 3))(
        encode(tone(2), TARGET_RATE, "OGG", "OPUS")
    ),
    "ogg-magic-only": lambda: b"OggS",
}


@pytest.mark.parametrize("name", sorted(CORRUPT))
def test_corrupt_or_truncated(name: str) -> None:
    assert rejection(CORRUPT[name]()).code == "corrupt"


def _wav_fmt_field(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    return data[:offset] + struct.pack(fmt, value) + data[offset + struct.calcsize(fmt) :]


UNSUPPORTED = {
    "aiff": lambda: encode(tone(1), TARGET_RATE, "AIFF", "PCM_16"),
    "caf": lambda: encode(tone(1), TARGET_RATE, "CAF", "PCM_16"),
    "au": lambda: encode(tone(1), TARGET_RATE, "AU", "PCM_16"),
    "w64": lambda: encode(tone(1), TARGET_RATE, "W64", "PCM_16"),
    "rf64": lambda: encode(tone(1), TARGET_RATE, "RF64", "PCM_16"),
    "wav-ima-adpcm": lambda: encode(tone(1), TARGET_RATE, "WAV", "IMA_ADPCM"),
    "wav-gsm610": lambda: encode(tone(1, 8_000), 8_000, "WAV", "GSM610"),
    "wav-unknown-codec": lambda: _wav_fmt_field(_wav(), 20, "<H", 0x1234),
    "wav-9-channels": lambda: encode(np.zeros((1600, 9), np.float32), TARGET_RATE, "WAV", "PCM_16"),
    "rate-4000": lambda: encode(tone(1, 4_000), 4_000, "WAV", "PCM_16"),
    "rate-384000": lambda: encode(tone(0.1, 384_000), 384_000, "WAV", "PCM_16"),
    "rate-44101": lambda: _wav_fmt_field(_wav(), 24, "<I", 44_101),
    "webm": lambda: b"\x1a\x45\xdf\xa3" + bytes(100),
    "m4a": lambda: b"\x00\x00\x00\x20ftypM4A " + bytes(100),
    "aac-adts": lambda: b"\xff\xf1\x50\x80" + bytes(100),
    "ogg-speex": lambda: _ogg_page(b"Speex   " + bytes(72), flags=0x02),
}


def _ogg_page(body: bytes, flags: int) -> bytes:
    """One Ogg page (CRC left zero: our pre-check runs before any decoder would verify it)."""
    lacing = bytes([255] * (len(body) // 255) + [len(body) % 255])
    return b"OggS\x00" + bytes([flags]) + bytes(20) + bytes([len(lacing)]) + lacing + body


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported_format(name: str) -> None:
    assert rejection(UNSUPPORTED[name]()).code == "unsupported_format"


@pytest.mark.parametrize(("fmt", "subtype"), [("WAV", "PCM_16"), ("FLAC", "PCM_16"),
                                              ("OGG", "VORBIS"), ("OGG", "OPUS")])  # fmt: skip
def test_too_long(fmt: str, subtype: str) -> None:
    data = encode(tone(3.0), TARGET_RATE, fmt, subtype)
    assert rejection(data, max_duration_s=2.5).code == "too_long"


def test_duration_limit_is_inclusive() -> None:
    assert decode_audio(_wav(3.0), max_duration_s=3.0).duration_s == pytest.approx(3.0)
    assert rejection(_wav(3.0), max_duration_s=2.9999).code == "too_long"


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_duration_s"):
        decode_audio(_wav(), 0)


# --- headers that lie -------------------------------------------------------------------------


def test_wav_header_claiming_short_decodes_only_the_declared_chunk() -> None:
    # 1 s declared, 4 s present: the bytes after the data chunk are not audio by the container's
    # own definition, so what we decode (and store) is the declared second, never more.
    data = wav_with_data_size(tone(4.0), declared_bytes=2 * TARGET_RATE)
    out = decode_audio(data, max_duration_s=2.0)
    assert out.duration_s == pytest.approx(1.0)


def test_wav_with_unknown_length_is_measured_by_decoding() -> None:
    # 0xFFFFFFFF is what streaming writers put in; libsndfile reads to the end of the data.
    long_stream = wav_with_data_size(tone(90.0), declared_bytes=0xFFFFFFFF)
    assert rejection(long_stream, max_duration_s=LIMIT_S).code == "too_long"
    short_stream = wav_with_data_size(tone(4.0), declared_bytes=0xFFFFFFFF)
    assert decode_audio(short_stream, LIMIT_S).duration_s == pytest.approx(4.0)


def test_wav_header_claiming_long_but_truncated_is_corrupt_not_too_long() -> None:
    # The header says 120 s (over the limit) but only 4 s arrived: the header is not trusted
    # for the duration, and the missing bytes make it a damaged upload.
    data = wav_with_data_size(tone(4.0), declared_bytes=120 * 2 * TARGET_RATE)
    error = rejection(data, max_duration_s=LIMIT_S)
    assert error.code == "corrupt"
    assert "truncated" in str(error)


def _flac_with_total_samples(data: bytes, total: int) -> bytes:
    # STREAMINFO is the first metadata block: its 36-bit sample count starts in the low nibble
    # of byte 21 of the file; metadata blocks carry no checksum.
    assert data[:4] == b"fLaC"
    damaged = bytearray(data)
    damaged[21] = (damaged[21] & 0xF0) | ((total >> 32) & 0x0F)
    damaged[22:26] = struct.pack(">I", total & 0xFFFFFFFF)
    return bytes(damaged)


def test_flac_header_claiming_long_but_short_is_corrupt_not_too_long() -> None:
    data = _flac_with_total_samples(encode(tone(4.0), TARGET_RATE, "FLAC", "PCM_16"), 120 * 16_000)
    assert rejection(data, max_duration_s=LIMIT_S).code == "corrupt"


def test_flac_header_claiming_short_never_yields_more_than_it_declares() -> None:
    data = _flac_with_total_samples(encode(tone(4.0), TARGET_RATE, "FLAC", "PCM_16"), TARGET_RATE)
    out = decode_audio(data, max_duration_s=2.0)
    assert out.duration_s == pytest.approx(1.0)


def test_too_long_stops_decoding_early() -> None:
    # A 5-minute upload against a 1 s limit: decoding all of it would allocate ~19 MB of float32;
    # block-wise decoding stops after the first block.
    data = _wav(300.0)
    tracemalloc.start()
    try:
        with pytest.raises(AudioRejected) as info:
            decode_audio(data, max_duration_s=1.0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.code == "too_long"
    assert peak < 2_000_000


# --- at the source rate, without a limit, headers only ------------------------------------------


def test_decode_source_keeps_the_rate_and_downmixes() -> None:
    x = tone(1.0, 22_050)
    source = decode_source(encode(np.stack([x, x], axis=1), 22_050, "FLAC", "PCM_16"), None)
    assert (source.layout.format, source.layout.sample_rate, source.layout.channels) == (
        "FLAC",
        22_050,
        2,
    )
    np.testing.assert_allclose(source.samples, x, atol=1 / 32_000)


def test_no_limit_decodes_what_a_limit_refuses() -> None:
    data = _wav(3.0)
    assert decode_audio(data, max_duration_s=None).duration_s == pytest.approx(3.0)
    assert rejection(data, max_duration_s=2.0).code == "too_long"
    with pytest.raises(ValueError, match="positive"):
        decode_source(data, float("nan"))


def test_header_check_reads_the_layout() -> None:
    layout = check_audio(encode(tone(1.0, 48_000), 48_000, "OGG", "OPUS"))
    assert (layout.format, layout.subtype, layout.sample_rate) == ("OGG", "OPUS", 48_000)


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_header_check_refuses_every_unsupported_format(name: str) -> None:
    with pytest.raises(AudioRejected) as info:
        check_audio(UNSUPPORTED[name]())
    assert info.value.code == "unsupported_format"


# --- fuzzing: nothing but AudioRejected ever escapes --------------------------------------------

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # same examples on every run: CI failures reproduce
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
FUZZ_LIMIT_S = 2.0


def assert_decodes_or_rejects(data: bytes) -> None:
    try:
        out = decode_audio(data, FUZZ_LIMIT_S)
    except AudioRejected as exc:
        assert exc.code in REJECT_CODES
        assert str(exc)
        return
    assert out.samples.dtype == np.float32 and out.samples.ndim == 1
    assert 0 < out.samples.size <= FUZZ_LIMIT_S * TARGET_RATE + 1
    assert np.isfinite(out.samples).all()
    assert np.abs(out.samples).max() <= 1.0


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_only_ever_raise_audio_rejected(data: bytes) -> None:
    assert_decodes_or_rejects(data)


_MAGIC = [
    encode_wav_pcm16(np.zeros(0, np.float32), TARGET_RATE)[:36],  # RIFF/WAVE + fmt chunk
    b"RIFF\xff\xff\xff\xffWAVE",
    b"fLaC",
    b"fLaC\x00\x00\x00\x22",
    b"OggS\x00\x02",
    b"ID3\x04\x00\x00\x00\x00\x00\x00",
    b"\xff\xfb\x90\x00",
]


@FUZZ
@given(st.sampled_from(_MAGIC), st.binary(max_size=4096))
def test_random_bytes_behind_audio_magic(magic: bytes, tail: bytes) -> None:
    assert_decodes_or_rejects(magic + tail)


_SEEDS = [
    encode(tone(0.3), TARGET_RATE, fmt, subtype)
    for fmt, subtype in [("WAV", "PCM_16"), ("WAV", "FLOAT"), ("FLAC", "PCM_16"),
                         ("OGG", "VORBIS"), ("OGG", "OPUS"), ("MP3", "MPEG_LAYER_III")]
] + [encode(tone(3.0, 8_000), 8_000, "FLAC", "PCM_16")]  # fmt: skip


@FUZZ
@given(
    st.sampled_from(range(len(_SEEDS))),
    st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=16),
    st.floats(0, 1),
)
def test_damaged_real_files_only_ever_raise_audio_rejected(
    seed: int, flips: list[tuple[float, int]], keep: float
) -> None:
    damaged = bytearray(_SEEDS[seed])
    for where, value in flips:
        damaged[min(int(where * len(damaged)), len(damaged) - 1)] = value
    assert_decodes_or_rejects(bytes(damaged[: max(1, int(keep * len(damaged)))]))
