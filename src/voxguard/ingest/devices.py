"""Device tokens: created once, stored hashed, checked on every upload, revocable."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
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


def authenticate(session: Session, token: str | None) -> Device:
    if not token:
        raise DeviceAuthError("missing bearer token")
    device = session.execute(
        select(Device).where(Device.token_hash == token_digest(token))
    ).scalar_one_or_none()
    if device is None:
        raise DeviceAuthError("unknown device token")
    if device.revoked_at is not None:
        raise DeviceAuthError("device token was revoked")
    return device
