"""The one audio decoder: WAV, FLAC, Ogg and MP3 bytes to mono float32, trusting nothing.

The container is recognised from the bytes themselves (never from a file name, a content type or a
declared duration) and only an allowlist reaches libsndfile: WAV (PCM, float, A-law, µ-law), FLAC,
Ogg Vorbis, Ogg Opus and MP3. Other parsers in libsndfile (AIFF, CAF, PAF, SD2, …) are never
exposed to outside bytes. Duration is enforced by counting the frames actually decoded, block by
block, and stopping as soon as the limit is passed, so neither a lying header nor a decompression
bomb makes us decode more than the limit allows. Everything happens in memory: no temp files.

Uploads, stored originals and files named on the command line all go through here. Every refusal
is an `AudioRejected` whose `code` is one of `REJECT_CODES`.
"""

from __future__ import annotations

import io
import math
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import numpy as np
import soundfile as sf

from voxguard.audio.resample import TARGET_RATE, is_cheap_to_resample, to_target_rate

MIN_SOURCE_RATE = 8_000
MAX_SOURCE_RATE = 192_000
MAX_CHANNELS = 8
_BLOCK_FRAMES = 65_536
_MAX_RIFF_CHUNKS = 64  # chunks walked before giving up the pre-check and leaving it to libsndfile

RejectCode = Literal["empty", "not_audio", "corrupt", "too_long", "unsupported_format"]
REJECT_CODES: tuple[RejectCode, ...] = (
    "empty",
    "not_audio",
    "corrupt",
    "too_long",
    "unsupported_format",
)
ACCEPTED_FORMATS = ("WAV", "FLAC", "OGG", "MP3")
_EXPECTED = "send WAV, FLAC, Ogg Vorbis/Opus or MP3"

# libsndfile's name for a format -> the name we report; WAVEX is WAV with an extensible header.
_LIBSNDFILE_FORMATS = {"WAV": "WAV", "WAVEX": "WAV", "FLAC": "FLAC", "OGG": "OGG", "MP3": "MP3"}
# WAVE_FORMAT tags accepted: PCM, IEEE float, A-law, µ-law. ADPCM/GSM and friends are refused
# rather than handed to their rarely exercised decoders.
_WAV_TAGS = {0x0001: "PCM", 0x0003: "IEEE float", 0x0006: "A-law", 0x0007: "µ-law"}
_WAVE_FORMAT_EXTENSIBLE = 0xFFFE

# Audio containers we recognise but do not accept: a clearer answer than "not audio".
_OTHER_AUDIO_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b".snd", "Sun AU"),
    (0, b"caff", "Apple CAF"),
    (0, b"RIFX", "big-endian WAV (RIFX)"),
    (0, b"RF64", "RF64"),
    (0, b"BW64", "BW64"),
    (0, b"riff\x2e\x91\xcf\x11", "Sony Wave64"),
    (0, b"\x1a\x45\xdf\xa3", "Matroska/WebM"),
    (4, b"ftyp", "MP4/M4A/3GP"),
    (0, b"#!AMR", "AMR"),
    (0, b"#!SILK", "SILK"),
    (0, b"ADIF", "AAC (ADIF)"),
    (0, b"wvpk", "WavPack"),
    (0, b"MAC ", "Monkey's Audio"),
    (0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", "ASF/WMA"),
    (0, b"NIST_1A", "NIST SPHERE"),
    (0, b"Creative Voice File", "Creative VOC"),
    (0, b"MThd", "MIDI"),
    (0, b"2BIT", "AVR"),
    (0, b"PVF1", "PVF"),
)


class AudioRejected(ValueError):
    """Audio refused. `code` is machine-readable (see REJECT_CODES); str() is for humans."""

    def __init__(self, code: RejectCode, message: str) -> None:
        super().__init__(message)
        self.code: RejectCode = code
        self.message = message


@dataclass(frozen=True)
class DecodedAudio:
    samples: np.ndarray  # float32, 1-D (mono), TARGET_RATE, every value finite and in [-1, 1]
    sample_rate: int  # always TARGET_RATE
    duration_s: float  # len(samples) / sample_rate: what was decoded, not what a header claimed
    source_format: str  # "WAV", "FLAC", "OGG" or "MP3"
    source_subtype: str = ""  # libsndfile's encoding name, e.g. "PCM_16", "OPUS", "VORBIS"
    source_sample_rate: int = 0
    source_channels: int = 0


