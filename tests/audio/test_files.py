"""Audio files on disk: one listing rule and one reader for every part that takes a folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.support.audio import encode, tone
from voxguard.audio import (
    AUDIO_SUFFIXES,
    DuplicateClipId,
    UnreadableAudioFile,
    check_audio_file,
    list_audio_files,
    read_audio_file,
)


def test_lists_every_decodable_suffix_sorted_and_nothing_else(tmp_path: Path) -> None:
    for name in ("b.WAV", "a.flac", "c.ogg", "d.opus", "e.mp3", "notes.txt", "f.aiff"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sub.wav").mkdir()  # a folder is not a file, whatever its name
    (tmp_path / "sub.wav" / "inner.wav").write_bytes(b"x")  # not recursive
    names = [p.name for p in list_audio_files(tmp_path)]
    assert names == ["a.flac", "b.WAV", "c.ogg", "d.opus", "e.mp3"]
    assert {Path(n).suffix.lower() for n in names} == set(AUDIO_SUFFIXES)


def test_refuses_a_missing_folder_and_clashing_stems(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError, match="nope"):
        list_audio_files(tmp_path / "nope")
    (tmp_path / "x.wav").write_bytes(b"x")
    (tmp_path / "x.flac").write_bytes(b"x")
    with pytest.raises(DuplicateClipId, match=r"share the id 'x': x\.flac, x\.wav"):
        list_audio_files(tmp_path)


def test_reads_mono_at_the_file_rate_clipped(tmp_path: Path) -> None:
    x = tone(0.5, 22_050)
    loud = np.stack([x * 5, x * 5], axis=1)  # float WAV may hold values beyond full scale
    (tmp_path / "loud.wav").write_bytes(encode(loud, 22_050, "WAV", "FLOAT"))
    samples, rate = read_audio_file(tmp_path / "loud.wav")
    assert rate == 22_050 and samples.dtype == np.float32 and samples.shape == x.shape
    assert samples.max() == 1.0 and samples.min() == -1.0
    assert check_audio_file(tmp_path / "loud.wav").channels == 2


@pytest.mark.parametrize("reader", [read_audio_file, check_audio_file])
def test_unreadable_files_are_named(tmp_path: Path, reader) -> None:
    (tmp_path / "broken.flac").write_bytes(b"RIFF\x00\x00garbage" * 10)
    (tmp_path / "song.wav").write_bytes(encode(tone(0.2), 16_000, "AIFF", "PCM_16"))
    with pytest.raises(UnreadableAudioFile, match=r"broken\.flac: .*RIFF"):
        reader(tmp_path / "broken.flac")
    with pytest.raises(UnreadableAudioFile, match=r"song\.wav: AIFF audio is not accepted"):
        reader(tmp_path / "song.wav")
    with pytest.raises(UnreadableAudioFile, match=r"gone\.wav: No such file"):
        reader(tmp_path / "gone.wav")
