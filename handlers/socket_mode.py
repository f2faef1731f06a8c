"""Socket Mode: the bot's link to Slack over WebSocket, kept alive and honest about its state.

Slack's requests come as envelopes over a WebSocket the bot opens (no public address needed);
each is run through the Bolt app and acked with its ``envelope_id`` on the connection it came
on, within Slack's 3 s. Measured against a stand-in (``handlers.socket_standin``;
``benchmarks/socket.py``), Bolt's three ready-made clients each fail at something Slack does
routinely, so this is a small client of our own on the ``websocket-client`` library (which does
TLS, proxies, the handshake and the framing):

- slack-sdk's built-in client (Bolt's default) acked a command sent just after
  ``disconnect``/``refresh_requested`` in 3.0 s (it waits out the old connection's 3 s read
  time-out before switching), reconnected 3.8 s after a close frame, 8.9 s after a reset and
  49 s after a FIN without a close frame, spinning a core meanwhile.
- Bolt's ``websocket_client`` adapter reconnected in 0.5 s after all three, without spinning,
  but it closes the old connection on a refresh before the new one is open: a command that
  arrived on the old connection was never acked at all.
- Bolt's ``websockets`` adapter (asyncio; it also needs aiohttp) switched without a stall but
  noticed a dead connection only on its 10 s check: 8–9 s to reconnect.

Here each connection has its own reader thread. On a refresh a new connection is opened at
once while the old one goes on reading and acking until Slack closes it (or ``RETIRE_AFTER``
after the new one is up); a close frame, a reset or a FIN ends a connection the moment it is
read, and the next one is opened at once; a link that goes silent is pinged and given up after
``DEAD_AFTER`` s. ``connected`` is true only while a connection that has had Slack's ``hello``
is open. A rejected app token is one Swedish line naming SLACK_APP_TOKEN, then retries with
growing pauses (``Backoff``), never a traceback or an exit.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import socket
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TextIO

import websocket
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers import texts

log = logging.getLogger(__name__)

PING_INTERVAL = 5.0  # seconds of silence before we ping Slack
DEAD_AFTER = 15.0  # seconds without a frame (not even a pong) before a link is given up
HELLO_TIMEOUT = 10.0  # seconds from the handshake to Slack's hello
CONNECT_TIMEOUT = 10.0  # seconds for the TCP/TLS connect and the WebSocket handshake
RETIRE_AFTER = 10.0  # seconds an old connection may stay after a refresh, once the new is up
DISPATCH_THREADS = 4  # envelopes run through Bolt at once (each acks in milliseconds)
TOKEN_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
        "invalid_token",
    }
)


@dataclass(frozen=True)
class Backoff:
    """Pauses between failed attempts: ``first``, doubling, at most ``most`` seconds. A link
    that drops after working is reopened at once; only failures in a row wait."""

    first: float = 1.0
    most: float = 60.0

    def pause(self, failures: int) -> float:
        return min(self.most, self.first * 2 ** max(0, failures - 1))


class _Failure(Exception):
    """An attempt to connect failed; ``line`` is the Swedish line for the operator."""

    def __init__(self, key: str, line: str, reason: str) -> None:
        super().__init__(line)
        self.key = key  # the same kind of failure is reported once until a success
        self.line = line
        self.reason = reason  # for readiness: why there is no link


class _Connection:
    """One WebSocket to Slack: a reader thread; acks may be sent from any thread."""

    def __init__(self, owner: SocketLink, number: int) -> None:
        self.owner = owner
        self.number = number
        self.ws = websocket.WebSocket(enable_multithread=True)
        self.hello = threading.Event()
        self.ended = threading.Event()
        self.settled = threading.Event()  # hello, or the end
        self.end_reason = ""
        self.up_since: float | None = None
        self._closing = False
        self.replaced = False  # a newer connection is up: this one only finishes its acks

    @property
    def live(self) -> bool:
        return self.hello.is_set() and not self.ended.is_set()

    def open(self, url: str) -> None:
        self.ws.connect(url, timeout=self.owner.connect_timeout, suppress_origin=True)
        self.ws.settimeout(self.owner.ping_interval)
        threading.Thread(target=self._read, name=f"socket-mode-{self.number}", daemon=True).start()

    def send(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))

    def close(self) -> None:
        """A close frame, then the reader ends when Slack answers it (or the socket dies)."""
        if self._closing or self.ended.is_set():
            return
        self._closing = True
        try:
            self.ws.send_close()
        except Exception:
            self.abort("closed")

    def abort(self, reason: str) -> None:
        """Drop the socket now; wakes the reader (a bare close() would not)."""
        sock = self.ws.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._end(reason)

    def _end(self, reason: str) -> None:
        if not self.ended.is_set():
            self.end_reason = reason
            self.ended.set()
            self.settled.set()
            self.owner._events.put(("ended", self))
        try:
            self.ws.shutdown()
        except Exception:
            log.debug("socket mode: shutdown failed", exc_info=True)

    def _read(self) -> None:
        heard = time.monotonic()
        reason = "closed"
        try:
            while True:
                try:
                    opcode, data = self.ws.recv_data_frame(control_frame=True)
                except websocket.WebSocketTimeoutException:
                    if self._closing or time.monotonic() - heard > self.owner.dead_after:
                        reason = "no answer"  # (or none to our close frame)
                        break
                    self.ws.ping()
                    continue
                heard = time.monotonic()
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    reason = "close frame"
                    break
                if opcode in (websocket.ABNF.OPCODE_TEXT, websocket.ABNF.OPCODE_BINARY):
                    self.owner._received(self, data.data)
        except websocket.WebSocketConnectionClosedException:
            reason = "closed by the other end"  # EOF: a FIN, with or without a close frame
        except (OSError, websocket.WebSocketException) as error:
            reason = f"{type(error).__name__}: {error}"
        except Exception:
            log.exception("socket mode: the reader failed")
            reason = "reader failed"
        self._end(reason)


class SocketLink:
    """Socket Mode for a Bolt app: ``start()`` (a thread) or ``run()`` (blocks until stopped).

    ``connected`` and ``reason`` say whether Slack can reach the bot now (readiness).
    READY_SOCKET is printed when Slack's ``hello`` first arrives, and again after a failure was
    reported; failures are one Swedish line each on ``err``, once per kind until a success.
    """

    def __init__(
        self,
        app: App,
        app_token: str,
        *,
        web_client: WebClient | None = None,
        backoff: Backoff | None = None,
        ping_interval: float = PING_INTERVAL,
        dead_after: float = DEAD_AFTER,
        hello_timeout: float = HELLO_TIMEOUT,
        connect_timeout: float = CONNECT_TIMEOUT,
        retire_after: float = RETIRE_AFTER,
        out: TextIO | None = None,
        err: TextIO | None = None,
    ) -> None:
        self.app = app
        self.app_token = app_token
        # apps.connections.open wants the app token and no retries of its own: we back off.
        self.web_client = web_client or WebClient(base_url=app.client.base_url, timeout=10)
        self.backoff = backoff or Backoff()
        self.ping_interval = ping_interval
        self.dead_after = dead_after
        self.hello_timeout = hello_timeout
        self.connect_timeout = connect_timeout
        self.retire_after = retire_after
        self._out = out
        self._err = err
        self._events: queue.SimpleQueue[tuple[str, _Connection | None]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._connections: list[_Connection] = []
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(DISPATCH_THREADS, thread_name_prefix="socket-ack")
        self._numbers = 0
        self._reported: str | None = None  # the failure last printed, until a success
        self._announced = False
        self._reason = texts.NOT_READY_SOCKET_STARTING
        self._changed = threading.Condition()

    # ------------------------------------------------------------------ state
    @property
    def connected(self) -> bool:
        with self._lock:
            return any(c.live for c in self._connections)

    def wait_connected(self, timeout: float) -> bool:
        """Wait until a link is up (tests, benchmarks); False on time-out."""
        with self._changed:
            return self._changed.wait_for(lambda: self.connected, timeout)

    @property
    def reason(self) -> str:
        """Why there is no link (Swedish), or "" while there is one."""
        return "" if self.connected else self._reason

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> SocketLink:
        self._thread = threading.Thread(target=self._supervise, name="socket-mode", daemon=True)
        self._thread.start()
        return self

    def run(self) -> None:
        """Start and block until stop() (or an exception such as SystemExit in this thread)."""
        self.start()
        try:
            while not self._stopped.wait(3600):
                pass
        finally:
            self.stop()

    def stop(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        self._events.put(("stop", None))
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            connection.close()
        for connection in connections:
            if not connection.ended.wait(1.0):
                connection.abort("stopped")
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._pool.shutdown(wait=True)

    # ------------------------------------------------------------------ the supervisor
    def _supervise(self) -> None:
        """Keep one live connection: open one when there is none or Slack asks for a new one;
        back off only on failures in a row."""
        failures = 0
        want_new = True
        while not self._stopped.is_set():
            if want_new:
                try:
                    self._connect()
                    failures, want_new = 0, False
                except _Failure as failure:
                    failures += 1
                    pause = self.backoff.pause(failures)
                    self._failed(failure, pause)
                    if self._stopped.wait(pause):
                        return
                    continue
            kind, connection = self._events.get()
            if kind == "stop":
                return
            with self._lock:
                if kind == "ended" and connection in self._connections:
                    self._connections.remove(connection)
                live = [c for c in self._connections if c.live and not c.replaced]
            if kind == "refresh":  # from the newest connection: a second request is no news
                want_new = bool(live) and live[-1] is connection
            elif kind == "ended" and connection is not None:
                log.info(
                    "socket mode: connection %s ended (%s)",
                    connection.number,
                    connection.end_reason,
                )
                want_new = not live
                if want_new:
                    self._reason = texts.NOT_READY_SOCKET_LOST

    def _connect(self) -> None:
        url = self._open_url()
        with self._lock:
            self._numbers += 1
            connection = _Connection(self, self._numbers)
            self._connections.append(connection)
        try:
            connection.open(url)
        except Exception as error:
            connection.abort("connect failed")
            raise _Failure(
                "unreachable",
                texts.socket_unreachable(_short(error), self.backoff.first),
                texts.NOT_READY_SOCKET_UNREACHABLE,
            ) from None
        connection.settled.wait(self.hello_timeout)
        if not connection.live:
            connection.abort("no hello")
            raise _Failure(
                "unreachable",
                texts.socket_unreachable("inget hello från Slack", self.backoff.first),
                texts.NOT_READY_SOCKET_UNREACHABLE,
            )
        connection.up_since = time.monotonic()
        log.info("socket mode: connection %s is up", connection.number)
        with self._lock:
            replaced = [c for c in self._connections if c.live and c is not connection]
        for old in replaced:  # Slack normally closes these itself; acks on them go out until then
            old.replaced = True
            timer = threading.Timer(self.retire_after, old.close)
            timer.daemon = True
            timer.start()
        if self._reported is not None or not self._announced:
            self._say(texts.READY_SOCKET)
        self._reported, self._announced = None, True
        with self._changed:
            self._changed.notify_all()

    def _open_url(self) -> str:
        try:
            response = self.web_client.apps_connections_open(app_token=self.app_token)
            return str(response["url"])
        except SlackApiError as error:
            code = str(error.response.get("error", "")) if error.response else ""
            if code in TOKEN_ERRORS:
                raise _Failure(
                    "token",
                    texts.socket_token_rejected(code, self.backoff.first),
                    texts.NOT_READY_SOCKET_TOKEN,
                ) from None
            if code == "ratelimited":
                wait = float(error.response.headers.get("Retry-After", "30"))
                self._stopped.wait(min(wait, self.backoff.most))
            raise _Failure(
                f"api:{code}",
                texts.socket_unreachable(code or "fel från Slack", self.backoff.first),
                texts.NOT_READY_SOCKET_UNREACHABLE,
            ) from None
        except Exception as error:  # network: refused, DNS, TLS, time-out
            raise _Failure(
                "unreachable",
                texts.socket_unreachable(_short(error), self.backoff.first),
                texts.NOT_READY_SOCKET_UNREACHABLE,
            ) from None

    def _failed(self, failure: _Failure, pause: float) -> None:
        self._reason = failure.reason
        if failure.key != self._reported:
            self._reported = failure.key
            self._warn(failure.line)
        log.debug("socket mode: %s; next try in %.1f s", failure, pause)

    # ------------------------------------------------------------------ envelopes
    def _received(self, connection: _Connection, data: bytes) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            log.warning("socket mode: a message that is not JSON")
            return
        kind = message.get("type")
        if kind == "hello":
            connection.hello.set()
            connection.settled.set()
        elif kind == "disconnect":
            log.info("socket mode: Slack asks for a new connection (%s)", message.get("reason"))
            self._events.put(("refresh", connection))
        elif message.get("envelope_id") and not self._stopped.is_set():
            try:
                self._pool.submit(self._dispatch, connection, message)
            except RuntimeError:  # stopping: left unacked, as a request to a server going down
                log.info("socket mode: stopping, envelope %s left", message["envelope_id"])

    def _dispatch(self, connection: _Connection, message: dict[str, Any]) -> None:
        envelope_id = message["envelope_id"]
        headers: dict[str, str | Sequence[str]] = {}
        if message.get("retry_attempt"):
            headers["x-slack-retry-num"] = str(message["retry_attempt"])
            headers["x-slack-retry-reason"] = str(message.get("retry_reason") or "")
        try:
            response = self.app.dispatch(
                BoltRequest(mode="socket_mode", body=message.get("payload") or {}, headers=headers)
            )
        except Exception:
            log.exception("socket mode: envelope %s failed", envelope_id)
            return
        ack = _ack(envelope_id, response)
        if ack is None:
            log.info("socket mode: not acked (status %s): %s", response.status, envelope_id)
            return
        self._send_ack(connection, ack)

    def _send_ack(self, connection: _Connection, ack: dict[str, Any]) -> None:
        """On the connection the envelope came on; if it is gone, on the newest live one."""
        with self._lock:
            others = [c for c in reversed(self._connections) if c.live and c is not connection]
        for target in [connection, *others]:
            try:
                target.send(ack)
                return
            except Exception:
                log.debug("socket mode: ack on connection %s failed", target.number)
        log.warning("socket mode: ack %s could not be sent", ack.get("envelope_id"))

    # ------------------------------------------------------------------ output
    def _say(self, line: str) -> None:
        print(line, file=self._out or sys.stdout, flush=True)

    def _warn(self, line: str) -> None:
        print(f"ledningsbot: {line}", file=self._err or sys.stderr, flush=True)


def _ack(envelope_id: str, response: BoltResponse) -> dict[str, Any] | None:
    """What Bolt answered, as a Socket Mode ack (as Bolt's own adapters build it)."""
    if response.status != 200:
        return None
    if not response.body:
        return {"envelope_id": envelope_id}
    content_type = (response.headers.get("content-type") or [""])[0]
    if content_type.startswith("application/json"):
        return {"envelope_id": envelope_id, "payload": json.loads(response.body)}
    return {"envelope_id": envelope_id, "payload": {"text": response.body}}


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
