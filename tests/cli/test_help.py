"""Every command's --help, at 80 columns, reads cleanly: no ``<bool>`` on flags, no ``{source}``
placeholders, no word broken across lines, nothing wider than the terminal."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import typer
from typer.testing import CliRunner

from voxguard.cli.main import app

runner = CliRunner()


def _paths(command: object, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _paths(sub, (*path, name))


COMMANDS = list(_paths(typer.main.get_command(app)))


def _help(path: tuple[str, ...], width: int) -> str:
    # As a terminal of that width: click lays help out two columns narrower than the terminal.
    result = runner.invoke(
        app, [*path, "--help"], terminal_width=width - 2, env={"COLUMNS": str(width)}
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_every_command_is_walked() -> None:
    assert len(COMMANDS) > 40
    assert ("sampling", "rerun") in COMMANDS and ("ingest",) in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "voxguard")
def test_help_reads_cleanly_at_80_columns(path: tuple[str, ...]) -> None:
    text = _help(path, 80)
    assert "<bool>" not in text
    usage = text.splitlines()[0]
    assert usage.startswith("Usage: voxguard") and "{" not in usage, usage
    assert not re.search(r"\{[a-z_]+\}", text), text  # an unrendered placeholder
    assert all(len(line) <= 80 for line in text.splitlines()), text
    # Wrapping happens at spaces only: every word of the narrow help is a word of the wide one.
    wide = set(_help(path, 400).split())
    for word in text.split():
        assert word in wide, f"{word!r} broken in:\n{text}"


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "voxguard")
def test_every_command_in_a_list_reads_whole_at_80_columns(path: tuple[str, ...]) -> None:
    """A group's list shows each command's first sentence; one cut to fit ends in "...", which
    hides what the command does, so each first sentence is a summary short enough to fit."""
    listing = _help(path, 80).split("Commands:")[1:]
    assert not any(line.rstrip().endswith("...") for line in "".join(listing).splitlines())
