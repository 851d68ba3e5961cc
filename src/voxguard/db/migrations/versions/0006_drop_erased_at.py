"""accounts.erased_at goes: an erased account's row is deleted (consent.erasure), never marked

Revision ID: 0006_drop_erased_at
Revises: 0005_feedback
Create Date: 2026-12-07 06:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import voxguard.db.base

revision = "0006_drop_erased_at"
down_revision = "0005_feedback"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ALTER (SQLite >= 3.35 has DROP COLUMN), not batch mode: batch mode rebuilds the
    # table, and the foreign keys of devices, consents and keys refuse the old table's drop.
    op.execute("ALTER TABLE accounts DROP COLUMN erased_at")


def downgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", voxguard.db.base.UTCDateTime(), nullable=True))
