"""Refusals of the review services: a machine code and a message (web/errors.py picks statuses)."""

from __future__ import annotations


class ReviewError(Exception):
    code = "review_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LeaseGone(ReviewError):
    code = "lease_lost"


class NotPlayed(ReviewError):
    code = "not_played"


class AudioDenied(ReviewError):
    code = "audio_denied"


class NotFound(ReviewError):
    code = "not_found"


class Conflict(ReviewError):
    code = "conflict"


class PersonalDetailsTyped(ReviewError):
    """A lead's reference or decision names personal details: a tag must stand in their place."""

    code = "personal_details_typed"


class InvalidStretch(ReviewError):
    """A stretch of a clip to hide that is empty, reversed or outside the clip."""

    code = "invalid_stretch"
