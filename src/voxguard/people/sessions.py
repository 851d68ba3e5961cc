"""Server-side web sessions: the cookie holds a random id; the database holds its SHA-256.

A session ends when it is revoked (logout, password change, account disabled), when it has not
been used for ``IDLE_TIMEOUT``, or ``ABSOLUTE_LIFETIME`` after sign-in, whichever comes first.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, bindparam, delete, or_, select, update
from sqlalchemy.orm import Session

from voxguard.db.base import utcnow
from voxguard.db.models import User, WebSession
from voxguard.vault.tokens import token_digest

COOKIE_NAME = "vg_session"
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_LIFETIME = timedelta(hours=12)
# last_seen_at is written at most this often: a busy reviewer must not cost a write per request.
TOUCH_INTERVAL = timedelta(minutes=1)
_ID_BYTES = 32


@dataclass(frozen=True)
class NewSession:
    cookie_value: str  # goes to the browser only; never stored
    csrf_token: str
    record: WebSession


def create_session(session: Session, user: User, *, now: datetime | None = None) -> NewSession:
    now = now or utcnow()
    cookie_value = secrets.token_urlsafe(_ID_BYTES)
    record = WebSession(
        id_hash=token_digest(cookie_value),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + ABSOLUTE_LIFETIME,
    )
    session.add(record)
    session.flush()
    return NewSession(cookie_value=cookie_value, csrf_token=record.csrf_token, record=record)


def is_live(record: WebSession, now: datetime) -> bool:
    return (
        record.revoked_at is None
        and now < record.expires_at
        and now - record.last_seen_at < IDLE_TIMEOUT
    )


# Built once: this runs on every signed-in request.
_SESSION_AND_USER = (
    select(WebSession, User)
    .join(User, User.id == WebSession.user_id)
    .where(WebSession.id_hash == bindparam("id_hash", type_=String()))
)


def load_session(
    session: Session, cookie_value: str | None, *, now: datetime | None = None, touch: bool = True
) -> tuple[User, WebSession] | None:
    """The user and session behind a cookie, or None if it is unknown, ended or the user disabled.

    With ``touch`` (the default) ``last_seen_at`` is moved forward when it is over a minute old,
    so ``session`` must then be a write unit. ``touch=False`` only reads; see ``touch_due``.
    """
    if not cookie_value or len(cookie_value) > 128:
        return None
    now = now or utcnow()
    row = session.execute(_SESSION_AND_USER, {"id_hash": token_digest(cookie_value)}).one_or_none()
    if row is None:
        return None
    record, user = row
    if not is_live(record, now) or user.disabled_at is not None:
        return None
    if touch and touch_due(record, now):
        touch_session(session, record.id_hash, now=now)
        record.last_seen_at = now
    return user, record


def touch_due(record: WebSession, now: datetime) -> bool:
    return now - record.last_seen_at >= TOUCH_INTERVAL


def touch_session(session: Session, id_hash: str, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    # Conditional: of several requests racing to touch, one writes; none moves time backwards.
    session.execute(
        update(WebSession)
        .where(WebSession.id_hash == id_hash, WebSession.last_seen_at < now)
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )


def revoke_session(session: Session, id_hash: str, *, now: datetime | None = None) -> bool:
    result = session.execute(
        update(WebSession)
        .where(WebSession.id_hash == id_hash, WebSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def revoke_user_sessions(
    session: Session,
    user_id: str,
    *,
    now: datetime | None = None,
    except_id_hash: str | None = None,
) -> int:
    """End every live session of a user (optionally but one). Returns how many were ended."""
    query = update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
    if except_id_hash is not None:
        query = query.where(WebSession.id_hash != except_id_hash)
    result = session.execute(
        query.values(revoked_at=now or utcnow()).execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def purge_ended_sessions(session: Session, *, now: datetime | None = None) -> int:
    """Delete rows of sessions that can no longer be used (housekeeping; nothing depends on it)."""
    now = now or utcnow()
    result = session.execute(
        delete(WebSession).where(
            or_(
                WebSession.revoked_at.is_not(None),
                WebSession.expires_at <= now,
                WebSession.last_seen_at <= now - IDLE_TIMEOUT,
            )
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
