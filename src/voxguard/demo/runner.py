"""``make demo``: a running system with demo data that went through the real HTTP path."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import soundfile as sf

from voxguard.consent.service import change_consent, get_account
from voxguard.demo.scenario import COMMANDS, SPEAKERS, DemoCommand, DemoSpeaker
from voxguard.demo.speech import synthesize
from voxguard.ingest.devices import add_device
from voxguard.runtime import Runtime


@dataclass(frozen=True)
class DemoSummary:
    uploaded: int
    sampled: int
    discarded: int
    tokens: dict[str, str]


def create_demo_devices(rt: Runtime) -> dict[str, str]:
    """Accounts with the consent each speaker chose; returns serial -> device token."""
    tokens = {}
    with rt.db.session() as session:
        for speaker in SPEAKERS:
            created = add_device(
                session,
                account_ref=speaker.account_ref,
                serial=speaker.serial,
                region=speaker.region,
                defaults=rt.consent_defaults,
                vault=rt.vault,
                actor="demo",
            )
            change_consent(
                session,
                get_account(session, speaker.account_ref),
                review=speaker.review,  # type: ignore[arg-type]
                store=speaker.store,
                model_training=speaker.model_training,
                source="demo",
                actor="demo",
            )
            tokens[speaker.serial] = created.token
    return tokens


def _flac_bytes(text: str, voice: str) -> bytes:
    samples, rate = synthesize(text, voice=voice)
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format="FLAC")
    return buffer.getvalue()


def demo_plan() -> list[tuple[DemoSpeaker, int, DemoCommand]]:
    """Each speaker says half of the commands, so clips differ across speakers."""
    return [
        (speaker, c_index, command)
        for s_index, speaker in enumerate(SPEAKERS)
        for c_index, command in enumerate(COMMANDS)
        if not (s_index + c_index) % 2
    ]


def upload_demo_utterances(
    base_url: str, tokens: dict[str, str], progress: Callable[[int, int], None] | None = None
) -> DemoSummary:
    """Synthesise each demo command in its speaker's voice and upload it over HTTP."""
    uploaded = sampled = discarded = 0
    plan = demo_plan()
    start = datetime.now(UTC) - timedelta(hours=2)
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for done, (speaker, c_index, command) in enumerate(plan):
            if progress:
                progress(done, len(plan))
            metadata = {
                "utterance_id": f"demo-{speaker.serial}-{c_index:02d}",
                "account_ref": speaker.account_ref,
                "device_serial": speaker.serial,
                "recorded_at": (start + timedelta(minutes=7 * c_index + done)).isoformat(),
                "locale": "en-us",
                "device_type": "smart_speaker",
                "asr_text": command.heard_by_device,
                "asr_confidence": command.confidence,
                "intent": command.device_intent or command.intent,
                "wake_score": 0.9,
            }
            response = client.post(
                "/api/v1/utterances",
                headers={"Authorization": f"Bearer {tokens[speaker.serial]}"},
                files={
                    "audio": (
                        "clip.flac",
                        _flac_bytes(command.text, speaker.voice),
                        "audio/flac",
                    ),
                    "metadata": (None, json.dumps(metadata), "application/json"),
                },
            )
            response.raise_for_status()
            answer = response.json()
            uploaded += 1
            sampled += int(answer["sampled"])
            discarded += int(not answer["stored"])
    if progress:
        progress(len(plan), len(plan))
    return DemoSummary(uploaded, sampled, discarded, tokens)
