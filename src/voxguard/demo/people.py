"""Demo sign-ins: one person per role, with credentials printed so a visitor can try each page."""

from __future__ import annotations

from dataclasses import dataclass

from voxguard.people.service import create_user, totp_secret_of
from voxguard.runtime import Runtime

DEMO_PEOPLE = (
    ("reviewer-eu", "reviewer", "eu"),
    ("reviewer-us", "reviewer", "us"),
    ("lead", "lead", "eu"),
    ("privacy-officer", "privacy_officer", "eu"),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    region: str
    password: str
    totp_secret: str


def create_demo_people(rt: Runtime) -> list[DemoLogin]:
    logins = []
    with rt.db.session() as session:
        for username, role, region in DEMO_PEOPLE:
            user, password, _uri = create_user(
                session, rt.vault, username=username, role=role, region=region, actor="demo"
            )
            # Demo only: skip the forced first password change so a visitor goes straight in.
            user.must_change_password = False
            secret = totp_secret_of(rt.vault, user)
            logins.append(DemoLogin(username, role, region, password, secret))
    return logins
