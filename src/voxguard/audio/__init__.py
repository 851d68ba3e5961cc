"""The one audio codec: decoding (content-sniffed WAV, FLAC, Ogg, MP3), 16 kHz resampling, WAV
writing and audio files on disk. Every part that touches audio uses this one.
"""

from voxguard.audio.decode import (
    ACCEPTED_FORMATS,
    REJECT_CODES,
    AudioLayout,
    AudioRejected,
    DecodedAudio,
    SourceAudio,
    check_audio,
    decode_audio,
    decode_source,
)
from voxguard.audio.files import (
    AUDIO_SUFFIXES,
    DuplicateClipId,
    UnreadableAudioFile,
    check_audio_file,
    list_audio_files,
    read_audio_file,
)
from voxguard.audio.resample import TARGET_RATE, to_target_rate
from voxguard.audio.wav import REVIEW_PEAK, encode_wav_pcm16, normalise_peak, to_pcm16

__all__ = [
    "ACCEPTED_FORMATS",
    "AUDIO_SUFFIXES",
    "REJECT_CODES",
    "REVIEW_PEAK",
    "TARGET_RATE",
    "AudioLayout",
    "AudioRejected",
    "DecodedAudio",
    "DuplicateClipId",
    "SourceAudio",
    "UnreadableAudioFile",
    "check_audio",
    "check_audio_file",
    "decode_audio",
    "decode_source",
    "encode_wav_pcm16",
    "list_audio_files",
    "normalise_peak",
    "read_audio_file",
    "to_pcm16",
    "to_target_rate",
]
