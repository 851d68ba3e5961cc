"""voxguard users add | list | unlock | disable | reset, on a root app that includes users_cmd."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
import typer
from typer.testing import CliRunner

from tests.support.people import sign_in_with_service
from voxguard.cli import users_cmd
from voxguard.config import get_settings, reset_settings_cache
from voxguard.db.base import utcnow
from voxguard.db.models import AuditEvent
from voxguard.people import service
from voxguard.people.errors import AccountDisabled, AccountLocked, BadCredentials
from voxguard.runtime import Runtime, build_runtime

root = typer.Typer()
root.add_typer(users_cmd.app, name="users")


@root.callback()
def _root() -> None:
    """Test root (the real one is voxguard.cli.main.app)."""


runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("VOXGUARD_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("VOXGUARD_DATABASE_URL", db_url)
    reset_settings_cache()
    yield tmp_path
    reset_settings_cache()


@pytest.fixture
def rt_cli(env: Path) -> Iterator[Runtime]:
    """A runtime on the same settings (and master key) as the commands."""
    runtime = build_runtime(get_settings())
    yield runtime
    runtime.close()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(root, list(args), catch_exceptions=False)


def _credentials(output: str) -> tuple[str, str]:
    password = re.search(r"one-time password \(change at first sign-in\): (\S+)", output)
    uri = re.search(r"(otpauth://totp/\S+)", output)
    assert password and uri, output
    return password.group(1), uri.group(1)


def _login(rt: Runtime, name: str, password: str, uri: str, *, seconds: int = 0) -> object:
    at = utcnow() + timedelta(seconds=seconds)
    return sign_in_with_service(rt, name, password, pyotp.parse_uri(uri).at(at), at=at)


def test_add_prints_one_time_password_uri_and_qr(env: Path, rt_cli: Runtime) -> None:
    result = run("users", "add", "--name", "alice", "--role", "reviewer", "--region", "eu")
    assert result.exit_code == 0, result.output
    password, uri = _credentials(result.output)
    assert "issuer=voxguard" in uri and pyotp.parse_uri(uri).secret
    assert re.search(r"handle:\s+R-\w{4}", result.output)
    # The QR code of exactly that URI, drawn in block characters.
    assert users_cmd.qr_text(uri) in result.output
    assert len(users_cmd.qr_text(uri).splitlines()) >= 15  # a real QR code, not a stub

    user = _login(rt_cli, "alice", password, uri)
    assert user.must_change_password  # type: ignore[attr-defined]
    with rt_cli.db.read() as session:
        actions = [e.action for e in session.query(AuditEvent).order_by(AuditEvent.seq)]
    assert actions == ["user.created", "auth.login"]

    no_qr = run("users", "add", "--name", "bob", "--role", "lead", "--no-qr")
    assert no_qr.exit_code == 0 and "█" not in no_qr.output
    assert "region:   eu" in no_qr.output  # the configured default region


def test_add_refuses_duplicates_and_unknown_roles(env: Path) -> None:
    assert run("users", "add", "--name", "carol", "--role", "admin", "--no-qr").exit_code == 0
    again = run("users", "add", "--name", "Carol", "--role", "admin", "--no-qr")
    assert again.exit_code == 1 and "already exists" in again.output
    bad_role = run("users", "add", "--name", "dave", "--role", "root")
    assert bad_role.exit_code == 2
    bad_name = run("users", "add", "--name", "no spaces", "--role", "lead")
    assert bad_name.exit_code == 1 and "invalid username" in bad_name.output


def test_list_unlock_disable_reset(env: Path, rt_cli: Runtime) -> None:
    empty = run("users", "list")
    assert empty.exit_code == 0 and "no users yet" in empty.output
    added = run("users", "add", "--name", "erin", "--role", "privacy_officer", "--no-qr")
    password, uri = _credentials(added.output)

    for _ in range(service.LOCK_AFTER_FAILURES):
        with pytest.raises((BadCredentials, AccountLocked)):
            _login(rt_cli, "erin", "wrong password!", uri, seconds=3600)  # skip the slow-down
        with rt_cli.db.session() as session:  # move past each slow-down wait without sleeping
            user = service.get_user(session, "erin")
            if user.failed_logins < service.LOCK_AFTER_FAILURES:
                user.locked_until = None
    listing = run("users", "list")
    assert listing.exit_code == 0
    assert "erin" in listing.output and "locked" in listing.output
    assert "privacy_officer" in listing.output

    assert run("users", "unlock", "erin").exit_code == 0
    assert "must_change_password" in run("users", "list").output
    _login(rt_cli, "erin", password, uri)

    reset = run("users", "reset", "erin", "--no-qr")
    assert reset.exit_code == 0
    new_password, new_uri = _credentials(reset.output)
    with pytest.raises(BadCredentials):
        _login(rt_cli, "erin", password, uri, seconds=60)
    _login(rt_cli, "erin", new_password, new_uri, seconds=120)

    assert run("users", "disable", "erin").exit_code == 0
    assert "disabled" in run("users", "list").output
    with pytest.raises(AccountDisabled):
        _login(rt_cli, "erin", new_password, new_uri, seconds=180)

    for command in ("unlock", "disable", "reset"):
        missing = run("users", command, "nobody")
        assert missing.exit_code == 1 and "no user 'nobody'" in missing.output
