"""Running machine workers: in the foreground (``voxguard worker``) or as a background thread."""

from __future__ import annotations

import threading

from voxguard.audit import CheckpointSchedule
from voxguard.processing.handlers import job_handlers
from voxguard.runtime import Runtime
from voxguard.work.runner import default_owner, run_worker


def work(
    rt: Runtime, *, stop: threading.Event, drain: bool = False, owner: str | None = None
) -> int:
    s = rt.settings
    return run_worker(
        rt.db,
        job_handlers(rt),
        stop=stop,
        owner=owner or default_owner(),
        drain=drain,
        periodic=CheckpointSchedule(
            rt.db,
            rt.checkpoint_signer,
            s.resolved_audit_checkpoint_file,
            s.audit_checkpoint_seconds,
        ),
        lease_seconds=s.job_lease_seconds,
        backoff_base_s=s.job_backoff_base_seconds,
        backoff_max_s=s.job_backoff_max_seconds,
    )


def start_background_worker(rt: Runtime, stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(
        target=work, args=(rt,), kwargs={"stop": stop}, daemon=True, name="worker"
    )
    thread.start()
    return thread
