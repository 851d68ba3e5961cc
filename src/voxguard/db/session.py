"""Engines and sessions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool


class WriteGate:
    """Queues SQLite writers: a thread lock within the process, ``flock`` across processes.

    SQLite's own busy handler polls with sleeps of up to 100 ms, so waiting writers pile up
    latency; a lock that wakes the next writer the moment the last one commits does not.
    """

    def __init__(self, lock_path: Path | None) -> None:
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._file = open(lock_path, "a+b") if lock_path else None  # noqa: SIM115

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._thread_lock:
            self._depth += 1
            if self._depth == 1 and self._file:
                fcntl.flock(self._file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._file:
                    fcntl.flock(self._file, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._file:
            self._file.close()


class Database:
    """One engine and its session factory. Cheap to keep for the life of a process."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size)
        self.dialect = self.engine.dialect.name
        self._gate: WriteGate | None = None
        if self.dialect == "sqlite":
            database = make_url(url).database
            on_disk = database not in (None, "", ":memory:")
            self._gate = WriteGate(Path(f"{database}.writelock") if on_disk else None)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite: reads need no write lock, so they get an engine whose BEGIN is deferred.
        self.read_engine = (
            make_engine(url, pool_size=pool_size, immediate=False)
            if self.dialect == "sqlite"
            else self.engine
        )
        self._read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)
        # A lookup of one statement needs no transaction: on PostgreSQL, autocommit saves the
        # BEGIN and ROLLBACK round trips (the session check of every request is one of these).
        self._lookup_sessions = (
            sessionmaker(
                self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                expire_on_commit=False,
            )
            if self.dialect == "postgresql"
            else self._read_sessions
        )

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any exception."""
        with self._gate.held() if self._gate else nullcontext():
            session = self._sessions()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work (never takes SQLite's write lock; nothing is committed).

        Closing ends the transaction and detaches loaded objects with their values intact.
        """
        session = self._read_sessions()
        session.info["read_only"] = True  # e.g. the audit log refuses to record here
        try:
            yield session
        finally:
            session.close()

    @contextmanager
    def lookup(self) -> Iterator[Session]:
        """``read`` for a single statement: no snapshot across statements, no transaction."""
        session = self._lookup_sessions()
        session.info["read_only"] = True
        try:
            yield session
        finally:
            session.close()

    def purge_deleted_pages(self) -> bool:
        """After an erasure: leave no old copy of a deleted row in SQLite's write-ahead log.

        Checkpoints the WAL into the database file (whose freed pages ``secure_delete`` zeroed)
        and truncates it. Returns False when a reader held an old snapshot, so part of the log
        stayed; the retention sweep tries again. PostgreSQL needs nothing here: a dump never
        holds deleted rows.
        """
        if self.dialect != "sqlite":
            return True
        # Outside any transaction (the driver connection runs in autocommit mode here).
        with self._gate.held() if self._gate else nullcontext():
            raw = self.engine.raw_connection()
            try:
                busy, _log, _done = (
                    raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                )
            finally:
                raw.close()
        return not busy

    def dispose(self) -> None:
        self.engine.dispose()
        if self._gate:
            self._gate.close()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


def make_engine(url: str, *, pool_size: int = 10, immediate: bool = True) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, immediate=immediate)
    kwargs: dict[str, Any] = {
        # Recycle rather than ping: a ping is one more round trip on every checkout.
        "pool_recycle": 300,
        "pool_size": pool_size,
        "max_overflow": 2 * pool_size,
    }
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # psycopg prepares a statement on its 5th run; PostgreSQL then soon switches to a generic
        # plan, which for the review claim (ranges on timestamps, per-reviewer subqueries) is
        # 20x slower than a plan made for the actual values. Prepared, but planned per run.
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_custom_plan")
        dbapi_connection.commit()

    return engine


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    in_memory = database in (None, "", ":memory:")
    # Enough pooled connections for the web thread pool, so none is reopened (with its PRAGMAs).
    pool = {"poolclass": NullPool} if in_memory else {"pool_size": 40, "max_overflow": 40}
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, issue BEGIN, so we can make it IMMEDIATE below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Deleted rows are overwritten with zeros, not left readable in free pages: an erased
        # person must not survive in the database file (see purge_deleted_pages for the WAL).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # SQLite has one writer. Taking the write lock at BEGIN means a transaction never reads
        # state another writer changes before it commits (the lease and audit chain rely on it).
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
