"""``INSERT … ON CONFLICT`` for whichever database the session is bound to.

PostgreSQL and SQLite spell it the same way in SQL but SQLAlchemy keeps the construct per
dialect; callers ask here instead of choosing one themselves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_on_conflict(session: Session, model: Any) -> postgresql.Insert | sqlite.Insert:
    """An Insert for ``model`` offering ``on_conflict_do_nothing`` / ``on_conflict_do_update``."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)
