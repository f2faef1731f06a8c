"""Engine, sessions and migrations for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)
# Set while this thread (or task) holds a write transaction: on SQLite that is the one write
# lock of the whole database, on PostgreSQL row locks. Nothing slow may happen then.
_WRITING: ContextVar[bool] = ContextVar("writing", default=False)
# Set (to anything) in the tests: a call that must not happen inside a write transaction
# raises there; in production it is logged as an error with its stack, and goes ahead.
STRICT_ENV = "LEDNINGSBOT_STRICT_CALLS"


class CallInWriteTransaction(RuntimeError):
    """A call to the outside world (Slack, the network) made while a write transaction is open."""


def in_write_transaction() -> bool:
    return _WRITING.get()


def outside_write_transaction(what: str) -> None:
    """Call before anything that waits on the outside world (a Slack Web API call).

    Holding the write lock across such a call makes every other writer wait for Slack: with
    `users.info` answering 429 and Retry-After 15 s, other people's /beslut got "database is
    locked" after 30 s. Resolve what is needed before the transaction begins.
    """
    if not _WRITING.get():
        return
    if os.environ.get(STRICT_ENV):
        raise CallInWriteTransaction(f"{what} inside a write transaction")
    log.error("%s inside a write transaction", what, stack_info=True)


def normalise_url(url: str) -> str:
    """Accept the URL forms people paste (postgres://, postgresql://) and pick our drivers."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    make_url(url)  # raises ArgumentError on nonsense
    return url


class QueryCounter:
    """Counts the SQL statements executed, per thread, so tests can assert queries per command."""

    def __init__(self) -> None:
        self._local = threading.local()
        self.total = 0

    def __call__(self, *_args: Any) -> None:
        self.total += 1
        self._local.count = getattr(self._local, "count", 0) + 1

    @property
    def here(self) -> int:
        return int(getattr(self._local, "count", 0))


class Database:
    """One engine and the unit-of-work helper every command uses."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo}
        if self.dialect == "sqlite":
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            if parsed.database in (None, "", ":memory:"):
                kwargs["poolclass"] = StaticPool
        else:
            kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=20)
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        # Writers take the write lock when they begin (SQLite: BEGIN IMMEDIATE), so two
        # commands never read the same "next number" and collide at commit.
        self._writer: Engine = self.engine.execution_options(sqlite_immediate=True)
        self.queries = QueryCounter()
        event.listen(self.engine, "before_cursor_execute", self.queries)

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error.

        `write=True` for commands that write: on SQLite it holds the write lock from the start.
        """
        token = _WRITING.set(True) if write else None
        try:
            with Session(self._writer if write else self.engine, expire_on_commit=False) as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        finally:
            if token is not None:
                _WRITING.reset(token)

    def serialise(self, session: Session, key: str) -> None:
        serialise(session, key)

    def upgrade(self) -> None:
        """Apply pending migrations (Alembic), up to head."""
        from alembic import command

        with self.engine.begin() as connection:
            config = alembic_config(self.url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def is_current(self) -> bool:
        """True when every migration has been applied."""
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(alembic_config(self.url))
        with self.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
        return current == set(script.get_heads())

    def dispose(self) -> None:
        self.engine.dispose()


def serialise(session: Session, key: str) -> None:
    """Let one transaction at a time past this point for `key` (e.g. numbering a series).

    PostgreSQL: a transaction-scoped advisory lock. SQLite: writers already run one at a time.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _sqlite_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get("sqlite_immediate")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Transactions are begun by _sqlite_begin, not implicitly by the driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
