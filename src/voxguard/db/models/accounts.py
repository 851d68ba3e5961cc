"""Accounts (speakers), their keys, versioned consent and devices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from voxguard.db.base import Base, UTCDateTime, new_id, utcnow


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    # The operator's account number: identifying, so never shown to reviewers.
    ref: Mapped[str] = mapped_column(String(128), unique=True)
    data_region: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AccountKey(Base):
    """The account's data key wrapped by the master key; deleting it crypto-shreds the account."""

    __tablename__ = "account_keys"

    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ConsentRecord(Base):
    """One row per change; never updated in place. The highest version is in force."""

    __tablename__ = "consent_records"
    __table_args__ = (UniqueConstraint("account_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    store_recordings: Mapped[bool] = mapped_column(Boolean)
    human_review: Mapped[str] = mapped_column(String(16))  # opted_in | opted_out
    # May reviewed transcripts and audio of this account go into training exports?
    model_training: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # dont_save | 3_months | 18_months | until_deleted (voxguard.consent.retention)
    retention: Mapped[str] = mapped_column(String(16), server_default="3_months")
    # The privacy notice the person saw when they chose; "" for rows made before notices.
    notice_version: Mapped[str] = mapped_column(String(32), default="", server_default="")
    source: Mapped[str] = mapped_column(String(64))  # default | cli | api | self_service
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Device(Base):
    __tablename__ = "devices"
    # One live token per device serial; revoked rows stay for the audit trail.
    __table_args__ = (
        Index(
            "uq_devices_live_serial",
            "account_id",
            "serial",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    serial: Mapped[str] = mapped_column(String(128))
    # SHA-256 of a 256-bit random token: a fast hash is enough for high-entropy secrets.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
