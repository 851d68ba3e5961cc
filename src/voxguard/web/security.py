"""Sign-in, role and CSRF checks as FastAPI dependencies, used by every route that needs a person.

JSON routes:  ``Depends(current_user)``, ``Depends(require_role("lead"))``,
              ``Depends(require_policy(GoldPolicy, "manage"))`` → 401 / 403 as JSON.
Page routes:  the same with ``page=True`` (or ``page_user``) → a redirect to
              ``/login?next=…`` when not signed in, an HTML 403 when not allowed.

Every state-changing request (POST, PUT, PATCH, DELETE) authenticated by the session cookie must
carry the session's CSRF token, as the ``X-CSRF-Token`` header or the ``csrf_token`` form field.
All the user dependencies check it themselves, so a route cannot forget it; ``csrf_protect`` is
the same check for routes that take no user. The signed-in user and session are put on
``request.state.user`` and ``request.state.web_session`` (None when nobody is signed in).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool

from voxguard.db.base import utcnow
from voxguard.db.models import User, WebSession
from voxguard.people import service
from voxguard.people.errors import (
    BadCredentials,
    CsrfRejected,
    Forbidden,
    NotSignedIn,
    PasswordChangeRequired,
)
from voxguard.people.policies import Policy
from voxguard.people.roles import check_role
from voxguard.people.sessions import (
    COOKIE_NAME,
    NewSession,
    create_session,
    load_session,
    revoke_session,
    touch_due,
    touch_session,
)
from voxguard.runtime import Runtime
from voxguard.vault.tokens import token_digest
from voxguard.web.deps import client_address, runtime_of, throttle_of
from voxguard.web.throttle import Throttled

SESSION_COOKIE = COOKIE_NAME
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
LOGIN_PATH = "/login"
PASSWORD_PATH = "/account/password"

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_LOADED = "_vg_auth_loaded"
_CSRF_OK = "_vg_csrf_ok"


class LoginRequired(Exception):
    """A page needs a signed-in user: answered with a redirect to the sign-in page."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


# ----------------------------------------------------------------------------- sessions


def _load(rt: Runtime, cookie: str) -> tuple[User, WebSession] | None:
    now = utcnow()
    with rt.db.lookup() as session:
        found = load_session(session, cookie, now=now, touch=False)
    if found is not None and touch_due(found[1], now):
        # Writes only when last_seen_at is over a minute old, so reads stay off the write lock.
        with rt.db.session() as session:
            touch_session(session, found[1].id_hash, now=now)
    return found


async def current_session(request: Request) -> tuple[User, WebSession] | None:
    """The signed-in user and session of this request, or None; loaded once per request."""
    if not getattr(request.state, _LOADED, False):
        cookie = request.cookies.get(SESSION_COOKIE)
        found = await run_in_threadpool(_load, runtime_of(request), cookie) if cookie else None
        request.state.user, request.state.web_session = found if found else (None, None)
        setattr(request.state, _LOADED, True)
    if request.state.user is None:
        return None
    return request.state.user, request.state.web_session


