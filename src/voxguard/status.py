"""What is running: the figures the home page and ``voxguard status`` show."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from voxguard.config import settings_source
from voxguard.db.migrate import current_revision
from voxguard.db.models import AuditHead, Utterance, WorkItem
from voxguard.runtime import Runtime
from voxguard.work.queues import GOLD_QUEUE, JOBS_QUEUE, REVIEW_QUEUE


def system_status(rt: Runtime) -> dict[str, Any]:
    """The figures, and the settings this process runs with (read from its config)."""
    url = make_url(rt.db.url)
    database = (
        f"SQLite {url.database}"
        if url.get_backend_name() == "sqlite"
        else f"PostgreSQL {url.host}:{url.port or 5432}/{url.database}"
    )
    with rt.db.read() as session:

        def count(*where: Any, model: Any = Utterance) -> int:
            return session.execute(
                select(func.count()).select_from(model).where(*where)
            ).scalar_one()

        head = session.get(AuditHead, 1)
        return {
            "database": database,
            "schema": current_revision(rt.db.engine),
            "blob_store": type(rt.vault.store).__name__,
            "utterances": count(),
            "sampled": count(Utterance.sampled.is_(True)),
            "review_pending": count(
                WorkItem.queue == REVIEW_QUEUE,
                WorkItem.state.in_(("pending", "leased")),
                model=WorkItem,
            ),
            "review_dead": count(
                WorkItem.queue.in_((REVIEW_QUEUE, GOLD_QUEUE)),
                WorkItem.state == "dead",
                model=WorkItem,
            ),
            "jobs_pending": count(
                WorkItem.queue == JOBS_QUEUE,
                WorkItem.state.in_(("pending", "leased")),
                model=WorkItem,
            ),
            "jobs_dead": count(
                WorkItem.queue == JOBS_QUEUE, WorkItem.state == "dead", model=WorkItem
            ),
            "audit_events": head.seq if head else 0,
            "config": settings_source(),
            "data_dir": str(rt.settings.data_dir.resolve()),
            "consent_default": rt.settings.review_consent_default,
            "sampling_rate": rt.settings.sampling_rate,
            "reviewers_per_clip": rt.settings.reviewers_per_clip,
            "reviewer_account_cap_30d": rt.settings.reviewer_account_cap_30d,
            "web": f"http://{rt.settings.host}:{rt.settings.port}",
        }
