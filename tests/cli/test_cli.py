"""The voxguard command: schema gate, devices, consent, folder import, audit verify."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tests.support.audio import encode, tone, tone_wav
from voxguard.cli.main import app
from voxguard.config import reset_settings_cache
from voxguard.db.models import AuditEvent
from voxguard.db.session import make_engine

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VOXGUARD_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("VOXGUARD_DATABASE_URL", db_url)
    monkeypatch.setenv("VOXGUARD_SAMPLING_RATE", "1.0")
    reset_settings_cache()
    yield tmp_path
    reset_settings_cache()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_out_of_date_schema_is_refused_with_advice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOXGUARD_DATA_DIR", str(tmp_path / "fresh"))
    monkeypatch.delenv("VOXGUARD_DATABASE_URL", raising=False)
    reset_settings_cache()
    result = run("worker", "--drain")
    assert result.exit_code == 2
    assert "voxguard db upgrade" in result.output
    assert run("db", "upgrade").exit_code == 0
    assert run("worker", "--drain").exit_code == 0
    reset_settings_cache()


@pytest.mark.parametrize(
    ("size", "mode", "says"),
    [
        (32, 0o644, "has permissions 0644: group or others can access it."),
        (31, 0o600, "holds 31 bytes, expected exactly 32: it is corrupt"),
    ],
    ids=["loose", "corrupt"],
)
def test_a_bad_master_key_stops_a_command_with_what_to_do(
    env: Path, size: int, mode: int, says: str
) -> None:
    key = env / "var" / "master.key"
    key.parent.mkdir(parents=True, exist_ok=True)
    key.write_bytes(os.urandom(size))
    key.chmod(mode)
    result = run("worker", "--drain")
    assert result.exit_code == 2 and "Traceback" not in result.output
    message = " ".join(result.output.split())  # Rich wraps long lines
    assert message.startswith(f"error: master key file {key} {says}")
    assert "chmod 600" in message if mode != 0o600 else "Restore it from your backup" in message
    assert len(key.read_bytes()) == size  # never replaced by a new key


def test_device_consent_import_and_verify(env: Path) -> None:
    result = run("devices", "add", "--account", "ACCT-9", "--serial", "SN-9")
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("vgd_")
    key = env / "var" / "master.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600

    assert run("accounts", "consent", "ACCT-9", "--review", "opted_in").exit_code == 0
    assert run("accounts", "consent", "NOPE", "--review", "opted_in").exit_code == 1

    folder = env / "clips"
    folder.mkdir()
    (folder / "a.wav").write_bytes(tone_wav(1.0))
    (folder / "b.flac").write_bytes(encode(tone(0.7, 8000), 8000, "FLAC"))
    (folder / "broken.wav").write_bytes(b"RIFF....WAVEfmt nonsense")
    (folder / "notes.txt").write_text("ignored: not audio by name")
    result = run("ingest", str(folder), "--device-token", token)
    assert result.exit_code == 1  # one file rejected, and it says which
    summary, rejected = result.output.splitlines()[-2:]
    assert summary == (
        "stored 2 (2 sampled), already present 0, discarded without storage consent 0, rejected 1"
    )
    assert rejected.startswith("  rejected broken.wav: audio_corrupt: ")

    again = run("ingest", str(folder), "--device-token", token)
    assert again.output.splitlines()[-2] == (
        "stored 0 (0 sampled), already present 2, discarded without storage consent 0, rejected 1"
    )

    manifest = env / "m.jsonl"
    manifest.write_text(
        json.dumps({"audio": "clips/a.wav", "utterance_id": "m-1", "intent": "x"}) + "\n"
    )
    result = run("ingest", str(manifest), "--device-token", token)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "stored 1 (1 sampled), already present 0, discarded without storage consent 0, rejected 0"
    )

    assert run("ingest", str(folder), "--device-token", "vgd_wrong").exit_code == 1
    assert run("worker", "--drain").exit_code == 0

    ok = run("audit", "verify")
    assert ok.exit_code == 0 and "intact" in ok.output
    engine = make_engine(os.environ["VOXGUARD_DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(
            sa.update(AuditEvent).where(AuditEvent.seq == 2).values(actor="someone-else")
        )
    engine.dispose()
    bad = run("audit", "verify")
    assert bad.exit_code == 1
    assert re.match(
        r"FAIL audit chain broken at event 2: .+ \(1 event before it verified\)$",
        bad.output.strip(),
    )


def test_revoke_command(env: Path) -> None:
    assert run("devices", "add", "--account", "A", "--serial", "S").exit_code == 0
    assert run("devices", "revoke", "--account", "A", "--serial", "S").exit_code == 0
    assert run("devices", "revoke", "--account", "A", "--serial", "S").exit_code == 1


def test_audit_checkpoint_then_verify_catches_a_cut_tail(env: Path) -> None:
    assert run("devices", "add", "--account", "A", "--serial", "S").exit_code == 0
    written = run("audit", "checkpoint")
    assert written.exit_code == 0 and "public key" in written.output, written.output
    log = env / "var" / "audit-checkpoints.jsonl"
    assert len(log.read_text().splitlines()) == 1
    ok = run("audit", "verify")
    assert ok.exit_code == 0 and "signed checkpoint" in ok.output
    engine = make_engine(os.environ["VOXGUARD_DATABASE_URL"])
    with engine.begin() as connection:  # cut the last event and make the head agree
        last = connection.execute(sa.select(sa.func.max(AuditEvent.seq))).scalar_one()
        prev = connection.execute(
            sa.select(AuditEvent.hash).where(AuditEvent.seq == last - 1)
        ).scalar_one()
        connection.execute(sa.delete(AuditEvent).where(AuditEvent.seq == last))
        connection.execute(
            sa.text("UPDATE audit_head SET seq = :s, hash = :h"), {"s": last - 1, "h": prev}
        )
    engine.dispose()
    bad = run("audit", "verify")
    assert bad.exit_code == 1 and "truncated" in bad.output
