"""Work items: the one lease mechanism for machine jobs and human review tasks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from voxguard.db.base import Base, UTCDateTime, new_id, utcnow


class WorkItem(Base):
    __tablename__ = "work_items"
    __table_args__ = (
        # The claim reads only due pending items, in priority order: a partial index keeps it
        # from scanning done, dead and leased rows as the table grows.
        Index(
            "ix_work_items_pending",
            "queue",
            "priority",
            "available_at",
            "id",
            postgresql_where=text("state = 'pending'"),
            sqlite_where=text("state = 'pending'"),
        ),
        Index("ix_work_items_leased", "queue", "state", "lease_expires_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    queue: Mapped[str] = mapped_column(String(32))  # e.g. "jobs", "review"
    kind: Mapped[str] = mapped_column(String(48))  # handler name, e.g. "prepare_review_copy"
    subject_id: Mapped[str] = mapped_column(String(32), index=True)  # usually an utterance id
    # Whose data this item touches: consent withdrawal cancels by it.
    account_id: Mapped[str | None] = mapped_column(String(32), index=True, nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # pending -> leased -> done | pending (retry) | dead ; cancelled when consent is withdrawn
    state: Mapped[str] = mapped_column(String(16), default="pending")
    priority: Mapped[int] = mapped_column(Integer, default=100)
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
