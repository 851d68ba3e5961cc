"""Utterances, their encrypted blobs, sampling decisions and usage counters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from voxguard.db.base import Base, UTCDateTime, new_id, utcnow


class Utterance(Base):
    __tablename__ = "utterances"
    __table_args__ = (UniqueConstraint("device_id", "client_utterance_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    client_utterance_id: Mapped[str] = mapped_column(String(128))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the retention sweep removes it (from the consent's retention); None: until deleted.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True, nullable=True)
    locale: Mapped[str] = mapped_column(String(16))
    device_type: Mapped[str] = mapped_column(String(64))
    data_region: Mapped[str] = mapped_column(String(16))
    # The device's transcript, with whatever names and numbers were said: sealed under the
    # account's data key (vault.Vault.seal_text, subject vault.service.device_text_subject), never
    # stored readable. None once retention or a flag emptied the row.
    device_asr_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    device_asr_confidence: Mapped[float] = mapped_column(Float)
    device_intent: Mapped[str] = mapped_column(String(128))
    wake_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    duration_s: Mapped[float] = mapped_column(Float)
    audio_sha256: Mapped[str] = mapped_column(String(64))
    sampled: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # received -> queued -> ready_for_review -> reviewed; deleted when shredded (a flag),
    # expired when the retention sweep removed its audio and words (the row is a tombstone)
    status: Mapped[str] = mapped_column(String(24), index=True)
    draft_text: Mapped[str | None] = mapped_column(Text, nullable=True)  # redacted engine draft
    # Redacted spans of the review copy, in seconds with their type, for shading the waveform.
    redactions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Set when a sensitive/distress flag moves the clip to the privacy officers' restricted queue.
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Blob(Base):
    """An encrypted object in the blob store; its key is derived from the account's data key."""

    __tablename__ = "blobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    utterance_id: Mapped[str] = mapped_column(ForeignKey("utterances.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # original | review_copy
    store_key: Mapped[str] = mapped_column(String(255))
    # Random per-blob salt for the key derivation: erasing it shreds this blob alone.
    key_salt: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SamplingDecision(Base):
    """Why an utterance was or was not sampled; reproducible from the inputs recorded here."""

    __tablename__ = "sampling_decisions"

    utterance_id: Mapped[str] = mapped_column(ForeignKey("utterances.id"), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    sampled: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(32))
    draw: Mapped[float] = mapped_column(Float)  # HMAC-derived uniform number in [0, 1)
    rate: Mapped[float] = mapped_column(Float)  # effective rate after boosts
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class UsageCounter(Base):
    """Per-account daily counts; the only trace of uploads without storage consent."""

    __tablename__ = "usage_counters"
    __table_args__ = (UniqueConstraint("account_id", "day", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(32))
    value: Mapped[int] = mapped_column(Integer, default=0)
