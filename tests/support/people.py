"""Signing people in quickly in tests, through the real services and the real API.

    user, password, totp_secret = make_user(rt, role="lead")
    csrf = login(client, user.username, password, totp_secret)   # client now sends the cookie
                                                                 # and the X-CSRF-Token header
Test-only shortcuts (never do this outside tests):
- ``make_user`` marks the one-time password as already changed (``must_change_password=False``)
  so the user can work at once; pass ``must_change_password=True`` to test the first sign-in.
- ``login`` resets the user's ``last_totp_step`` to 0 before signing in, because a TOTP code is
  accepted only once and tests sign the same user in many times within one 30 s step. Pass
  ``reset_totp_step=False`` to use an unused code honestly (the next step within the ±1 drift).
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from voxguard.db.models import User
from voxguard.people import service
from voxguard.people import totp as totp_codes
from voxguard.people.service import create_user, totp_secret_of
from voxguard.runtime import Runtime


def make_user(
    rt: Runtime,
    role: str = "reviewer",
    region: str = "eu",
    username: str | None = None,
    *,
    must_change_password: bool = False,
) -> tuple[User, str, str]:
    """Create a user with the real service. Returns (user, password, TOTP secret in base32)."""
    username = username or f"{role.replace('_', '')}-{secrets.token_hex(4)}"
    with rt.db.session() as session:
        user, password, _uri = create_user(
            session, rt.vault, username=username, role=role, region=region, actor="test"
        )
        user.must_change_password = must_change_password  # test-only shortcut, see above
    return user, password, totp_secret_of(rt.vault, user)


def sign_in_with_service(
    rt: Runtime,
    username: str,
    password: str,
    totp: str,
    *,
    at: datetime | None = None,
    client_ip: str | None = None,
) -> User:
    """Sign in as the web does: the slow check on a read, then the decision in a write."""
    with rt.db.read() as read:
        check = service.check_credentials(
            read, rt.vault, username=username, password=password, totp=totp, now=at
        )
    with rt.db.session() as session:
        return service.login(session, rt.vault, check, client_ip=client_ip)


def totp_code(totp_secret: str, at: datetime | float | None = None) -> str:
    return pyotp.TOTP(totp_secret).at(at if at is not None else time.time())


def _unused_code(rt: Runtime, username: str, totp_secret: str) -> str:
    with rt.db.read() as session:
        last = session.execute(
            select(User.last_totp_step).where(User.username == username.lower())
        ).scalar_one()
    now_step = int(time.time()) // totp_codes.STEP_SECONDS
    step = max(now_step - totp_codes.DRIFT_STEPS, last + 1)
    if step > now_step + totp_codes.DRIFT_STEPS:
        raise RuntimeError("every code within the allowed drift was used: wait 30 s")
    return totp_codes.code_at_step(totp_secret, step)


def login(
    client: TestClient,
    username: str,
    password: str,
    totp_secret: str,
    *,
    at: datetime | float | None = None,
    reset_totp_step: bool = True,
    set_csrf_header: bool = True,
) -> str:
    """Sign in through POST /api/v1/auth/login; returns the CSRF token.

    The session cookie stays in ``client``; with ``set_csrf_header`` the token is also set as the
    client's default ``X-CSRF-Token`` header, so later POSTs pass the CSRF check.
    ``at`` computes the code for another time (e.g. to test drift).
    """
    rt: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    if reset_totp_step:
        with rt.db.session() as session:  # test-only shortcut, see the module docstring
            session.execute(
                update(User).where(User.username == username.lower()).values(last_totp_step=0)
            )
        code = totp_code(totp_secret, at)
    else:
        code = (
            totp_code(totp_secret, at)
            if at is not None
            else _unused_code(rt, username, totp_secret)
        )
    response = client.post(
        "/api/v1/auth/login", json={"username": username, "password": password, "totp": code}
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    if set_csrf_header:
        client.headers["X-CSRF-Token"] = token
    return token
