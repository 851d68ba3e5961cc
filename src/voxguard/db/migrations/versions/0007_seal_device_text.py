"""utterances.device_asr_text (readable) becomes device_asr_sealed (under the account's key)

The device's transcript holds what people said, names and numbers included. It was the one
readable copy of their words left in the database: deleted rows of PostgreSQL linger in its files
until vacuumed, and dumps and backups keep whatever they copied. Sealed under the account's data
key it is noise without the master key, and noise for good once the account is erased.

Sealing existing rows needs the master key, which the database layer never holds: ``voxguard db
upgrade`` passes a sealer made from it (``voxguard.db.migrate.upgrade(..., seal_device_text=...)``,
built by ``voxguard.vault.service.device_text_sealer``). Every value is sealed in memory before
the schema changes, so a missing or wrong key stops the upgrade with nothing changed.

Revision ID: 0007_seal_device_text
Revises: 0006_drop_erased_at
Create Date: 2026-12-07 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from voxguard.db.migrate import SEAL_DEVICE_TEXT

revision = "0007_seal_device_text"
down_revision = "0006_drop_erased_at"
branch_labels = None
depends_on = None


class MasterKeyNeeded(RuntimeError):
    """Rows must be sealed and no sealer (no master key) was given."""


def _sealed_values(bind: sa.Connection) -> list[dict[str, object]]:
    rows = bind.execute(
        sa.text(
            "SELECT u.id, u.account_id, u.device_asr_text, k.wrapped_key FROM utterances u "
            "LEFT JOIN account_keys k ON k.account_id = u.account_id "
            "WHERE u.device_asr_text <> ''"
        )
    ).all()
    if not rows:
        return []
    seal = op.get_context().config.attributes.get(SEAL_DEVICE_TEXT)
    if seal is None:
        raise MasterKeyNeeded(
            f"{len(rows)} device transcripts must be sealed under their accounts' keys and no "
            "master key was given: run `voxguard db upgrade`, which reads the configured one"
        )
    # An account whose key is destroyed was erased: its words are gone (None), not sealed.
    return [
        {"id": utterance_id, "sealed": seal(wrapped, account_id, utterance_id, text)}
        for utterance_id, account_id, text, wrapped in rows
    ]


def upgrade() -> None:
    bind = op.get_bind()
    values = _sealed_values(bind)  # first: a missing or wrong key changes nothing
    op.add_column("utterances", sa.Column("device_asr_sealed", sa.LargeBinary(), nullable=True))
    if values:
        bind.execute(
            sa.text("UPDATE utterances SET device_asr_sealed = :sealed WHERE id = :id"), values
        )
    # A plain ALTER as in 0006: batch mode's table rebuild is refused by the foreign keys.
    op.execute("ALTER TABLE utterances DROP COLUMN device_asr_text")


def downgrade() -> None:
    # The readable column comes back empty: opening the sealed values needs the master key, and
    # a downgrade must not put people's words back in the clear.
    op.add_column(
        "utterances",
        sa.Column("device_asr_text", sa.Text(), nullable=False, server_default=""),
    )
    op.execute("ALTER TABLE utterances DROP COLUMN device_asr_sealed")
