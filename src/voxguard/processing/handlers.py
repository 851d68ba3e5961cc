"""Which function runs each kind of machine job."""

from __future__ import annotations

from voxguard.processing.pipeline import make_prepare_review_copy
from voxguard.runtime import Runtime
from voxguard.work.queues import PREPARE_REVIEW_COPY
from voxguard.work.runner import Handler


def job_handlers(rt: Runtime) -> dict[str, Handler]:
    # Imported here: the steps load ASR and NLP libraries, which only workers need.
    from voxguard.processing.steps import privacy_steps

    return {PREPARE_REVIEW_COPY: make_prepare_review_copy(rt, privacy_steps(rt.settings))}
