"""Who may do what: one policy class per resource, all with the same two questions.

``Policy.allows(user, action)`` answers; ``Policy.require(user, action)`` raises ``Forbidden``.
An action a policy does not know is a programming error (``ValueError``), not a silent "no".
A disabled user is allowed nothing. Admins are not superusers: running the system does not
grant listening to clips or reading the restricted queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from voxguard.db.models import User
from voxguard.people.errors import Forbidden
from voxguard.people.roles import ROLES


def _rules(**actions: Iterable[str]) -> Mapping[str, frozenset[str]]:
    table = {action: frozenset(roles) for action, roles in actions.items()}
    for roles in table.values():
        unknown = roles - set(ROLES)
        if unknown:
            raise ValueError(f"unknown role(s) in policy: {sorted(unknown)}")
    return table


class Policy:
    resource: ClassVar[str] = "resource"
    rules: ClassVar[Mapping[str, frozenset[str]]] = {}

    @classmethod
    def actions(cls) -> tuple[str, ...]:
        return tuple(cls.rules)

    @classmethod
    def roles_for(cls, action: str) -> frozenset[str]:
        try:
            return cls.rules[action]
        except KeyError:
            raise ValueError(
                f"{cls.__name__} has no action {action!r}; known: {', '.join(cls.rules)}"
            ) from None

    @classmethod
    def allows(cls, user: User | None, action: str) -> bool:
        roles = cls.roles_for(action)
        return user is not None and user.disabled_at is None and user.role in roles

    @classmethod
    def require(cls, user: User | None, action: str) -> None:
        if not cls.allows(user, action):
            allowed = " or ".join(sorted(cls.roles_for(action)))
            raise Forbidden(f"{action} on {cls.resource} needs the role {allowed}")


class ReviewTaskPolicy(Policy):
    """Leasing, listening to and submitting review tasks."""

    resource = "review task"
    rules = _rules(
        lease=("reviewer", "lead"),
        heartbeat=("reviewer", "lead"),
        skip=("reviewer", "lead"),
        submit=("reviewer", "lead"),
        fetch_audio=("reviewer", "lead"),
        view_stats=("reviewer", "lead"),
    )


class FlagPolicy(Policy):
    """Raising flags on a clip while reviewing it, and confirming them as a lead."""

    resource = "flag"
    rules = _rules(raise_flag=("reviewer", "lead"), confirm=("lead",))


class AdjudicationPolicy(Policy):
    resource = "adjudication"
    rules = _rules(view=("lead",), decide=("lead",))


class GoldPolicy(Policy):
    resource = "gold clip"
    rules = _rules(view=("lead",), manage=("lead",))


class ReviewerQualityPolicy(Policy):
    """The per-reviewer table of throughput, gold WER, agreement and flags."""

    resource = "reviewer quality"
    rules = _rules(view=("lead",))


class FeedbackReportPolicy(Policy):
    """ASR and intent reports of the curated set (/reports)."""

    resource = "feedback report"
    rules = _rules(view=("lead",))


class AnonymizationCalibrationPolicy(Policy):
    """The calibration set of consenting voices, original beside anonymized (/lead/anonymization).

    Leads judge what reviewers will hear; reviewers never hear an original voice, not even these.
    """

    resource = "anonymization calibration set"
    rules = _rules(view=("lead",), listen=("lead",))


class RestrictedQueuePolicy(Policy):
    """Clips flagged sensitive or distress: only privacy officers open them."""

    resource = "restricted queue"
    rules = _rules(
        view=("privacy_officer",), open=("privacy_officer",), decide=("privacy_officer",)
    )


class ErasurePolicy(Policy):
    """Erasure requests that reached the operator outside the privacy API, and the receipts."""

    resource = "erasure"
    rules = _rules(view=("privacy_officer",), erase=("privacy_officer",))


class AuditLogPolicy(Policy):
    resource = "audit log"
    rules = _rules(view=("privacy_officer",), verify=("privacy_officer", "admin"))


class ProcessingRecordPolicy(Policy):
    """The records of processing: figures only, no clip and nobody's data."""

    resource = "records of processing"
    rules = _rules(view=("privacy_officer", "admin"))


class UserAdminPolicy(Policy):
    resource = "user"
    rules = _rules(
        list=("admin",), create=("admin",), unlock=("admin",), disable=("admin",), reset=("admin",)
    )


ALL_POLICIES: tuple[type[Policy], ...] = (
    ReviewTaskPolicy,
    FlagPolicy,
    AdjudicationPolicy,
    GoldPolicy,
    ReviewerQualityPolicy,
    FeedbackReportPolicy,
    AnonymizationCalibrationPolicy,
    RestrictedQueuePolicy,
    ErasurePolicy,
    AuditLogPolicy,
    ProcessingRecordPolicy,
    UserAdminPolicy,
)
