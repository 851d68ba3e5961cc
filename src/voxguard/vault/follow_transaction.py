"""Object-store changes that follow the database transaction they belong to.

A blob is two things: its row (with the key salt that makes it readable) and its object in the
store. The store is not transactional, so each change to it is put where a failed transaction
cannot leave the two disagreeing:

- deleting an object (a shredded blob, an erased account) waits for the commit. Until then the
  row still says the blob is live, and a rollback must find its object there. Once committed the
  key material is gone, so the object is noise even if the process dies before it is deleted;
- an object written inside a transaction (``Vault.put``) is removed again if that transaction
  rolls back: no row will ever point at it.

The actions are kept in ``session.info`` and run by two listeners on every ``Session``: after the
outermost transaction commits, the commit's; after it rolls back, the rollback's. Registering
one begins the transaction if none has, so the unit of work's end always settles it. A failed
delete is logged, not raised: the commit has happened and the object is already unreadable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

_ON_COMMIT = "vault.on_commit"
_ON_ROLLBACK = "vault.on_rollback"

Action = Callable[[], None]


def after_commit(session: Session, action: Action) -> None:
    """Run ``action`` once the session's current transaction commits (never if it rolls back)."""
    _pending(session, _ON_COMMIT).append(action)


def after_rollback(session: Session, action: Action) -> None:
    """Run ``action`` if the session's current transaction rolls back (never if it commits)."""
    _pending(session, _ON_ROLLBACK).append(action)


def _pending(session: Session, when: str) -> list[Action]:
    # The action belongs to a transaction: begin it now, so that a unit of work that fails
    # before its first statement still ends in a rollback that runs the action.
    if not session.in_transaction():
        session.begin()
    return session.info.setdefault(when, [])


def _run(actions: list[Action], when: str) -> None:
    for action in actions:
        try:
            action()
        except Exception:  # the database is settled; the store is best effort from here
            log.warning("object-store action %s failed", when, exc_info=True)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop(_ON_ROLLBACK, None)
    _run(session.info.pop(_ON_COMMIT, []), "after commit")


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is not None:  # a savepoint or subtransaction: not settled yet
        return
    session.info.pop(_ON_COMMIT, None)
    _run(session.info.pop(_ON_ROLLBACK, []), "after rollback")
