"""People: users, password + TOTP sign-in, replay, slow-down and lock-out, sessions, policies.

Times are passed explicitly (``now=``), so codes, windows and expiries are deterministic; nothing
here waits on the clock.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, Type

from tests.support.people import make_user, sign_in_with_service
from voxguard.audit import verify_chain
from voxguard.db.models import AuditEvent, User, WebSession
from voxguard.people import passwords, service, sessions, totp
from voxguard.people.errors import (
    AccountDisabled,
    AccountLocked,
    BadCredentials,
    Forbidden,
    InvalidUserInput,
    TotpReplayed,
    UnknownRole,
    UnknownUser,
    UserExists,
    WeakPassword,
    WrongPassword,
)
from voxguard.people.policies import (
    ALL_POLICIES,
    AdjudicationPolicy,
    AuditLogPolicy,
    GoldPolicy,
    RestrictedQueuePolicy,
    ReviewTaskPolicy,
    UserAdminPolicy,
)
from voxguard.people.roles import ROLES
from voxguard.runtime import Runtime
from voxguard.vault.tokens import token_digest

NOW = datetime(2026, 3, 2, 9, 0, 15, tzinfo=UTC)  # 15 s into a 30 s step
IP = "203.0.113.7"


def code(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)


def attempt(rt: Runtime, username: str, password: str, totp_code: str, at: datetime) -> User:
    return sign_in_with_service(rt, username, password, totp_code, at=at, client_ip=IP)


def locked_out(rt: Runtime, user_id: str, *, until: datetime | None) -> None:
    """As if the user had just failed too often (``until``: when the lock ends, None: ended)."""
    with rt.db.session() as session:
        row = session.get(User, user_id)
        assert row is not None
        row.failed_logins = service.LOCK_AFTER_FAILURES
        row.locked_until = until


def reload(rt: Runtime, user_id: str) -> User:
    with rt.db.read() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user


def events(rt: Runtime, action: str | None = None) -> list[AuditEvent]:
    with rt.db.read() as session:
        query = sa.select(AuditEvent).order_by(AuditEvent.seq)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(session.execute(query).scalars())


# ----------------------------------------------------------------------------- creating users


def test_create_user_returns_secrets_once_and_stores_them_sealed(rt: Runtime) -> None:
    with rt.db.session() as session:
        user, one_time, uri = service.create_user(
            session,
            rt.vault,
            username="Alice.K",
            role="reviewer",
            region="EU",
            actor="cli:operator",
        )
    assert user.username == "alice.k" and user.region == "eu" and user.role == "reviewer"
    assert re.fullmatch(r"R-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}", user.handle)
    assert user.must_change_password
    assert len(one_time) >= passwords.MIN_PASSWORD_LENGTH
    assert user.password_hash.startswith("$argon2id$") and one_time not in user.password_hash

    parsed = pyotp.parse_uri(uri)
    assert uri.startswith("otpauth://totp/") and "issuer=voxguard" in uri
    secret = parsed.secret
    stored = reload(rt, user.id)
    assert secret.encode() not in stored.totp_secret_sealed  # sealed, not stored in the clear
    assert service.totp_secret_of(rt.vault, stored) == secret
    # Bound to the user: the same sealed bytes do not open as another user's.
    with pytest.raises(totp.TotpSecretUnreadable):
        totp.open_secret(service.totp_key(rt.vault), stored.totp_secret_sealed, "someone-else")

    created = events(rt, "user.created")
    assert len(created) == 1 and created[0].target == f"user:{user.handle}"
    assert json.loads(created[0].details) == {"role": "reviewer", "region": "eu"}


def test_create_user_refuses_bad_input(rt: Runtime) -> None:
    with rt.db.session() as session:
        service.create_user(session, rt.vault, username="bob", role="lead", region="eu")
    with pytest.raises(UserExists), rt.db.session() as session:
        service.create_user(session, rt.vault, username="BOB", role="reviewer", region="eu")
    with pytest.raises(UnknownRole, match="privacy_officer"), rt.db.session() as session:
        service.create_user(session, rt.vault, username="carol", role="superuser", region="eu")
    with pytest.raises(InvalidUserInput, match="username"), rt.db.session() as session:
        service.create_user(session, rt.vault, username="x y", role="reviewer", region="eu")
    with pytest.raises(InvalidUserInput, match="region"), rt.db.session() as session:
        service.create_user(session, rt.vault, username="dave", role="reviewer", region="e u")
    with rt.db.read() as session:
        assert [u.username for u in service.list_users(session)] == ["bob"]


def test_handles_are_unique_and_carry_the_role(rt: Runtime) -> None:
    handles = {make_user(rt, role=role)[0].handle for role in ROLES for _ in range(3)}
    assert len(handles) == 12
    assert {h[0] for h in handles} == {"R", "L", "P", "A"}


# ----------------------------------------------------------------------------- signing in


def test_sign_in_needs_password_and_totp(rt: Runtime) -> None:
    user, password, secret = make_user(rt, username="erin")
    with pytest.raises(BadCredentials) as wrong_password:
        attempt(rt, "erin", "not the password!", code(secret, NOW), NOW)
    with pytest.raises(BadCredentials) as wrong_code:
        bad = f"{(int(code(secret, NOW)) + 1) % 1_000_000:06d}"
        attempt(rt, "erin", password, bad, NOW)
    with pytest.raises(BadCredentials):
        attempt(rt, "erin", password, "12345x", NOW)
    # Same message whichever factor was wrong: a guesser learns nothing about the password.
    assert wrong_password.value.message == wrong_code.value.message
    assert type(wrong_code.value) is BadCredentials

    later = NOW + timedelta(seconds=service.SLOWDOWN_BASE_SECONDS)  # 3 failures: wait 5 s
    signed_in = attempt(rt, "ERIN ", password, code(secret, later), later)
    assert signed_in.id == user.id
    stored = reload(rt, user.id)
    assert stored.last_totp_step == totp.step_at(later) and stored.failed_logins == 0

    failed = events(rt, "auth.login_failed")
    assert [json.loads(e.details)["reason"] for e in failed] == [
        "bad_password",
        "bad_totp",
        "bad_totp",
    ]
    assert all(json.loads(e.details)["client_ip"] == IP for e in failed)
    ok = events(rt, "auth.login")
    assert len(ok) == 1 and ok[0].actor == f"user:{user.handle}"


def test_sign_in_verifies_before_the_write_and_login_opens_no_session_of_its_own(
    rt: Runtime,
) -> None:
    user, password, secret = make_user(rt)
    # The slow half needs nothing but a read: on SQLite no writer waits for an argon2 hash.
    with rt.db.read() as read:
        check = service.check_credentials(
            read,
            rt.vault,
            username=user.username,
            password=password,
            totp=code(secret, NOW),
            now=NOW,
        )
    assert check.password_ok and check.steps and check.snapshot is not None
    checkouts: list[object] = []

    def count(*_: object) -> None:
        checkouts.append(None)

    engines = {rt.db.engine, rt.db.read_engine}
    for engine in engines:
        sa.event.listen(engine, "checkout", count)
    try:
        with rt.db.session() as session:
            session.connection()  # the caller's own connection
            before = len(checkouts)
            assert service.login(session, rt.vault, check, client_ip=IP).id == user.id
            assert len(checkouts) == before  # no second connection inside the caller's unit
    finally:
        for engine in engines:
            sa.event.remove(engine, "checkout", count)


def test_a_code_is_accepted_once(rt: Runtime) -> None:
    user, password, secret = make_user(rt)
    attempt(rt, user.username, password, code(secret, NOW), NOW)
    with pytest.raises(TotpReplayed, match="already used"):
        attempt(rt, user.username, password, code(secret, NOW), NOW + timedelta(seconds=5))
    # The previous step's code is older than the one used: refused too.
    with pytest.raises(TotpReplayed):
        attempt(rt, user.username, password, code(secret, NOW - timedelta(seconds=30)), NOW)
    # The next step's code is new.
    later = NOW + timedelta(seconds=30)
    attempt(rt, user.username, password, code(secret, later), later)
    reasons = [json.loads(e.details)["reason"] for e in events(rt, "auth.login_failed")]
    assert reasons == ["totp_replayed", "totp_replayed"]


def test_one_step_of_clock_drift_is_allowed_two_are_not(rt: Runtime) -> None:
    user, password, secret = make_user(rt)
    name = user.username
    with pytest.raises(BadCredentials):
        attempt(rt, name, password, code(secret, NOW - timedelta(seconds=60)), NOW)
    attempt(rt, name, password, code(secret, NOW - timedelta(seconds=30)), NOW)
    with pytest.raises(BadCredentials):
        attempt(rt, name, password, code(secret, NOW + timedelta(seconds=60)), NOW)
    attempt(rt, name, password, code(secret, NOW + timedelta(seconds=30)), NOW)
    assert reload(rt, user.id).last_totp_step == totp.step_at(NOW) + 1


def test_failures_slow_down_then_lock_and_an_admin_unlocks(rt: Runtime) -> None:
    user, password, secret = make_user(rt)
    name = user.username
    t = NOW
    for _ in range(service.SLOWDOWN_AFTER_FAILURES):
        with pytest.raises(BadCredentials):
            attempt(rt, name, "wrong password!!", code(secret, t), t)
    # Slowed down: even the right credentials must wait, and the password is not even checked.
    with pytest.raises(AccountLocked, match="wait") as slowed:
        attempt(rt, name, password, code(secret, t), t)
    assert slowed.value.retry_after == service.SLOWDOWN_BASE_SECONDS
    assert slowed.value.code == "account_locked"

    # Each further failure doubles the wait, never beyond SLOWDOWN_MAX_SECONDS.
    waits = []
    for _ in range(8):
        t = reload(rt, user.id).locked_until + timedelta(seconds=1)
        with pytest.raises(BadCredentials):
            attempt(rt, name, "wrong password!!", code(secret, t), t)
        waits.append((reload(rt, user.id).locked_until - t).total_seconds())
    assert waits == [2, 4, 8, 16, 32, 60, 60, 60]

    # The lock comes only at NIST's ceiling of failures in a row.
    with rt.db.session() as session:
        row = session.get(User, user.id)
        row.failed_logins, row.locked_until = service.LOCK_AFTER_FAILURES - 1, None
    with pytest.raises(BadCredentials):
        attempt(rt, name, password, "000000" if code(secret, t) != "000000" else "111111", t)
    assert reload(rt, user.id).failed_logins == service.LOCK_AFTER_FAILURES
    with pytest.raises(
        AccountLocked, match=f"locked after {service.LOCK_AFTER_FAILURES}"
    ) as locked:
        attempt(rt, name, password, code(secret, t), t + timedelta(seconds=1))
    assert locked.value.retry_after == service.LOCK_SECONDS - 1

    with rt.db.session() as session:
        service.unlock_user(session, name, actor="cli:operator")
    attempt(rt, name, password, code(secret, t), t + timedelta(seconds=2))
    assert reload(rt, user.id).failed_logins == 0

    assert len(events(rt, "auth.login_failed")) == service.SLOWDOWN_AFTER_FAILURES + 9
    assert len(events(rt, "auth.account_locked")) == 1
    refused = events(rt, "auth.login_refused")
    assert [json.loads(e.details)["reason"] for e in refused] == ["locked", "locked"]
    assert len(events(rt, "user.unlocked")) == 1 and len(events(rt, "auth.login")) == 1
    with rt.db.read() as session:
        assert verify_chain(session)[1] is None


def test_a_lock_ends_by_itself(rt: Runtime) -> None:
    user, password, secret = make_user(rt)
    locked_out(rt, user.id, until=NOW + timedelta(seconds=service.LOCK_SECONDS))
    later = NOW + timedelta(seconds=service.LOCK_SECONDS + 1)
    with pytest.raises(AccountLocked):
        attempt(rt, user.username, password, code(secret, NOW), NOW)
    attempt(rt, user.username, password, code(secret, later), later)
    # After a lock, a single further failure locks again at once (the count was not reset).
    user2, password2, secret2 = make_user(rt)
    locked_out(rt, user2.id, until=None)
    with pytest.raises(BadCredentials):
        attempt(rt, user2.username, "wrong password!!", code(secret2, NOW), NOW)
    with pytest.raises(AccountLocked, match="locked"):
        attempt(rt, user2.username, password2, code(secret2, NOW), NOW + timedelta(seconds=60))


def test_unknown_user_gets_the_same_answer_and_no_name_is_logged(rt: Runtime) -> None:
    make_user(rt, username="frank")
    with pytest.raises(BadCredentials) as unknown:
        attempt(rt, "my-secret-password", "whatever", "123456", NOW)
    assert unknown.value.message == service.BAD_CREDENTIALS_MESSAGE
    (event,) = events(rt, "auth.login_failed")
    assert event.target == "user:unknown"
    details = json.loads(event.details)
    assert details["reason"] == "unknown_user" and len(details["username_digest"]) == 16
    assert "my-secret-password" not in event.details


def test_disabled_user_cannot_sign_in_and_loses_sessions(rt: Runtime) -> None:
    user, password, secret = make_user(rt)
    with rt.db.session() as session:
        issued = sessions.create_session(session, user, now=NOW)
    with rt.db.session() as session:
        service.disable_user(session, user.username, actor="cli:operator")
        service.disable_user(session, user.username, actor="cli:operator")  # no-op
    with pytest.raises(AccountDisabled):
        attempt(rt, user.username, password, code(secret, NOW), NOW)
    with rt.db.session() as session:
        assert sessions.load_session(session, issued.cookie_value, now=NOW) is None
    assert len(events(rt, "user.disabled")) == 1
    with pytest.raises(UnknownUser), rt.db.session() as session:
        service.disable_user(session, "nobody", actor="cli:operator")


def test_password_is_rehashed_at_sign_in_when_parameters_change(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    user, password, secret = make_user(rt)
    old_hash = reload(rt, user.id).password_hash
    stronger = PasswordHasher(time_cost=3, memory_cost=24 * 1024, parallelism=1, type=Type.ID)
    monkeypatch.setattr(passwords, "HASHER", stronger)
    assert passwords.needs_rehash(old_hash)
    attempt(rt, user.username, password, code(secret, NOW), NOW)
    new_hash = reload(rt, user.id).password_hash
    assert new_hash != old_hash and "m=24576,t=3,p=1" in new_hash
    assert not passwords.needs_rehash(new_hash) and passwords.verify_password(new_hash, password)
    assert json.loads(events(rt, "auth.login")[0].details)["password_rehashed"] is True


# ----------------------------------------------------------------------------- password change


def test_change_password_checks_length_and_old_password_and_ends_sessions(rt: Runtime) -> None:
    user, password, secret = make_user(rt, must_change_password=True)
    with rt.db.session() as session:
        first = sessions.create_session(session, user)
        second = sessions.create_session(session, user)

    with pytest.raises(WeakPassword, match="at least 12"), rt.db.session() as session:
        service.change_password(session, user, password, "short-pw")
    with pytest.raises(WeakPassword, match="differ"), rt.db.session() as session:
        service.change_password(session, user, password, password)
    with pytest.raises(WrongPassword), rt.db.session() as session:
        service.change_password(session, user, "not my password", "a brand new password")
    assert reload(rt, user.id).failed_logins == 1  # a wrong current password counts
    assert len(events(rt, "auth.password_change_failed")) == 1

    new = "a brand new password"
    with rt.db.session() as session:
        service.change_password(session, user, password, new)
    stored = reload(rt, user.id)
    assert not stored.must_change_password and stored.failed_logins == 0
    with rt.db.session() as session:
        assert sessions.load_session(session, first.cookie_value) is None
        assert sessions.load_session(session, second.cookie_value) is None
    with pytest.raises(BadCredentials):
        attempt(rt, user.username, password, code(secret, NOW), NOW)
    attempt(rt, user.username, new, code(secret, NOW), NOW)
    (changed,) = events(rt, "auth.password_changed")
    assert json.loads(changed.details) == {"sessions_ended": 2}


def test_reset_credentials_issues_new_secrets(rt: Runtime) -> None:
    user, password, secret = make_user(rt)
    with rt.db.session() as session:
        _, one_time, uri = service.reset_credentials(
            session, rt.vault, user.username, actor="cli:x"
        )
    new_secret = pyotp.parse_uri(uri).secret
    assert new_secret != secret
    with pytest.raises(BadCredentials):
        attempt(rt, user.username, password, code(new_secret, NOW), NOW)
    signed_in = attempt(rt, user.username, one_time, code(new_secret, NOW), NOW)
    assert signed_in.must_change_password


# ----------------------------------------------------------------------------- sessions


def _load(rt: Runtime, cookie: str, at: datetime) -> tuple[User, WebSession] | None:
    with rt.db.session() as session:
        return sessions.load_session(session, cookie, now=at)


def test_session_idle_expiry_and_touch_once_a_minute(rt: Runtime) -> None:
    user, _, _ = make_user(rt)
    with rt.db.session() as session:
        issued = sessions.create_session(session, user, now=NOW)
    with rt.db.read() as session:
        stored = session.get(WebSession, issued.record.id_hash)
        assert stored is not None and stored.id_hash != issued.cookie_value  # only the hash
    assert token_digest(issued.cookie_value) == issued.record.id_hash

    found = _load(rt, issued.cookie_value, NOW + timedelta(seconds=30))
    assert found is not None and found[0].id == user.id
    assert found[1].last_seen_at == NOW  # under a minute: not written
    found = _load(rt, issued.cookie_value, NOW + timedelta(minutes=29))
    assert found is not None and found[1].last_seen_at == NOW + timedelta(minutes=29)
    # Active use keeps it alive past 30 minutes after sign-in...
    assert _load(rt, issued.cookie_value, NOW + timedelta(minutes=58)) is not None
    # ...but 30 idle minutes end it.
    assert _load(rt, issued.cookie_value, NOW + timedelta(minutes=88, seconds=1)) is None
    assert _load(rt, "no-such-cookie", NOW) is None
    assert _load(rt, "", NOW) is None


def test_session_absolute_expiry_even_when_active(rt: Runtime) -> None:
    user, _, _ = make_user(rt)
    with rt.db.session() as session:
        issued = sessions.create_session(session, user, now=NOW)
    at = NOW
    while at + timedelta(minutes=20) < NOW + sessions.ABSOLUTE_LIFETIME:
        at += timedelta(minutes=20)
        assert _load(rt, issued.cookie_value, at) is not None
    assert _load(rt, issued.cookie_value, NOW + sessions.ABSOLUTE_LIFETIME) is None


def test_revoking_sessions(rt: Runtime) -> None:
    user, _, _ = make_user(rt)
    other, _, _ = make_user(rt)
    with rt.db.session() as session:
        a = sessions.create_session(session, user)
        b = sessions.create_session(session, user)
        c = sessions.create_session(session, other)
    with rt.db.session() as session:
        service.logout(session, user, a.record.id_hash)
    assert _load(rt, a.cookie_value, datetime.now(UTC)) is None
    assert _load(rt, b.cookie_value, datetime.now(UTC)) is not None
    with rt.db.session() as session:
        assert sessions.revoke_user_sessions(session, user.id) == 1
    assert _load(rt, b.cookie_value, datetime.now(UTC)) is None
    assert _load(rt, c.cookie_value, datetime.now(UTC)) is not None
    assert len(events(rt, "auth.logout")) == 1
    with rt.db.session() as session:
        assert sessions.purge_ended_sessions(session) == 2


# ----------------------------------------------------------------------------- policies


@pytest.mark.parametrize(
    ("policy", "action", "allowed"),
    [
        (ReviewTaskPolicy, "lease", {"reviewer", "lead"}),
        (ReviewTaskPolicy, "submit", {"reviewer", "lead"}),
        (AdjudicationPolicy, "decide", {"lead"}),
        (GoldPolicy, "manage", {"lead"}),
        (RestrictedQueuePolicy, "open", {"privacy_officer"}),
        (AuditLogPolicy, "verify", {"privacy_officer", "admin"}),
        (UserAdminPolicy, "create", {"admin"}),
    ],
)
def test_policies_by_role(policy: type, action: str, allowed: set[str]) -> None:
    for role in ROLES:
        user = User(role=role, handle="R-TEST", disabled_at=None)
        assert policy.allows(user, action) is (role in allowed), (role, action)
        if role not in allowed:
            with pytest.raises(Forbidden, match=action):
                policy.require(user, action)
        else:
            policy.require(user, action)


def test_policies_refuse_disabled_users_and_unknown_actions() -> None:
    lead = User(role="lead", handle="L-TEST", disabled_at=NOW)
    assert not GoldPolicy.allows(lead, "manage")
    assert not GoldPolicy.allows(None, "manage")
    with pytest.raises(ValueError, match="no action"):
        GoldPolicy.allows(User(role="lead", handle="L-X", disabled_at=None), "mange")
    assert all(p.actions() for p in ALL_POLICIES)
    # Separation of duties: running the system does not open clips or the restricted queue.
    admin = User(role="admin", handle="A-TEST", disabled_at=None)
    assert not ReviewTaskPolicy.allows(admin, "fetch_audio")
    assert not RestrictedQueuePolicy.allows(admin, "open")


def test_hammering_a_locked_account_cannot_flood_the_audit_log(rt: Runtime) -> None:
    user, password, secret = make_user(rt)
    locked_out(rt, user.id, until=NOW + timedelta(seconds=service.LOCK_SECONDS))
    for i in range(100):
        with pytest.raises(AccountLocked) as locked:
            attempt(rt, user.username, password, code(secret, NOW), NOW + timedelta(seconds=i))
        assert locked.value.code == "account_locked"
    refused = [json.loads(e.details) for e in events(rt, "auth.login_refused")]
    assert [d["refused_so_far"] for d in refused] == [1, 2, 4, 8, 16, 32, 64]
    assert reload(rt, user.id).refused_while_locked == 100
    # The lock ends; the right credentials get in, and the count starts again from zero.
    later = NOW + timedelta(seconds=service.LOCK_SECONDS + 1)
    attempt(rt, user.username, password, code(secret, later), later)
    assert reload(rt, user.id).refused_while_locked == 0
    with rt.db.read() as session:
        assert verify_chain(session)[1] is None
