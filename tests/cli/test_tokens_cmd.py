"""voxguard tokens add | list | revoke: printed once, stored hashed, refused after revoking."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.cli.test_cli import env, run  # noqa: F401  (the fixture and the runner)
from voxguard.config import get_settings
from voxguard.db.models import ServiceToken
from voxguard.db.session import make_engine
from voxguard.vault.tokens import token_digest


def test_add_list_revoke(env: Path) -> None:  # noqa: F811
    added = run("tokens", "add", "--name", "phone app", "--scope", "privacy")
    assert added.exit_code == 0, added.output
    token = added.output.strip().splitlines()[-1]
    assert token.startswith("vgs_")
    engine = make_engine(get_settings().resolved_database_url)
    with engine.connect() as connection:
        stored = connection.execute(sa.select(ServiceToken.token_hash, ServiceToken.scopes)).one()
    engine.dispose()
    assert stored == (token_digest(token), "privacy")  # only the hash is kept

    listed = run("tokens", "list")
    assert "phone app" in listed.output and "live" in listed.output and token not in listed.output
    assert run("tokens", "add", "--name", "x", "--scope", "everything").exit_code == 1
    assert run("tokens", "add", "--name", "../bad", "--scope", "privacy").exit_code == 1
    assert run("tokens", "revoke", "phone app").exit_code == 0
    assert "revoked" in run("tokens", "list").output
    assert run("tokens", "revoke", "phone app").exit_code == 1
