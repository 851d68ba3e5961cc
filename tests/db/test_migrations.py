"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from voxguard.db.base import Base
from voxguard.db.migrate import current_revision, head_revision


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
    assert differences == [], "a model changed without a migration (or the reverse)"


def test_a_populated_database_upgrades_from_every_earlier_revision(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Upgrades run on live systems: rows that other tables point at must survive each step
    (SQLite's batch mode rebuilds a table, which foreign keys can refuse)."""
    from alembic.script import ScriptDirectory

    from voxguard.db.migrate import alembic_config, upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    script = ScriptDirectory.from_config(alembic_config(url))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    engine = sa.create_engine(url)
    try:
        upgrade(url, revisions[0])
        with engine.begin() as connection:  # an account with a device and a consent row
            connection.execute(
                sa.text(
                    "INSERT INTO accounts (id, ref, data_region, created_at) "
                    "VALUES ('a1', 'ACCT-OLD', 'eu', '2026-01-01 00:00:00')"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO devices (id, account_id, serial, token_hash, created_at) "
                    "VALUES ('d1', 'a1', 'SN-OLD', 'x', '2026-01-01 00:00:00')"
                )
            )
        for revision in revisions[1:]:
            upgrade(url, revision)
            assert current_revision(engine) == revision
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT ref FROM accounts")).scalar_one() == (
                "ACCT-OLD"
            )
            assert connection.execute(sa.text("SELECT count(*) FROM devices")).scalar_one() == 1
    finally:
        engine.dispose()


def test_upgrading_seals_the_device_words_and_refuses_without_the_master_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """0007: a database from before holds device transcripts readable; the upgrade seals each
    under its account's key (an erased account's words are dropped), and without the master key
    it stops before changing anything."""
    import pytest

    from voxguard.db.migrate import upgrade
    from voxguard.vault.crypto import generate_data_key, open_text, wrap_data_key
    from voxguard.vault.service import device_text_sealer, device_text_subject

    url = f"sqlite:///{tmp_path / 'old.db'}"
    master_key, data_key = generate_data_key(), generate_data_key()
    upgrade(url, "0006_drop_erased_at")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            for account, wrapped in (
                ("a1", wrap_data_key(master_key, data_key, "a1")),
                ("a2", None),
            ):
                connection.execute(
                    sa.text(
                        "INSERT INTO accounts (id, ref, data_region, created_at) "
                        "VALUES (:a, :a, 'eu', '2026-01-01 00:00:00')"
                    ),
                    {"a": account},
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO account_keys (account_id, wrapped_key, created_at) "
                        "VALUES (:a, :w, '2026-01-01 00:00:00')"
                    ),
                    {"a": account, "w": wrapped},
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO devices (id, account_id, serial, token_hash, created_at) "
                        "VALUES (:a, :a, :a, :a, '2026-01-01 00:00:00')"
                    ),
                    {"a": account},
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO utterances (id, client_utterance_id, account_id, device_id, "
                        "recorded_at, received_at, locale, device_type, data_region, "
                        "device_asr_text, device_asr_confidence, device_intent, duration_s, "
                        "audio_sha256, sampled, status, redactions, restricted) VALUES (:u, :u, :a, :a, "
                        "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 'en-us', 't', 'eu', "
                        "'call jon smith', 0.9, 'calling', 1.0, '0', 0, 'received', '[]', 0)"
                    ),
                    {"u": f"u-{account}", "a": account},
                )
        with pytest.raises(RuntimeError, match="no master key was given"):
            upgrade(url)
        assert current_revision(engine) == "0006_drop_erased_at"
        with engine.connect() as connection:  # nothing changed: the words are still there
            assert connection.execute(sa.text("SELECT device_asr_text FROM utterances")).all()

        upgrade(url, seal_device_text=device_text_sealer(master_key))
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("utterances")}
            sealed = dict(
                connection.execute(sa.text("SELECT id, device_asr_sealed FROM utterances")).all()
            )
        assert "device_asr_text" not in columns
        assert sealed["u-a2"] is None  # its account was erased: nothing to seal it under
        said = open_text(data_key, "a1", device_text_subject("u-a1"), sealed["u-a1"])
        assert said == "call jon smith"
        assert b"jon smith" not in (tmp_path / "old.db").read_bytes()
    finally:
        engine.dispose()