async def _submitted_csrf_token(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in _FORM_TYPES:
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def _check_csrf(request: Request, web_session: WebSession) -> None:
    if request.method in SAFE_METHODS or getattr(request.state, _CSRF_OK, False):
        return
    token = await _submitted_csrf_token(request)
    if not token or not hmac.compare_digest(token.encode(), web_session.csrf_token.encode()):
        raise CsrfRejected(
            f"missing or wrong CSRF token: send the {CSRF_HEADER} header (JSON) or the "
            f"{CSRF_FIELD} form field with the token given at sign-in"
        )
    setattr(request.state, _CSRF_OK, True)


async def csrf_protect(request: Request) -> None:
    """Refuse a state-changing, cookie-authenticated request without the session's CSRF token."""
    found = await current_session(request)
    if found is not None:
        await _check_csrf(request, found[1])


# ----------------------------------------------------------------------------- users


def _login_location(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"{LOGIN_PATH}?next={quote(target, safe='/')}"


async def _signed_in(request: Request, *, page: bool) -> User:
    found = await current_session(request)
    if found is None:
        if page:
            raise LoginRequired(_login_location(request))
        raise NotSignedIn("not signed in: POST /api/v1/auth/login first")
    user, web_session = found
    await _check_csrf(request, web_session)
    return user


async def signed_in_user(request: Request) -> User:
    """Any signed-in user, including one who must still change a one-time password."""
    return await _signed_in(request, page=False)


async def page_signed_in_user(request: Request) -> User:
    return await _signed_in(request, page=True)


async def current_user(request: Request) -> User:
    """The signed-in user, ready to work (one-time password already changed). 401 / 403."""
    user = await _signed_in(request, page=False)
    if user.must_change_password:
        raise PasswordChangeRequired(
            "change your one-time password first: POST /api/v1/auth/password"
        )
    return user


async def page_user(request: Request) -> User:
    """``current_user`` for pages: redirects to sign-in, or to the password change when due."""
    user = await _signed_in(request, page=True)
    if user.must_change_password:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(f"{PASSWORD_PATH}?next={quote(target, safe='/')}")
    return user


def require_role(*roles: str, page: bool = False) -> Callable[[Request], Awaitable[User]]:
    """Dependency factory: the current user if they hold one of ``roles``, else 403."""
    allowed = frozenset(check_role(role) for role in roles)
    if not allowed:
        raise ValueError("require_role needs at least one role")
    base = page_user if page else current_user

    async def dependency(request: Request) -> User:
        user = await base(request)
        if user.role not in allowed:
            raise Forbidden(f"this needs the role {' or '.join(sorted(allowed))}")
        return user

    return dependency


def require_policy(
    policy: type[Policy], action: str, *, page: bool = False
) -> Callable[[Request], Awaitable[User]]:
    """Dependency factory: the current user if ``policy`` allows them ``action``, else 403."""
    policy.roles_for(action)  # an unknown action fails here, at import time, not per request
    base = page_user if page else current_user

    async def dependency(request: Request) -> User:
        user = await base(request)
        policy.require(user, action)
        return user

    return dependency


# ----------------------------------------------------------------------------- signing in/out


def sign_in(
    rt: Runtime, request: Request, *, username: str, password: str, totp: str
) -> tuple[User, NewSession]:
    """Check credentials and open a new session; a session the browser already had is ended,
    so a session id planted before sign-in is never promoted (session fixation). The client
    throttle answers first, before any password is hashed (``web.throttle``)."""
    client_ip, throttle = client_address(request), throttle_of(request)
    try:
        throttle.check_sign_in(client_ip, username)
    except Throttled:
        refusals = rt.refusal_tally.note(f"client:{client_ip}", "auth.login_throttled")
        if refusals is not None:
            with rt.db.session() as session:
                service.record_throttled_sign_in(session, client_ip, refusals)
        raise
    old_cookie = request.cookies.get(SESSION_COOKIE)
    with rt.db.read() as read:
        check = service.check_credentials(
            read, rt.vault, username=username, password=password, totp=totp
        )
    try:
        with rt.db.session() as session:
            user = service.login(
                session, rt.vault, check, client_ip=client_ip, refusals=rt.refusal_tally
            )
            if old_cookie:
                revoke_session(session, token_digest(old_cookie))
            issued = create_session(session, user)
    except BadCredentials:
        throttle.sign_in_failed(client_ip, username)
        raise
    return user, issued


def sign_out(rt: Runtime, request: Request, user: User, response: Response) -> Response:
    """End the request's session (audited) and clear its cookie on ``response``."""
    with rt.db.session() as session:
        service.logout(session, user, request.state.web_session.id_hash)
    clear_session_cookie(response, request)
    return response


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, cookie_value: str) -> None:
    # No Max-Age: the cookie dies with the browser; the server enforces idle and absolute expiry.
    response.set_cookie(
        SESSION_COOKIE,
        cookie_value,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
        path="/",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="strict", secure=is_https(request), path="/"
    )


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target from a ``next`` parameter: a local path only (no open redirect)."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(ch) < 0x20 or ch == "\x7f" for ch in target)
    ):
        return default
    return target


def page_context(request: Request, **extra: Any) -> dict[str, Any]:
    """Template context with ``user`` and ``csrf_token`` for the nav partial (``_nav.html``)."""
    web_session = getattr(request.state, "web_session", None)
    context: dict[str, Any] = {
        "user": getattr(request.state, "user", None),
        "csrf_token": web_session.csrf_token if web_session is not None else "",
    }
    context.update(extra)
    return context
