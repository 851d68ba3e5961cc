"""The ``voxguard`` command."""

from __future__ import annotations

import logging

import typer

from voxguard.cli import (
    accounts,
    audit_cmd,
    backup_cmd,
    db_cmd,
    demo_cmd,
    devices,
    feedback_cmd,
    ingest_cmd,
    privacy_cmd,
    report_cmd,
    retention_cmd,
    sampling_cmd,
    serve_cmd,
    tokens_cmd,
    users_cmd,
)
from voxguard.cli.app import App

app = App(
    name="voxguard",
    help="Privacy-first human review of voice-assistant recordings.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(db_cmd.app, name="db")
app.add_typer(devices.app, name="devices")
app.add_typer(accounts.app, name="accounts")
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(privacy_cmd.app, name="privacy")
app.add_typer(users_cmd.app, name="users")
app.add_typer(feedback_cmd.eval_app, name="eval")
app.add_typer(feedback_cmd.adapt_app, name="adapt")
app.add_typer(tokens_cmd.app, name="tokens")
app.add_typer(backup_cmd.app, name="backup")
app.add_typer(retention_cmd.app, name="retention")
app.add_typer(sampling_cmd.app, name="sampling")
app.add_typer(report_cmd.app, name="report")
app.command("ingest")(ingest_cmd.ingest)
app.command("serve")(serve_cmd.serve)
app.command("worker")(serve_cmd.worker)
app.command("status")(serve_cmd.status)
app.command("demo")(demo_cmd.demo)
app.command("export")(feedback_cmd.export)


@app.callback()
def _configure(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log more.")) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        # Libraries narrate every model load and clip; keep the console for what matters.
        for name in ("presidio-analyzer", "faster_whisper", "alembic", "httpx", "spacy"):
            logging.getLogger(name).setLevel(logging.WARNING)


if __name__ == "__main__":
    app()
