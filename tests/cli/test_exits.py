"""The CLI turns domain refusals into exit 1 with their message, in one place (cli/context.py)."""

from __future__ import annotations

import pytest
import typer

from voxguard.cli.context import EXIT_REFUSED, REFUSALS, refusals
from voxguard.consent.service import UnknownAccount
from voxguard.ingest.devices import UnknownDevice
from voxguard.ingest.service import UploadRejected
from voxguard.people.errors import UnknownUser, UserExists


@pytest.mark.parametrize(
    "refusal",
    [
        UploadRejected("unauthorized", "unknown device token"),
        UnknownAccount("no account 'A'"),
        UnknownDevice("no active device 'S' for account 'A'"),
        UnknownUser("no user 'bob'"),
        UserExists("user 'bob' exists"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_a_domain_refusal_exits_1_with_its_message(
    refusal: Exception, capsys: pytest.CaptureFixture[str]
) -> None:
    assert isinstance(refusal, REFUSALS)
    with pytest.raises(typer.Exit) as exit_info, refusals():
        raise refusal
    assert exit_info.value.exit_code == EXIT_REFUSED == 1
    assert str(refusal) in capsys.readouterr().err


def test_a_command_names_its_own_input_errors_and_nothing_else_is_swallowed() -> None:
    with pytest.raises(typer.Exit), refusals(OSError):
        raise FileNotFoundError("in.jsonl")
    with pytest.raises(KeyError), refusals(OSError):
        raise KeyError("a bug stays a traceback")
