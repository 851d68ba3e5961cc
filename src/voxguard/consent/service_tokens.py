"""Service tokens for operators' apps: printed once, stored hashed, scoped, revocable.

An app calling the privacy API sends ``Authorization: Bearer vgs_…``. No token, or one that is
unknown or revoked, is refused as unauthenticated; a valid token without the needed scope — and
a device's token, which is a valid credential for uploads only — is refused as forbidden.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import String, bindparam, select
from sqlalchemy.orm import Session

from voxguard import audit
from voxguard.consent.errors import InvalidTokenRequest, ScopeMissing, TokenMissing
from voxguard.db.base import utcnow
from voxguard.db.models import Device, ServiceToken
from voxguard.vault.tokens import token_digest

TOKEN_PREFIX = "vgs_"
# privacy: the privacy API on behalf of speakers; records: the records of processing.
SCOPES: tuple[str, ...] = ("privacy", "records")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")


@dataclass(frozen=True)
class Caller:
    """An authenticated app: the audit log names it by its token's name."""

    token_id: str
    name: str

    @property
    def actor(self) -> str:
        return f"service:{self.name}"


def add_token(session: Session, *, name: str, scopes: list[str], actor: str) -> tuple[str, str]:
    """Create a token; returns (token id, the token itself — shown once, never stored)."""
    name = name.strip()
    if not _NAME.match(name):
        raise InvalidTokenRequest(
            "a token name is 1-64 letters, digits, spaces, '.', '_' or '-', starting with a "
            "letter or digit"
        )
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise InvalidTokenRequest(
            f"unknown scope(s) {', '.join(unknown) or '(none given)'}: choose from "
            f"{', '.join(SCOPES)}"
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ServiceToken(
        name=name, scopes=" ".join(sorted(set(scopes))), token_hash=token_digest(token)
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="service_token.created",
        target=f"service_token:{row.id}",
        details={"name": name, "scopes": row.scopes},
    )
    return row.id, token


def list_tokens(session: Session) -> list[ServiceToken]:
    return list(session.execute(select(ServiceToken).order_by(ServiceToken.created_at)).scalars())


def revoke_token(session: Session, *, name_or_id: str, actor: str) -> int:
    """Revoke every live token with this name (or this id); returns how many."""
    rows = session.execute(
        select(ServiceToken).where(
            (ServiceToken.name == name_or_id) | (ServiceToken.id == name_or_id),
            ServiceToken.revoked_at.is_(None),
        )
    ).scalars()
    count = 0
    for row in rows:
        row.revoked_at = utcnow()
        audit.record(
            session,
            actor=actor,
            action="service_token.revoked",
            target=f"service_token:{row.id}",
            details={"name": row.name},
        )
        count += 1
    return count


_BY_HASH = select(ServiceToken.id, ServiceToken.name, ServiceToken.scopes).where(
    ServiceToken.token_hash == bindparam("token_hash", type_=String()),
    ServiceToken.revoked_at.is_(None),
)
_DEVICE_BY_HASH = select(Device.id).where(
    Device.token_hash == bindparam("token_hash", type_=String()), Device.revoked_at.is_(None)
)


def authenticate(session: Session, token: str | None, scope: str) -> Caller:
    """The app holding ``token`` if it may use ``scope``, else TokenMissing / ScopeMissing."""
    if not token:
        raise TokenMissing("send a service token: Authorization: Bearer vgs_…")
    digest = token_digest(token)
    row = session.execute(_BY_HASH, {"token_hash": digest}).first()
    if row is None:
        if session.execute(_DEVICE_BY_HASH, {"token_hash": digest}).first() is not None:
            raise ScopeMissing("a device token cannot use this API; use a service token")
        raise TokenMissing("unknown or revoked service token")
    if scope not in row.scopes.split():
        raise ScopeMissing(f"this token lacks the {scope!r} scope")
    return Caller(row.id, row.name)