@dataclass(frozen=True)
class AudioLayout:
    """What an accepted stream's headers say, once checked."""

    format: str  # "WAV", "FLAC", "OGG" or "MP3"
    sample_rate: int
    channels: int
    subtype: str  # libsndfile's encoding name, e.g. "PCM_16", "OPUS", "VORBIS"


@dataclass(frozen=True)
class SourceAudio:
    """Decoded audio at the rate it was recorded at."""

    samples: np.ndarray  # float32, 1-D (mono), every value finite
    layout: AudioLayout


def decode_audio(data: bytes, max_duration_s: float | None) -> DecodedAudio:
    """Decode audio bytes and normalise them to TARGET_RATE mono float32 in [-1, 1].

    Raises AudioRejected for anything that is not acceptable audio of at most `max_duration_s`
    seconds (measured on the decoded samples; None: no limit, for audio we stored ourselves).
    ValueError for a non-positive limit (a bug).
    """
    source = decode_source(data, max_duration_s)
    layout = source.layout
    samples = to_target_rate(source.samples, layout.sample_rate)
    np.clip(samples, -1.0, 1.0, out=samples)
    return DecodedAudio(
        samples=samples,
        sample_rate=TARGET_RATE,
        duration_s=samples.shape[0] / TARGET_RATE,
        source_format=layout.format,
        source_subtype=layout.subtype,
        source_sample_rate=layout.sample_rate,
        source_channels=layout.channels,
    )


def decode_source(data: bytes, max_duration_s: float | None) -> SourceAudio:
    """Decode audio bytes to mono float32 at their own sample rate (see decode_audio)."""
    if max_duration_s is not None and not (math.isfinite(max_duration_s) and max_duration_s > 0):
        raise ValueError(f"max_duration_s must be a positive number, got {max_duration_s!r}")
    with _opened(data) as (f, layout):
        claimed = int(f.frames)
        mono = _read_mono(f, layout.sample_rate, layout.channels, max_duration_s)
    container = layout.format
    frames = mono.shape[0]
    if frames == 0:
        raise AudioRejected("empty", f"the {container} file contains no audio samples")
    # A FLAC, WAV or Ogg header's frame count is exact, so decoding fewer frames means part of
    # the stream is missing or undecodable. MP3 headers only estimate it, so they are exempt.
    if container != "MP3" and frames < claimed:
        raise AudioRejected(
            "corrupt",
            f"the {container} file is damaged or truncated: decoded {frames} of the "
            f"{claimed} frames its header declares",
        )
    if not np.isfinite(mono).all():
        raise AudioRejected("corrupt", "the audio contains NaN or infinite sample values")
    return SourceAudio(mono, layout)


def check_audio(data: bytes) -> AudioLayout:
    """Refuse what decode_source would refuse from the headers alone, without decoding samples."""
    with _opened(data) as (_, layout):
        return layout


@contextmanager
def _opened(data: bytes) -> Iterator[tuple[sf.SoundFile, AudioLayout]]:
    """The checked stream, open for reading; whatever libsndfile raises is a damaged file."""
    container = _checked_container(data)
    try:
        with sf.SoundFile(io.BytesIO(data)) as f:
            layout = _checked_layout(f, container, data)
            container = layout.format
            yield f, layout
    except sf.LibsndfileError as exc:
        raise AudioRejected(
            "corrupt", f"the {container} file is damaged or truncated: {exc.error_string}"
        ) from exc
    except (sf.SoundFileError, RuntimeError) as exc:
        # Anything else the binding raises on hostile input is still a damaged file.
        raise AudioRejected("corrupt", f"the {container} file could not be decoded: {exc}") from exc


def _checked_container(data: bytes) -> str:
    """The accepted container the bytes hold, after the checks libsndfile does not make."""
    if len(data) == 0:
        raise AudioRejected("empty", "the audio file is empty (0 bytes)")
    container = _sniff(data)
    if container == "WAV":
        _precheck_wav(data)
    elif container == "OGG":
        _precheck_ogg(data)
    return container


def _checked_layout(f: sf.SoundFile, container: str, data: bytes) -> AudioLayout:
    """The opened stream's layout, once libsndfile agrees it is `container` and it is allowed."""
    fmt = _LIBSNDFILE_FORMATS.get(f.format)
    if fmt == "FLAC" and container == "MP3" and data[:3] == b"ID3":
        container = "FLAC"  # an ID3 tag in front of FLAC: libsndfile skips it
    if fmt is None or fmt != container:
        raise AudioRejected(
            "unsupported_format",
            f"{f.format_info} audio is not accepted here; {_EXPECTED}",
        )
    rate, channels = int(f.samplerate), int(f.channels)
    _check_layout(rate, channels)
    return AudioLayout(container, rate, channels, str(f.subtype))


