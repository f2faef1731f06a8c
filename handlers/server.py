"""The web server: Slack's requests on /slack/events, calendar feeds and /healthz, served by
waitress (HTTP/1.1 with keep-alive) in this process.

Waitress refuses a body over `MAX_BODY` with 413 as soon as it has read the headers (or, for
a chunked body, as soon as it has read that much), so nothing here ever holds a large body. A
request to /slack/events is checked here before Bolt sees it: a missing, malformed, stale or
wrong signature gets 401 (Bolt would answer some of those with 500, and logs the body of the
others). A signed request is taken once: a copy of it (the same signature and timestamp) sent
again within its five minutes gets 200 and nothing else, decided in the database so every
process of the bot agrees (`Replays`). `stop()` stops accepting, lets the requests in flight
finish, and returns.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from http import HTTPStatus
from typing import Any

from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import delete, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import create_server

from bot.calendar.feeds import FeedServer
from bot.core.clock import STOCKHOLM, SystemClock
from bot.core.context import Product
from handlers import texts
from handlers.app import Bot
from handlers.common import after_the_answer
from handlers.readiness import Readiness
from storage.db import Database
from storage.models import SeenRequest

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]
Environ = dict[str, Any]

MAX_BODY = 1024 * 1024  # bytes; Slack's largest requests (a full modal) are tens of kB
MAX_HEADERS = 64 * 1024  # bytes of request line and headers
THREADS = 4  # request threads: each verifies, dispatches and acks; the work runs in the pool
IDLE_TIMEOUT = 60  # seconds an idle keep-alive connection stays open
DRAIN_SECONDS = 10.0  # how long `stop` waits for requests in flight
SLACK_PATH = "/slack/events"
FEED_PREFIX = "/kalender/"
SIGNATURE_AGE = 5 * 60  # seconds: Slack's own rule (and Bolt's)
# A signed request's claim lives this long: its timestamp may be up to five minutes behind or
# ahead of our clock, so within ten minutes of arrival it can no longer pass the check.
KEEP_SEEN = timedelta(seconds=2 * SIGNATURE_AGE)
FORGET_EVERY = 60.0  # seconds between deletions of expired claims (one DELETE, by index)
_GET = "GET, HEAD"


def wsgi_app(
    bot: Bot | None,
    product_db: Any,
    product: Product | None = None,
    readiness: Readiness | None = None,
) -> Callable[[Environ, StartResponse], Iterable[bytes]]:
    slack = SlackRequestHandler(bot.bolt) if bot is not None else None
    secret = bot.signing_secret.encode() if bot is not None else b""
    # Calendar feeds need the product (database, clock, time zone), not Slack: in Socket Mode
    # there is no bot here. Without one passed in: the system clock and Stockholm time.
    if product is None:
        product = bot.product if bot is not None else Product(product_db, SystemClock(), STOCKHOLM)
    feeds = FeedServer(product)
    readiness = readiness or Readiness(product_db)
    replays = Replays(product_db)

    def application(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == SLACK_PATH and slack is not None:
            if method != "POST":
                return _answer(start_response, method, 405, texts.HTTP_METHOD, [("Allow", "POST")])
            body = _signed_body(environ, secret)
            if body is None:
                return _answer(start_response, method, 401, texts.HTTP_UNSIGNED)
            # A replay does nothing twice. Interactions may act before they answer (a form is
            # checked and saved in its answer): claimed first. A slash command only acks, and
            # its work waits for the pool: claimed after the ack, so the write lock is never
            # on the ack's path (benchmarks/ack --quick, SQLite, 20 clients: p99 284 → 120 ms).
            gate: Callable[[], bool] | None = None
            if body[:8] == b"payload=":
                if not replays.first_time(environ, body):
                    return _answer(start_response, method, 200, b"")
            else:
                gate = partial(replays.first_time, environ, body)
            environ["wsgi.input"] = io.BytesIO(body)
            writes: list[Callable[[bytes], object]] = []

            def start(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
                writes.append(start_response(status, headers, *exc))
                return writes[-1]

            pending: list[Callable[[], object]] = []
            try:
                with after_the_answer() as pending:
                    answer = slack(environ, start)
            except Exception:
                _Then([], [], pending, gate).close()  # what a listener took on still runs
                raise
            return _Then(answer, writes, pending, gate) if pending else answer
        if path in ("/healthz", "/readyz") or _is_feed(path):
            if method not in ("GET", "HEAD"):
                return _answer(start_response, method, 405, texts.HTTP_METHOD, [("Allow", _GET)])
            if path == "/healthz":  # alive (liveness)
                return _health(product_db, method, start_response)
            if path == "/readyz":  # serving: the database answers, and a Slack link is up
                return _ready(readiness, method, start_response)
            return _feed(feeds, environ, path, start_response)
        return _answer(start_response, method, 404, texts.HTTP_NOT_FOUND)

    return application


class _Then:
    """An answer that hands its work to the pool when the server closes it: PEP 3333 has the
    server call `close()` once it has the whole answer. Waitress has then sent a body, but
    not yet the headers of an empty one (an ack): `write(b"")` sends them first."""

    def __init__(
        self,
        answer: Iterable[bytes],
        writes: list[Callable[[bytes], object]],
        then: list[Callable[[], object]],
        gate: Callable[[], bool] | None = None,
    ) -> None:
        self.answer, self.writes, self.then = answer, writes, then
        self.gate = gate  # False: a replayed request; its work is not handed over again

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.answer)

    def close(self) -> None:
        close = getattr(self.answer, "close", None)
        if close is not None:
            close()
        try:
            if self.writes:
                self.writes[-1](b"")
        except Exception:  # the client is gone: the work was acked all the same
            log.info("an answer could not be sent", exc_info=True)
        if self.gate is not None and not self.gate():
            return
        for step in self.then:
            try:
                step()
            except Exception:
                log.exception("the work after an answer could not be started")


class _Closing:
    """An answer that says when the server has closed it (PEP 3333: once it is all sent)."""

    def __init__(self, answer: Iterable[bytes], closed: Callable[[], None]) -> None:
        self.answer, self.closed = answer, closed

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.answer)

    def close(self) -> None:
        try:
            close = getattr(self.answer, "close", None)
            if close is not None:
                close()
        finally:
            self.closed()


def _answer(
    start_response: StartResponse,
    method: str,
    status: int,
    body: bytes | str,
    headers: list[tuple[str, str]] | None = None,
) -> Iterable[bytes]:
    """RFC 9110: the Content-Length of the body a GET would get (HEAD too, with no body); none
    on a 304, which has no body (6.4.1, 8.6, 15.4.5)."""
    body = body.encode() if isinstance(body, str) else body
    headers = list(headers or [])
    if not any(name.lower() == "content-type" for name, _ in headers) and status != 304:
        headers.append(("Content-Type", "text/plain; charset=utf-8"))
    if status != 304:
        headers.append(("Content-Length", str(len(body))))
    phrase = HTTPStatus(status).phrase
    start_response(f"{status} {phrase}", headers)
    return [] if method == "HEAD" or status == 304 else [body]


def _signed_body(environ: Environ, secret: bytes) -> bytes | None:
    """The request body if Slack signed it (HMAC-SHA256 of `v0:{timestamp}:{body}`, at most
    five minutes old), else None. Every header shape is checked before use: missing, not a
    number, a number of any size, not ASCII. The body is read only when the headers pass."""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
    reason = None
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        reason = "no usable X-Slack-Request-Timestamp"
    elif abs(time.time() - int(timestamp)) > SIGNATURE_AGE:
        reason = "a stale or future X-Slack-Request-Timestamp"
    elif not (signature.isascii() and signature.startswith("v0=") and len(signature) == 67):
        reason = "no usable X-Slack-Signature"
    if reason is None:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:  # waitress checks it; belt and braces
            length = -1
        body = environ["wsgi.input"].read(length) if 0 <= length <= MAX_BODY else b""
        base = b"v0:" + timestamp.encode() + b":" + body
        expected = "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
        if secret and hmac.compare_digest(expected, signature):
            return body
        reason = "a signature that does not match"
    log.info("refused a request to %s: %s", SLACK_PATH, reason)  # never the body
    return None


class Replays:
    """Signed requests already taken, in the database (table seenrequest).

    The claim is the SHA-256 of signature and timestamp, inserted before Bolt sees the request;
    a second insert fails on the primary key: a replay. Commands and interactions (form bodies)
    are claimed. Events (JSON bodies) are not: the event-id ledger decides those whose work must
    not run twice (handlers.listeners.events), whether Slack re-signs a retry or not, and the
    rest are safe to repeat and cost no write. If the database cannot be written, the request
    goes ahead (logged): the command itself needs the database and will say so.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._forgotten_at = 0.0  # time.monotonic() of the last deletion of old claims
        self._lock = threading.Lock()

    def first_time(self, environ: Environ, body: bytes) -> bool:
        if body[:1] == b"{":  # the Events API
            return True
        signed = environ["HTTP_X_SLACK_SIGNATURE"] + ":" + environ["HTTP_X_SLACK_REQUEST_TIMESTAMP"]
        key = hashlib.sha256(signed.encode()).hexdigest()
        now = datetime.now(UTC)
        with self._lock:
            forget = time.monotonic() - self._forgotten_at > FORGET_EVERY
            if forget:
                self._forgotten_at = time.monotonic()
        try:
            with self.db.transaction(write=True) as session:
                if forget:
                    session.execute(
                        delete(SeenRequest).where(col(SeenRequest.seen_at) < now - KEEP_SEEN)
                    )
                session.add(SeenRequest(key=key, seen_at=now))
        except IntegrityError:
            log.warning("a signed request came again within its five minutes: not run twice")
            return False
        except Exception:
            log.exception("could not record a signed request; taking it all the same")
        return True


