"""The default calibration set: the demo voices, rendered once into the data dir."""

from __future__ import annotations

from pathlib import Path

from voxguard.config import Settings
from voxguard.demo.calibration import ensure_calibration_set, render_demo_calibration
from voxguard.demo.scenario import COMMANDS
from voxguard.demo.speech import DEMO_VOICES
from voxguard.privacy.calibration import CalibrationSet


def test_the_demo_voices_are_rendered_once_with_what_they_say(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    folder = ensure_calibration_set(settings)
    assert folder == tmp_path / "var" / "calibration"
    clips = CalibrationSet.from_settings(settings).clips()
    assert len(clips) == len(DEMO_VOICES)
    spoken = {c.text for c in COMMANDS}
    for clip, voice in zip(clips, DEMO_VOICES, strict=True):
        assert clip.text in spoken and voice in clip.speaker and "synthetic" in clip.speaker
    assert len({c.text for c in clips}) == len(clips)  # a different sentence for each voice
    # No names or numbers to bleep: the voice alone is under judgement.
    assert not any(word in clip.text for clip in clips for word in ("john", "sarah", "card"))

    # Kept, not re-made: espeak-ng is not bit-for-bit reproducible, and leads compare over time.
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    ensure_calibration_set(settings)
    render_demo_calibration(folder)
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == stamps


def test_a_configured_folder_is_never_written(tmp_path: Path) -> None:
    own = tmp_path / "volunteers"
    settings = Settings(data_dir=tmp_path / "var", calibration_dir=own)
    assert ensure_calibration_set(settings) == own
    assert not own.exists() and not (tmp_path / "var" / "calibration").exists()
