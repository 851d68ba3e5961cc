"""The machine-worker loop: claim a job, run its handler, complete or fail it.

Handlers finish their own work in a final transaction that also calls ``JobContext.complete``,
so outputs and completion commit together; a handler that raises is retried with backoff and
dead-lettered after its last attempt. Every outcome is an audit event.
"""

from __future__ import annotations

import logging
import socket
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from voxguard import audit
from voxguard.db.session import Database
from voxguard.work import leases
from voxguard.work.queues import JOBS_QUEUE

log = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """The job can never succeed (e.g. its input is gone): dead-letter it at once."""


@dataclass(frozen=True)
class ClaimedJob:
    id: str
    kind: str
    subject_id: str
    account_id: str | None
    payload: dict[str, Any]
    attempts: int
    token: str


@dataclass
class JobContext:
    db: Database
    job: ClaimedJob
    owner: str
    lease_seconds: float
    completed: bool = field(default=False)

    def heartbeat(self) -> None:
        with self.db.session() as session:
            leases.heartbeat(session, self.job.id, self.job.token, self.lease_seconds)

    def complete(self, session: Session, outcome: str = "done", **details: Any) -> None:
        """Complete in the caller's transaction (with the job's outputs). Raises LeaseLost."""
        if leases.complete(session, self.job.id, self.job.token):
            audit.record(
                session,
                actor=f"worker:{self.owner}",
                action="job.completed",
                target=f"job:{self.job.id}",
                account_id=self.job.account_id,
                details={"kind": self.job.kind, "outcome": outcome, **details},
            )
        self.completed = True


Handler = Callable[[JobContext], None]


def default_owner() -> str:
    return f"{socket.gethostname()}:{threading.get_native_id()}"


def run_once(
    db: Database,
    handlers: Mapping[str, Handler],
    *,
    owner: str,
    queue: str = JOBS_QUEUE,
    lease_seconds: float = 60,
    backoff_base_s: float = 2.0,
    backoff_max_s: float = 600.0,
) -> bool:
    """Process at most one job. Returns False when none was due."""
    with db.session() as session:
        leases.bury_exhausted(session, queue)
        item = leases.claim(session, queue=queue, owner=owner, lease_seconds=lease_seconds)
        if item is None:
            return False
        assert item.lease_token is not None
        job = ClaimedJob(
            item.id,
            item.kind,
            item.subject_id,
            item.account_id,
            dict(item.payload),
            item.attempts,
            item.lease_token,
        )
    context = JobContext(db=db, job=job, owner=owner, lease_seconds=lease_seconds)
    handler = handlers.get(job.kind)
    try:
        if handler is None:
            raise PermanentFailure(f"no handler for job kind {job.kind!r}")
        with _heartbeats(context):
            handler(context)
        if not context.completed:
            with db.session() as session:
                context.complete(session)
    except leases.LeaseLost as exc:
        log.warning("job %s: %s", job.id, exc)
    except Exception as exc:  # a failing job must not stop the worker
        permanent = isinstance(exc, PermanentFailure)
        message = f"{type(exc).__name__}: {exc}"
        log.warning("job %s (%s) failed: %s", job.id, job.kind, message)
        log.debug("%s", traceback.format_exc())
        try:
            with db.session() as session:
                state = leases.fail(
                    session,
                    job.id,
                    job.token,
                    message,
                    backoff_base_s=backoff_base_s,
                    backoff_max_s=backoff_max_s,
                    permanent=permanent,
                )
                audit.record(
                    session,
                    actor=f"worker:{owner}",
                    action="job.dead" if state == "dead" else "job.failed",
                    target=f"job:{job.id}",
                    account_id=job.account_id,
                    details={"kind": job.kind, "attempt": job.attempts, "error": message[:500]},
                )
        except leases.LeaseLost as lost:
            log.warning("job %s: could not record failure: %s", job.id, lost)
    return True


@contextmanager
def _heartbeats(context: JobContext) -> Iterator[None]:
    """Keep a short lease alive while the handler runs; a dead worker's lease just runs out."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(context.lease_seconds / 3):
            try:
                context.heartbeat()
            except leases.LeaseLost:
                return  # completion will fail and say so
            except Exception as exc:  # a database hiccup: try again at the next beat
                log.warning("job %s: heartbeat failed: %s", context.job.id, exc)

    thread = threading.Thread(target=beat, daemon=True, name=f"heartbeat-{context.job.id[:8]}")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def run_worker(
    db: Database,
    handlers: Mapping[str, Handler],
    *,
    stop: threading.Event,
    owner: str | None = None,
    idle_seconds: float = 0.5,
    drain: bool = False,
    tick: Callable[[], None] | None = None,
    **options: Any,
) -> int:
    """Loop until ``stop`` is set (or, with ``drain``, until no job is due). Returns jobs run.

    ``tick`` runs before every claim: the place to schedule periodic jobs.
    """
    owner = owner or default_owner()
    done = 0
    while not stop.is_set():
        if tick is not None:
            tick()
        if run_once(db, handlers, owner=owner, **options):
            done += 1
        elif drain:
            break
        else:
            stop.wait(idle_seconds)
    return done
