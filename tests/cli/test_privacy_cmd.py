"""voxguard privacy anonymize | redact-text | transcribe on folders and JSONL."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import resample_poly
from typer.testing import CliRunner

from tests.support.audio import tone_wav
from voxguard.cli.main import app
from voxguard.config import reset_settings_cache
from voxguard.demo.speech import synthesize

runner = CliRunner()


def _speech_folder(folder: Path) -> None:
    folder.mkdir()
    sentences = (
        ("a", "please set an alarm for seven tomorrow morning"),
        ("b", "call mum on five five five one two"),
    )
    for stem, text in sentences:
        audio, _rate = synthesize(text, "en+m1")
        sf.write(folder / f"{stem}.wav", resample_poly(audio, 320, 441).astype(np.float32), 16_000)


def test_anonymize_folder_is_deterministic_and_names_bad_files(tmp_path: Path) -> None:
    source = tmp_path / "in"
    _speech_folder(source)
    first = runner.invoke(
        app, ["privacy", "anonymize", str(source), str(tmp_path / "o1"), "--seed", "7"]
    )
    second = runner.invoke(
        app, ["privacy", "anonymize", str(source), str(tmp_path / "o2"), "--seed", "7"]
    )
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    for stem in ("a", "b"):
        one, _ = sf.read(tmp_path / "o1" / f"{stem}.wav")
        two, _ = sf.read(tmp_path / "o2" / f"{stem}.wav")
        original, _ = sf.read(source / f"{stem}.wav")
        np.testing.assert_array_equal(one, two)
        assert len(one) == len(original) and not np.allclose(one, original, atol=1e-3)
    (source / "broken.wav").write_bytes(b"RIFF0000WAVEjunk")
    bad = runner.invoke(app, ["privacy", "anonymize", str(source), str(tmp_path / "o3")])
    assert bad.exit_code == 1 and "broken.wav" in bad.output


def test_redact_text_round_trip_and_bad_line(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "1", "text": "call john smith on five five five one two one two"})
        + "\n"
        + json.dumps({"id": "2", "text": "set an alarm for seven thirty"})
        + "\n"
    )
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["privacy", "redact-text", str(source), str(out)])
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in out.read_text().splitlines())
    assert first["redacted"] == "call [PERSON] on [PHONE_NUMBER]"
    assert {s["type"] for s in first["spans"]} == {"PERSON", "PHONE_NUMBER"}
    for span in first["spans"]:
        assert first["text"][span["start"] : span["end"]].strip()
    assert second["spans"] == [] and second["redacted"] == second["text"]
    written = out.read_text()
    source.write_text('{"id": "1", "text": "ok"}\n{not json\n')
    bad = runner.invoke(app, ["privacy", "redact-text", str(source), str(out)])
    assert bad.exit_code == 1
    assert bad.output.splitlines()[-1] == (
        f"error: {source}, line 2: invalid JSON: Expecting property name enclosed in double quotes"
    )
    assert out.read_text() == written  # nothing half-written over the last good output


def test_transcribe_folder_with_word_times(tmp_path: Path) -> None:
    source = tmp_path / "in"
    _speech_folder(source)
    out = tmp_path / "t.jsonl"
    result = runner.invoke(app, ["privacy", "transcribe", str(source), str(out)])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert "alarm" in rows["a"]["text"] and "five" in rows["b"]["text"]
    starts = [w["start"] for w in rows["a"]["words"]]
    assert starts == sorted(starts) and rows["a"]["words"][-1]["end"] <= 4.0
    (source / "noise.wav").write_bytes(tone_wav(0.2)[:30])
    bad = runner.invoke(app, ["privacy", "transcribe", str(source), str(out)])
    assert bad.exit_code == 1 and "noise.wav" in bad.output


def test_command_choices_match_the_libraries() -> None:
    from voxguard.asr import ENGINE_NAMES
    from voxguard.cli import privacy_cmd
    from voxguard.privacy.anonymize import DEFAULT_METHOD, METHODS

    assert privacy_cmd.ENGINE_NAMES == ENGINE_NAMES
    assert tuple(METHODS) == privacy_cmd.METHODS and privacy_cmd.DEFAULT_METHOD == DEFAULT_METHOD


def test_calibration_lists_the_set_and_renders_it_on_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOXGUARD_DATA_DIR", str(tmp_path / "var"))
    reset_settings_cache()
    try:
        listed = runner.invoke(app, ["privacy", "calibration"])
        assert listed.exit_code == 0, listed.output
        assert (
            "demo-1-en-us-f3  “set an alarm for seven thirty tomorrow morning”  espeak-ng"
            in listed.output
        )
        assert "6 clips in" in listed.output
        cache = tmp_path / "var" / "calibration-cache"
        assert not cache.exists()  # listing renders nothing

        rendered = runner.invoke(app, ["privacy", "calibration", "--render", "--method", "mcadams"])
        assert rendered.exit_code == 0, rendered.output
        assert len(list(cache.glob("*/original/*.wav"))) == 6
        assert len(list(cache.glob("*/mcadams/*.wav"))) == 6

        wrong = runner.invoke(app, ["privacy", "calibration", "--render", "--method", "nope"])
        assert wrong.exit_code == 1 and "unknown anonymization method 'nope'" in wrong.output

        monkeypatch.setenv("VOXGUARD_CALIBRATION_DIR", str(tmp_path / "volunteers"))
        reset_settings_cache()
        missing = runner.invoke(app, ["privacy", "calibration"])
        assert missing.exit_code == 1 and "does not exist" in missing.output
        assert not (tmp_path / "volunteers").exists()
    finally:
        reset_settings_cache()
