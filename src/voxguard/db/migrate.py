"""Alembic migrations driven from code: upgrade, and the schema check before serving."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# The alembic config attribute through which a data migration receives the sealer of device
# transcripts (0007): (wrapped data key or None, account id, utterance id, text) -> sealed or None.
SEAL_DEVICE_TEXT = "seal_device_text"
DeviceTextSealer = Callable[[bytes | None, str, str, str], bytes | None]


class SchemaOutOfDate(RuntimeError):
    """The database schema is not at the code's head revision."""


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(
    url: str, revision: str = "head", *, seal_device_text: DeviceTextSealer | None = None
) -> None:
    """Migrate to ``revision``; ``seal_device_text`` is needed only where readable device
    transcripts remain to be sealed (a database from before 0007 that holds utterances)."""
    config = alembic_config(url)
    if seal_device_text is not None:
        config.attributes[SEAL_DEVICE_TEXT] = seal_device_text
    command.upgrade(config, revision)


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def ensure_schema_current(engine: Engine) -> None:
    """Refuse to run on a schema older (or newer) than the code expects."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        state = "has no voxguard schema" if current is None else f"is at revision {current}"
        raise SchemaOutOfDate(
            f"The database {state}; this version of voxguard needs revision {head}. "
            "Run: voxguard db upgrade"
        )
