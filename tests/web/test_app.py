"""The application factory: start-up settings that shape every request."""

from __future__ import annotations

import json

import anyio.to_thread
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.support.people import make_user, totp_code
from voxguard.db.models import AuditEvent
from voxguard.runtime import build_runtime
from voxguard.web.app import create_app


def test_database_threads_follow_the_web_threads_setting(make_settings) -> None:  # type: ignore[no-untyped-def]
    rt = build_runtime(make_settings(web_threads=3))
    try:
        with TestClient(create_app(rt)) as client:
            tokens = client.portal.call(
                lambda: anyio.to_thread.current_default_thread_limiter().total_tokens
            )
            assert client.get("/healthz").json() == {"status": "ok"}
    finally:
        rt.close()
    assert tokens == 3


def _login_cookie(make_settings, headers: dict[str, str], **overrides: object) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Sign in once; the Set-Cookie header and the client address the audit log recorded."""
    rt = build_runtime(make_settings(**overrides))
    try:
        user, password, secret = make_user(rt, role="reviewer", region="eu")
        with TestClient(create_app(rt)) as client:
            client.headers.update(headers)
            answer = client.post(
                "/api/v1/auth/login",
                json={"username": user.username, "password": password, "totp": totp_code(secret)},
            )
            assert answer.status_code == 200, answer.text
        with rt.db.read() as session:
            details = (
                session.execute(
                    sa.select(AuditEvent.details)
                    .where(AuditEvent.action == "auth.login")
                    .order_by(AuditEvent.seq.desc())
                )
                .scalars()
                .first()
            )
    finally:
        rt.close()
    return answer.headers["set-cookie"], json.loads(details or "{}").get("client_ip", "")


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


def test_behind_a_trusted_tls_proxy_the_session_cookie_is_secure(make_settings) -> None:  # type: ignore[no-untyped-def]
    cookie, client_ip = _login_cookie(make_settings, FORWARDED, forwarded_allow_ips="*")
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "secure" in attributes and "httponly" in attributes and "samesite=strict" in attributes
    assert client_ip == "203.0.113.9"


def test_forwarded_headers_from_anyone_else_are_ignored(make_settings) -> None:  # type: ignore[no-untyped-def]
    # The test client's address is not 127.0.0.1, the default trusted proxy.
    cookie, client_ip = _login_cookie(make_settings, FORWARDED)
    assert "secure" not in [part.strip().lower() for part in cookie.split(";")]
    assert client_ip != "203.0.113.9"
