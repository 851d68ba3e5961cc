"""The calibration set leads listen to: listing, rendering (cached, deterministic, as the pipeline
renders), refusing anything outside the folder, and the audit event of a listen."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import sqlalchemy as sa

from tests.support.audio import encode, tone
from voxguard.db.models import AuditEvent
from voxguard.privacy.anonymize import DEFAULT_METHOD, METHODS, UnknownMethodError
from voxguard.privacy.calibration import (
    MANIFEST_NAME,
    CalibrationError,
    CalibrationSet,
    CalibrationUnavailable,
    NewCalibrationClip,
    UnknownCalibrationClip,
    drawn_parameters,
    has_audio,
    listen,
    method_parameters,
    write_calibration_set,
)
from voxguard.runtime import Runtime


def _voice(seconds: float, f0: float, rate: int = 22_050) -> np.ndarray:
    """A buzzy, voice-like harmonic sound (LPC has formants to move), not a pure tone."""
    t = np.arange(int(seconds * rate)) / rate
    wave = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 30))
    envelope = np.minimum(1.0, np.minimum(t, t[-1] - t) * 20)
    return (0.2 * wave * envelope).astype(np.float32)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "calibration"
    write_calibration_set(
        target,
        [
            NewCalibrationClip(
                "b-second", "turn the lights on", "Volunteer B", _voice(1.2, 180), 22_050
            ),
            NewCalibrationClip(
                "a-first", "what time is it", "Volunteer A", _voice(1.0, 120), 22_050
            ),
        ],
    )
    return target


@pytest.fixture
def cal(folder: Path, tmp_path: Path) -> CalibrationSet:
    return CalibrationSet(folder, tmp_path / "cache")


def _read(path: Path) -> tuple[np.ndarray, int]:
    data, rate = sf.read(io.BytesIO(path.read_bytes()), dtype="float32")
    return data, rate


def test_clips_are_the_folders_audio_files_with_what_the_manifest_says(cal: CalibrationSet) -> None:
    clips = cal.clips()
    assert [c.clip_id for c in clips] == ["a-first", "b-second"]  # file-name order
    assert (clips[0].text, clips[0].speaker) == ("what time is it", "Volunteer A")
    assert cal.clip("b-second").text == "turn the lights on"
    # Without a manifest, clips still list; they just say nothing about themselves.
    (cal.folder / MANIFEST_NAME).unlink()
    assert [(c.text, c.speaker) for c in cal.clips()] == [("", ""), ("", "")]


def test_rendering_is_the_pipelines_16_khz_copy_cached_and_deterministic(
    cal: CalibrationSet, tmp_path: Path
) -> None:
    original = cal.render("a-first", "original", DEFAULT_METHOD)
    anonymized = cal.render("a-first", "anonymized", DEFAULT_METHOD)
    assert original.is_relative_to(cal.cache_dir) and anonymized.is_relative_to(cal.cache_dir)
    (o, o_rate), (a, a_rate) = _read(original), _read(anonymized)
    assert o_rate == a_rate == 16_000 and o.ndim == a.ndim == 1
    assert len(o) == len(a) == 16_000  # 1.0 s, resampled from 22.05 kHz
    # Both play equally loud (peak -3 dBFS), so only the voice differs.
    assert np.max(np.abs(o)) == pytest.approx(0.708, abs=0.002)
    assert np.max(np.abs(a)) == pytest.approx(0.708, abs=0.002)
    assert not np.allclose(o, a, atol=0.05)

    # Cached: asking again hands back the same file without writing it again.
    written = anonymized.stat().st_mtime_ns
    assert cal.render("a-first", "anonymized", DEFAULT_METHOD) == anonymized
    assert anonymized.stat().st_mtime_ns == written

    # Deterministic: a fresh cache renders the very same bytes (the seed is fixed per clip).
    elsewhere = CalibrationSet(cal.folder, tmp_path / "other-cache")
    again = elsewhere.render("a-first", "anonymized", DEFAULT_METHOD)
    assert again != anonymized and again.read_bytes() == anonymized.read_bytes()


def test_each_clip_and_method_gets_its_own_render(cal: CalibrationSet) -> None:
    assert cal.seed_of("a-first") != cal.seed_of("b-second")
    assert cal.seed_of("a-first") == CalibrationSet(cal.folder, cal.cache_dir).seed_of("a-first")
    paths = {m: cal.render("a-first", "anonymized", m) for m in METHODS}
    assert len(set(paths.values())) == len(METHODS)
    assert len({p.read_bytes() for p in paths.values()}) == len(METHODS)
    assert all(p.is_file() for p in paths.values())  # one method's render never evicts another's


def test_an_edited_file_is_rendered_again_and_the_old_render_goes(cal: CalibrationSet) -> None:
    before = cal.render("a-first", "anonymized", DEFAULT_METHOD)
    (cal.folder / "a-first.wav").write_bytes(encode(_voice(0.8, 140), 22_050))
    after = cal.render("a-first", "anonymized", DEFAULT_METHOD)
    assert after != before and not before.exists()
    assert len(_read(after)[0]) == int(0.8 * 16_000)


@pytest.mark.parametrize(
    "clip_id",
    [
        "../calibration/a-first",
        "a-first/../a-first",
        "/etc/passwd",
        "a-first\n",
        "",
        ".hidden",
        "a-first.wav",
        "nope",
    ],
)
def test_anything_but_a_listed_clip_is_refused(cal: CalibrationSet, clip_id: str) -> None:
    with pytest.raises(UnknownCalibrationClip):
        cal.render(clip_id, "original", DEFAULT_METHOD)
    assert not cal.cache_dir.exists()  # nothing rendered, nothing written


def test_a_link_to_a_file_outside_the_folder_is_refused(
    cal: CalibrationSet, tmp_path: Path
) -> None:
    secret = tmp_path / "someone-else.wav"
    secret.write_bytes(encode(tone(0.5), 16_000))
    os.symlink(secret, cal.folder / "c-linked.wav")
    with pytest.raises(CalibrationUnavailable, match="outside the calibration folder"):
        cal.clips()
    with pytest.raises(CalibrationUnavailable):
        cal.render("c-linked", "original", DEFAULT_METHOD)
    assert not cal.cache_dir.exists()


def test_an_unusable_folder_says_what_is_wrong(cal: CalibrationSet, tmp_path: Path) -> None:
    with pytest.raises(CalibrationUnavailable, match="does not exist"):
        CalibrationSet(tmp_path / "missing", tmp_path / "c").clips()
    (tmp_path / "empty").mkdir()
    with pytest.raises(CalibrationUnavailable, match="no audio files"):
        CalibrationSet(tmp_path / "empty", tmp_path / "c").clips()
    manifest = cal.folder / MANIFEST_NAME
    for text, problem in (
        ('{"clip": "a-first"}\nnot json\n', "line 2 is not JSON"),
        ('{"clip": "ghost", "text": "x"}\n', "names clip 'ghost', which has no audio file"),
        ('{"clip": "a-first"}\n{"clip": "a-first"}\n', "a second time"),
        ('{"clip": "a-first", "text": 3}\n', "must be strings"),
        ('["a-first"]\n', 'line 1 needs an object with "clip"'),
        ('{"clip": "a-first", "text": "caf\xe9"}\n'.encode("latin-1"), "not UTF-8"),
    ):
        if isinstance(text, bytes):
            manifest.write_bytes(text)
        else:
            manifest.write_text(text, encoding="utf-8")
        with pytest.raises(CalibrationUnavailable, match=problem):
            cal.clips()
    manifest.unlink()
    (cal.folder / "a-first.flac").write_bytes(encode(tone(0.5), 16_000, "FLAC"))
    with pytest.raises(CalibrationUnavailable, match="share the id"):
        cal.clips()


def test_unreadable_audio_and_unknown_methods_are_refused(cal: CalibrationSet) -> None:
    with pytest.raises(UnknownMethodError):
        cal.render("a-first", "anonymized", "no-such-method")
    (cal.folder / "c-broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    with pytest.raises(CalibrationUnavailable, match=r"c-broken\.wav"):
        cal.render("c-broken", "original", DEFAULT_METHOD)
    with pytest.raises(CalibrationError, match="version"):
        cal.render("a-first", "both", DEFAULT_METHOD)  # type: ignore[arg-type]


def test_method_parameters_are_shown_in_plain_words() -> None:
    for method in METHODS:
        params = method_parameters(method)
        assert params and all(" " in p.name or p.name.isalpha() for p in params)
        assert not any(p.name == "name" for p in params)
    fixed = {p.name: p.value for p in method_parameters("mcadams-fixed")}
    assert fixed["alpha"] == "0.8"
    assert fixed["alpha range"].count(" to ") == 1
    # A method that tells what it drew for a clip: the numbers of that clip's draw.
    drawn = drawn_parameters(DEFAULT_METHOD, 1234)
    if drawn:
        assert drawn == drawn_parameters(DEFAULT_METHOD, 1234)
        assert drawn != drawn_parameters(DEFAULT_METHOD, 4321)
        assert all(
            p.value.lstrip("-").replace(".", "", 1).replace("e", "").isdigit() for p in drawn
        )
    assert drawn_parameters("mcadams-fixed", 1234) == []


def test_writing_a_set_is_all_or_nothing_and_never_over_another(tmp_path: Path) -> None:
    target = tmp_path / "set"
    clip = NewCalibrationClip("one", "hello", "someone", tone(0.3), 16_000)
    with pytest.raises(CalibrationError, match="distinct"):
        write_calibration_set(target, [clip, clip])
    with pytest.raises(CalibrationError, match="distinct"):
        write_calibration_set(target, [NewCalibrationClip("../x", "", "", tone(0.3), 16_000)])
    assert not target.exists() and list(tmp_path.iterdir()) == []  # no staging left behind
    target.mkdir()  # an empty folder is taken over
    write_calibration_set(target, [clip])
    assert has_audio(target)
    lines = (target / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"clip": "one", "text": "hello", "speaker": "someone"}
    ]
    with pytest.raises(CalibrationError, match="already exists"):
        write_calibration_set(target, [NewCalibrationClip("two", "", "", tone(0.3), 16_000)])
    assert sorted(p.name for p in target.iterdir()) == [MANIFEST_NAME, "one.wav"]
    assert not has_audio(tmp_path / "nowhere")


def test_a_listen_is_an_audit_event_without_what_was_said(rt: Runtime, cal: CalibrationSet) -> None:
    wav = listen(
        rt.db, cal, actor="user:L-1", clip_id="a-first", version="anonymized", method="mcadams"
    )
    assert wav == cal.render("a-first", "anonymized", "mcadams").read_bytes()
    listen(rt.db, cal, actor="user:L-1", clip_id="b-second", version="original", method="mcadams")
    with pytest.raises(UnknownCalibrationClip):
        listen(rt.db, cal, actor="user:L-1", clip_id="zzz", version="original", method="mcadams")
    with rt.db.read() as session:
        events = (
            session.execute(
                sa.select(AuditEvent)
                .where(AuditEvent.action == "calibration.listened")
                .order_by(AuditEvent.seq)
            )
            .scalars()
            .all()
        )
    assert [(e.actor, e.target, json.loads(e.details)) for e in events] == [
        ("user:L-1", "calibration:a-first", {"version": "anonymized", "method": "mcadams"}),
        ("user:L-1", "calibration:b-second", {"version": "original"}),
    ]
    assert all(e.account_id is None for e in events)
    for event in events:
        for said in ("what time is it", "turn the lights on", "Volunteer"):
            assert said not in f"{event.target} {event.details}"
