"""The lease mechanism: claim, expiry, heartbeat, retry, dead-letter, idempotent completion."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from voxguard import work
from voxguard.db.base import utcnow
from voxguard.db.models import WorkItem
from voxguard.db.session import Database
from voxguard.runtime import Runtime


def _enqueue(rt: Runtime, n: int = 1, max_attempts: int = 3) -> list[str]:
    with rt.db.session() as session:
        items = [
            work.enqueue(
                session,
                queue="jobs",
                kind="k",
                subject_id=f"s{i}",
                account_id=None,
                max_attempts=max_attempts,
            )
            for i in range(n)
        ]
        session.flush()
        return [i.id for i in items]


def _claim(rt: Runtime, owner: str = "w1", lease: float = 30, now=None):  # type: ignore[no-untyped-def]
    with rt.db.session() as session:
        return work.claim(session, queue="jobs", owner=owner, lease_seconds=lease, now=now)


def test_claim_returns_none_when_empty(rt: Runtime) -> None:
    assert _claim(rt) is None


def test_a_leased_item_is_not_handed_out_again(rt: Runtime) -> None:
    _enqueue(rt)
    first = _claim(rt, "w1")
    assert first is not None and first.owner == "w1" and first.attempts == 1
    assert _claim(rt, "w2") is None


def test_expired_lease_returns_the_item_with_a_new_token(rt: Runtime) -> None:
    _enqueue(rt)
    first = _claim(rt, "w1", lease=30)
    later = utcnow() + timedelta(seconds=31)
    second = _claim(rt, "w2", now=later)
    assert second is not None and second.id == first.id and second.owner == "w2"
    assert second.lease_token != first.lease_token
    with rt.db.session() as session, pytest.raises(work.LeaseLost):
        work.complete(session, first.id, first.lease_token)


def test_heartbeat_extends_and_needs_the_token(rt: Runtime) -> None:
    _enqueue(rt)
    item = _claim(rt, lease=5)
    with rt.db.session() as session:
        expires = work.heartbeat(session, item.id, item.lease_token, 120)
    assert expires > utcnow() + timedelta(seconds=100)
    with rt.db.session() as session, pytest.raises(work.LeaseLost):
        work.heartbeat(session, item.id, "not-the-token", 120)


def test_completion_is_idempotent(rt: Runtime) -> None:
    _enqueue(rt)
    item = _claim(rt)
    with rt.db.session() as session:
        assert work.complete(session, item.id, item.lease_token) is True
    with rt.db.session() as session:
        assert work.complete(session, item.id, item.lease_token) is False
    with rt.db.read() as session:
        assert session.get(WorkItem, item.id).state == "done"
    assert _claim(rt) is None


def test_failure_retries_with_backoff_then_dead_letters(rt: Runtime) -> None:
    _enqueue(rt, max_attempts=2)
    item = _claim(rt)
    with rt.db.session() as session:
        state = work.fail(
            session, item.id, item.lease_token, "boom", backoff_base_s=10, backoff_max_s=60
        )
    assert state == "pending"
    assert _claim(rt) is None  # backing off
    retry = _claim(rt, now=utcnow() + timedelta(seconds=11))
    assert retry is not None and retry.attempts == 2
    with rt.db.session() as session:
        state = work.fail(
            session, retry.id, retry.lease_token, "boom", backoff_base_s=10, backoff_max_s=60
        )
    assert state == "dead"
    assert _claim(rt, now=utcnow() + timedelta(hours=1)) is None


def test_lease_expiring_on_the_last_attempt_dead_letters(rt: Runtime) -> None:
    _enqueue(rt, max_attempts=1)
    item = _claim(rt, lease=1)
    later = utcnow() + timedelta(seconds=5)
    assert _claim(rt, now=later) is None
    with rt.db.session() as session:
        assert len(work.bury_exhausted(session, ("jobs",), now=later)) == 1
    with rt.db.read() as session:
        assert session.get(WorkItem, item.id).state == "dead"


def test_release_makes_the_item_due_again(rt: Runtime) -> None:
    _enqueue(rt)
    item = _claim(rt, "w1")
    with rt.db.session() as session:
        work.release(session, item.id, item.lease_token)
    again = _claim(rt, "w2")
    assert again is not None and again.id == item.id and again.attempts == 1


def test_cancel_for_account_revokes_live_leases(rt: Runtime) -> None:
    with rt.db.session() as session:
        work.enqueue(session, queue="jobs", kind="k", subject_id="s", account_id="acct")
    item = _claim(rt)
    with rt.db.session() as session:
        assert work.cancel_for_account(session, "acct", "consent withdrawn") == 1
    with rt.db.session() as session, pytest.raises(work.LeaseLost):
        work.complete(session, item.id, item.lease_token)


def test_concurrent_claimers_never_share_an_item(rt: Runtime) -> None:
    ids = _enqueue(rt, n=60)
    claimed: list[str] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    db = Database(rt.db.url)  # a second engine, like another process

    def claimer(name: str, database: Database) -> None:
        try:
            while True:
                with database.session() as session:
                    item = work.claim(session, queue="jobs", owner=name, lease_seconds=60)
                    if item is None:
                        return
                    with lock:
                        claimed.append(item.id)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [
        threading.Thread(target=claimer, args=(f"w{i}", db if i % 2 else rt.db)) for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.dispose()
    assert not errors
    assert sorted(claimed) == sorted(ids)  # every item once, none twice


def test_a_cached_claim_statement_takes_fresh_parameters_each_call(rt: Runtime) -> None:
    # The filter's shape is built once under its cache key; its values must never be frozen in.
    import sqlalchemy as sa

    _enqueue(rt, 3)
    wanted = WorkItem.subject_id == sa.bindparam("wanted_subject")
    claimed = []
    for subject in ("s2", "s0"):
        with rt.db.session() as session:
            item = work.claim(
                session, queue="jobs", owner=f"for-{subject}", lease_seconds=30,
                extra_filter=wanted, filter_params={"wanted_subject": subject},
                cache_key="test-by-subject",
            )  # fmt: skip
            assert item is not None
            claimed.append((item.subject_id, item.owner))
    assert claimed == [("s2", "for-s2"), ("s0", "for-s0")]


def test_an_expired_lease_is_reclaimed_ahead_of_a_backlog(rt: Runtime) -> None:
    """A killed worker's job must not wait behind every pending job for its turn."""
    _enqueue(rt, 30)
    stranded = _claim(rt, "killed", lease=30)
    later = utcnow() + timedelta(seconds=31)
    reclaimed = _claim(rt, "w2", now=later)
    assert reclaimed is not None and reclaimed.id == stranded.id and reclaimed.attempts == 2
    assert _claim(rt, "w3", now=later).id != stranded.id  # then the backlog, in order


def test_exhausted_leases_are_dead_lettered_on_every_queue(rt: Runtime) -> None:
    with rt.db.session() as session:
        for queue in ("jobs", "review", "gold"):
            work.enqueue(
                session, queue=queue, kind="k", subject_id=queue, account_id=None, max_attempts=1
            )
    now = utcnow()
    with rt.db.session() as session:
        for queue in ("jobs", "review", "gold"):
            work.claim(session, queue=queue, owner="gone", lease_seconds=5, now=now)
    with rt.db.session() as session:
        buried = work.bury_exhausted(session, now=now + timedelta(seconds=6))
    assert sorted(b.queue for b in buried) == ["gold", "jobs", "review"]
    with rt.db.read() as session:
        states = session.execute(sa.select(WorkItem.state)).scalars().all()
    assert states == ["dead"] * 3
