"""The one lease mechanism for machine jobs and human review tasks."""

from voxguard.work.leases import (
    LeaseLost,
    cancel_for_account,
    cancel_for_subject,
    claim,
    complete,
    enqueue,
    fail,
    heartbeat,
    mark_done,
    release,
)

__all__ = [
    "LeaseLost",
    "cancel_for_account",
    "cancel_for_subject",
    "claim",
    "complete",
    "enqueue",
    "fail",
    "heartbeat",
    "mark_done",
    "release",
]
