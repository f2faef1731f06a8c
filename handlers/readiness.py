"""Readiness (`/readyz`): can the bot serve Slack now? `/healthz` only says the process lives.

Ready means: the database answers (in both modes) and, in Socket Mode, a link to Slack is up
(without one the bot is deaf, however alive). A container platform takes a not-ready bot out
of rotation, or waits for it, rather than restarting it.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from typing import Any, Protocol

from sqlalchemy import text

from handlers import texts

log = logging.getLogger(__name__)
DB_TIMEOUT = 2.0  # seconds the database gets to answer SELECT 1


class Link(Protocol):
    """What readiness needs of a Slack link (handlers.socket_mode.SocketLink)."""

    @property
    def connected(self) -> bool: ...

    @property
    def reason(self) -> str: ...


class Readiness:
    """`check()` → (ready, reason): the reason, in Swedish, says what is missing."""

    def __init__(self, db: Any, link: Link | None = None, *, db_timeout: float = DB_TIMEOUT):
        self.db = db
        self.link = link
        self.db_timeout = db_timeout
        self._lock = threading.Lock()
        self._pending: Future[None] | None = None  # a database check that has not come back

    def check(self) -> tuple[bool, str]:
        if self.link is not None and not self.link.connected:
            return False, self.link.reason or texts.NOT_READY_SOCKET_LOST
        if not self._database_answers():
            return False, texts.NOT_READY_DB
        return True, "ok"

    def _database_answers(self) -> bool:
        """SELECT 1 within `db_timeout`, on a thread of its own: a database that hangs makes the
        check say no in time instead of hanging the request. At most one such check runs; while
        it has not come back, the answer stays no."""
        with self._lock:
            if self._pending is not None and not self._pending.done():
                return False
            future: Future[None] = Future()
            self._pending = future
        threading.Thread(target=self._select_one, args=(future,), daemon=True).start()
        try:
            future.result(timeout=self.db_timeout)
            return True
        except Exception as error:
            log.warning("readiness: the database did not answer (%s)", type(error).__name__)
            return False

    def _select_one(self, future: Future[None]) -> None:
        try:
            with self.db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            future.set_result(None)
        except BaseException as error:
            future.set_exception(error)
