"""Planning a bulk import: which files of a folder are uploaded, under which utterance ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from voxguard.ingest.importer import ManifestError, plan_import


def test_a_folder_imports_its_audio_files_by_stem(tmp_path: Path) -> None:
    for name in ("b.mp3", "a.wav", "c.opus", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "d.flac").mkdir()  # a folder, whatever its name, is not uploaded
    items = plan_import(tmp_path, {"locale": "en-us"})
    assert [(i.label, i.metadata["utterance_id"]) for i in items] == [
        ("a.wav", "a"),
        ("b.mp3", "b"),
        ("c.opus", "c"),
    ]
    assert all(i.metadata["locale"] == "en-us" for i in items)


def test_two_files_with_one_stem_are_refused_before_anything_is_uploaded(tmp_path: Path) -> None:
    (tmp_path / "x.wav").write_bytes(b"x")
    (tmp_path / "x.ogg").write_bytes(b"x")
    with pytest.raises(ManifestError, match=r"share the id 'x': x\.ogg, x\.wav"):
        plan_import(tmp_path, {})
