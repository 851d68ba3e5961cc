"""Commands that read a system create none where there is none; `status` reports the settings of
the system it was pointed at (VOXGUARD_CONFIG), not the defaults."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voxguard.cli.main import app
from voxguard.config import Settings, config_file_text, reset_settings_cache

runner = CliRunner()

READERS = [
    ("status",),
    ("users", "list"),
    ("tokens", "list"),
    ("audit", "verify"),
    ("db", "current"),
    ("report", "processing", "--out", "records.html"),
    ("export", "--format", "jsonl", "--out", "export"),
    ("eval", "nlu"),
    ("backup", "create", "backup"),
]
# Commands that change an existing system: with none there, they create none either.
CHANGERS = [
    ("accounts", "consent", "ACCT-1", "--review", "opted_in"),
    ("accounts", "erase", "ACCT-1", "--channel", "letter", "--yes"),
    ("devices", "revoke", "--account", "ACCT-1", "--serial", "SN-1"),
    ("tokens", "revoke", "app"),
    ("users", "unlock", "someone"),
    ("users", "disable", "someone"),
    ("users", "reset", "someone"),
    ("retention", "run"),
    ("audit", "checkpoint"),
    ("sampling", "rerun", "--rate", "1"),
    ("ingest", "clips", "--device-token", "vgd_x"),
    ("adapt", "nlu"),
]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("VOXGUARD_")]:
        monkeypatch.delenv(name)
    reset_settings_cache()
    yield
    reset_settings_cache()


@pytest.mark.parametrize("command", READERS + CHANGERS, ids=" ".join)
def test_a_read_only_command_in_an_empty_folder_creates_nothing(
    command: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_env: None
) -> None:
    monkeypatch.chdir(tmp_path)  # the defaults point at ./var
    result = runner.invoke(app, list(command))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "var/voxguard.db" in result.output  # says what it looked for
    if command != ("db", "current"):
        assert "no voxguard system under var" in result.output
        assert "VOXGUARD_CONFIG" in result.output
    assert sorted(os.listdir(tmp_path)) == []


def test_status_reports_the_settings_of_the_config_file(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch, clean_env: None
) -> None:
    data = tmp_path / "demo"
    config = tmp_path / "voxguard.toml"
    config.write_text(
        config_file_text(
            Settings(data_dir=data, database_url=db_url, sampling_rate=0.5), port=8123
        ),
        encoding="utf-8",
    )
    assert tomllib.loads(config.read_text())["voxguard"]["data_dir"] == str(data.resolve())
    monkeypatch.setenv("VOXGUARD_CONFIG", str(config))
    monkeypatch.chdir(tmp_path.parent)  # anywhere: the file names the data directory

    assert runner.invoke(app, ["status"]).exit_code == 2  # nothing there yet, and still nothing
    assert not data.exists()
    added = runner.invoke(app, ["devices", "add", "--account", "A-1", "--serial", "S-1"])
    assert added.exit_code == 0, added.output
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    lines = {
        key.strip(): value.strip()
        for key, value in (line.split(":", 1) for line in result.output.splitlines())
    }
    assert lines["sampling_rate"] == "0.5"  # the default is 0.002
    assert lines["web"] == "http://127.0.0.1:8123"
    assert lines["data_dir"] == str(data.resolve())
    assert lines["config"].startswith(str(config))
    assert sorted(p.name for p in data.iterdir()) == ["blobs", "master.key"]
