"""The self-service page's sign-in: a single-use link that opens a short session.

The operator's app asks for a link (valid ``self_service_link_minutes``); opening it once
starts a session of ``self_service_session_minutes`` whose cookie holds a random id (stored as
its SHA-256). No password: whoever holds the link is the person the app vouched for.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, bindparam, delete, select, update
from sqlalchemy.orm import Session

from voxguard import audit
from voxguard.config import Settings
from voxguard.consent.errors import LinkUnusable
from voxguard.db.base import UTCDateTime, utcnow
from voxguard.db.models import SelfServiceLink, SpeakerSession
from voxguard.vault.tokens import token_digest

LINK_PREFIX = "vgl_"
LINK_ROUTE = "/me/link/{token}"  # the page that opens a link (web/me_pages.py)
ACTOR = "self-service"


@dataclass(frozen=True)
class NewLink:
    token: str  # goes into the link only; never stored
    expires_at: datetime

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + LINK_ROUTE.format(token=self.token)


@dataclass(frozen=True)
class OpenedSession:
    cookie_value: str
    csrf_token: str
    account_id: str
    expires_at: datetime


@dataclass(frozen=True)
class Speaker:
    account_id: str
    csrf_token: str


def create_link(session: Session, settings: Settings, account_id: str, *, actor: str) -> NewLink:
    token = LINK_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    link = SelfServiceLink(
        token_hash=token_digest(token),
        account_id=account_id,
        created_at=now,
        expires_at=now + timedelta(minutes=settings.self_service_link_minutes),
    )
    session.add(link)
    audit.record(
        session,
        actor=actor,
        action="self_service.link_created",
        target=f"account:{account_id}",
        account_id=account_id,
    )
    return NewLink(token, link.expires_at)


def check_link(session: Session, token: str) -> SelfServiceLink:
    """The link if it can still be used; LinkUnusable (unknown, expired or used) otherwise."""
    link = (
        session.get(SelfServiceLink, token_digest(token)) if token.startswith(LINK_PREFIX) else None
    )
    if link is None:
        raise LinkUnusable("this link is not valid")
    if link.used_at is not None:
        raise LinkUnusable("this link was already used: each link opens the page once")
    if link.expires_at <= utcnow():
        raise LinkUnusable("this link has expired")
    return link


def open_link(session: Session, settings: Settings, token: str) -> OpenedSession:
    """Use the link (once) and start a session on the page."""
    check_link(session, token)
    now = utcnow()
    # One statement decides which of two racing clicks wins the link.
    used = session.execute(
        update(SelfServiceLink)
        .where(SelfServiceLink.token_hash == token_digest(token), SelfServiceLink.used_at.is_(None))
        .values(used_at=now)
        .returning(SelfServiceLink.account_id)
    ).first()
    if used is None:
        raise LinkUnusable("this link was already used: each link opens the page once")
    account_id = used.account_id
    cookie = secrets.token_urlsafe(32)
    record = SpeakerSession(
        id_hash=token_digest(cookie),
        account_id=account_id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + timedelta(minutes=settings.self_service_session_minutes),
    )
    session.add(record)
    # Sessions that ran out are of no use to anyone: remove them as new ones start.
    session.execute(delete(SpeakerSession).where(SpeakerSession.expires_at <= now))
    audit.record(
        session,
        actor=ACTOR,
        action="self_service.opened",
        target=f"account:{account_id}",
        account_id=account_id,
    )
    return OpenedSession(cookie, record.csrf_token, account_id, record.expires_at)


_LIVE_SESSION = select(SpeakerSession.account_id, SpeakerSession.csrf_token).where(
    SpeakerSession.id_hash == bindparam("id_hash", type_=String()),
    SpeakerSession.expires_at > bindparam("now", type_=UTCDateTime()),
)


def speaker_of(session: Session, cookie: str | None) -> Speaker | None:
    if not cookie:
        return None
    row = session.execute(_LIVE_SESSION, {"id_hash": token_digest(cookie), "now": utcnow()}).first()
    return Speaker(row.account_id, row.csrf_token) if row else None


def end_session(session: Session, cookie: str) -> None:
    session.execute(delete(SpeakerSession).where(SpeakerSession.id_hash == token_digest(cookie)))