# --- recognising the container ---------------------------------------------------------------


def _sniff(data: bytes) -> str:
    """Name the accepted container the bytes start with, or refuse them."""
    if data[:4] == b"RIFF":
        if len(data) < 12:
            raise AudioRejected("corrupt", "the RIFF header is truncated")
        if data[8:12] == b"WAVE":
            return "WAV"
        raise AudioRejected("not_audio", f"RIFF/{_printable(data[8:12])} is not audio; {_EXPECTED}")
    if data[:4] == b"fLaC":
        return "FLAC"
    if data[:4] == b"OggS":
        return "OGG"
    if data[:3] == b"ID3" or _is_mpeg_audio_frame(data):
        return "MP3"
    if data[:4] == b"FORM":
        kind = "AIFF" if data[8:12] in (b"AIFF", b"AIFC") else f"IFF/{_printable(data[8:12])}"
        raise AudioRejected("unsupported_format", f"{kind} audio is not accepted; {_EXPECTED}")
    if len(data) >= 2 and data[0] == 0xFF and (data[1] & 0xF6) == 0xF0:
        raise AudioRejected("unsupported_format", f"AAC (ADTS) audio is not accepted; {_EXPECTED}")
    for offset, magic, name in _OTHER_AUDIO_MAGIC:
        if data[offset : offset + len(magic)] == magic:
            raise AudioRejected("unsupported_format", f"{name} audio is not accepted; {_EXPECTED}")
    raise AudioRejected("not_audio", f"the file is not a recognised audio format; {_EXPECTED}")


def _is_mpeg_audio_frame(data: bytes) -> bool:
    """An MPEG-1/2/2.5 layer I-III frame header at offset 0 (what libsndfile's MP3 reader wants)."""
    if len(data) < 4 or data[0] != 0xFF or (data[1] & 0xE0) != 0xE0:
        return False
    version, layer = (data[1] >> 3) & 3, (data[1] >> 1) & 3
    bitrate, rate = data[2] >> 4, (data[2] >> 2) & 3
    return version != 1 and layer != 0 and bitrate != 15 and rate != 3


def _printable(tag: bytes) -> str:
    return tag.decode("latin-1").encode("unicode_escape").decode("ascii")


def _riff_chunks(data: bytes, max_chunks: int | None) -> Iterator[tuple[bytes, int, int]]:
    """(chunk id, body offset, declared size) for each chunk header present after 'WAVE'."""
    offset, count = 12, 0
    while offset + 8 <= len(data) and (max_chunks is None or count < max_chunks):
        chunk_id, size = struct.unpack_from("<4sI", data, offset)
        yield chunk_id, offset + 8, size
        offset += 8 + size + (size & 1)  # chunks are word aligned
        count += 1


def _precheck_wav(data: bytes) -> None:
    """Refuse WAV encodings outside the allowlist and data chunks cut short.

    libsndfile silently shortens a data chunk that runs past the end of the file; for an upload
    that means a truncated file, which we refuse. 0 and 0xFFFFFFFF are the "unknown length"
    values streaming writers use, for which libsndfile reads to the end (and we count frames).
    """
    for chunk_id, body, size in _riff_chunks(data, max_chunks=_MAX_RIFF_CHUNKS):
        if chunk_id == b"fmt " and size >= 16 and body + 16 <= len(data):
            tag = struct.unpack_from("<H", data, body)[0]
            if tag == _WAVE_FORMAT_EXTENSIBLE and size >= 40 and body + 26 <= len(data):
                tag = struct.unpack_from("<H", data, body + 24)[0]  # first 2 bytes of SubFormat
            if tag not in _WAV_TAGS:
                raise AudioRejected(
                    "unsupported_format",
                    f"WAV encoding {tag:#06x} is not accepted (only PCM, float, A-law and µ-law); "
                    f"{_EXPECTED}",
                )
        elif chunk_id == b"data":
            available = len(data) - body
            if size not in (0, 0xFFFFFFFF) and size > available:
                raise AudioRejected(
                    "corrupt",
                    f"the WAV file is truncated: its data chunk declares {size} bytes but only "
                    f"{available} are present",
                )
            return


