"""Accepting one upload: authenticate, validate, decode, consent gate, vault, sample, enqueue.

The slow parts (decoding, encryption, writing the object) run outside the write transaction;
the write transaction then records the utterance, its blob, the sampling decision, the processing
job and the audit event together, so a crash leaves either all of them or none (an orphaned
ciphertext at worst, which is noise without its key row).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voxguard import audit, work
from voxguard.audio import TARGET_RATE, AudioRejected, DecodedAudio, decode_audio, encode_wav_pcm16
from voxguard.audit.refusals import RefusalTally
from voxguard.config import Settings
from voxguard.consent.service import current_consent, expiry_for
from voxguard.db.base import new_id, utcnow
from voxguard.db.models import Blob, UsageCounter, Utterance
from voxguard.db.session import Database
from voxguard.db.upsert import insert_on_conflict
from voxguard.ingest.devices import DeviceAuthError, authenticate_with_account
from voxguard.ingest.metadata import MetadataRejected, UtteranceMetadata, parse_metadata
from voxguard.sampling.service import decide, policy_from, sampling_secret
from voxguard.vault.service import Vault
from voxguard.work.queues import JOBS_QUEUE, PREPARE_REVIEW_COPY


class UploadRejected(Exception):
    """An upload refused: a machine code (web/errors.py picks the status) and a human message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class IngestResult:
    id: str | None  # None when nothing was stored (no storage consent)
    sampled: bool
    stored: bool
    created: bool  # False when this was a retry of an upload already stored


@dataclass(frozen=True)
class Caller:
    """The authenticated device and its account."""

    device_id: str
    account_id: str
    account_ref: str
    serial: str
    region: str


def ingest_upload(
    db: Database,
    vault: Vault,
    settings: Settings,
    *,
    metadata_raw: bytes,
    audio: bytes,
    token: str | None = None,
    caller: Caller | None = None,
    refusals: RefusalTally | None = None,
    client: str | None = None,
) -> IngestResult:
    """Store one upload; ``caller`` skips authentication when ``check_token`` already did it.
    With ``refusals``, a refusal is audited once per sender per window, with a count; ``client``
    (the network address) names an unauthenticated sender."""
    try:
        caller = caller or _authenticate(db, token)
        meta = _parse(metadata_raw, caller, settings)
        decoded = _decode(audio, settings.max_duration_s)
        return _store(db, vault, settings, caller, meta, audio, decoded)
    except UploadRejected as rejection:
        _audit_refusal(db, caller, rejection, refusals, client)
        raise


def check_token(
    db: Database,
    token: str | None,
    refusals: RefusalTally | None = None,
    client: str | None = None,
) -> Caller:
    """Refuse a bad token before the body is read (an unauthenticated client uploads nothing)."""
    try:
        return _authenticate(db, token)
    except UploadRejected as rejection:
        _audit_refusal(db, None, rejection, refusals, client)
        raise


def _authenticate(db: Database, token: str | None) -> Caller:
    with db.lookup() as session:  # one statement: no transaction needed
        try:
            found = authenticate_with_account(session, token)
        except DeviceAuthError as exc:
            raise UploadRejected("unauthorized", str(exc)) from exc
    return Caller(found.id, found.account_id, found.account_ref, found.serial, found.data_region)


def _parse(raw: bytes, caller: Caller, settings: Settings) -> UtteranceMetadata:
    """The validated metadata, its device type and data region replaced by the stored ones."""
    try:
        meta = parse_metadata(raw)
    except MetadataRejected as exc:
        raise UploadRejected("invalid_metadata", str(exc)) from exc
    if meta.device_serial != caller.serial:
        raise UploadRejected("wrong_device", "the token belongs to another device serial")
    if meta.account_ref != caller.account_ref:
        raise UploadRejected("wrong_account", "the token belongs to another account")
    device_type, data_region = _device_fields(settings, caller, meta)
    return meta.model_copy(update={"device_type": device_type, "data_region": data_region})


