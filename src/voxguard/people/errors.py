"""Refusals of the people part: a machine code and a message (web/errors.py picks statuses)."""

from __future__ import annotations


class AuthError(Exception):
    """Base of every sign-in, session and permission refusal."""

    code = "auth_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotSignedIn(AuthError):
    code = "not_signed_in"


class BadCredentials(AuthError):
    """Unknown user, wrong password or wrong code: one message, so none of them is revealed."""

    code = "bad_credentials"


class TotpReplayed(BadCredentials):
    """Password and code were right but the code was already used (raised only then)."""

    code = "totp_replayed"


class AccountLocked(AuthError):
    code = "account_locked"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AccountDisabled(AuthError):
    code = "account_disabled"


class WrongPassword(AuthError):
    """The current password given to a password change is wrong."""

    code = "wrong_password"


class WeakPassword(AuthError):
    code = "weak_password"


class PasswordChangeRequired(AuthError):
    """Signed in with a one-time password: only the password change is open until it is done."""

    code = "password_change_required"


class Forbidden(AuthError):
    code = "forbidden"


class CsrfRejected(Forbidden):
    code = "csrf_failed"


class UserAdminError(Exception):
    """Bad input to user administration (CLI and admin pages)."""

    code = "invalid_user"


class InvalidUserInput(UserAdminError):
    pass


class UnknownRole(InvalidUserInput):
    code = "unknown_role"


class UserExists(UserAdminError):
    code = "user_exists"


class UnknownUser(UserAdminError, LookupError):
    code = "unknown_user"
