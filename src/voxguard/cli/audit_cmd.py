"""voxguard audit verify"""

from __future__ import annotations

import typer

from voxguard.audit import verify_chain
from voxguard.cli.context import console, err_console, runtime

app = typer.Typer(help="The audit log.", no_args_is_help=True)


@app.command()
def verify() -> None:
    """Check the whole hash chain; exit 1 naming the first bad event."""
    with runtime() as rt, rt.db.read() as session:
        count, problem = verify_chain(session)
    if problem is not None:
        err_console.print(f"[bold red]FAIL[/] {problem} ({count} events before it verified)")
        raise typer.Exit(1)
    console.print(f"[bold green]OK[/] audit chain intact: {count} events")