def _device_fields(settings: Settings, caller: Caller, meta: UtteranceMetadata) -> tuple[str, str]:
    """The device type and data region to store: only configured values, never free text."""
    kind = meta.device_type.lower()
    device_type = kind if kind in settings.device_types else "other"
    region = caller.region or settings.default_data_region
    claimed = meta.data_region
    if claimed is None or claimed == region:
        return device_type, region
    if claimed not in settings.data_regions:
        raise UploadRejected(
            "data_region_refused",
            f"data_region {claimed!r} is not a configured region: "
            + ", ".join(settings.data_regions),
        )
    if not settings.device_may_set_data_region:
        raise UploadRejected(
            "data_region_refused",
            f"data_region {claimed!r} differs from the account's region {region!r}; a device may "
            "not choose another (omit data_region)",
        )
    return device_type, claimed


# Built once: every upload looks for an earlier one with its utterance_id.
_EARLIER_UPLOAD = select(Utterance.id, Utterance.sampled, Utterance.audio_sha256).where(
    Utterance.device_id == bindparam("device_id", type_=String()),
    Utterance.client_utterance_id == bindparam("client_utterance_id", type_=String()),
)


def _replay(
    session: Session, caller: Caller, meta: UtteranceMetadata, audio_sha256: str
) -> IngestResult | None:
    params = {"device_id": caller.device_id, "client_utterance_id": meta.utterance_id}
    row = session.connection().execute(_EARLIER_UPLOAD, params).first()  # no ORM object read
    if row is None:
        return None
    if row.audio_sha256 != audio_sha256:
        raise UploadRejected(
            "utterance_id_conflict",
            f"utterance_id {meta.utterance_id!r} was already used for other audio",
        )
    return IngestResult(id=row.id, sampled=row.sampled, stored=True, created=False)


def _decode(audio: bytes, max_duration_s: float) -> DecodedAudio:
    try:
        return decode_audio(audio, max_duration_s=max_duration_s)
    except AudioRejected as exc:
        raise UploadRejected(f"audio_{exc.code}", str(exc)) from exc


def _store(
    db: Database,
    vault: Vault,
    settings: Settings,
    caller: Caller,
    meta: UtteranceMetadata,
    audio: bytes,
    decoded: DecodedAudio,
) -> IngestResult:
    utterance_id = new_id()
    audio_sha256 = hashlib.sha256(audio).hexdigest()
    with db.read() as session:
        replay = _replay(session, caller, meta, audio_sha256)
        if replay is not None:
            return replay
        store_consent = current_consent(session, caller.account_id).store_recordings
        blob: Blob | None = None
        device_text: bytes | None = None
        if store_consent:
            blob = vault.seal(
                session,
                account_id=caller.account_id,
                utterance_id=utterance_id,
                kind="original",
                plaintext=encode_wav_pcm16(decoded.samples, TARGET_RATE),
            )
            # The device's words name people and numbers: they are kept only sealed. Sealed
            # here with the audio, so the write transaction does no key work.
            device_text = vault.seal_device_text(
                session, account_id=caller.account_id, utterance_id=utterance_id, text=meta.asr_text
            )
    try:
        with db.session() as session:
            if blob is not None:
                vault.discard_if_rolled_back(session, blob.store_key)
            return _record(
                session,
                vault,
                settings,
                caller,
                meta,
                utterance_id,
                audio_sha256,
                decoded.duration_s,
                blob,
                device_text,
            )
    except IntegrityError:
        # A concurrent retry of the same utterance won the race: answer with its record.
        with db.read() as session:
            replay = _replay(session, caller, meta, audio_sha256)
        if replay is None:
            raise
        return replay


