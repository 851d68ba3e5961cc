"""Backups of the database and the blob store, and restores that cannot bring the erased back.

A backup is a folder: the database (SQLite's online backup, or ``pg_dump --format=custom``),
every object of the blob store as it is stored (ciphertext), and ``manifest.json``, written last,
so a folder without one is an interrupted backup. It holds neither the master key nor the
erasure ledger: keep those apart. A restore puts the database and the objects back and then
re-applies the erasure ledger — every erasure made since, or before, the backup — before it
returns, so nothing it brought back is ever served.

Run a restore with voxguard stopped; ``serve`` and ``worker`` re-apply the ledger on start too.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from voxguard import __version__
from voxguard.config import Settings
from voxguard.consent.erasure import reapply_ledger
from voxguard.db.base import utcnow
from voxguard.db.migrate import current_revision, upgrade
from voxguard.db.postgres import pg_target
from voxguard.db.session import Database
from voxguard.vault.service import Vault

MANIFEST = "manifest.json"
FORMAT = 1
BLOBS = "blobs"
OBJECT_PREFIX = "acct/"
Progress = Callable[[int, int], None]


class BackupError(Exception):
    code = "backup_failed"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class BackupSummary:
    folder: Path
    database: str
    objects: int


@dataclass(frozen=True)
class RestoreSummary:
    database: str
    objects: int
    erasures_reapplied: int


def _no_progress(_done: int, _total: int) -> None:
    pass


def _database_file(db: Database) -> Path:
    return Path(make_url(db.url).database or "")


def _pg(db: Database, tool: str, *args: str) -> None:
    if shutil.which(tool) is None:
        raise BackupError(
            f"{tool} is not installed: install the PostgreSQL client tools of the server's "
            "version (Debian: apt-get install postgresql-client)"
        )
    result = pg_target(db.url).run(tool, *args)
    if result.returncode != 0:
        raise BackupError(
            f"{tool} failed: {result.stderr.decode(errors='replace').strip()[-2000:]}"
        )


def create_backup(
    db: Database, vault: Vault, folder: Path, *, progress: Progress = _no_progress
) -> BackupSummary:
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: back up into a new folder")
    (folder / BLOBS).mkdir(parents=True, exist_ok=True, mode=0o700)
    if db.dialect == "sqlite":
        name = "database.sqlite"
        source = sqlite3.connect(_database_file(db))
        target = sqlite3.connect(folder / name)
        try:
            source.backup(target)  # a consistent copy while others keep writing
        finally:
            target.close()
            source.close()
    else:
        name = "database.pgdump"
        _pg(db, "pg_dump", "--format=custom", "--no-owner", "--file", str(folder / name))
    keys = vault.store.keys(OBJECT_PREFIX)
    for done, key in enumerate(keys, 1):
        path = folder / BLOBS / key
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_bytes(vault.store.get(key))  # ciphertext, as stored
        progress(done, len(keys))
    manifest = {
        "format": FORMAT,
        "voxguard": __version__,
        "created_at": utcnow().isoformat(),
        "database": db.dialect,
        "database_file": name,
        "schema_revision": current_revision(db.engine),
        "objects": len(keys),
        "not_included": "the master key and the erasure ledger: keep them apart from backups",
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return BackupSummary(folder, db.dialect, len(keys))


def _manifest(folder: Path) -> dict[str, object]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(
            f"{folder} has no {MANIFEST}: not a voxguard backup, or an interrupted one"
        ) from None
    except ValueError:
        raise BackupError(f"{folder / MANIFEST} is not valid JSON") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder} is a backup of format {manifest.get('format')}, not {FORMAT}")
    return manifest


def restore_backup(
    db: Database,
    settings: Settings,
    vault: Vault,
    folder: Path,
    *,
    progress: Progress = _no_progress,
) -> RestoreSummary:
    folder = Path(folder)
    manifest = _manifest(folder)
    if manifest.get("database") != db.dialect:
        raise BackupError(
            f"this backup is of a {manifest.get('database')} database; the configured one is "
            f"{db.dialect}"
        )
    dump = folder / str(manifest.get("database_file"))
    if not dump.is_file():
        raise BackupError(f"{dump} is missing from the backup")
    files = sorted(p for p in (folder / BLOBS).rglob("*") if p.is_file())
    if len(files) != manifest.get("objects"):
        raise BackupError(
            f"the backup lists {manifest.get('objects')} objects but holds {len(files)}"
        )
    db.engine.dispose()
    db.read_engine.dispose()
    if db.dialect == "sqlite":
        source = sqlite3.connect(dump)
        target = sqlite3.connect(_database_file(db))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        _pg(
            db, "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
            str(dump),
        )  # fmt: skip
    # A backup from an older version: bring its schema to this version first (sealing what
    # an older version kept readable).
    upgrade(db.url, seal_device_text=vault.device_text_sealer())
    vault.store.delete_prefix(OBJECT_PREFIX)  # objects written after the backup have no rows
    for done, path in enumerate(files, 1):
        vault.store.put(path.relative_to(folder / BLOBS).as_posix(), path.read_bytes())
        progress(done, len(files))
    reapplied = reapply_ledger(db, settings, vault)
    return RestoreSummary(db.dialect, len(files), reapplied)
