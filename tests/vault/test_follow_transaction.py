"""Object-store changes follow the transaction of their blob rows, on both databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.support.audio import tone_wav
from tests.support.client import app_client, post_utterance
from tests.support.world import make_device
from voxguard.db.models import Blob
from voxguard.runtime import Runtime
from voxguard.vault.follow_transaction import after_commit, after_rollback


class Boom(Exception):
    pass


def _one_blob(rt: Runtime) -> Blob:
    device = make_device(rt, "ACCT-1", "SN-1")
    with app_client(rt) as client:
        post_utterance(client, device.token, tone_wav(0.5), device.metadata("u0"))
    with rt.db.read() as session:
        return session.execute(sa.select(Blob)).scalars().one()


def _put_beside(rt: Runtime, session: Session, blob: Blob) -> Blob:
    """A second object of the same utterance, as a re-bleeped review copy is."""
    return rt.vault.put(
        session,
        account_id=blob.account_id,
        utterance_id=blob.utterance_id,
        kind="review_copy",
        plaintext=b"RIFF and more",
    )


def test_a_shred_that_rolls_back_leaves_the_blob_readable(rt: Runtime) -> None:
    blob = _one_blob(rt)
    with pytest.raises(Boom), rt.db.session() as session:
        row = session.get(Blob, blob.id)
        assert row is not None
        rt.vault.shred_blob(session, row, actor="test", reason="test")
        raise Boom  # e.g. the clip's lease was lost before the commit
    assert rt.vault.store.exists(blob.store_key)
    with rt.db.read() as session:
        assert rt.vault.get(session, session.get(Blob, blob.id))[:4] == b"RIFF"


def test_a_committed_shred_deletes_the_object(rt: Runtime) -> None:
    blob = _one_blob(rt)
    with rt.db.session() as session:
        rt.vault.shred_blob(session, session.get(Blob, blob.id), actor="test", reason="test")
        assert rt.vault.store.exists(blob.store_key)  # not before the commit
    assert not rt.vault.store.exists(blob.store_key)


def test_an_erasure_that_rolls_back_keeps_the_accounts_objects(rt: Runtime) -> None:
    blob = _one_blob(rt)
    with pytest.raises(Boom), rt.db.session() as session:
        rt.vault.shred_account(session, blob.account_id, actor="test", reason="test")
        raise Boom
    with rt.db.read() as session:
        assert rt.vault.get(session, session.get(Blob, blob.id))[:4] == b"RIFF"


def test_an_object_put_in_a_transaction_that_rolls_back_is_removed(rt: Runtime) -> None:
    blob = _one_blob(rt)
    with pytest.raises(Boom), rt.db.session() as session:
        new = _put_beside(rt, session, blob)
        assert rt.vault.store.exists(new.store_key)
        raise Boom
    assert not rt.vault.store.exists(new.store_key)
    with rt.db.session() as session:
        kept = _put_beside(rt, session, blob)
    assert rt.vault.store.exists(kept.store_key)


def test_actions_wait_for_the_outermost_transaction_and_run_once(rt: Runtime) -> None:
    ran: list[str] = []
    with rt.db.session() as session:
        session.execute(sa.text("SELECT 1"))
        after_commit(session, lambda: ran.append("commit"))
        after_rollback(session, lambda: ran.append("rollback"))
        savepoint = session.begin_nested()
        savepoint.rollback()  # a savepoint settles nothing
        assert ran == []
    assert ran == ["commit"]
    with rt.db.session() as session:  # a later transaction of a new session starts clean
        session.execute(sa.text("SELECT 1"))
    assert ran == ["commit"]


def test_a_failing_store_after_commit_does_not_undo_the_commit(
    rt: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    blob = _one_blob(rt)

    def broken() -> None:
        raise OSError("store unreachable")

    with rt.db.session() as session:
        rt.vault.shred_blob(session, session.get(Blob, blob.id), actor="test", reason="test")
        after_commit(session, broken)
    with rt.db.read() as session:
        assert session.get(Blob, blob.id).key_salt is None
    assert "store unreachable" in caplog.text


def test_an_action_registered_before_any_statement_still_runs(rt: Runtime) -> None:
    """A unit of work that fails before its first statement still rolls back its actions."""
    ran: list[str] = []
    with pytest.raises(Boom), rt.db.session() as session:
        after_rollback(session, lambda: ran.append("rollback"))
        raise Boom
    with rt.db.session() as session:
        after_commit(session, lambda: ran.append("commit"))
    assert ran == ["rollback", "commit"]