_OGG_PAGE_HEADER = 27
_OGG_MAX_PAGE = _OGG_PAGE_HEADER + 255 + 255 * 255
_OGG_CODECS = ((b"\x01vorbis", "Vorbis"), (b"OpusHead", "Opus"))
_OGG_OTHER_CODECS = (
    (b"\x7fFLAC", "FLAC"),
    (b"Speex   ", "Speex"),
    (b"\x80theora", "Theora"),
    (b"\x80kate", "Kate"),
    (b"fishead\x00", "Skeleton"),
)


def _precheck_ogg(data: bytes) -> None:
    """Refuse Ogg codecs other than Vorbis/Opus and streams without a complete final page.

    libsndfile takes an Ogg file's length from its last complete page, so a file cut short just
    plays shorter (or, for Vorbis, not at all) without any error: check the ending ourselves.
    """
    first = _ogg_page_at(data, 0)
    if first is None:
        raise AudioRejected("corrupt", "the Ogg file's first page is truncated")
    body = data[first[0] : first[0] + 8]
    if not any(body.startswith(magic) for magic, _ in _OGG_CODECS):
        name = next((n for magic, n in _OGG_OTHER_CODECS if body.startswith(magic)), None)
        if name is None:
            raise AudioRejected("corrupt", "the Ogg file's first page holds no codec header")
        raise AudioRejected(
            "unsupported_format", f"Ogg {name} is not accepted (only Vorbis and Opus); {_EXPECTED}"
        )
    # Find the last page: the last "OggS" whose page ends exactly at the end of the data. A
    # capture pattern inside packet data cannot satisfy that by accident in practice.
    start = len(data)
    floor = max(0, len(data) - _OGG_MAX_PAGE)
    while True:
        start = data.rfind(b"OggS", floor, start)
        if start < 0:
            raise AudioRejected("corrupt", "the Ogg file is truncated: its last page is incomplete")
        page = _ogg_page_at(data, start)
        if page is not None and page[1] == len(data):
            if not data[start + 5] & 0x04:
                raise AudioRejected(
                    "corrupt", "the Ogg file is truncated: it has no end-of-stream page"
                )
            return


def _ogg_page_at(data: bytes, start: int) -> tuple[int, int] | None:
    """(body offset, end offset) of a well-formed page at `start`, if all of it is present."""
    if start + _OGG_PAGE_HEADER > len(data) or data[start : start + 4] != b"OggS":
        return None
    if data[start + 4] != 0:  # stream structure version
        return None
    segments = data[start + 26]
    lacing_end = start + _OGG_PAGE_HEADER + segments
    if lacing_end > len(data):
        return None
    end = lacing_end + sum(data[start + _OGG_PAGE_HEADER : lacing_end])
    return (lacing_end, end) if end <= len(data) else None


# --- decoding ----------------------------------------------------------------------------------


def _check_layout(rate: int, channels: int) -> None:
    if not MIN_SOURCE_RATE <= rate <= MAX_SOURCE_RATE:
        raise AudioRejected(
            "unsupported_format",
            f"sample rate {rate} Hz is outside the accepted {MIN_SOURCE_RATE}–{MAX_SOURCE_RATE} Hz",
        )
    if not is_cheap_to_resample(rate):
        raise AudioRejected(
            "unsupported_format",
            f"sample rate {rate} Hz is unusual; use a standard rate (8000, 16000, 22050, 44100, "
            "48000, …)",
        )
    if not 1 <= channels <= MAX_CHANNELS:
        raise AudioRejected(
            "unsupported_format", f"{channels} channels; at most {MAX_CHANNELS} are accepted"
        )


def _read_mono(
    f: sf.SoundFile, rate: int, channels: int, max_duration_s: float | None
) -> np.ndarray:
    """Decode to the end block by block, downmixing as we go; refuse once past the limit.

    Never asks for more than limit + 1 frames in total, whatever the header says, and keeps only
    the mono mix (a multichannel file costs no more memory than a mono one).
    """
    max_frames = math.inf if max_duration_s is None else math.floor(max_duration_s * rate)
    blocks: list[np.ndarray] = []
    total = 0
    while True:
        want = int(min(_BLOCK_FRAMES, max_frames + 1 - total))
        block = f.read(want, dtype="float32", always_2d=True)
        n = block.shape[0]
        if n == 0:
            break
        total += n
        if total > max_frames:
            raise AudioRejected(
                "too_long",
                f"the audio is longer than the {max_duration_s:g} s limit",
            )
        blocks.append(block[:, 0] if channels == 1 else block.mean(axis=1, dtype=np.float32))
    if not blocks:
        return np.zeros(0, dtype=np.float32)
    mono = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)
    return np.ascontiguousarray(mono, dtype=np.float32)
