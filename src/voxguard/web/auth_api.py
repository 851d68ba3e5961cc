"""JSON sign-in for scripts, tests and the workbench: /api/v1/auth/{login,logout,password,me}.

Sign-in answers the CSRF token that every later state-changing request must send as the
``X-CSRF-Token`` header; the session itself travels only in the HttpOnly ``vg_session`` cookie.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from voxguard.db.models import User
from voxguard.people import service
from voxguard.people.passwords import MAX_PASSWORD_LENGTH
from voxguard.people.sessions import create_session
from voxguard.runtime import Runtime
from voxguard.web.deps import get_runtime
from voxguard.web.security import (
    set_session_cookie,
    sign_in,
    sign_out,
    signed_in_user,
)

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])

_ERROR = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"error": {"type": "string"}, "detail": {"type": "string"}},
            }
        }
    }
}


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    totp: str = Field(min_length=6, max_length=16, description="the 6-digit authenticator code")


class PasswordChangeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    old_password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    # The length rule is checked by the service, which answers 422 weak_password with the reason.
    new_password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class UserInfo(BaseModel):
    handle: str
    role: str
    region: str
    must_change_password: bool


class SignedIn(BaseModel):
    user: UserInfo
    csrf_token: str


def _answer(user: User, csrf_token: str) -> SignedIn:
    return SignedIn(
        user=UserInfo(
            handle=user.handle,
            role=user.role,
            region=user.region,
            must_change_password=user.must_change_password,
        ),
        csrf_token=csrf_token,
    )


@router.post(
    "/login",
    response_model=SignedIn,
    responses={
        401: {"description": "wrong username, password or code, or a code used before", **_ERROR},
        403: {"description": "account disabled", **_ERROR},
        423: {"description": "too many failures: wait Retry-After seconds", **_ERROR},
        422: {"description": "malformed body", **_ERROR},
    },
)
def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    rt: Annotated[Runtime, Depends(get_runtime)],
) -> SignedIn:
    """Sign in with password and TOTP; sets the ``vg_session`` cookie."""
    user, issued = sign_in(
        rt, request, username=body.username, password=body.password, totp=body.totp
    )
    set_session_cookie(response, request, issued.cookie_value)
    return _answer(user, issued.csrf_token)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={401: {"description": "not signed in", **_ERROR}, 403: {"description": "CSRF"}},
)
def logout(
    request: Request,
    user: Annotated[User, Depends(signed_in_user)],
    rt: Annotated[Runtime, Depends(get_runtime)],
) -> Response:
    """End this session (needs the X-CSRF-Token header)."""
    return sign_out(rt, request, user, Response(status_code=status.HTTP_204_NO_CONTENT))


@router.post(
    "/password",
    response_model=SignedIn,
    responses={
        401: {"description": "not signed in", **_ERROR},
        403: {"description": "wrong current password, or CSRF", **_ERROR},
        422: {"description": "new password too short or otherwise refused", **_ERROR},
        423: {"description": "too many failures", **_ERROR},
    },
)
def change_password(
    body: PasswordChangeRequest,
    request: Request,
    response: Response,
    user: Annotated[User, Depends(signed_in_user)],
    rt: Annotated[Runtime, Depends(get_runtime)],
) -> SignedIn:
    """Change the password; every session of the user ends and this one is replaced."""
    with rt.db.session() as session:
        updated = service.change_password(session, user, body.old_password, body.new_password)
        issued = create_session(session, updated)
    set_session_cookie(response, request, issued.cookie_value)
    return _answer(updated, issued.csrf_token)


@router.get("/me", response_model=SignedIn, responses={401: {"description": "not signed in"}})
def me(request: Request, user: Annotated[User, Depends(signed_in_user)]) -> SignedIn:
    """Who is signed in, and the session's CSRF token."""
    return _answer(user, request.state.web_session.csrf_token)
