"""Sign-in pages: /login, /logout, /account/password (server-rendered forms).

The sign-in form is protected against cross-site submission by a double-submit token: before a
session exists, GET /login sets a random token in an HttpOnly, SameSite=Strict cookie and in the
form; POST /login accepts only if both are present and equal. Once signed in, forms carry the
session's CSRF token, which the security dependencies check.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from voxguard.db.models import User
from voxguard.people import service
from voxguard.people.errors import AccountLocked, AuthError
from voxguard.people.passwords import MIN_PASSWORD_LENGTH
from voxguard.people.sessions import create_session
from voxguard.runtime import Runtime
from voxguard.web.deps import get_runtime
from voxguard.web.errors import status_for
from voxguard.web.pages import templates
from voxguard.web.security import (
    PASSWORD_PATH,
    current_session,
    is_https,
    page_context,
    page_signed_in_user,
    safe_next,
    set_session_cookie,
    sign_in,
    sign_out,
)

router = APIRouter(include_in_schema=False)

LOGIN_CSRF_COOKIE = "vg_login_csrf"
LOGIN_CSRF_MAX_AGE = 60 * 60
_TOKEN_MAX = 128

FormField = Annotated[str, Form(max_length=1024)]


def _after_login(next_url: str | None) -> str:
    target = safe_next(next_url)
    # Back to the sign-in page once signed in would redirect in a circle.
    return "/" if target == "/login" or target.startswith(("/login?", "/login/")) else target


def _login_token(request: Request) -> str:
    existing = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    # Reuse a well-formed token so two open sign-in tabs both work.
    return existing if 20 <= len(existing) <= _TOKEN_MAX else secrets.token_urlsafe(32)


def _render_login(
    request: Request, *, next_url: str, error: str = "", username: str = "", status: int = 200
) -> Response:
    token = _login_token(request)
    response = templates.TemplateResponse(
        request,
        "login.html",
        page_context(request, csrf_token=token, next=next_url, error=error, username=username),
        status_code=status,
    )
    response.headers["Cache-Control"] = "no-store"
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=LOGIN_CSRF_MAX_AGE,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
        path="/login",
    )
    return response


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str = "/") -> Response:
    target = _after_login(next)
    if await current_session(request) is not None:
        return RedirectResponse(target, status_code=303)
    return _render_login(request, next_url=target)


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    rt: Annotated[Runtime, Depends(get_runtime)],
    username: FormField = "",
    password: FormField = "",
    totp: FormField = "",
    csrf_token: FormField = "",
    next: FormField = "/",
) -> Response:
    target = _after_login(next)
    cookie_token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if (
        not cookie_token
        or not csrf_token
        or not hmac.compare_digest(cookie_token.encode(), csrf_token.encode())
    ):
        return _render_login(
            request,
            next_url=target,
            username=username,
            error="The sign-in form expired or did not come from this site. Please try again.",
            status=403,
        )
    if not username or not password or not totp:
        return _render_login(
            request,
            next_url=target,
            username=username,
            error="Enter your username, password and authentication code.",
            status=422,
        )
    try:
        user, issued = sign_in(rt, request, username=username, password=password, totp=totp)
    except AuthError as exc:
        response = _render_login(
            request, next_url=target, username=username, error=exc.message, status=status_for(exc)
        )
        if isinstance(exc, AccountLocked):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    destination = (
        f"{PASSWORD_PATH}?next={quote(target, safe='/')}" if user.must_change_password else target
    )
    response = RedirectResponse(destination, status_code=303)
    set_session_cookie(response, request, issued.cookie_value)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(
    request: Request,
    user: Annotated[User, Depends(page_signed_in_user)],
    rt: Annotated[Runtime, Depends(get_runtime)],
) -> Response:
    return sign_out(rt, request, user, RedirectResponse("/login", status_code=303))


def _render_password(
    request: Request, *, next_url: str, error: str = "", status: int = 200
) -> Response:
    response = templates.TemplateResponse(
        request,
        "password.html",
        page_context(request, next=next_url, error=error, min_length=MIN_PASSWORD_LENGTH),
        status_code=status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get(PASSWORD_PATH, response_class=HTMLResponse)
def password_form(
    request: Request, _user: Annotated[User, Depends(page_signed_in_user)], next: str = "/"
) -> Response:
    return _render_password(request, next_url=safe_next(next))


@router.post(PASSWORD_PATH, response_class=HTMLResponse)
def password_submit(
    request: Request,
    user: Annotated[User, Depends(page_signed_in_user)],
    rt: Annotated[Runtime, Depends(get_runtime)],
    old_password: FormField = "",
    new_password: FormField = "",
    confirm_password: FormField = "",
    next: FormField = "/",
) -> Response:
    target = safe_next(next)
    if new_password != confirm_password:
        return _render_password(
            request, next_url=target, error="The two new passwords differ.", status=422
        )
    try:
        with rt.db.session() as session:
            updated = service.change_password(session, user, old_password, new_password)
            issued = create_session(session, updated)
    except AuthError as exc:
        response = _render_password(
            request, next_url=target, error=exc.message, status=status_for(exc)
        )
        if isinstance(exc, AccountLocked):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, issued.cookie_value)
    return response
