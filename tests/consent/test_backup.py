"""Backups: restoring one taken before an erasure does not bring the erased person back.

On SQLite and PostgreSQL, with the local and the S3 (SeaweedFS) blob stores.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.cli.test_cli import env, run  # noqa: F401  (the fixture and the runner)
from tests.support.client import app_client
from tests.support.review import make_clips
from tests.support.rights import bearer, raw_database, service_token, stored_objects
from voxguard.audit import verify_chain
from voxguard.config import get_settings
from voxguard.consent.backups import BackupError, create_backup, restore_backup
from voxguard.consent.service import find_account
from voxguard.db.models import Blob, Erasure, Utterance
from voxguard.runtime import Runtime, build_runtime

GONE, SERIAL = "ACCT-BACKUP-GONE-31", "SN-BACKUP-GONE-77"


def test_a_restore_reapplies_every_erasure_before_it_returns(
    stored_rt: Runtime, tmp_path: Path
) -> None:
    rt = stored_rt
    gone_clips = make_clips(rt, 2, account_ref=GONE, serial=SERIAL)
    kept_clips = make_clips(rt, 2, account_ref="ACCT-BACKUP-KEPT", serial="SN-BK")
    backup = tmp_path / "backup"
    summary = create_backup(rt.db, rt.vault, backup)
    assert summary.objects == len(stored_objects(rt)) == 8  # originals and review copies
    assert (backup / "manifest.json").is_file()

    token = service_token(rt)
    with app_client(rt) as client:
        assert client.delete(f"/api/v1/accounts/{GONE}", headers=bearer(token)).status_code == 202
        one = client.delete(
            f"/api/v1/accounts/ACCT-BACKUP-KEPT/recordings/{kept_clips[0]}", headers=bearer(token)
        )
        assert one.status_code == 202
    with pytest.raises(BackupError):
        create_backup(rt.db, rt.vault, backup)  # never over an existing backup

    restored = restore_backup(rt.db, rt.settings, rt.vault, backup)
    assert restored.erasures_reapplied == 2

    with rt.db.read() as session:
        assert find_account(session, GONE) is None
        assert find_account(session, "ACCT-BACKUP-KEPT") is not None
        assert session.get(Utterance, kept_clips[0]) is None
        for clip in gone_clips:
            assert session.get(Utterance, clip) is None
        kept = session.execute(
            sa.select(Blob).where(Blob.utterance_id == kept_clips[1], Blob.kind == "original")
        ).scalar_one()
        assert rt.vault.get(session, kept)[:4] == b"RIFF"
        # The receipts keep their first ids, re-applied or not.
        assert session.execute(sa.select(sa.func.count()).select_from(Erasure)).scalar() == 2
        assert verify_chain(session)[1] is None
    objects = stored_objects(rt)
    assert objects and all(kept.account_id in key for key in objects)
    assert len(objects) == 2  # the kept account's remaining recording: original + review copy
    rt.db.purge_deleted_pages()
    dump = raw_database(rt)
    assert b"ACCT-BACKUP-KEPT" in dump
    assert GONE.encode() not in dump and SERIAL.encode() not in dump


def test_cli_backup_and_a_database_put_back_by_hand_is_erased_again_on_start(
    env: Path,  # noqa: F811
) -> None:
    assert run("devices", "add", "--account", GONE, "--serial", SERIAL).exit_code == 0
    backup = env / "backup"
    made = run("backup", "create", str(backup))
    assert made.exit_code == 0, made.output
    rt = build_runtime(get_settings())
    try:
        token = service_token(rt)
        with app_client(rt) as client:
            assert (
                client.delete(f"/api/v1/accounts/{GONE}", headers=bearer(token)).status_code == 202
            )
        if rt.db.dialect == "sqlite":
            # Put the old database back behind voxguard's back (no `backup restore`)...
            database = Path(sa.engine.make_url(rt.db.url).database or "")
            rt.close()
            import sqlite3

            sqlite3.connect(backup / "database.sqlite").backup(sqlite3.connect(database))
            rt = build_runtime(get_settings())
            with rt.db.read() as session:
                assert find_account(session, GONE) is not None
            # ...and the worker erases the person again before it runs anything.
            started = run("worker", "--drain")
            assert started.exit_code == 0
            assert "re-applied 1 erasure from the erasure ledger" in started.output.splitlines()
            with rt.db.read() as session:
                assert find_account(session, GONE) is None
        restored = run("backup", "restore", str(backup), "--yes")
        assert restored.exit_code == 0, restored.output
        assert restored.output.splitlines()[-1].endswith(
            " objects; re-applied 1 erasure from the erasure ledger"
        )
        with rt.db.read() as session:
            assert find_account(session, GONE) is None
        assert run("backup", "restore", str(env / "nothing"), "--yes").exit_code == 1
    finally:
        rt.close()