def _health(product_db: Any, method: str, start_response: StartResponse) -> Iterable[bytes]:
    try:
        with product_db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        log.exception("health check failed")
        return _answer(start_response, method, 503, texts.HTTP_DB_DOWN)
    return _answer(start_response, method, 200, "ok\n")


def _ready(readiness: Readiness, method: str, start_response: StartResponse) -> Iterable[bytes]:
    ready, reason = readiness.check()
    return _answer(start_response, method, 200 if ready else 503, reason + "\n")


def _is_feed(path: str) -> bool:
    return path.startswith(FEED_PREFIX) and path.endswith(".ics")


def _feed(
    feeds: FeedServer, environ: Environ, path: str, start_response: StartResponse
) -> Iterable[bytes]:
    """GET /kalender/<token>.ics: a calendar feed, 304 when unchanged, a bare 404 otherwise."""
    token = path[len(FEED_PREFIX) : -len(".ics")]
    method = environ.get("REQUEST_METHOD", "GET")
    try:
        answer = feeds.get(
            token,
            if_none_match=environ.get("HTTP_IF_NONE_MATCH"),
            if_modified_since=environ.get("HTTP_IF_MODIFIED_SINCE"),
        )
    except Exception:
        log.exception("calendar feed failed")
        return _answer(start_response, method, 503, texts.HTTP_TRY_LATER)
    return _answer(start_response, method, answer.status, answer.body, list(answer.headers))


