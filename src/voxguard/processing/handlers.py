"""Which function runs each kind of machine job."""

from __future__ import annotations

from voxguard.config import Settings
from voxguard.db.session import Database
from voxguard.processing.pipeline import make_prepare_review_copy
from voxguard.vault.service import Vault
from voxguard.work.queues import PREPARE_REVIEW_COPY
from voxguard.work.runner import Handler


def job_handlers(db: Database, vault: Vault, settings: Settings) -> dict[str, Handler]:
    # Imported here: the steps load ASR and NLP libraries, which only workers need.
    from voxguard.processing.steps import privacy_steps

    prepare = make_prepare_review_copy(db, vault, settings, privacy_steps(settings))
    return {PREPARE_REVIEW_COPY: prepare}
