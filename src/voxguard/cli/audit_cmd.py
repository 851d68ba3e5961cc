"""voxguard audit verify | checkpoint"""

from __future__ import annotations

from pathlib import Path

import typer

from voxguard.audit import CheckpointLogInvalid, write_checkpoint
from voxguard.audit.log import check_chain
from voxguard.cli.app import App
from voxguard.cli.context import console, err_console, fail, runtime
from voxguard.web.words import counted

app = App(help="The audit log.", no_args_is_help=True)

_LOG_OPTION = typer.Option(
    None, "--log", help="Checkpoint log file (default: settings' audit_checkpoint_file)."
)


@app.command()
def verify(log: Path | None = _LOG_OPTION) -> None:
    """Check the hash chain against its last checkpoint.

    The whole chain is checked against the latest signed checkpoint; exit 1 on a break.
    """
    with runtime(create=False) as rt:
        path = log or rt.settings.resolved_audit_checkpoint_file
        with rt.db.read() as session:
            report = check_chain(session, path, rt.checkpoint_signer.public_key)
    count, checkpoint = report.events, report.checkpoint
    if report.problem is not None:
        suffix = (
            ""
            if report.checkpoint_log_invalid
            else f" ({counted(count, 'event')} before it verified)"
        )
        err_console.print(f"[bold red]FAIL[/] {report.problem}{suffix}")
        raise typer.Exit(1)
    if checkpoint is None:
        console.print(
            f"[bold green]OK[/] audit chain intact: {counted(count, 'event')} "
            f"[yellow](no signed checkpoint in {path}: a re-hashed or truncated history "
            "cannot be told apart; run `voxguard audit checkpoint`)[/]"
        )
        return
    console.print(
        f"[bold green]OK[/] audit chain intact: {counted(count, 'event')}, agreeing with the "
        f"signed checkpoint of {checkpoint.at.isoformat()} at event {checkpoint.seq}"
    )


@app.command()
def checkpoint(log: Path | None = _LOG_OPTION) -> None:
    """Sign the chain's head (seq + hash). The signature is appended to the checkpoint log."""
    with runtime(create=False) as rt:
        path = log or rt.settings.resolved_audit_checkpoint_file
        try:
            with rt.db.lookup() as session:
                written = write_checkpoint(session, rt.checkpoint_signer, path)
        except (CheckpointLogInvalid, OSError) as exc:
            raise fail(f"no checkpoint written: {exc}", code=1) from exc
        console.print(
            f"checkpoint: event {written.seq}, hash {written.hash[:16]}…, signed "
            f"{written.at.isoformat()} → {path}\n"
            f"public key (Ed25519, for auditors): {rt.checkpoint_signer.public_key_hex}"
        )
