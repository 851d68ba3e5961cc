"""Sign-in over HTTP: the JSON API, cookies, CSRF, expiry, logout, password change, roles, pages.

A tiny router is mounted on the real app to exercise the security dependencies the way other
routes use them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated

import pyotp
import pytest
import sqlalchemy as sa
from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from tests.support.people import login, make_user, totp_code
from voxguard.db.models import AuditEvent, User, WebSession
from voxguard.people import service
from voxguard.people.policies import GoldPolicy
from voxguard.runtime import Runtime
from voxguard.web.app import create_app
from voxguard.web.security import (
    csrf_protect,
    current_user,
    require_policy,
    require_role,
    safe_next,
)

probe = APIRouter()


@probe.get("/api/v1/probe/lead-only")
def lead_only(user: Annotated[User, Depends(require_role("lead"))]) -> dict[str, str]:
    return {"handle": user.handle}


@probe.post("/api/v1/probe/gold")
def manage_gold(user: Annotated[User, Depends(require_policy(GoldPolicy, "manage"))]) -> dict:
    return {"handle": user.handle}


@probe.post("/api/v1/probe/work")
def work(user: Annotated[User, Depends(current_user)]) -> dict[str, str]:
    return {"handle": user.handle}


@probe.post("/api/v1/probe/open", dependencies=[Depends(csrf_protect)])
def open_route() -> dict[str, bool]:
    return {"ok": True}


@probe.get("/probe/lead-page", response_class=HTMLResponse)
def lead_page(user: Annotated[User, Depends(require_role("lead", page=True))]) -> str:
    return f"<p>hello {user.handle}</p>"


def _client(rt: Runtime, base_url: str = "http://testserver") -> TestClient:
    app = create_app(rt)
    app.include_router(probe)
    return TestClient(app, base_url=base_url, raise_server_exceptions=False)


def _with_cookie(rt: Runtime, cookie: str | None) -> TestClient:
    """A fresh client that presents only this session cookie (e.g. an old one, replayed)."""
    c = _client(rt)
    c.cookies.set("vg_session", cookie or "")
    return c


@pytest.fixture
def client(rt: Runtime) -> Iterator[TestClient]:
    with _client(rt) as c:
        yield c


def _set_cookie(response: object) -> str:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    (cookie,) = [h for h in headers if h.startswith("vg_session=")]
    return cookie


def _session_rows(rt: Runtime, user_id: str) -> list[WebSession]:
    with rt.db.read() as session:
        return list(
            session.execute(sa.select(WebSession).where(WebSession.user_id == user_id)).scalars()
        )


def _body(username: str, password: str, secret: str) -> dict[str, str]:
    return {"username": username, "password": password, "totp": totp_code(secret)}


# ----------------------------------------------------------------------------- login


def test_login_answers_user_and_csrf_and_sets_a_strict_httponly_cookie(
    rt: Runtime, client: TestClient
) -> None:
    user, password, secret = make_user(rt, role="lead", region="us")
    response = client.post("/api/v1/auth/login", json=_body(user.username, password, secret))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"] == {
        "handle": user.handle,
        "role": "lead",
        "region": "us",
        "must_change_password": False,
    }
    assert len(body["csrf_token"]) >= 32
    cookie = _set_cookie(response)
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    assert "path=/" in cookie.lower() and "secure" not in cookie.lower()  # plain http
    value = cookie.split(";")[0].split("=", 1)[1]
    (row,) = _session_rows(rt, user.id)
    assert row.id_hash != value and len(row.id_hash) == 64  # the database holds only a hash
    assert client.get("/api/v1/auth/me").json() == body

    (event,) = [e for e in _events(rt) if e.action == "auth.login"]
    assert json.loads(event.details)["client_ip"] == "testclient"


def test_cookie_is_secure_over_https(rt: Runtime) -> None:
    user, password, secret = make_user(rt)
    with _client(rt, "https://testserver") as c:
        response = c.post("/api/v1/auth/login", json=_body(user.username, password, secret))
        assert response.status_code == 200
        assert "secure" in _set_cookie(response).lower()
        assert c.get("/api/v1/auth/me").status_code == 200


def test_login_refusals_have_the_error_shape(rt: Runtime, client: TestClient) -> None:
    user, password, secret = make_user(rt)
    wrong = client.post("/api/v1/auth/login", json=_body(user.username, "not the password", secret))
    assert wrong.status_code == 401
    assert wrong.json() == {"error": "bad_credentials", "detail": service.BAD_CREDENTIALS_MESSAGE}
    assert "set-cookie" not in wrong.headers

    bad_code = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"
    no_totp = client.post(
        "/api/v1/auth/login",
        json={"username": user.username, "password": password, "totp": bad_code},
    )
    assert no_totp.status_code == 401 and no_totp.json()["error"] == "bad_credentials"

    for malformed in (
        {"username": user.username, "password": password},  # no totp
        {"username": user.username, "password": password, "totp": "1", "extra": 1},
        {"username": "", "password": password, "totp": "123456"},
    ):
        response = client.post("/api/v1/auth/login", json=malformed)
        assert response.status_code == 422
        assert response.json()["error"] == "invalid_request"
    not_json = client.post(
        "/api/v1/auth/login", content=b"username=x", headers={"content-type": "text/plain"}
    )
    assert not_json.status_code == 422


def test_repeated_failures_answer_423_with_retry_after(rt: Runtime, client: TestClient) -> None:
    """Failures from many addresses (each under its own throttle) slow the account down."""
    user, password, secret = make_user(rt)
    app = create_app(rt)
    for i in range(service.SLOWDOWN_AFTER_FAILURES):
        with TestClient(app, client=(f"198.51.100.{i}", 40000)) as guesser:
            response = guesser.post(
                "/api/v1/auth/login", json=_body(user.username, "not the password", secret)
            )
        assert response.status_code == 401
    locked = client.post("/api/v1/auth/login", json=_body(user.username, password, secret))
    assert locked.status_code == 423
    assert locked.json()["error"] == "account_locked"
    assert 1 <= int(locked.headers["retry-after"]) <= service.SLOWDOWN_BASE_SECONDS


def test_a_totp_code_works_once_over_the_api(rt: Runtime, client: TestClient) -> None:
    user, password, secret = make_user(rt)
    body = _body(user.username, password, secret)
    assert client.post("/api/v1/auth/login", json=body).status_code == 200
    with _client(rt) as other:
        again = other.post("/api/v1/auth/login", json=body)
    # Normally the very same code; if the step just rolled over, the old code is still "used".
    assert again.status_code == 401
    assert again.json()["error"] in {"totp_replayed", "bad_credentials"}


def test_me_needs_a_session(client: TestClient) -> None:
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["error"] == "not_signed_in"
    client.cookies.set("vg_session", "forged-session-id")
    assert client.get("/api/v1/auth/me").status_code == 401


# ----------------------------------------------------------------------------- CSRF


def test_csrf_token_is_required_for_cookie_authenticated_changes(
    rt: Runtime, client: TestClient
) -> None:
    user, password, secret = make_user(rt)
    token = login(client, user.username, password, secret, set_csrf_header=False)

    refused = client.post("/api/v1/probe/work")
    assert refused.status_code == 403 and refused.json()["error"] == "csrf_failed"
    wrong = client.post("/api/v1/probe/work", headers={"X-CSRF-Token": "x" * 43})
    assert wrong.status_code == 403
    ok = client.post("/api/v1/probe/work", headers={"X-CSRF-Token": token})
    assert ok.status_code == 200 and ok.json() == {"handle": user.handle}
    form = client.post("/api/v1/probe/work", data={"csrf_token": token})
    assert form.status_code == 200

    # csrf_protect alone, on a route that takes no user.
    assert client.post("/api/v1/probe/open").status_code == 403
    assert client.post("/api/v1/probe/open", headers={"X-CSRF-Token": token}).status_code == 200
    # Safe methods need no token.
    assert client.get("/api/v1/auth/me").status_code == 200
    # Without a session cookie there is nothing to forge: not signed in is the answer.
    client.cookies.clear()
    assert client.post("/api/v1/probe/work").status_code == 401
    assert client.post("/api/v1/probe/open").status_code == 200


# ----------------------------------------------------------------------------- logout, expiry


def test_logout_revokes_the_session(rt: Runtime, client: TestClient) -> None:
    user, password, secret = make_user(rt)
    login(client, user.username, password, secret, set_csrf_header=False)
    cookie = client.cookies.get("vg_session")
    assert cookie
    assert client.post("/api/v1/auth/logout").status_code == 403  # no CSRF token
    token = client.get("/api/v1/auth/me").json()["csrf_token"]
    response = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token})
    assert response.status_code == 204
    assert 'vg_session=""' in response.headers["set-cookie"]
    assert client.get("/api/v1/auth/me").status_code == 401
    # Replaying the old cookie value does not bring the session back.
    assert _with_cookie(rt, cookie).get("/api/v1/auth/me").status_code == 401
    (row,) = _session_rows(rt, user.id)
    assert row.revoked_at is not None
    assert [e.action for e in _events(rt)][-1] == "auth.logout"


def _shift(rt: Runtime, user_id: str, **delta: timedelta) -> None:
    with rt.db.session() as session:
        for row in session.execute(
            sa.select(WebSession).where(WebSession.user_id == user_id)
        ).scalars():
            for column, by in delta.items():
                setattr(row, column, getattr(row, column) - by)


def test_idle_expiry(rt: Runtime, client: TestClient) -> None:
    user, password, secret = make_user(rt)
    login(client, user.username, password, secret)
    _shift(rt, user.id, last_seen_at=timedelta(minutes=29))
    assert client.get("/api/v1/auth/me").status_code == 200  # and this use touches it
    (row,) = _session_rows(rt, user.id)
    assert datetime.now(UTC) - row.last_seen_at < timedelta(minutes=1)
    _shift(rt, user.id, last_seen_at=timedelta(seconds=20))
    before = _session_rows(rt, user.id)[0].last_seen_at
    assert client.get("/api/v1/auth/me").status_code == 200
    assert _session_rows(rt, user.id)[0].last_seen_at == before  # not rewritten within a minute
    _shift(rt, user.id, last_seen_at=timedelta(minutes=31))
    assert client.get("/api/v1/auth/me").status_code == 401


def test_absolute_expiry(rt: Runtime, client: TestClient) -> None:
    user, password, secret = make_user(rt)
    login(client, user.username, password, secret)
    twelve_hours = timedelta(hours=12)
    _shift(rt, user.id, created_at=twelve_hours, expires_at=twelve_hours)
    # Used a moment ago, so not idle: only the absolute limit ends it.
    assert client.get("/api/v1/auth/me").status_code == 401


# ----------------------------------------------------------------------------- password change


def test_password_change_enforces_rules_and_ends_other_sessions(rt: Runtime) -> None:
    user, password, secret = make_user(rt)
    with _client(rt) as mine, _client(rt) as elsewhere:
        login(mine, user.username, password, secret)
        login(elsewhere, user.username, password, secret)
        old_cookie = mine.cookies.get("vg_session")

        short = mine.post(
            "/api/v1/auth/password", json={"old_password": password, "new_password": "too short"}
        )
        assert short.status_code == 422 and short.json()["error"] == "weak_password"
        assert short.json()["detail"] == "the new password must have at least 12 characters"
        wrong = mine.post(
            "/api/v1/auth/password",
            json={"old_password": "not the password", "new_password": "long enough password"},
        )
        assert wrong.status_code == 403 and wrong.json()["error"] == "wrong_password"

        new = "long enough password"
        changed = mine.post(
            "/api/v1/auth/password", json={"old_password": password, "new_password": new}
        )
        assert changed.status_code == 200, changed.text
        new_token = changed.json()["csrf_token"]
        assert mine.cookies.get("vg_session") != old_cookie  # a fresh session id

        assert elsewhere.get("/api/v1/auth/me").status_code == 401
        mine.headers["X-CSRF-Token"] = new_token
        assert mine.post("/api/v1/probe/work").status_code == 200
        assert _with_cookie(rt, old_cookie).get("/api/v1/auth/me").status_code == 401

    with _client(rt) as again:
        old = again.post("/api/v1/auth/login", json=_body(user.username, password, secret))
        assert old.status_code == 401
        login(again, user.username, new, secret)


def test_one_time_password_must_be_changed_before_work(rt: Runtime, client: TestClient) -> None:
    user, password, secret = make_user(rt, must_change_password=True)
    login(client, user.username, password, secret)
    me = client.get("/api/v1/auth/me").json()
    assert me["user"]["must_change_password"] is True
    blocked = client.post("/api/v1/probe/work")
    assert blocked.status_code == 403 and blocked.json()["error"] == "password_change_required"
    changed = client.post(
        "/api/v1/auth/password",
        json={"old_password": password, "new_password": "my own long password"},
    )
    assert changed.status_code == 200
    assert changed.json()["user"]["must_change_password"] is False
    client.headers["X-CSRF-Token"] = changed.json()["csrf_token"]
    assert client.post("/api/v1/probe/work").status_code == 200


# ----------------------------------------------------------------------------- roles


def test_role_and_policy_dependencies(rt: Runtime) -> None:
    people = {role: make_user(rt, role=role) for role in ("reviewer", "lead", "privacy_officer")}
    with _client(rt) as anonymous:
        assert anonymous.get("/api/v1/probe/lead-only").status_code == 401
    for role, (user, password, secret) in people.items():
        with _client(rt) as c:
            login(c, user.username, password, secret)
            lead_only = c.get("/api/v1/probe/lead-only")
            gold = c.post("/api/v1/probe/gold")
            if role == "lead":
                assert lead_only.status_code == 200 and lead_only.json()["handle"] == user.handle
                assert gold.status_code == 200
            else:
                assert lead_only.status_code == 403, role
                assert lead_only.json()["error"] == "forbidden"
                assert gold.status_code == 403 and "lead" in gold.json()["detail"]


def test_disabling_a_user_ends_their_live_session(rt: Runtime, client: TestClient) -> None:
    user, password, secret = make_user(rt)
    login(client, user.username, password, secret)
    with rt.db.session() as session:
        service.disable_user(session, user.username, actor="test")
    assert client.get("/api/v1/auth/me").status_code == 401


# ----------------------------------------------------------------------------- pages


def _form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def test_login_page_uses_a_double_submit_token(rt: Runtime, client: TestClient) -> None:
    user, password, secret = make_user(rt, role="lead")
    page = client.get("/login?next=/probe/lead-page")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    token = _form_token(page.text)
    assert client.cookies.get("vg_login_csrf") == token
    pre = next(h for h in page.headers.get_list("set-cookie") if h.startswith("vg_login_csrf="))
    assert "httponly" in pre.lower() and "samesite=strict" in pre.lower()

    fields = {
        "username": user.username,
        "password": password,
        "totp": totp_code(secret),
        "next": "/probe/lead-page",
    }
    forged = client.post("/login", data=fields, follow_redirects=False)  # no form token
    assert forged.status_code == 403 and "expired" in forged.text
    assert "vg_session" not in client.cookies

    wrong = client.post(
        "/login", data={**fields, "password": "nope", "csrf_token": token}, follow_redirects=False
    )
    assert wrong.status_code == 401 and service.BAD_CREDENTIALS_MESSAGE in wrong.text

    ok = client.post("/login", data={**fields, "csrf_token": token}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/probe/lead-page"
    assert "httponly" in _set_cookie(ok).lower()
    assert client.get("/probe/lead-page").text == f"<p>hello {user.handle}</p>"
    # Signed in: the nav partial shows the handle and a sign-out form with the session token.
    login_again = client.get("/login?next=/login", follow_redirects=False)
    assert login_again.status_code == 303 and login_again.headers["location"] == "/"
    password_page = client.get("/account/password")
    assert user.handle in password_page.text and "/logout" in password_page.text


def test_pages_redirect_to_sign_in_and_refuse_other_roles(rt: Runtime, client: TestClient) -> None:
    response = client.get("/probe/lead-page?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/probe/lead-page%3Fx%3D1"
    user, password, secret = make_user(rt, role="reviewer")
    login(client, user.username, password, secret)
    refused = client.get("/probe/lead-page")
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    assert "lead" in refused.text


def test_first_sign_in_on_pages_leads_to_the_password_change(
    rt: Runtime, client: TestClient
) -> None:
    user, password, secret = make_user(rt, role="lead", must_change_password=True)
    token = _form_token(client.get("/login").text)
    signed_in = client.post(
        "/login",
        data={
            "username": user.username,
            "password": password,
            "totp": totp_code(secret),
            "csrf_token": token,
            "next": "/probe/lead-page",
        },
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/account/password?next=/probe/lead-page"
    # Any other page sends them back there until it is done.
    blocked = client.get("/probe/lead-page", follow_redirects=False)
    assert blocked.headers["location"].startswith("/account/password")

    form = client.get("/account/password?next=/probe/lead-page")
    session_token = _form_token(form.text)
    assert "one-time password" in form.text
    fields = {
        "old_password": password,
        "new_password": "my own long password",
        "confirm_password": "my own long password",
        "next": "/probe/lead-page",
    }
    no_token = client.post("/account/password", data=fields, follow_redirects=False)
    assert no_token.status_code == 403
    mismatch = client.post(
        "/account/password",
        data={**fields, "confirm_password": "something else!!", "csrf_token": session_token},
        follow_redirects=False,
    )
    assert mismatch.status_code == 422 and "differ" in mismatch.text
    done = client.post(
        "/account/password", data={**fields, "csrf_token": session_token}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/probe/lead-page"
    assert client.get("/probe/lead-page").status_code == 200

    # Sign out from the nav form: needs the (new) session token.
    nav_token = _form_token(client.get("/account/password").text)
    assert client.post("/logout", follow_redirects=False).status_code == 403
    out = client.post("/logout", data={"csrf_token": nav_token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/api/v1/auth/me").status_code == 401


def test_next_parameter_allows_only_local_paths() -> None:
    assert safe_next("/review?x=1") == "/review?x=1"
    for bad in ("//evil.example/", "https://evil.example/", "/\\evil", "", None, "/a\r\nb"):
        assert safe_next(bad) == "/"


def test_login_helper_can_use_an_unused_code_honestly(rt: Runtime, client: TestClient) -> None:
    user, password, secret = make_user(rt)
    login(client, user.username, password, secret, reset_totp_step=False)
    login(client, user.username, password, secret, reset_totp_step=False)  # the next step's code
    with rt.db.read() as session:
        last = session.get(User, user.id).last_totp_step  # type: ignore[union-attr]
    assert last >= pyotp.TOTP(secret).timecode(datetime.now(UTC)) - 1


def _events(rt: Runtime) -> list[AuditEvent]:
    with rt.db.read() as session:
        return list(session.execute(sa.select(AuditEvent).order_by(AuditEvent.seq)).scalars())
