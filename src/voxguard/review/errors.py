"""Refusals of the review services, each with an HTTP-style status and a machine code."""

from __future__ import annotations


class ReviewError(Exception):
    status = 400
    code = "review_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LeaseGone(ReviewError):
    status, code = 409, "lease_lost"


class NotPlayed(ReviewError):
    status, code = 422, "not_played"


class AudioDenied(ReviewError):
    status, code = 403, "audio_denied"


class NotFound(ReviewError):
    status, code = 404, "not_found"


class Conflict(ReviewError):
    status, code = 409, "conflict"
