"""Refusals of the rights services: a machine ``code`` and a message, never an HTTP status.

``voxguard.web.errors`` maps each type to a status; the CLI maps them to exit codes.
"""

from __future__ import annotations


class RightsError(Exception):
    code = "rights_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownAccount(RightsError, LookupError):
    """No such account: never existed, erased, or a malformed reference (all look the same)."""

    code = "unknown_account"


class UnknownRecording(RightsError, LookupError):
    code = "unknown_recording"


class UnknownErasure(RightsError, LookupError):
    code = "unknown_erasure"


class InvalidConsent(RightsError, ValueError):
    code = "invalid_consent"


class InvalidErasureRequest(RightsError, ValueError):
    code = "invalid_erasure_request"


class TokenMissing(RightsError):
    """No usable credentials: answered 401."""

    code = "unauthorized"


class ScopeMissing(RightsError):
    """Valid credentials that do not carry the needed scope (or a device's token): 403."""

    code = "forbidden"


class LinkUnusable(RightsError):
    """A self-service link that is unknown, expired or already used."""

    code = "link_unusable"


class InvalidTokenRequest(RightsError, ValueError):
    code = "invalid_token_request"
