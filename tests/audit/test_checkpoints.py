"""Signed checkpoints: an insider who rewrites the database cannot make `verify` pass.

Each tamper case is one an attacker with write access to the database (but not to the
checkpoint log or the master key) can do: edit an event and recompute every later hash and the
head, cut the tail and rewrite the head to match, or delete the head row with the events.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from voxguard import audit
from voxguard.audit.chain import GENESIS_HASH, _body, event_hash
from voxguard.audit.checkpoints import read_checkpoints
from voxguard.db.models import AuditEvent, AuditHead
from voxguard.processing.worker import work
from voxguard.runtime import Runtime


def _append(rt: Runtime, n: int) -> None:
    with rt.db.session() as session:
        for i in range(n):
            audit.record(session, actor="test", action="thing.done", target=f"t:{i}", details={})


def _log(rt: Runtime) -> Path:
    return rt.settings.resolved_audit_checkpoint_file


def _checkpoint(rt: Runtime) -> audit.Checkpoint:
    with rt.db.lookup() as session:
        return audit.write_checkpoint(session, rt.checkpoint_signer, _log(rt))


def _verify(rt: Runtime) -> tuple[int, audit.ChainBreak | None]:
    latest = audit.latest_checkpoint(_log(rt), rt.checkpoint_signer.public_key)
    with rt.db.read() as session:
        return audit.verify_chain(session, latest)


def _rehash_from(session: sa.orm.Session, first_seq: int) -> None:
    """What an insider would do after editing event ``first_seq``: recompute the rest."""
    events = session.execute(sa.select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
    prev = GENESIS_HASH
    for event in events:
        if event.seq >= first_seq:
            event.prev_hash = prev
            body = _body(
                event.seq, event.at, event.actor, event.action, event.target,
                event.account_id, event.details,
            )  # fmt: skip
            event.hash = event_hash(prev, body)
        prev = event.hash
    head = session.get(AuditHead, 1)
    head.seq, head.hash = events[-1].seq if events else 0, prev


def test_an_intact_chain_agrees_with_its_checkpoint(rt: Runtime) -> None:
    _append(rt, 5)
    written = _checkpoint(rt)
    _append(rt, 3)  # events after the checkpoint are fine
    assert (written.seq, _verify(rt)) == (5, (8, None))


def test_an_edit_re_hashed_to_the_end_fails_against_the_checkpoint(rt: Runtime) -> None:
    _append(rt, 6)
    _checkpoint(rt)
    with rt.db.session() as session:
        session.execute(sa.update(AuditEvent).where(AuditEvent.seq == 2).values(actor="nobody"))
        session.flush()
        _rehash_from(session, 2)
    with rt.db.read() as session:
        assert audit.verify_chain(session) == (6, None)  # consistent in itself
    _, problem = _verify(rt)
    assert problem is not None and problem.seq == 6 and "re-hashed" in problem.problem


def test_a_cut_tail_with_a_rewritten_head_fails_against_the_checkpoint(rt: Runtime) -> None:
    _append(rt, 6)
    _checkpoint(rt)
    with rt.db.session() as session:
        session.execute(sa.delete(AuditEvent).where(AuditEvent.seq > 4))
        _rehash_from(session, 99)  # only the head: now it says 4
    _, problem = _verify(rt)
    assert (
        problem is not None and "truncated" in problem.problem and "checkpoint" in problem.problem
    )


@pytest.mark.parametrize("keep", [3, 0])
def test_a_deleted_head_row_fails_even_without_a_checkpoint(rt: Runtime, keep: int) -> None:
    _append(rt, 5)
    with rt.db.session() as session:
        session.execute(sa.delete(AuditEvent).where(AuditEvent.seq > keep))
        session.execute(sa.delete(AuditHead))
    with rt.db.read() as session:
        count, problem = audit.verify_chain(session)
    assert count == keep and problem is not None and "audit_head row is missing" in problem.problem


def test_a_forged_or_reordered_checkpoint_log_is_refused(rt: Runtime) -> None:
    _append(rt, 3)
    _checkpoint(rt)
    _append(rt, 2)
    _checkpoint(rt)
    lines = _log(rt).read_text().splitlines()
    forged = json.loads(lines[1])
    forged["seq"] = 2  # shrink the signed head to hide a cut tail
    _log(rt).write_text(lines[0] + "\n" + json.dumps(forged) + "\n")
    with pytest.raises(audit.CheckpointLogInvalid, match="bad signature"):
        _verify(rt)
    _log(rt).write_text(lines[1] + "\n" + lines[0] + "\n")
    with pytest.raises(audit.CheckpointLogInvalid, match="goes back"):
        _verify(rt)


def test_a_checkpoint_signed_with_another_key_is_refused(rt: Runtime) -> None:
    _append(rt, 2)
    stranger = audit.CheckpointSigner(b"s" * 32)
    with rt.db.lookup() as session:
        audit.write_checkpoint(session, stranger, _log(rt))
    with pytest.raises(audit.CheckpointLogInvalid, match="bad signature"):
        read_checkpoints(_log(rt), rt.checkpoint_signer.public_key)


def test_the_worker_writes_checkpoints_only_when_the_head_moved(rt: Runtime) -> None:
    _append(rt, 4)
    work(rt.db, rt.vault, rt.settings, stop=threading.Event(), drain=True)
    checkpoints = read_checkpoints(_log(rt), rt.checkpoint_signer.public_key)
    assert [c.seq for c in checkpoints] == [4]
    now = [0.0]
    schedule = audit.CheckpointSchedule(
        rt.db, rt.checkpoint_signer, _log(rt), 300, clock=lambda: now[0]
    )
    assert schedule() is not None  # due at once (a new process)
    now[0] = 400.0
    assert schedule() is None  # due, but the head has not moved
    _append(rt, 1)
    now[0] = 410.0
    assert schedule() is None  # the head moved, but not due yet
    now[0] = 800.0
    written = schedule()
    assert written is not None and written.seq == 5
