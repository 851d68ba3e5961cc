"""voxguard accounts erase: a request received by letter or phone, carried out by the operator."""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

from tests.cli.test_cli import env, run  # noqa: F401  (the fixture and the runner)
from voxguard.db.models import Account, Device, Erasure
from voxguard.db.session import make_engine


def _rows(model: type) -> int:
    engine = make_engine(os.environ["VOXGUARD_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return connection.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
    finally:
        engine.dispose()


def test_erase_needs_a_confirmation_and_a_channel_then_erases(env: Path) -> None:  # noqa: F811
    assert run("devices", "add", "--account", "ACCT-POST", "--serial", "SN-POST").exit_code == 0
    unconfirmed = run("accounts", "erase", "ACCT-POST", "--channel", "letter")
    assert unconfirmed.exit_code == 2 and "--yes" in unconfirmed.output
    no_channel = run("accounts", "erase", "ACCT-POST", "--yes")
    assert no_channel.exit_code == 2 and "--channel" in no_channel.output
    unknown = run("accounts", "erase", "ACCT-NEVER", "--channel", "letter", "--yes")
    assert unknown.exit_code == 1 and "no such account" in unknown.output.lower()
    assert _rows(Account) == 1 and _rows(Device) == 1

    done = run("accounts", "erase", "ACCT-POST", "--channel", "letter", "--yes")
    assert done.exit_code == 0, done.output
    assert "(account) completed" in done.output and "ACCT-POST" not in done.output
    assert _rows(Account) == 0 and _rows(Device) == 0 and _rows(Erasure) == 1
    again = run("accounts", "erase", "ACCT-POST", "--channel", "letter", "--yes")
    assert again.exit_code == 1  # already erased: unknown, like a reference never seen


def test_link_prints_a_one_time_link_to_the_persons_page(env: Path) -> None:  # noqa: F811
    import re

    from voxguard.db.models import SelfServiceLink
    from voxguard.vault.tokens import token_digest

    assert run("devices", "add", "--account", "ACCT-HELP", "--serial", "SN-HELP").exit_code == 0
    unknown = run("accounts", "link", "ACCT-NEVER")
    assert unknown.exit_code == 1 and "no such account" in unknown.output.lower()
    assert _rows(SelfServiceLink) == 0

    done = run("accounts", "link", "ACCT-HELP", "--base-url", "https://privacy.example/")
    assert done.exit_code == 0, done.output
    token = re.search(r"^https://privacy\.example/me/link/(vgl_\S+)$", done.output, re.M)
    assert token, done.output
    assert "opens once" in done.output
    engine = make_engine(os.environ["VOXGUARD_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            stored = connection.execute(sa.select(SelfServiceLink.token_hash)).scalars().all()
    finally:
        engine.dispose()
    assert stored == [token_digest(token.group(1))]  # only its digest is kept
