"""The web server: Slack's requests on /slack/events and /healthz, one threaded WSGI server."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text

from bot.calendar.feeds import FeedServer
from bot.core.clock import STOCKHOLM, SystemClock
from bot.core.context import Product
from handlers.app import Bot
from handlers.readiness import Readiness

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    timeout = 30  # seconds: an idle or slow client cannot hold a thread for ever

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)


def wsgi_app(
    bot: Bot | None,
    product_db: Any,
    product: Product | None = None,
    readiness: Readiness | None = None,
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    slack = SlackRequestHandler(bot.bolt) if bot is not None else None
    # Calendar feeds need the product (database, clock, time zone), not Slack: in Socket Mode
    # there is no bot here. Without one passed in: the system clock and Stockholm time.
    if product is None:
        product = bot.product if bot is not None else Product(product_db, SystemClock(), STOCKHOLM)
    feeds = FeedServer(product)
    readiness = readiness or Readiness(product_db)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/slack/events" and method == "POST" and slack is not None:
            return slack(environ, start_response)
        if path == "/healthz" and method in ("GET", "HEAD"):
            try:
                with product_db.engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
            except Exception:
                log.exception("health check failed")
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"databasen svarar inte\n"]
            start_response(
                "200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "3")]
            )
            return [] if method == "HEAD" else [b"ok\n"]
        if path == "/readyz" and method in ("GET", "HEAD"):  # /healthz: alive; /readyz: serving
            ready, reason = readiness.check()
            body = (reason + "\n").encode()
            status = "200 OK" if ready else "503 Service Unavailable"
            start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
            return [] if method == "HEAD" else [body]
        if path.startswith(FEED_PREFIX) and path.endswith(".ics") and method in ("GET", "HEAD"):
            return _feed(feeds, environ, path, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"finns inte\n"]

    return application


FEED_PREFIX = "/kalender/"
_STATUS = {200: "200 OK", 304: "304 Not Modified", 404: "404 Not Found"}


def _feed(
    feeds: FeedServer, environ: dict[str, Any], path: str, start_response: StartResponse
) -> Iterable[bytes]:
    """GET /kalender/<token>.ics: a calendar feed, 304 when unchanged, a bare 404 otherwise."""
    token = path[len(FEED_PREFIX) : -len(".ics")]
    head = environ.get("REQUEST_METHOD") == "HEAD"
    try:
        answer = feeds.get(
            token,
            if_none_match=environ.get("HTTP_IF_NONE_MATCH"),
            if_modified_since=environ.get("HTTP_IF_MODIFIED_SINCE"),
        )
    except Exception:
        log.exception("calendar feed failed")
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"prova igen senare\n"]
    headers = list(answer.headers)
    if answer.status == 200:
        headers.append(("Content-Length", str(len(answer.body))))
    start_response(_STATUS[answer.status], headers)
    return [answer.body] if answer.body and not head else []


class WebServer:
    """Serves until stopped; port 0 picks a free port (tests, benchmarks)."""

    def __init__(
        self,
        bot: Bot | None,
        db: Any,
        host: str = "0.0.0.0",
        port: int = 3000,
        *,
        poll_interval: float = 0.5,
        product: Product | None = None,
        readiness: Readiness | None = None,
    ) -> None:
        self.poll_interval = poll_interval
        self.httpd = make_server(
            host,
            port,
            wsgi_app(bot, db, product, readiness),
            server_class=_Server,
            handler_class=_QuietHandler,
        )
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=self.poll_interval)

    def start(self) -> WebServer:
        self._thread = threading.Thread(target=self.serve_forever, name="web", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)
