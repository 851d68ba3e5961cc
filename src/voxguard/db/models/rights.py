"""Speaker rights: operator service tokens, erasure receipts, self-service links and sessions.

None of these tables holds an account reference, a serial or speech: erasure receipts name the
account and recording by their internal random ids only, so they survive the erasure itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from voxguard.db.base import Base, UTCDateTime, new_id, utcnow


class ServiceToken(Base):
    """A token for an operator's app (``voxguard tokens add``); stored as its SHA-256."""

    __tablename__ = "service_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(128))  # space-separated, e.g. "privacy"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Erasure(Base):
    """The receipt of one erasure: a recording, or a whole account."""

    __tablename__ = "erasures"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))  # recording | account
    account_id: Mapped[str] = mapped_column(String(32), index=True)
    utterance_id: Mapped[str | None] = mapped_column(String(32), index=True, nullable=True)
    requested_by: Mapped[str] = mapped_column(String(96))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Counts of what went, and the exports that held the data (for the operator to recall).
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SelfServiceLink(Base):
    """A single-use sign-in link to the self-service page; stored as its SHA-256."""

    __tablename__ = "self_service_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SpeakerSession(Base):
    """A short session on the self-service page, opened by a link; the cookie is random."""

    __tablename__ = "speaker_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
