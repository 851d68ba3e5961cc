"""Refusals of the feedback services: a machine code and a message, no transport status.

The CLI maps each to an exit code (``voxguard.cli.feedback_cmd``), the web layer to an HTTP
status (``voxguard.web.errors``).
"""

from __future__ import annotations


class FeedbackError(Exception):
    code = "feedback_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownFormat(FeedbackError):
    code = "unknown_format"


class NothingCurated(FeedbackError):
    """The curated set (or the part asked for) has no clip: nothing is written."""

    code = "nothing_curated"


class OutputUnusable(FeedbackError):
    """The output directory cannot be created or written, or is not empty."""

    code = "output_unusable"


class HeldOutTooSmall(FeedbackError):
    """No clip of a held-out account to measure on: a figure would be measured on training data."""

    code = "held_out_too_small"


class LineageChanged(FeedbackError):
    """A clip left the curated set (erased, opted out) while it was being exported."""

    code = "lineage_changed"


class UnknownModel(FeedbackError):
    code = "unknown_model"
