"""voxguard backup create | restore"""

from __future__ import annotations

from pathlib import Path

import typer

from voxguard.cli.app import App
from voxguard.cli.context import console, fail, refusals, runtime
from voxguard.cli.progress import progress_bar
from voxguard.consent.backups import create_backup, restore_backup
from voxguard.vault.errors import VaultError
from voxguard.web.words import counted

app = App(help="Backups that a restore cannot use to bring the erased back.", no_args_is_help=True)


@app.command()
def create(folder: Path = typer.Argument(..., help="A new (or empty) folder.")) -> None:
    """Back up the database and the blob store (ciphertext). Not the master key, not the ledger."""
    with (
        runtime(create=False) as rt,
        refusals(VaultError),
        progress_bar("copying objects") as progress,
    ):
        summary = create_backup(rt.db, rt.vault, folder, progress=progress)
    console.print(
        f"backed up the {summary.database} database and {summary.objects} objects to {folder}"
    )


@app.command()
def restore(
    folder: Path = typer.Argument(..., help="A folder made by `voxguard backup create`."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask: replace the current data."),
) -> None:
    """Restore the database and the blob store. Every erasure in the erasure ledger is re-
    applied before anything is served. Stop voxguard first."""
    if not yes and not typer.confirm(
        "This replaces the current database and blob store with the backup. Go on?"
    ):
        raise fail("nothing restored", 1)
    with (
        runtime(require_schema=False) as rt,
        refusals(VaultError),
        progress_bar("restoring objects") as progress,
    ):
        summary = restore_backup(rt.db, rt.settings, rt.vault, folder, progress=progress)
    console.print(
        f"restored the {summary.database} database and {summary.objects} objects; "
        f"re-applied {counted(summary.erasures_reapplied, 'erasure')} from the erasure ledger"
    )