class WebServer:
    """Serves until stopped; port 0 picks a free port (tests, benchmarks).

    `serve_forever()` serves on the calling thread; `start()` on a thread of its own. `stop()`
    (from any thread, or a signal handler on the serving thread) stops accepting connections,
    closes idle keep-alive connections, waits up to `DRAIN_SECONDS` for the requests in
    flight to be answered, and makes `serve_forever` return.
    """

    def __init__(
        self,
        bot: Bot | None,
        db: Any,
        host: str = "0.0.0.0",
        port: int = 3000,
        *,
        poll_interval: float = 0.5,
        product: Product | None = None,
        threads: int = THREADS,
        readiness: Readiness | None = None,
    ) -> None:
        self.poll_interval = poll_interval  # seconds between looks at the stop flag, at most
        listener = socket.create_server(
            (host.strip("[]"), port),
            family=socket.AF_INET6 if ":" in host else socket.AF_INET,
            backlog=1024,
        )
        self._map: dict[int, Any] = {}
        self._busy = threading.Condition()
        self._active = 0  # requests between the application's call and its answer's close()
        self._server: Any = create_server(
            self._tracked(wsgi_app(bot, db, product, readiness)),
            map=self._map,
            sockets=[listener],
            threads=threads,
            max_request_body_size=MAX_BODY + 1,  # waitress refuses a body of this size or more
            max_request_header_size=MAX_HEADERS,
            channel_timeout=IDLE_TIMEOUT,
            expose_tracebacks=False,
            ident="ledningsbot",
        )
        self._stopping = False  # a plain flag: `stop` may run in a signal handler
        self._thread: Any = None

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no request is being answered, including the hand-off of its work to the
        pool, which happens after the client has its answer (tests settle on this before they
        look at what the work did). False if `timeout` ran out."""
        with self._busy:
            return self._busy.wait_for(lambda: self._active == 0, timeout)

    def _tracked(
        self, app: Callable[[Environ, StartResponse], Iterable[bytes]]
    ) -> Callable[[Environ, StartResponse], Iterable[bytes]]:
        def application(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
            with self._busy:
                self._active += 1
            try:
                answer = app(environ, start_response)
            except BaseException:
                self._left()
                raise
            return _Closing(answer, self._left)

        return application

    def _left(self) -> None:
        with self._busy:
            self._active -= 1
            if self._active == 0:
                self._busy.notify_all()

    def serve_forever(self) -> None:
        while not self._stopping:
            wasyncore.loop(timeout=self.poll_interval, map=self._map, use_poll=True, count=1)
        self._drain()

    def start(self) -> WebServer:
        self._thread = threading.Thread(target=self.serve_forever, name="web", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping = True
        try:
            self._server.pull_trigger()  # wakes the loop (a write to a pipe: safe in a handler)
        except OSError:  # its pipe is gone: the loop sees the flag within poll_interval anyway
            log.info("the web server's wake-up pipe was closed; stopping on the next turn")
        if self._thread is not None:
            self._thread.join(DRAIN_SECONDS + 5)

    def _drain(self) -> None:
        server = self._server
        wasyncore.dispatcher.close(server)  # no new connections; the trigger stays
        deadline = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < deadline:
            busy = False
            for channel in list(self._map.values()):
                if not isinstance(channel, HTTPChannel):
                    continue
                if channel.requests or channel.request is not None or channel.total_outbufs_len:
                    busy = True
                else:
                    channel.will_close = True  # idle keep-alive: closed on the next turn
            wasyncore.loop(timeout=0.05, map=self._map, use_poll=True, count=1)
            if not busy and not any(isinstance(c, HTTPChannel) for c in self._map.values()):
                break
        else:
            log.warning("stopped with requests still in flight after %.0f s", DRAIN_SECONDS)
        server.task_dispatcher.shutdown(timeout=0.5)  # its threads are idle by now
        wasyncore.close_all(self._map)
