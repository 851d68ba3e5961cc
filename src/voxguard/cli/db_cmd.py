"""voxguard db upgrade | current"""

from __future__ import annotations

import typer

from voxguard.cli.context import console, load_settings
from voxguard.db import migrate
from voxguard.db.session import make_engine

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Bring the database schema to this version's head revision."""
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.resolved_database_url)
    console.print(f"schema at revision [bold]{migrate.head_revision()}[/]")


@app.command()
def current() -> None:
    """Print the schema revision of the configured database."""
    engine = make_engine(load_settings().resolved_database_url)
    try:
        console.print(
            f"current: {migrate.current_revision(engine)}  head: {migrate.head_revision()}"
        )
    finally:
        engine.dispose()
