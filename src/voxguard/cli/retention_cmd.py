"""voxguard retention run"""

from __future__ import annotations

import typer

from voxguard.cli.context import console, runtime
from voxguard.consent.retention import sweep

app = typer.Typer(
    help="Retention: delete what people's choices no longer allow keeping.", no_args_is_help=True
)


@app.command()
def run() -> None:
    """One retention pass now (workers also run one every retention_sweep_minutes)."""
    with runtime() as rt:
        summary = sweep(rt.db, rt.settings, rt.vault)
    console.print(
        f"retention: {summary.recordings_expired} recording(s) expired, "
        f"{summary.originals_deleted} original(s) and {summary.review_copies_deleted} review "
        "copies deleted"
    )
