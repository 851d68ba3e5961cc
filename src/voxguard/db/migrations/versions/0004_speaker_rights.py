"""speaker rights: consent for model training and retention, service tokens, erasure receipts,
self-service links and sessions; exposures outlive erased recordings

Revision ID: 0004_speaker_rights
Revises: 0002
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import voxguard.db.base

revision = "0004_speaker_rights"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("consent_records") as batch:
        batch.add_column(
            sa.Column("model_training", sa.Boolean(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("retention", sa.String(length=16), nullable=False, server_default="3_months")
        )
        batch.add_column(
            sa.Column("notice_version", sa.String(length=32), nullable=False, server_default="")
        )
    with op.batch_alter_table("utterances") as batch:
        batch.alter_column(
            "expires_at", existing_type=voxguard.db.base.UTCDateTime(), nullable=True
        )
    with op.batch_alter_table("exposures") as batch:
        batch.drop_constraint("fk_exposures_utterance_id_utterances", type_="foreignkey")

    op.create_table(
        "service_tokens",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(length=128), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", voxguard.db.base.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", voxguard.db.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_service_tokens_token_hash")),
    )
    op.create_table(
        "erasures",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("utterance_id", sa.String(length=32), nullable=True),
        sa.Column("requested_by", sa.String(length=96), nullable=False),
        sa.Column("requested_at", voxguard.db.base.UTCDateTime(), nullable=False),
        sa.Column("completed_at", voxguard.db.base.UTCDateTime(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasures")),
    )
    with op.batch_alter_table("erasures") as batch:
        batch.create_index(batch.f("ix_erasures_account_id"), ["account_id"], unique=False)
        batch.create_index(batch.f("ix_erasures_utterance_id"), ["utterance_id"], unique=False)
    op.create_table(
        "self_service_links",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", voxguard.db.base.UTCDateTime(), nullable=False),
        sa.Column("expires_at", voxguard.db.base.UTCDateTime(), nullable=False),
        sa.Column("used_at", voxguard.db.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_self_service_links_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_self_service_links")),
    )
    with op.batch_alter_table("self_service_links") as batch:
        batch.create_index(
            batch.f("ix_self_service_links_account_id"), ["account_id"], unique=False
        )
    op.create_table(
        "speaker_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", voxguard.db.base.UTCDateTime(), nullable=False),
        sa.Column("expires_at", voxguard.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_speaker_sessions_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_speaker_sessions")),
    )
    with op.batch_alter_table("speaker_sessions") as batch:
        batch.create_index(batch.f("ix_speaker_sessions_account_id"), ["account_id"], unique=False)


def downgrade() -> None:
    op.drop_table("speaker_sessions")
    op.drop_table("self_service_links")
    op.drop_table("erasures")
    op.drop_table("service_tokens")
    with op.batch_alter_table("exposures") as batch:
        batch.create_foreign_key(
            "fk_exposures_utterance_id_utterances", "utterances", ["utterance_id"], ["id"]
        )
    with op.batch_alter_table("utterances") as batch:
        batch.alter_column(
            "expires_at", existing_type=voxguard.db.base.UTCDateTime(), nullable=False
        )
    with op.batch_alter_table("consent_records") as batch:
        batch.drop_column("notice_version")
        batch.drop_column("retention")
        batch.drop_column("model_training")
