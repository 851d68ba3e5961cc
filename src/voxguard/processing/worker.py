"""Running machine workers: in the foreground (``voxguard worker``) or as a background thread."""

from __future__ import annotations

import threading

from voxguard.config import Settings
from voxguard.db.session import Database
from voxguard.processing.handlers import job_handlers
from voxguard.vault.service import Vault
from voxguard.work.runner import default_owner, run_worker


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
