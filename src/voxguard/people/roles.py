"""The roles a person can hold. Each user has exactly one."""

from __future__ import annotations

from typing import Literal

from voxguard.people.errors import UnknownRole

Role = Literal["reviewer", "lead", "privacy_officer", "admin"]
ROLES: tuple[Role, ...] = ("reviewer", "lead", "privacy_officer", "admin")

# First letter of a user's public handle ("R-7K2F"): leads' tables show who is who at a glance.
HANDLE_PREFIX: dict[str, str] = {"reviewer": "R", "lead": "L", "privacy_officer": "P", "admin": "A"}


def check_role(role: str) -> Role:
    value = role.strip().lower()
    for known in ROLES:
        if value == known:
            return known
    raise UnknownRole(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
