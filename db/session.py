"""Engine and session factory. Callers own the transaction: `with sessions.begin() as s:`."""

from __future__ import annotations

import os
import threading
import weakref
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

try:
    import fcntl
except ImportError:  # not POSIX: SQLite's own busy handler does the queueing
    fcntl = None


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Up to 25 connections: gunicorn's 16 threads each hold one for a request, and the
        # default 5 + 10 left the sixteenth waiting for a free one.
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               pool_size=5, max_overflow=20)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # The worker and the web app share the file: WAL lets readers and one writer coexist.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def make_sessions(url_or_engine: str | Engine) -> sessionmaker[Session]:
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    return sessionmaker(engine, expire_on_commit=False)


class WriterTurn:
    """SQLite takes one writer at a time, and a writer that finds the file locked sleeps in
    growing steps (up to 100 ms) before it tries again. With a dozen activity threads and a web
    app writing to the same file that made a convoy: throughput fell and a decision's redirect
    could wait a second. Writers here queue instead: on a lock within the process, then on a file
    lock beside the database across processes, and each wakes the moment the previous one ends."""

    def __init__(self, db_file: str) -> None:
        self._path = f"{db_file}.writer-lock"
        self._in_process = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def __enter__(self) -> None:
        self._in_process.acquire()
        try:
            fcntl.flock(self._lock_file(), fcntl.LOCK_EX)
        except BaseException:
            self._in_process.release()
            raise

    def __exit__(self, *_exc) -> None:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._in_process.release()

    def _lock_file(self) -> int:
        if self._fd is None or self._pid != os.getpid():  # a forked child needs its own
            self._fd, self._pid = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
        return self._fd


_TURNS: weakref.WeakKeyDictionary[Engine, AbstractContextManager] = weakref.WeakKeyDictionary()


def writer_turn(sessions: sessionmaker[Session] | Engine) -> AbstractContextManager:
    """Hold it around a writing transaction. PostgreSQL locks rows, not the database: no-op."""
    engine = sessions if isinstance(sessions, Engine) else sessions.kw.get("bind")
    if engine is None:
        return nullcontext()
    if engine not in _TURNS:
        db_file = engine.url.database if engine.dialect.name == "sqlite" else None
        usable = fcntl is not None and db_file and db_file != ":memory:"
        _TURNS[engine] = WriterTurn(db_file) if usable else nullcontext()
    return _TURNS[engine]
