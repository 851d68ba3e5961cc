"""Running machine workers: in the foreground (``voxguard worker``) or as a background thread."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from voxguard.config import Settings
from voxguard.consent.retention import schedule_sweep
from voxguard.db.session import Database
from voxguard.processing.handlers import job_handlers
from voxguard.vault.service import Vault
from voxguard.work.runner import default_owner, run_worker

log = logging.getLogger(__name__)


def every(seconds: float, db: Database) -> Callable[[], None]:
    """A worker tick that queues the retention sweep every ``seconds``, the first ``seconds``
    after the worker starts (a worker restarted more often than that leaves it to the others,
    or to ``voxguard retention run``)."""
    due = time.monotonic() + seconds

    def tick() -> None:
        nonlocal due
        if time.monotonic() < due:
            return
        due = time.monotonic() + seconds
        try:
            with db.session() as session:
                schedule_sweep(session)
        except Exception as exc:  # a database hiccup: the next tick tries again
            log.warning("could not schedule the retention sweep: %s", exc)

    return tick


def work(
    db: Database,
    vault: Vault,
    settings: Settings,
    *,
    stop: threading.Event,
    drain: bool = False,
    owner: str | None = None,
) -> int:
    return run_worker(
        db,
        job_handlers(db, vault, settings),
        stop=stop,
        owner=owner or default_owner(),
        drain=drain,
        # Periodic jobs belong to workers that keep running, not to a drain.
        tick=None if drain else every(settings.retention_sweep_minutes * 60, db),
        lease_seconds=settings.job_lease_seconds,
        backoff_base_s=settings.job_backoff_base_seconds,
        backoff_max_s=settings.job_backoff_max_seconds,
    )


def start_background_worker(
    db: Database, vault: Vault, settings: Settings, stop: threading.Event
) -> threading.Thread:
    thread = threading.Thread(
        target=work, args=(db, vault, settings), kwargs={"stop": stop}, daemon=True, name="worker"
    )
    thread.start()
    return thread
