"""The default calibration set: the demo's synthetic voices, rendered once into the data dir.

Leads listen to it on /lead/anonymization (voxguard.privacy.calibration). espeak-ng voices
belong to nobody, so they may be heard as they are; a deployment that wants real voices sets
``calibration_dir`` to a folder of recordings whose speakers agreed, and this is never used.
espeak-ng is not bit-for-bit reproducible, so the set is rendered once and then kept.
"""

from __future__ import annotations

import threading
from pathlib import Path

from voxguard.config import Settings
from voxguard.demo.scenario import COMMANDS
from voxguard.demo.speech import DEMO_VOICES, SpeechError, synthesize
from voxguard.privacy.calibration import (
    CalibrationError,
    CalibrationUnavailable,
    NewCalibrationClip,
    has_audio,
    write_calibration_set,
)

# Commands without names or numbers in them: the pipeline would bleep those before anonymizing,
# and here the voice alone is under judgement.
_INTENTS = (
    "alarm_set",
    "weather_query",
    "play_music",
    "iot_hue_lightdim",
    "transport_query",
    "news_query",
)
_PHRASES = tuple(c.text for c in COMMANDS if c.intent in _INTENTS)
_LOCK = threading.Lock()


def demo_calibration_clips() -> list[NewCalibrationClip]:
    """One phrase per demo voice, synthesised now."""
    clips = []
    for number, (voice, text) in enumerate(zip(DEMO_VOICES, _PHRASES, strict=False), start=1):
        samples, rate = synthesize(text, voice=voice)
        slug = voice.lower().replace("+", "-")
        clips.append(
            NewCalibrationClip(
                clip_id=f"demo-{number}-{slug}",
                text=text,
                speaker=f"espeak-ng voice {voice} (synthetic: nobody's voice)",
                samples=samples,
                sample_rate=rate,
            )
        )
    return clips


def render_demo_calibration(folder: Path) -> None:
    """Write the demo calibration set into ``folder`` unless it already holds audio."""
    with _LOCK:  # one render per process; write_calibration_set guards against other processes
        if has_audio(folder):
            return
        try:
            clips = demo_calibration_clips()
        except SpeechError as exc:
            raise CalibrationUnavailable(f"the demo voices could not be rendered: {exc}") from exc
        try:
            write_calibration_set(folder, clips)
        except CalibrationError:
            if not has_audio(folder):  # not another process winning the race: a real problem
                raise


def ensure_calibration_set(settings: Settings) -> Path:
    """The calibration folder the settings name; the demo voices when none is configured."""
    folder = settings.resolved_calibration_dir
    if settings.calibration_dir is None:
        render_demo_calibration(folder)
    return folder
