"""Data portability: everything stored about a speaker, as a zip a person can open.

``account.json`` (consent history, devices by serial, each recording with the device's ASR
output and the human transcripts and labels), ``access-log.json`` (who listened), each stored
original as a WAV file, and a README. The zip is streamed: it is built in memory one recording
at a time and never touches the disk, since the audio in it is decrypted.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxguard.consent.access_log import access_log, reviewer_code
from voxguard.consent.recordings import recording_state
from voxguard.consent.service import consent_history
from voxguard.db.models import (
    Account,
    Annotation,
    Blob,
    ClipOutcome,
    Device,
    SamplingDecision,
    Utterance,
)
from voxguard.db.session import Database
from voxguard.vault.errors import VaultError
from voxguard.vault.service import Vault

README = """\
Your voice assistant data
=========================

account.json      your privacy choices over time, your devices, and every recording we keep:
                  when it was made, what your device understood, and, when people reviewed it,
                  what they wrote down and how they labelled it.
access-log.json   every time a person or a machine used one of your recordings: when, in which
                  role and region, what they did and why. People appear under a code that is
                  used only for you, never by name.
recordings/       the recordings themselves, as WAV files any audio player opens.
"""


class _Chunks:
    """A write-only file for zipfile that hands out what was written since the last call."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._offset = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self._offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self._offset

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _device_text(session: Session, vault: Vault, utterance: Utterance) -> str:
    try:
        return vault.open_device_text(
            session,
            account_id=utterance.account_id,
            utterance_id=utterance.id,
            sealed=utterance.device_asr_sealed,
        )
    except VaultError:
        return ""  # erased a moment ago: it is not theirs to get any more


def _account_document(
    session: Session, vault: Vault, secret: bytes, account: Account, audio_names: dict[str, str]
) -> dict[str, Any]:
    devices = session.execute(
        select(Device).where(Device.account_id == account.id).order_by(Device.created_at)
    ).scalars()
    rows = session.execute(
        select(Utterance, SamplingDecision.reason, ClipOutcome)
        .outerjoin(SamplingDecision, SamplingDecision.utterance_id == Utterance.id)
        .outerjoin(ClipOutcome, ClipOutcome.utterance_id == Utterance.id)
        .where(Utterance.account_id == account.id)
        .order_by(Utterance.received_at)
    ).all()
    annotations: dict[str, list[Annotation]] = {}
    for annotation in session.execute(
        select(Annotation)
        .join(Utterance, Utterance.id == Annotation.utterance_id)
        .where(Utterance.account_id == account.id)
        .order_by(Annotation.submitted_at)
    ).scalars():
        annotations.setdefault(annotation.utterance_id, []).append(annotation)
    serials = {d.id: d.serial for d in devices}
    return {
        "account_ref": account.ref,
        "data_region": account.data_region,
        "created_at": _iso(account.created_at),
        "consent_history": [
            {
                "version": c.version,
                "changed_at": _iso(c.created_at),
                "human_review": c.human_review,
                "store_recordings": c.store_recordings,
                "model_training": c.model_training,
                "retention": c.retention,
                "notice_version": c.notice_version,
                "source": c.source,
            }
            for c in consent_history(session, account.id)
        ],
        "devices": [
            {"serial": serial, "device_id": device_id} for device_id, serial in serials.items()
        ],
        "recordings": [
            {
                "id": u.id,
                "device_serial": serials.get(u.device_id),
                "recorded_at": _iso(u.recorded_at),
                "received_at": _iso(u.received_at),
                "duration_s": round(u.duration_s, 3),
                "locale": u.locale,
                "device_type": u.device_type,
                "device_asr": {
                    "text": _device_text(session, vault, u),
                    "confidence": u.device_asr_confidence,
                    "intent": u.device_intent,
                },
                "sampled_for_review": u.sampled,
                "sampling_reason": reason,
                "state": recording_state(u),
                "expires_at": _iso(u.expires_at),
                "audio_file": audio_names.get(u.id),
                "human_transcripts": [
                    {
                        "by": reviewer_code(secret, account.id, a.reviewer_id),
                        "transcript": a.transcript,
                        "intent": a.intent,
                        "flags": list(a.flags or []),
                        "submitted_at": _iso(a.submitted_at),
                    }
                    for a in annotations.get(u.id, [])
                ],
                "final_transcript": (
                    {"transcript": o.transcript, "intent": o.intent, "decided_by": o.method}
                    if o is not None and o.state == "accepted"
                    else None
                ),
            }
            for u, reason, o in rows
        ],
    }


def export_zip(db: Database, vault: Vault, secret: bytes, account_id: str) -> Iterator[bytes]:
    """The account's data as zip bytes, produced recording by recording."""
    sink = _Chunks()
    with db.read() as session, zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        account = session.get(Account, account_id)
        if account is None:
            return
        archive.writestr("README.txt", README)
        blobs = session.execute(
            select(Blob, Utterance.recorded_at)
            .join(Utterance, Utterance.id == Blob.utterance_id)
            .where(
                Blob.account_id == account_id,
                Blob.kind == "original",
                Blob.deleted_at.is_(None),
            )
            .order_by(Utterance.recorded_at)
        ).all()
        audio_names: dict[str, str] = {}
        for blob, recorded_at in blobs:
            try:
                audio = vault.get(session, blob)
            except VaultError:
                continue  # erased a moment ago: it is not theirs to get any more
            name = f"recordings/{recorded_at:%Y-%m-%d_%H%M%S}_{blob.utterance_id}.wav"
            archive.writestr(name, audio, compress_type=zipfile.ZIP_STORED)
            audio_names[blob.utterance_id] = name
            yield sink.take()
        document = _account_document(session, vault, secret, account, audio_names)
        archive.writestr("account.json", json.dumps(document, indent=2, ensure_ascii=False))
        entries = [e.as_dict() for e in access_log(session, secret, account_id)]
        archive.writestr("access-log.json", json.dumps(entries, indent=2, ensure_ascii=False))
    yield sink.take()
