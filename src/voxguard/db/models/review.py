"""Review: what reviewers were shown and submitted, gold references, flags and clip outcomes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from voxguard.db.base import Base, UTCDateTime, new_id, utcnow


class Exposure(Base):
    """A reviewer was handed a clip: enforces 'never the same clip twice' and the K cap."""

    __tablename__ = "exposures"
    __table_args__ = (UniqueConstraint("reviewer_id", "utterance_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    # No foreign key: an exposure outlives an erased recording, so the per-account cap of K
    # clips in 30 days still counts it (it holds no content, only who was handed what).
    utterance_id: Mapped[str] = mapped_column(String(32), index=True)
    account_id: Mapped[str] = mapped_column(String(32), index=True)
    work_item_id: Mapped[str] = mapped_column(String(32))
    is_gold: Mapped[bool] = mapped_column(Boolean, default=False)
    exposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # When the leaseholder first fetched the audio; submit checks it was heard in full.
    audio_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Annotation(Base):
    """One reviewer's submitted work on one task; one per work item (submit is idempotent)."""

    __tablename__ = "annotations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    work_item_id: Mapped[str] = mapped_column(String(32), unique=True)
    utterance_id: Mapped[str] = mapped_column(ForeignKey("utterances.id"), index=True)
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    transcript: Mapped[str] = mapped_column(Text)
    intent: Mapped[str] = mapped_column(String(128))
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_gold: Mapped[bool] = mapped_column(Boolean, default=False)
    gold_wer: Mapped[float | None] = mapped_column(Float, nullable=True)
    seconds_spent: Mapped[float] = mapped_column(Float, default=0.0)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class GoldClip(Base):
    """A clip with a lead-approved reference, mixed into queues to measure reviewers."""

    __tablename__ = "gold_clips"

    utterance_id: Mapped[str] = mapped_column(ForeignKey("utterances.id"), primary_key=True)
    transcript: Mapped[str] = mapped_column(Text)
    intent: Mapped[str] = mapped_column(String(128))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ClipOutcome(Base):
    """Where a clip stands after review: consensus, another pass, adjudication, or final."""

    __tablename__ = "clip_outcomes"

    utterance_id: Mapped[str] = mapped_column(ForeignKey("utterances.id"), primary_key=True)
    # in_review | extra_pass | adjudication | accepted | restricted | deleted_false_wake
    state: Mapped[str] = mapped_column(String(24), index=True)
    # agreement | rover | lead
    method: Mapped[str | None] = mapped_column(String(24), nullable=True)
    transcript: Mapped[str | None] = mapped_column(Text, nullable=True)
    intent: Mapped[str | None] = mapped_column(String(128), nullable=True)
    pair_wer: Mapped[float | None] = mapped_column(Float, nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    decided_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Flag(Base):
    __tablename__ = "flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    utterance_id: Mapped[str] = mapped_column(ForeignKey("utterances.id"), index=True)
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(24))
    # open | confirmed | dismissed
    status: Mapped[str] = mapped_column(String(16), default="open")
    resolved_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
