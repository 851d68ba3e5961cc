"""Which function runs each kind of machine job."""

from __future__ import annotations

from dataclasses import asdict

from voxguard.config import Settings
from voxguard.consent.retention import sweep
from voxguard.db.session import Database
from voxguard.processing.pipeline import make_prepare_review_copy
from voxguard.vault.service import Vault
from voxguard.work.queues import PREPARE_REVIEW_COPY, RETENTION_SWEEP
from voxguard.work.runner import Handler, JobContext


def make_retention_sweep(db: Database, vault: Vault, settings: Settings) -> Handler:
    def retention_sweep(ctx: JobContext) -> None:
        summary = sweep(db, settings, vault)
        with db.session() as session:
            ctx.complete(session, outcome="swept", **asdict(summary))

    return retention_sweep


def job_handlers(db: Database, vault: Vault, settings: Settings) -> dict[str, Handler]:
    # Imported here: the steps load ASR and NLP libraries, which only workers need.
    from voxguard.processing.steps import privacy_steps

    prepare = make_prepare_review_copy(db, vault, settings, privacy_steps(settings))
    return {
        PREPARE_REVIEW_COPY: prepare,
        RETENTION_SWEEP: make_retention_sweep(db, vault, settings),
    }
