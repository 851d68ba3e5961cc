"""voxguard db upgrade | current"""

from __future__ import annotations

from voxguard.cli.app import App
from voxguard.cli.context import console, fail, load_settings, runtime
from voxguard.db import migrate
from voxguard.db.session import make_engine
from voxguard.runtime import absent_database_file
from voxguard.vault.errors import VaultError

app = App(help="Database schema.", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Bring the schema to this version's head revision. A new system also gets its master key
    and blob folder."""
    # The runtime first: it creates the master key and a local blob folder where there are none,
    # and upgrades that seal existing words under the accounts' keys need that key.
    with runtime(require_schema=False) as rt:
        try:
            migrate.upgrade(
                rt.settings.resolved_database_url, seal_device_text=rt.vault.device_text_sealer()
            )
        except VaultError as exc:
            raise fail(
                f"the upgrade stopped before sealing the device transcripts: {exc}", 3
            ) from exc
    console.print(f"schema at revision [bold]{migrate.head_revision()}[/]")


@app.command()
def current() -> None:
    """Print the schema revision of the configured database."""
    settings = load_settings()
    absent = absent_database_file(settings)
    if absent is not None:  # opening it would create it
        raise fail(f"no database at {absent}; `voxguard db upgrade` creates it")
    engine = make_engine(settings.resolved_database_url)
    try:
        console.print(
            f"current: {migrate.current_revision(engine)}  head: {migrate.head_revision()}"
        )
    finally:
        engine.dispose()
