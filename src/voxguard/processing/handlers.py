"""Which function runs each kind of machine job."""

from __future__ import annotations

from dataclasses import asdict

from voxguard.consent.retention import sweep
from voxguard.processing.pipeline import make_prepare_review_copy
from voxguard.runtime import Runtime
from voxguard.work.queues import PREPARE_REVIEW_COPY, RETENTION_SWEEP
from voxguard.work.runner import Handler, JobContext


def make_retention_sweep(rt: Runtime) -> Handler:
    def retention_sweep(ctx: JobContext) -> None:
        summary = sweep(rt.db, rt.settings, rt.vault)
        with rt.db.session() as session:
            ctx.complete(session, outcome="swept", **asdict(summary))

    return retention_sweep


def job_handlers(rt: Runtime) -> dict[str, Handler]:
    # Imported here: the steps load ASR and NLP libraries, which only workers need.
    from voxguard.processing.steps import privacy_steps

    return {
        PREPARE_REVIEW_COPY: make_prepare_review_copy(rt, privacy_steps(rt.settings)),
        RETENTION_SWEEP: make_retention_sweep(rt),
    }
