"""Device tokens: created once, stored hashed, checked on every upload, revocable."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, String, bindparam, select
from sqlalchemy.orm import Session

from voxguard import audit
from voxguard.consent.service import ConsentDefaults, get_or_create_account
from voxguard.db.base import utcnow
from voxguard.db.models import Account, Device
from voxguard.vault.service import Vault
from voxguard.vault.tokens import token_digest

TOKEN_PREFIX = "vgd_"


class UnknownDevice(LookupError):
    """No active device has that serial in that account."""


class DeviceAuthError(Exception):
    """Missing, unknown or revoked device token."""


@dataclass(frozen=True)
class NewDevice:
    device: Device
    account: Account
    token: str  # shown once, never stored


def add_device(
    session: Session,
    *,
    account_ref: str,
    serial: str,
    region: str,
    defaults: ConsentDefaults,
    vault: Vault,
    actor: str,
) -> NewDevice:
    account = get_or_create_account(
        session, account_ref, region=region, defaults=defaults, vault=vault, actor=actor
    )
    existing = session.execute(
        select(Device).where(
            Device.account_id == account.id, Device.serial == serial, Device.revoked_at.is_(None)
        )
    ).scalar_one_or_none()
    if existing is not None:
        # One live token per device: issuing a new one revokes the old.
        existing.revoked_at = utcnow()
        session.flush()
        _audit_revoked(session, existing, actor, "replaced")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    device = Device(account_id=account.id, serial=serial, token_hash=token_digest(token))
    session.add(device)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="device.token_created",
        target=f"device:{device.id}",
        account_id=account.id,
        details={},
    )
    return NewDevice(device=device, account=account, token=token)


def _audit_revoked(session: Session, device: Device, actor: str, reason: str) -> None:
    audit.record(
        session,
        actor=actor,
        action="device.token_revoked",
        target=f"device:{device.id}",
        account_id=device.account_id,
        details={"reason": reason},
    )


def revoke_device(session: Session, *, account_ref: str, serial: str, actor: str) -> Device:
    device = session.execute(
        select(Device)
        .join(Account, Account.id == Device.account_id)
        .where(Account.ref == account_ref, Device.serial == serial, Device.revoked_at.is_(None))
    ).scalar_one_or_none()
    if device is None:
        raise UnknownDevice(f"no active device {serial!r} for account {account_ref!r}")
    device.revoked_at = utcnow()
    _audit_revoked(session, device, actor, "revoked")
    return device


_BY_TOKEN_HASH = bindparam("token_hash", type_=String())
# Built once: every upload authenticates. The device and its account in one statement.
_DEVICE_BY_TOKEN = select(Device).where(Device.token_hash == _BY_TOKEN_HASH)
_DEVICE_AND_ACCOUNT_BY_TOKEN = (
    select(
        Device.id,
        Device.serial,
        Device.revoked_at,
        Account.id.label("account_id"),
        Account.ref.label("account_ref"),
        Account.data_region,
    )
    .join(Account, Account.id == Device.account_id)
    .where(Device.token_hash == _BY_TOKEN_HASH)
)


def _token_hash(token: str | None) -> dict[str, str]:
    if not token:
        raise DeviceAuthError("missing bearer token")
    return {"token_hash": token_digest(token)}


def _live(found: Any) -> None:
    """Refuse a token that matched no device (None) or a revoked one."""
    if found is None:
        raise DeviceAuthError("unknown device token")
    if found.revoked_at is not None:
        raise DeviceAuthError("device token was revoked")


def authenticate(session: Session, token: str | None) -> Device:
    device = session.execute(_DEVICE_BY_TOKEN, _token_hash(token)).scalar_one_or_none()
    _live(device)
    return device


def authenticate_with_account(session: Session, token: str | None) -> Row[Any]:
    """``authenticate`` in one statement for the upload path: the device's id, serial and
    revoked_at, and its account's ``account_id``, ``account_ref`` and ``data_region``."""
    statement, params = _DEVICE_AND_ACCOUNT_BY_TOKEN, _token_hash(token)
    found = session.connection().execute(statement, params).one_or_none()  # no ORM object
    _live(found)
    return found
