"""People: creating users, signing in with password + TOTP, password changes, lock-out.

Repeated failures first slow an account down, then lock it:
after ``SLOWDOWN_AFTER_FAILURES`` failures in a row each further attempt must wait
``SLOWDOWN_BASE_SECONDS`` × 2^(failures − SLOWDOWN_AFTER_FAILURES); after
``LOCK_AFTER_FAILURES`` the account is locked for ``LOCK_SECONDS`` (an admin can unlock it
sooner). While it waits or is locked, attempts are refused without checking the password. A
successful sign-in resets the count. Every failure, lock and success is an audit event.

Refusals are committed before they are raised (``session.commit()``): the failure count and its
audit event must survive the caller's rollback on the exception.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxguard import audit
from voxguard.db.base import new_id, utcnow
from voxguard.db.models import User
from voxguard.people import passwords
from voxguard.people import totp as totp_codes
from voxguard.people.errors import (
    AccountDisabled,
    AccountLocked,
    BadCredentials,
    InvalidUserInput,
    TotpReplayed,
    UnknownUser,
    UserExists,
    WrongPassword,
)
from voxguard.people.roles import HANDLE_PREFIX, check_role
from voxguard.people.sessions import revoke_session, revoke_user_sessions
from voxguard.vault.service import Vault

SLOWDOWN_AFTER_FAILURES = 3
SLOWDOWN_BASE_SECONDS = 5
LOCK_AFTER_FAILURES = 5
LOCK_SECONDS = 15 * 60

BAD_CREDENTIALS_MESSAGE = "wrong username, password or authentication code"

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_REGION = re.compile(r"^[a-z0-9][a-z0-9-]{0,15}$")
# Crockford-like: no 0/O, 1/I/L or U, so a handle read off a watermark is unambiguous.
_HANDLE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_HANDLE_LENGTH = 4
_HANDLE_ATTEMPTS = 50

ANONYMOUS_ACTOR = "web:anonymous"


def actor_of(user: User) -> str:
    """How a person appears as the actor of audit events (their public handle, never a name)."""
    return f"user:{user.handle}"


def normalise_username(username: str) -> str:
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise InvalidUserInput(
            f"invalid username {username!r}: 2-64 characters, lower-case letters, digits, "
            "'.', '_' or '-', starting with a letter or digit"
        )
    return name


def normalise_region(region: str) -> str:
    value = region.strip().lower()
    if not _REGION.match(value):
        raise InvalidUserInput(
            f"invalid region {region!r}: 1-16 lower-case letters, digits or '-' (e.g. 'eu')"
        )
    return value


def totp_key(vault: Vault) -> bytes:
    return vault.derived_secret(totp_codes.VAULT_PURPOSE)


def totp_secret_of(vault: Vault, user: User) -> str:
    return totp_codes.open_secret(totp_key(vault), user.totp_secret_sealed, user.id)


def _new_handle(session: Session, role: str) -> str:
    prefix = HANDLE_PREFIX[role]
    for _ in range(_HANDLE_ATTEMPTS):
        handle = (
            prefix + "-" + "".join(secrets.choice(_HANDLE_ALPHABET) for _ in range(_HANDLE_LENGTH))
        )
        taken = session.execute(select(User.id).where(User.handle == handle)).first()
        if taken is None:
            return handle
    raise RuntimeError(f"no free handle after {_HANDLE_ATTEMPTS} tries: the handle space is full")


def _clear_lock(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.refused_while_locked = 0


def _issue_credentials(vault: Vault, user: User) -> tuple[str, str]:
    """Give ``user`` a new one-time password and TOTP secret; return (password, otpauth URI)."""
    one_time = passwords.generate_one_time_password()
    secret = totp_codes.new_secret()
    user.password_hash = passwords.hash_password(one_time)
    user.must_change_password = True
    user.totp_secret_sealed = totp_codes.seal_secret(totp_key(vault), secret, user.id)
    user.last_totp_step = 0
    _clear_lock(user)
    return one_time, totp_codes.provisioning_uri(secret, user.username)


def create_user(
    session: Session,
    vault: Vault,
    *,
    username: str,
    role: str,
    region: str,
    actor: str = "cli:operator",
) -> tuple[User, str, str]:
    """Create a user. Returns (user, one-time password, otpauth:// URI); neither secret is stored
    in the clear, so both are shown once. The user must change the password at first sign-in."""
    name = normalise_username(username)
    checked_role = check_role(role)
    checked_region = normalise_region(region)
    if session.execute(select(User.id).where(User.username == name)).first() is not None:
        raise UserExists(f"user {name!r} already exists")
    user = User(
        id=new_id(),
        handle=_new_handle(session, checked_role),
        username=name,
        role=checked_role,
        region=checked_region,
        created_at=utcnow(),
    )
    one_time, uri = _issue_credentials(vault, user)
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.created",
        target=f"user:{user.handle}",
        details={"role": checked_role, "region": checked_region},
    )
    return user, one_time, uri


def get_user(session: Session, username: str, *, for_update: bool = False) -> User:
    query = select(User).where(User.username == username.strip().lower())
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    user = session.execute(query).scalar_one_or_none()
    if user is None:
        raise UnknownUser(f"no user {username!r}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.execute(select(User).order_by(User.username)).scalars())


def user_status(user: User, now: datetime | None = None) -> str:
    now = now or utcnow()
    if user.disabled_at is not None:
        return "disabled"
    if user.locked_until is not None and user.locked_until > now:
        return "locked"
    if user.must_change_password:
        return "must_change_password"
    return "active"


def _retry_after(user: User, now: datetime) -> int | None:
    if user.locked_until is None or user.locked_until <= now:
        return None
    return max(1, int((user.locked_until - now).total_seconds() + 0.999))


def _locked_error(user: User, seconds: int) -> AccountLocked:
    if user.failed_logins >= LOCK_AFTER_FAILURES:
        message = (
            f"account locked after {user.failed_logins} failed sign-ins: try again in "
            f"{seconds} s or ask an admin to unlock it"
        )
    else:
        message = f"too many failed sign-ins: wait {seconds} s before the next attempt"
    return AccountLocked(message, retry_after=seconds)


def _record_failure(
    session: Session, user: User, *, now: datetime, reason: str, client_ip: str | None, action: str
) -> None:
    """Count one failed attempt, slow down or lock, audit, and commit."""
    user.failed_logins += 1
    failures = user.failed_logins
    lock_until = now + timedelta(seconds=LOCK_SECONDS)
    if failures >= LOCK_AFTER_FAILURES:
        user.locked_until = lock_until
    elif failures >= SLOWDOWN_AFTER_FAILURES:
        delay = SLOWDOWN_BASE_SECONDS * 2 ** (failures - SLOWDOWN_AFTER_FAILURES)
        user.locked_until = now + timedelta(seconds=delay)
    user.refused_while_locked = 0  # a new wait: its first refusal is audited again
    audit.record(
        session,
        actor=ANONYMOUS_ACTOR if action == "auth.login_failed" else actor_of(user),
        action=action,
        target=f"user:{user.handle}",
        details={"reason": reason, "failures": failures, "client_ip": client_ip},
    )
    if failures >= LOCK_AFTER_FAILURES:
        audit.record(
            session,
            actor="system",
            action="auth.account_locked",
            target=f"user:{user.handle}",
            details={"failures": failures, "until": lock_until.isoformat()},
        )
    session.commit()


def _refuse_locked(
    session: Session, user: User, *, now: datetime, seconds: int, client_ip: str | None
) -> AccountLocked:
    """Every refusal is counted; the 1st, 2nd, 4th, 8th… of one wait are audited (with the count
    so far), so the log shows a hammered account without being flooded by it."""
    user.refused_while_locked += 1
    refused = user.refused_while_locked
    if refused & (refused - 1) == 0:
        audit.record(
            session,
            actor=ANONYMOUS_ACTOR,
            action="auth.login_refused",
            target=f"user:{user.handle}",
            details={
                "reason": "locked",
                "retry_after": seconds,
                "client_ip": client_ip,
                "refused_so_far": refused,
            },
        )
    session.commit()
    return _locked_error(user, seconds)


def _username_digest(vault: Vault, name: str) -> str:
    # Failed names are often passwords typed in the wrong box: keep only a keyed digest, which
    # still shows the same unknown name being tried again and again.
    key = vault.derived_secret("audit username")
    return hmac.new(key, name.encode(), hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class SignInCheck:
    """The slow half of a sign-in (argon2, TOTP), done on a snapshot before any write lock, which
    on SQLite would otherwise stall every other writer for the length of a hash."""

    name: str
    password: str = field(repr=False)
    totp: str = field(repr=False)
    now: datetime
    snapshot: User | None
    checked: bool  # False while the snapshot waits or is locked: nothing was verified
    password_ok: bool
    steps: tuple[int, ...]
    new_hash: str | None = field(repr=False)


def check_credentials(
    read: Session,
    vault: Vault,
    *,
    username: str,
    password: str,
    totp: str,
    now: datetime | None = None,
) -> SignInCheck:
    """Verify password and TOTP code on a read of the user; ``login`` then decides and writes."""
    now = now or utcnow()
    name = username.strip().lower()
    snapshot = read.execute(select(User).where(User.username == name)).scalar_one_or_none()
    if snapshot is None:
        passwords.burn_verification(password)
        return SignInCheck(name, password, totp, now, None, False, False, (), None)
    checked = _retry_after(snapshot, now) is None  # no password check while locked
    password_ok = checked and passwords.verify_password(snapshot.password_hash, password)
    steps = _matching_steps(vault, snapshot, totp, now) if password_ok else ()
    new_hash = (
        passwords.hash_password(password)
        if password_ok and passwords.needs_rehash(snapshot.password_hash)
        else None
    )
    return SignInCheck(name, password, totp, now, snapshot, checked, password_ok, steps, new_hash)


def login(session: Session, vault: Vault, check: SignInCheck, *, client_ip: str | None) -> User:
    """Sign in with what ``check_credentials`` verified: return the user (who may still have to
    change the password: see ``User.must_change_password``). Raises BadCredentials, TotpReplayed,
    AccountLocked or AccountDisabled. ``session`` is a write unit; refusals are committed before
    they are raised.
    """
    now, snapshot = check.now, check.snapshot
    if snapshot is None:
        audit.record(
            session,
            actor=ANONYMOUS_ACTOR,
            action="auth.login_failed",
            target="user:unknown",
            details={
                "reason": "unknown_user",
                "username_digest": _username_digest(vault, check.name),
                "client_ip": client_ip,
            },
        )
        session.commit()
        raise BadCredentials(BAD_CREDENTIALS_MESSAGE)
    password_ok, steps, new_hash = check.password_ok, check.steps, check.new_hash
    user = session.execute(
        select(User)
        .where(User.id == snapshot.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    seconds = _retry_after(user, now)
    if seconds is not None:
        raise _refuse_locked(session, user, now=now, seconds=seconds, client_ip=client_ip)
    changed = (user.password_hash, user.totp_secret_sealed) != (
        snapshot.password_hash,
        snapshot.totp_secret_sealed,
    )
    if changed or not check.checked:
        # Credentials changed, or an admin unlocked, between the snapshot and the row lock
        # (rare): check against the row as it is now.
        password_ok = passwords.verify_password(user.password_hash, check.password)
        steps = _matching_steps(vault, user, check.totp, now) if password_ok else ()
        new_hash = None
    if not password_ok:
        _record_failure(
            session,
            user,
            now=now,
            reason="bad_password",
            client_ip=client_ip,
            action="auth.login_failed",
        )
        raise BadCredentials(BAD_CREDENTIALS_MESSAGE)
    if not steps:
        _record_failure(
            session,
            user,
            now=now,
            reason="bad_totp",
            client_ip=client_ip,
            action="auth.login_failed",
        )
        raise BadCredentials(BAD_CREDENTIALS_MESSAGE)
    fresh = [step for step in steps if step > user.last_totp_step]
    if not fresh:
        _record_failure(
            session,
            user,
            now=now,
            reason="totp_replayed",
            client_ip=client_ip,
            action="auth.login_failed",
        )
        raise TotpReplayed("this authentication code was already used: wait for the next one")
    if user.disabled_at is not None:
        audit.record(
            session,
            actor=ANONYMOUS_ACTOR,
            action="auth.login_refused",
            target=f"user:{user.handle}",
            details={"reason": "disabled", "client_ip": client_ip},
        )
        session.commit()
        raise AccountDisabled("this account is disabled: ask an admin")
    user.last_totp_step = max(fresh)
    _clear_lock(user)
    if new_hash is not None:
        user.password_hash = new_hash
    audit.record(
        session,
        actor=actor_of(user),
        action="auth.login",
        target=f"user:{user.handle}",
        details={
            "client_ip": client_ip,
            "must_change_password": user.must_change_password,
            "password_rehashed": new_hash is not None,
        },
    )
    session.flush()
    return user


def _matching_steps(vault: Vault, user: User, code: str, now: datetime) -> tuple[int, ...]:
    return tuple(totp_codes.matching_steps(totp_secret_of(vault, user), code, now))


def change_password(
    session: Session,
    user: User,
    old: str,
    new: str,
    *,
    now: datetime | None = None,
) -> User:
    """Change a password (at least ``passwords.MIN_PASSWORD_LENGTH`` characters) after checking
    the current one, and end every session of the user (the caller issues a fresh one).
    A wrong current password counts as a failed sign-in (slow-down, lock, audit)."""
    now = now or utcnow()
    row = session.execute(
        select(User)
        .where(User.id == user.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    seconds = _retry_after(row, now)
    if seconds is not None:
        raise _locked_error(row, seconds)
    passwords.check_new_password(new, old=old, username=row.username)
    if not passwords.verify_password(row.password_hash, old):
        _record_failure(
            session,
            row,
            now=now,
            reason="bad_password",
            client_ip=None,
            action="auth.password_change_failed",
        )
        raise WrongPassword("the current password is wrong")
    row.password_hash = passwords.hash_password(new)
    row.must_change_password = False
    row.failed_logins = 0
    ended = revoke_user_sessions(session, row.id, now=now)
    audit.record(
        session,
        actor=actor_of(row),
        action="auth.password_changed",
        target=f"user:{row.handle}",
        details={"sessions_ended": ended},
    )
    session.flush()
    return row


def unlock_user(session: Session, username: str, *, actor: str) -> User:
    user = get_user(session, username, for_update=True)
    was = {
        "failures": user.failed_logins,
        "locked": user.locked_until is not None,
        "refused_while_locked": user.refused_while_locked,
    }
    _clear_lock(user)
    audit.record(
        session, actor=actor, action="user.unlocked", target=f"user:{user.handle}", details=was
    )
    return user


def disable_user(session: Session, username: str, *, actor: str) -> User:
    """Disable an account and end its sessions at once. Disabling twice changes nothing."""
    user = get_user(session, username, for_update=True)
    if user.disabled_at is not None:
        return user
    now = utcnow()
    user.disabled_at = now
    ended = revoke_user_sessions(session, user.id, now=now)
    audit.record(
        session,
        actor=actor,
        action="user.disabled",
        target=f"user:{user.handle}",
        details={"sessions_ended": ended},
    )
    return user


def reset_credentials(
    session: Session, vault: Vault, username: str, *, actor: str
) -> tuple[User, str, str]:
    """New one-time password and TOTP secret (a lost phone); ends sessions, clears the lock."""
    user = get_user(session, username, for_update=True)
    one_time, uri = _issue_credentials(vault, user)
    ended = revoke_user_sessions(session, user.id)
    audit.record(
        session,
        actor=actor,
        action="user.credentials_reset",
        target=f"user:{user.handle}",
        details={"sessions_ended": ended},
    )
    return user, one_time, uri


def logout(session: Session, user: User, id_hash: str) -> None:
    """End one web session (sign-out) and audit it."""
    if revoke_session(session, id_hash):
        audit.record(
            session,
            actor=actor_of(user),
            action="auth.logout",
            target=f"user:{user.handle}",
            details={},
        )
