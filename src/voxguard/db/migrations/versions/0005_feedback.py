"""feedback: exports with their lineage (which clips each holds), adapted models, reports

Revision ID: 0005_feedback
Revises: 0004_speaker_rights
Create Date: 2026-12-07 03:20:20.843780
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import voxguard.db.base

revision = "0005_feedback"
down_revision = "0004_speaker_rights"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_at", voxguard.db.base.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=96), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("audio", sa.String(length=16), nullable=False),
        sa.Column("filter", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("clips", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=24), nullable=False),
        sa.Column("location", sa.String(length=512), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exports")),
    )
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exports_created_at"), ["created_at"], unique=False)

    op.create_table(
        "adapted_models",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("export_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", voxguard.db.base.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=96), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["export_id"], ["exports.id"], name=op.f("fk_adapted_models_export_id_exports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adapted_models")),
    )
    with op.batch_alter_table("adapted_models", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_adapted_models_export_id"), ["export_id"], unique=False
        )

    op.create_table(
        "export_clips",
        sa.Column("export_id", sa.String(length=32), nullable=False),
        sa.Column("utterance_id", sa.String(length=32), nullable=False),
        sa.Column("split", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["export_id"], ["exports.id"], name=op.f("fk_export_clips_export_id_exports")
        ),
        sa.ForeignKeyConstraint(
            ["utterance_id"],
            ["utterances.id"],
            name=op.f("fk_export_clips_utterance_id_utterances"),
        ),
        sa.PrimaryKeyConstraint("export_id", "utterance_id", name=op.f("pk_export_clips")),
    )
    with op.batch_alter_table("export_clips", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_export_clips_utterance_id"), ["utterance_id"], unique=False
        )

    op.create_table(
        "reports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("created_at", voxguard.db.base.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=96), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_created_at"))

    op.drop_table("reports")
    with op.batch_alter_table("export_clips", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_clips_utterance_id"))

    op.drop_table("export_clips")
    with op.batch_alter_table("adapted_models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adapted_models_export_id"))

    op.drop_table("adapted_models")
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exports_created_at"))

    op.drop_table("exports")
