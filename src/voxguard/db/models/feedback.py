"""Feedback: dataset exports with their lineage, and the models adapted from them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from voxguard.db.base import Base, UTCDateTime, utcnow


class Export(Base):
    """One export of the curated set: who made it, how, and how many clips of each split."""

    __tablename__ = "exports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(96))
    format: Mapped[str] = mapped_column(String(16))  # nemo | hf | parquet | csv | jsonl
    audio: Mapped[str] = mapped_column(String(16))  # anonymized | none
    # The curated rules and options that chose the clips (rules version, splits, limit).
    filter: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Clips and accounts per split: {"train": {"clips": n, "accounts": m}, ...}
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    clips: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(24))  # export | adapt_asr | adapt_nlu
    location: Mapped[str] = mapped_column(String(512))


class ExportClip(Base):
    """A clip an export holds: a later erasure of the clip names the exports that have it."""

    __tablename__ = "export_clips"

    export_id: Mapped[str] = mapped_column(ForeignKey("exports.id"), primary_key=True)
    utterance_id: Mapped[str] = mapped_column(
        ForeignKey("utterances.id"), primary_key=True, index=True
    )
    split: Mapped[str] = mapped_column(String(8))


class AdaptedModel(Base):
    """A versioned adapted model (ASR language model / vocabulary, or intent classifier)."""

    __tablename__ = "adapted_models"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # asr | nlu
    # The export that holds its training set (clips of the train split only).
    export_id: Mapped[str] = mapped_column(ForeignKey("exports.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(96))
    path: Mapped[str] = mapped_column(String(512))
    # Held-out figures measured when it was built: before/after, clips, accounts.
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Report(Base):
    """An ASR or intent report as leads see it on /reports (and as its HTML file has it)."""

    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # asr | nlu
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(96))
    title: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the figures
    body: Mapped[str] = mapped_column(Text)  # the rendered HTML fragment, charts inline
