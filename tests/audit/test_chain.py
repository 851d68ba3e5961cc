"""The audit chain: appends link up, and verification catches edit, deletion and reordering."""

from __future__ import annotations

import sqlalchemy as sa

from voxguard import audit
from voxguard.db.models import AuditEvent
from voxguard.runtime import Runtime


def _append(rt: Runtime, n: int) -> None:
    with rt.db.session() as session:
        for i in range(n):
            audit.record(
                session, actor="test", action="thing.done", target=f"t:{i}", details={"i": i}
            )


def _verify(rt: Runtime):  # type: ignore[no-untyped-def]
    with rt.db.read() as session:
        return audit.verify_chain(session)


def test_intact_chain_verifies(rt: Runtime) -> None:
    _append(rt, 5)
    count, problem = _verify(rt)
    assert problem is None
    assert count == 5


def test_rolled_back_action_leaves_no_event(rt: Runtime) -> None:
    _append(rt, 2)
    try:
        with rt.db.session() as session:
            audit.record(session, actor="test", action="x", target="t")
            raise RuntimeError("the action failed")
    except RuntimeError:
        pass
    _append(rt, 1)
    count, problem = _verify(rt)
    assert (count, problem) == (3, None)


def test_edit_is_detected(rt: Runtime) -> None:
    _append(rt, 5)
    with rt.db.session() as session:
        session.execute(sa.update(AuditEvent).where(AuditEvent.seq == 3).values(details='{"i":99}'))
    count, problem = _verify(rt)
    assert problem is not None and problem.seq == 3 and "edited" in problem.problem
    assert count == 2


def test_deletion_is_detected(rt: Runtime) -> None:
    _append(rt, 5)
    with rt.db.session() as session:
        session.execute(sa.delete(AuditEvent).where(AuditEvent.seq == 2))
    _, problem = _verify(rt)
    assert problem is not None and problem.seq == 2 and "missing" in problem.problem


def test_truncation_of_the_tail_is_detected(rt: Runtime) -> None:
    _append(rt, 5)
    with rt.db.session() as session:
        session.execute(sa.delete(AuditEvent).where(AuditEvent.seq == 5))
    _, problem = _verify(rt)
    assert problem is not None and "truncated" in problem.problem


def test_reordering_is_detected(rt: Runtime) -> None:
    _append(rt, 5)
    with rt.db.session() as session:
        for old, new in ((2, -2), (3, 2), (-2, 3)):  # swap the positions of events 2 and 3
            session.execute(sa.update(AuditEvent).where(AuditEvent.seq == old).values(seq=new))
    _, problem = _verify(rt)
    assert problem is not None and problem.seq == 2 and "reordered" in problem.problem


def test_events_of_one_transaction_keep_every_field_exactly(rt: Runtime) -> None:
    # PostgreSQL appends a transaction's events as arrays in one statement: text, NULLs,
    # non-ASCII and microseconds must come back byte for byte, or verification would fail.
    with rt.db.session() as session:
        audit.record(session, actor="user:zoë", action="a.one", target="t:1", account_id="acct")
        audit.record(session, actor="device:d", action="a.two", target="t:2", details={"ü": "ß"})
    with rt.db.read() as session:
        rows = session.execute(sa.select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
    assert [(e.actor, e.account_id, e.details) for e in rows] == [
        ("user:zoë", "acct", "{}"),
        ("device:d", None, '{"ü":"ß"}'),
    ]
    assert rows[0].at.microsecond or rows[1].at.microsecond  # sub-second precision kept
    assert _verify(rt) == (2, None)
