"""Assignment rules of the review lease, enforced in the claim itself."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa

from tests.support.review import add_reviewer, make_clips
from voxguard.consent.service import change_consent, get_account
from voxguard.db.base import utcnow
from voxguard.db.models import AuditEvent, Exposure, WorkItem
from voxguard.db.session import Database
from voxguard.review.assignment import allowed_data_regions, lease_next
from voxguard.runtime import Runtime


def _lease(rt: Runtime, user, settings=None):  # type: ignore[no-untyped-def]
    with rt.db.session() as session:
        return lease_next(session, settings or rt.settings, user)


def _finish(rt: Runtime, task) -> None:  # type: ignore[no-untyped-def]
    with rt.db.session() as session:
        session.execute(sa.update(WorkItem).where(WorkItem.id == task.task_id).values(state="done"))


def test_returns_none_when_nothing_is_due(rt: Runtime) -> None:
    assert _lease(rt, add_reviewer(rt)) is None


def test_a_reload_gets_the_same_live_lease(rt: Runtime) -> None:
    make_clips(rt, 2)
    user = add_reviewer(rt)
    first = _lease(rt, user)
    again = _lease(rt, user)
    assert first is not None and again.task_id == first.task_id


def test_lease_length_is_the_larger_of_minimum_and_four_times_the_clip(make_settings) -> None:  # type: ignore[no-untyped-def]
    from voxguard.runtime import build_runtime

    rt = build_runtime(make_settings(max_duration_s=60))
    try:
        make_clips(rt, 1, seconds=40.0)
        task = _lease(rt, add_reviewer(rt))
        assert task.lease_seconds == 160
        expected = utcnow() + timedelta(seconds=160)
        assert abs((task.lease_expires_at - expected).total_seconds()) < 5
    finally:
        rt.close()


def test_never_the_same_clip_twice_and_blind_overlap(rt: Runtime) -> None:
    make_clips(rt, 1)  # two passes of one clip
    alice, bob = add_reviewer(rt), add_reviewer(rt)
    a = _lease(rt, alice)
    _finish(rt, a)
    assert _lease(rt, alice) is None  # the sibling pass is for someone else
    b = _lease(rt, bob)
    assert b is not None and b.utterance_id == a.utterance_id and b.task_id != a.task_id


def test_at_most_k_clips_of_one_account_per_reviewer(rt: Runtime) -> None:
    make_clips(rt, 5)
    make_clips(rt, 1, account_ref="ACCT-2", serial="SN-2")
    user = add_reviewer(rt)
    seen_accounts = []
    while (task := _lease(rt, user)) is not None:
        _finish(rt, task)
        with rt.db.read() as session:
            seen_accounts.append(
                session.execute(
                    sa.select(Exposure.account_id).where(Exposure.work_item_id == task.task_id)
                ).scalar_one()
            )
    counts = {a: seen_accounts.count(a) for a in set(seen_accounts)}
    assert sorted(counts.values()) == [1, rt.settings.reviewer_account_cap_30d]


def test_the_cap_window_is_thirty_days(rt: Runtime) -> None:
    make_clips(rt, 5)
    user = add_reviewer(rt)
    for _ in range(3):
        _finish(rt, _lease(rt, user))
    assert _lease(rt, user) is None
    with rt.db.session() as session:
        session.execute(sa.update(Exposure).values(exposed_at=utcnow() - timedelta(days=31)))
    assert _lease(rt, user) is not None


def test_data_residency(rt: Runtime) -> None:
    make_clips(rt, 1, region="eu")
    assert _lease(rt, add_reviewer(rt, region="us")) is None
    assert _lease(rt, add_reviewer(rt, region="eu")) is not None


def test_residency_map_can_open_a_region_to_others(rt: Runtime) -> None:
    settings = rt.settings.model_copy(update={"residency": {"us": ["us", "eu"], "eu": ["eu"]}})
    assert allowed_data_regions(settings, "eu") == ["eu", "us"]
    assert allowed_data_regions(settings, "us") == ["us"]
    assert allowed_data_regions(settings, "apac") == ["apac"]


def test_opted_out_clip_is_never_handed_out_even_if_a_task_survived(rt: Runtime) -> None:
    make_clips(rt, 1)
    with rt.db.session() as session:
        change_consent(
            session,
            get_account(session, "ACCT-1"),
            review="opted_out",
            store=None,
            source="test",
            actor="t",
        )
        # Defence in depth: even a task that somehow stayed pending is not handed out.
        session.execute(
            sa.update(WorkItem).where(WorkItem.queue == "review").values(state="pending")
        )
    assert _lease(rt, add_reviewer(rt)) is None


def test_expired_lease_returns_the_task_to_the_queue(rt: Runtime) -> None:
    make_clips(rt, 1)
    alice, bob, carol = add_reviewer(rt), add_reviewer(rt), add_reviewer(rt)
    a = _lease(rt, alice)
    b = _lease(rt, bob)
    assert _lease(rt, carol) is None  # both passes out
    with rt.db.session() as session:
        session.execute(
            sa.update(WorkItem)
            .where(WorkItem.id == a.task_id)
            .values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )
    c = _lease(rt, carol)
    assert c is not None and c.task_id == a.task_id and b.task_id != a.task_id


def test_concurrent_reviewers_never_hold_one_task(rt: Runtime) -> None:
    make_clips(rt, 6, account_ref="A1", serial="S1")
    make_clips(rt, 6, account_ref="A2", serial="S2")
    reviewers = [add_reviewer(rt) for _ in range(8)]
    held: list[tuple[str, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    other = Database(rt.db.url)

    def run(user, db) -> None:  # type: ignore[no-untyped-def]
        try:
            while True:
                with db.session() as session:
                    task = lease_next(session, rt.settings, user)
                    if task is None:
                        return
                    session.execute(
                        sa.update(WorkItem).where(WorkItem.id == task.task_id).values(state="done")
                    )
                with lock:
                    held.append((task.task_id, user.id))
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=(u, other if i % 2 else rt.db))
        for i, u in enumerate(reviewers)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.dispose()
    assert not errors, errors
    tasks = [t for t, _ in held]
    assert len(tasks) == len(set(tasks)) == 24  # 12 clips x 2 passes, each task once
    with rt.db.read() as session:
        pairs = session.execute(sa.select(Exposure.reviewer_id, Exposure.utterance_id)).all()
    assert len(pairs) == len(set(pairs))


def test_a_task_whose_last_lease_expired_is_dead_lettered_and_counted(rt: Runtime) -> None:
    """After its final lease runs out a task is buried by the worker: nobody can lease it,
    and ``status`` counts it apart from pending work."""
    from voxguard.processing.worker import work
    from voxguard.status import system_status

    make_clips(rt, 1)
    first, second = add_reviewer(rt), add_reviewer(rt)
    task = _lease(rt, first)
    with rt.db.session() as session:  # as after max_attempts expiries
        item = session.get(WorkItem, task.task_id)
        item.attempts = item.max_attempts
        item.lease_expires_at = utcnow() - timedelta(seconds=1)
    sibling = _lease(rt, second)  # the clip's other pass; never the exhausted task
    assert sibling is not None and sibling.task_id != task.task_id
    work(rt.db, rt.vault, rt.settings, stop=threading.Event(), drain=True)
    assert _lease(rt, add_reviewer(rt)) is None
    with rt.db.read() as session:
        item = session.get(WorkItem, task.task_id)
        assert item.state == "dead" and item.lease_token is None
        actions = session.execute(
            sa.select(AuditEvent.action).where(AuditEvent.target == f"task:{task.task_id}")
        ).scalars()
        assert "work.dead_lettered" in list(actions)
    status = system_status(rt)
    assert status["review_dead"] == 1
    assert status["review_pending"] == 1  # the clip's second pass, not the buried one
