"""voxguard db upgrade | current"""

from __future__ import annotations

from voxguard.cli.app import App
from voxguard.cli.context import console, fail, load_settings, runtime
from voxguard.db import migrate
from voxguard.db.session import make_engine
from voxguard.runtime import absent_database_file
from voxguard.vault.crypto import load_or_create_master_key
from voxguard.vault.errors import VaultError
from voxguard.vault.service import device_text_sealer

app = App(help="Database schema.", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Bring the schema to this version's head revision. A new system also gets its master key
    and blob folder."""
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # First: upgrades that seal existing words under the accounts' keys need the master key.
    master_key = load_or_create_master_key(settings.resolved_master_key_file)
    try:
        migrate.upgrade(
            settings.resolved_database_url, seal_device_text=device_text_sealer(master_key)
        )
    except VaultError as exc:
        raise fail(f"the upgrade stopped before sealing the device transcripts: {exc}", 3) from exc
    with runtime(require_schema=False):
        pass  # creates a local blob folder where there is none
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