def _record(
    session: Session,
    vault: Vault,
    settings: Settings,
    caller: Caller,
    meta: UtteranceMetadata,
    utterance_id: str,
    audio_sha256: str,
    duration_s: float,
    blob: Blob | None,
    device_text: bytes | None,
) -> IngestResult:
    consent = current_consent(session, caller.account_id)  # re-read under the write lock
    actor = f"device:{caller.device_id}"
    # blob is None when storage consent was off as the upload began: it stays unstored.
    if not consent.store_recordings or blob is None:
        return _discard(session, vault, caller, blob, duration_s, "no_storage_consent")
    # Decided first: its account lock must come before the utterance's foreign-key lock.
    decision = decide(
        session,
        policy=policy_from(settings),
        secret=sampling_secret(vault),
        utterance_id=utterance_id,
        account_id=caller.account_id,
        asr_confidence=meta.asr_confidence,
        review_consent=consent.human_review,
    )
    if not decision.sampled and consent.retention == "dont_save":
        # "Don't save": an original is kept only while it is processed for review.
        return _discard(session, vault, caller, blob, duration_s, "dont_save_not_sampled")
    now = utcnow()
    utterance = Utterance(
        id=utterance_id,
        client_utterance_id=meta.utterance_id,
        account_id=caller.account_id,
        device_id=caller.device_id,
        recorded_at=meta.recorded_at,
        received_at=now,
        expires_at=expiry_for(consent.retention, now),
        locale=meta.locale,
        device_type=meta.device_type,
        data_region=meta.data_region,
        device_asr_sealed=device_text,
        device_asr_confidence=meta.asr_confidence,
        device_intent=meta.intent,
        wake_score=meta.wake_score,
        duration_s=duration_s,
        audio_sha256=audio_sha256,
        status="received",
    )
    if decision.sampled:
        # Before the insert, so the row goes in already queued (no UPDATE of it after).
        queue_for_review(session, utterance, max_attempts=settings.job_max_attempts)
    session.add(utterance)
    session.flush()  # the unique (device, utterance_id) check fires here
    # Written by the commit's flush, which comes before the audit head is locked (audit.chain).
    session.add_all((blob, decision))
    audit.record(
        session,
        actor=actor,
        action="upload.accepted",
        target=f"utterance:{utterance_id}",
        account_id=caller.account_id,
        details={
            "duration_s": round(duration_s, 3),
            "sampled": decision.sampled,
            "sampling_reason": decision.reason,
            "draw": decision.draw,
            "rate": decision.rate,
        },
    )
    return IngestResult(id=utterance_id, sampled=decision.sampled, stored=True, created=True)


def queue_for_review(session: Session, utterance: Utterance, *, max_attempts: int) -> None:
    """A sampled utterance goes to the privacy pipeline (the job is written with it)."""
    utterance.sampled = True
    utterance.status = "queued"
    work.enqueue(
        session,
        queue=JOBS_QUEUE,
        kind=PREPARE_REVIEW_COPY,
        subject_id=utterance.id,
        account_id=utterance.account_id,
        max_attempts=max_attempts,
    )


def _discard(
    session: Session,
    vault: Vault,
    caller: Caller,
    blob: Blob | None,
    duration_s: float,
    reason: str,
) -> IngestResult:
    """Acknowledge an upload and keep nothing of it but a daily count."""
    _count(session, caller.account_id, f"discarded_{reason}")
    audit.record(
        session,
        actor=f"device:{caller.device_id}",
        action="upload.discarded",
        target=f"device:{caller.device_id}",
        account_id=caller.account_id,
        details={"reason": reason, "duration_s": round(duration_s, 3)},
    )
    if blob is not None:
        vault.discard_object(blob.store_key)
    return IngestResult(id=None, sampled=False, stored=False, created=True)


def _count(session: Session, account_id: str, name: str) -> None:
    statement = insert_on_conflict(session, UsageCounter).values(
        account_id=account_id, day=date.today(), name=name, value=1
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["account_id", "day", "name"], set_={"value": UsageCounter.value + 1}
        )
    )


def _audit_refusal(
    db: Database,
    caller: Caller | None,
    rejection: UploadRejected,
    refusals: RefusalTally | None,
    client: str | None,
) -> None:
    """Audit the refusal; with ``refusals``, once per sender per window, with the count."""
    sender = f"device:{caller.device_id}" if caller else f"client:{client or 'unknown'}"
    count = 1 if refusals is None else refusals.note(sender, "upload.refused")
    if count is None:
        return
    with db.session() as session:
        audit.record(
            session,
            actor=sender if caller else "unauthenticated",
            action="upload.refused",
            target=sender if caller else "ingest",
            account_id=caller.account_id if caller else None,
            details={"code": rejection.code, "client": client, "refusals": count},
        )


def record_refusal(
    db: Database,
    rejection: UploadRejected,
    refusals: RefusalTally | None = None,
    client: str | None = None,
) -> None:
    """Audit a refusal decided before the service ran (e.g. an oversize body at the web layer)."""
    _audit_refusal(db, None, rejection, refusals, client)
