"""A local stand-in for Slack's Web API: a real HTTP server on loopback.

The sync ``slack_sdk.WebClient`` talks urllib, so the only faithful way to run the bot without
Slack is to give it a real HTTP server to talk to. ``LocalSlack`` is that server. It answers the
Web API methods the bot uses with plausibly shaped responses, records every call, serves
``response_url`` endpoints and the upload URLs of ``files_upload_v2``, and can inject failures
(HTTP 429 / 5xx / ``ok: false``), slow responses and per-channel rate limits.

Used by the test suite, the local shell (``ledningsbot shell``) and the benchmarks::

    with LocalSlack() as slack:
        slack.add_user("U1", "anna", email="anna@example.se")
        client = WebClient(base_url=slack.url, token="xoxb-local")
        client.chat_postMessage(channel="C1", text="Hej")
        assert slack.messages("C1")[0]["text"] == "Hej"

Stdlib only. All state lives behind one lock (a ``threading.Condition``), so tests may wait for
calls made from other threads without sleeping.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, quote, unquote, urlsplit

from handlers.loopback import LoopbackServer

__all__ = [
    "BOT_ID",
    "BOT_USER_ID",
    "TEAM_ID",
    "TEAM_NAME",
    "Call",
    "LocalSlack",
    "RateLimits",
    "mrkdwn_to_text",
    "render_message",
]

logger = logging.getLogger(__name__)

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0001"
TEAM_NAME = "Lokal arbetsyta"
TEAM_DOMAIN = "lokal"
APP_ID = "A0001"
TIME_ZONE = "Europe/Stockholm"

# Scopes reported by auth.test (Bolt reads the x-oauth-scopes header).
BOT_SCOPES = (
    "commands,chat:write,chat:write.public,im:write,users:read,users:read.email,"
    "channels:read,groups:read,files:write,files:read"
)

# Method names used for the two non-Web-API endpoints this server offers.
RESPONSE_URL_METHOD = "response_url"
UPLOAD_METHOD = "upload"
DOWNLOAD_METHOD = "download"  # GET url_private: a file's bytes, with the bot token

# Parameters that slack-sdk (or a form post) sends JSON-encoded as strings; they are decoded so
# that tests always see lists and dicts.
_JSON_PARAMS = frozenset({"blocks", "attachments", "view", "files", "metadata"})

_MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", RESPONSE_URL_METHOD})

_FIRST_TS_MICROS = 1_700_000_000_000_000


@dataclass(frozen=True)
class Call:
    """One HTTP request the server received.

    ``method`` is the Web API method (``chat.postMessage``), ``response_url`` for a post to a
    response URL, or ``upload`` for a file upload. ``key`` is the response-URL key or the file id.
    ``at`` is a reading of the server's clock (``time.monotonic`` unless one was injected).
    ``status`` and ``response`` are what the server answered.
    """

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    at: float
    key: str | None = None
    status: int = 200
    response: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def token(self) -> str | None:
        """The bearer token of the request, or a ``token`` parameter."""
        for name, value in self.headers.items():
            if name.lower() == "authorization" and value.lower().startswith("bearer "):
                return value[len("bearer ") :].strip()
        token = self.args.get("token")
        return token if isinstance(token, str) else None

    @property
    def ok(self) -> bool:
        """True when the server answered HTTP 200 with ``ok: true``."""
        return self.status == 200 and bool(self.response and self.response.get("ok"))


@dataclass(frozen=True)
class RateLimits:
    """Token-bucket limits for ``chat.postMessage``.

    ``per_channel_per_second`` tokens are added per second to each channel's bucket, which holds
    at most ``burst``. ``workspace_per_minute`` (if set) caps posts over all channels.
    """

    per_channel_per_second: float = 1.0
    burst: int = 3
    workspace_per_minute: float | None = None


@dataclass
class _Bucket:
    capacity: float
    rate: float  # tokens per second
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = now

    def wait_seconds(self) -> float:
        """Seconds until one token is available (0 if one is)."""
        if self.tokens >= 1.0:
            return 0.0
        if self.rate <= 0:
            return math.inf
        return (1.0 - self.tokens) / self.rate


@dataclass
class _Failure:
    status: int
    retry_after: int
    error: str | None
    remaining: int
    after_delivery: bool = False
    hang: float = 0.0


@dataclass
class _Upload:
    file_id: str
    filename: str | None
    length: int | None
    content: bytes | None = None
    title: str | None = None
    channel_id: str | None = None
    initial_comment: str | None = None
    thread_ts: str | None = None
    completed: bool = False
    share_ts: str | None = None  # its share in the channel: a message in the history


@dataclass
class _Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # a file's bytes (url_private), sent as they are


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # benchmarks open many connections at once

    def __init__(self, address: tuple[str, int], stub: LocalSlack) -> None:
        super().__init__(address, _Handler)
        self.stub = stub

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Quiet: a client that gave up (timeout) is not worth a traceback on stderr.
        logger.debug("LocalSlack: error while handling a request", exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server_version = "LocalSlack/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        # Quiet: no request logging on stderr.
        return

    def do_POST(self) -> None:
        self._dispatch()

    def do_GET(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        stub = cast(_Server, self.server).stub
        try:
            body = self._read_body()
            reply = stub._handle_request(self.path, dict(self.headers.items()), body)
        except Exception as exc:  # never let a bug in the stand-in kill the connection
            logger.exception("LocalSlack: failed to handle %s", self.path)
            reply = _Reply(
                500, {"ok": False, "error": "localslack_internal_error", "detail": str(exc)}
            )
        data = (
            reply.raw
            if reply.raw is not None
            else json.dumps(reply.body, ensure_ascii=False).encode("utf-8")
        )
        kind = "application/octet-stream" if reply.raw is not None else "application/json"
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", kind + "; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # The client timed out and hung up (see LocalSlack.delay).
            pass

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""


class LocalSlack(LoopbackServer):
    """A loopback HTTP server standing in for Slack's Web API, recording what the bot sends."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        rate_limits: RateLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(host, port)
        self._rate_limits = rate_limits
        self._clock = clock
        self._cond = threading.Condition(threading.RLock())
        self._server: _Server | None = None
        # What was received.
        self._calls: list[Call] = []
        self._rejected: list[Call] = []
        self._uploads: dict[str, _Upload] = {}
        self._file_owners: dict[str, str] = {}  # file id → who shared it (add_file)
        # Configuration.
        self._users: dict[str, dict[str, Any]] = {}
        self._members: dict[str, list[str]] = {}
        self._channels: dict[str, str] = {}
        self._without_bot: set[str] = set()  # channels the bot is not in (see set_bot_absent)
        self._archived: set[str] = set()
        self._response_contexts: dict[str, tuple[str | None, str | None]] = {}
        # Fault injection.
        self._failures: dict[str, deque[_Failure]] = {}
        self._delays: dict[str, float] = {}
        self._delays_after: dict[str, float] = {}
        self._channel_buckets: dict[str, _Bucket] = {}
        self._workspace_bucket: _Bucket | None = None
        # Listeners and counters.
        self._listeners: list[Callable[[Call], None]] = []
        self._ts_counter = 0
        self._file_counter = 0
        self._view_counter = 0
        self._home_views: dict[str, str] = {}
        # The bot is a user of the workspace too, as in Slack's users.list and users.info.
        self.add_user(BOT_USER_ID, "ledningsbot", is_bot=True)
        # Socket Mode: apps.connections.open answers with a URL from this (see serve_socket_mode).
        self._socket_url: Callable[[], str] | None = None
        self._app_token: str | None = None

    # -- lifecycle (start, stop and ``with`` come from LoopbackServer) -----------------------

    def _bind(self) -> socket.socket:
        self._server = _Server((self._host, self._port), self)
        return self._server.socket

    def _serve_forever(self) -> None:
        assert self._server is not None
        self._server.serve_forever(poll_interval=0.5)

    def _interrupt(self) -> None:
        """Pending delayed answers are cut short (``_stopping`` is set)."""
        server = self._server
        assert server is not None
        # shutdown() only takes effect when serve_forever's select() wakes up: poke it with
        # empty connections instead of polling often (the shell idles for hours).
        stopper = threading.Thread(target=server.shutdown, daemon=True)
        stopper.start()
        address = (self._host, self.port)
        while stopper.is_alive():
            with contextlib.suppress(OSError):
                socket.create_connection(address, timeout=0.5).close()
            stopper.join(timeout=0.01)
        server.server_close()

    def _stopped(self) -> None:
        self._server = None

    @property
    def root_url(self) -> str:
        """``http://host:port`` of the running server, without a trailing slash."""
        return f"http://{self._host}:{self.port}"

    @property
    def url(self) -> str:
        """Base URL for ``WebClient(base_url=...)``; ends with ``/api/``."""
        return f"{self.root_url}/api/"

    def response_url(self, key: str, *, channel: str | None = None, user: str | None = None) -> str:
        """A URL usable as a slash command's ``response_url``.

        Posts to it are recorded with method ``response_url`` and this ``key``; ``channel`` and
        ``user`` (optional) say where Slack would have shown the reply, for ``messages()``.
        """
        with self._cond:
            self._response_contexts[key] = (channel, user)
        return f"{self.root_url}/response/{quote(key, safe='')}"

    # -- configuration ---------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        email: str | None = None,
        real_name: str | None = None,
        is_admin: bool = False,
        is_owner: bool = False,
        display_name: str | None = None,
        is_bot: bool = False,
    ) -> dict[str, Any]:
        """Add (or replace) a user in the directory; returns the ``users.info`` user object."""
        real = real_name or name
        display = display_name if display_name is not None else name
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": name,
            "deleted": False,
            "real_name": real,
            "tz": TIME_ZONE,
            "tz_label": "Central European Time",
            "tz_offset": 3600,
            "is_admin": is_admin,
            "is_owner": is_owner,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "profile": {
                "real_name": real,
                "real_name_normalized": real,
                "display_name": display,
                "display_name_normalized": display,
                "email": email,
                "team": TEAM_ID,
            },
        }
        with self._cond:
            self._users[user_id] = user
        return user

    def set_members(self, channel_id: str, user_ids: Iterable[str]) -> None:
        """Set the members ``conversations.members`` lists for a channel."""
        with self._cond:
            self._members[channel_id] = list(user_ids)

    def set_bot_absent(self, channel_id: str) -> None:
        """The bot is not in this channel (it is in every other): a private one (G…) is then
        invisible to it, as in Slack: left out of ``users.conversations``, and
        ``conversations.members`` answers ``channel_not_found``."""
        with self._cond:
            self._without_bot.add(channel_id)

    def archive(self, channel_id: str) -> None:
        """Archive a channel: ``users.conversations`` with ``exclude_archived`` leaves it out."""
        with self._cond:
            self._archived.add(channel_id)

    def _visible(self, channel_id: str) -> bool:
        return channel_id.startswith("C") or channel_id not in self._without_bot

    def set_channel(self, channel_id: str, name: str) -> None:
        """Name a channel for ``conversations.info`` / ``conversations.list``."""
        with self._cond:
            self._channels[channel_id] = name

    def names(self) -> dict[str, str]:
        """Id → display name for known users and channels (for ``render_message``)."""
        with self._cond:
            result = dict(self._channels)
            for user_id, user in self._users.items():
                profile = user.get("profile") or {}
                result[user_id] = profile.get("display_name") or user.get("name") or user_id
            result.setdefault(BOT_USER_ID, "ledningsbot")
            return result

    def serve_socket_mode(
        self, new_url: Callable[[], str] | None, *, app_token: str | None = None
    ) -> None:
        """Answer ``apps.connections.open`` with ``new_url()`` (a Socket Mode server's, e.g.
        ``LocalSocketMode.new_url``). With ``app_token`` only that token is accepted; any other
        gets ``invalid_auth``, as a revoked or mistyped token does. None turns Socket Mode off.
        """
        with self._cond:
            self._socket_url = new_url
            self._app_token = app_token

    # -- fault injection -------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        retry_after: int = 1,
        error: str | None = None,
        times: int = 1,
        after_delivery: bool = False,
        hang: float = 0.0,
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail.

        With ``error`` the answer is HTTP 200 ``{"ok": false, "error": error}``; otherwise HTTP
        ``status``: 429 carries ``Retry-After: retry_after`` and ``error: ratelimited``, 5xx an
        error body. Failed calls are recorded as rejected (see ``rejected()``).

        ``hang`` (seconds): no answer for that long (the client times out), then the failure.
        ``after_delivery``: the call is taken first (recorded, in the history) and only the
        answer fails: a 5xx, or with ``hang`` a time-out, "Slack took it but the answer was
        lost". Without it the call is never taken.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._cond:
            self._failures.setdefault(method, deque()).append(
                _Failure(
                    status=status,
                    retry_after=retry_after,
                    error=error,
                    remaining=times,
                    after_delivery=after_delivery,
                    hang=hang,
                )
            )

    def delay(self, method: str, seconds: float | None, *, after_delivery: bool = False) -> None:
        """Answer every call to ``method`` after ``seconds`` (None or 0 removes the delay).

        With ``after_delivery`` the call is delivered (recorded, visible in history) first and
        only the answer is late: a client that dies meanwhile never learns it got through.
        """
        with self._cond:
            self._delays.pop(method, None)
            self._delays_after.pop(method, None)
            if seconds:
                (self._delays_after if after_delivery else self._delays)[method] = seconds

    # -- listeners -------------------------------------------------------------------------

    def on_call(self, callback: Callable[[Call], None]) -> Callable[[Call], None]:
        """Call ``callback(call)`` for each delivered call, before its answer is sent.

        Runs on the server's request thread. Returns the callback (usable as a decorator).
        """
        with self._cond:
            self._listeners.append(callback)
        return callback

    def remove_listener(self, callback: Callable[[Call], None]) -> None:
        with self._cond:
            if callback in self._listeners:
                self._listeners.remove(callback)

    # -- queries ---------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """Delivered calls (not rejected by fault injection or rate limits), in order."""
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def rejected(self, method: str | None = None) -> list[Call]:
        """Calls answered with an injected failure or a rate-limit 429, in order."""
        with self._cond:
            return [c for c in self._rejected if method is None or c.method == method]

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Delivered ``chat.postMessage``, ``chat.postEphemeral`` and response-URL payloads.

        Each is a dict with ``method``, ``channel`` (as Slack resolved it: a user id becomes
        ``D<user id>``), ``user`` (the recipient of an ephemeral message), ``text``, ``blocks``,
        ``ts``, ``thread_ts``, ``key`` (response URL) and, for response URLs,
        ``response_type`` / ``replace_original`` / ``delete_original``.
        """
        with self._cond:
            calls = [c for c in self._calls if c.method in _MESSAGE_METHODS and c.ok]
            contexts = dict(self._response_contexts)
        result = [_message_from_call(c, contexts) for c in calls]
        if channel is None:
            return result
        wanted = {channel, _im_channel_id(channel)} if _is_user_id(channel) else {channel}
        return [m for m in result if m["channel"] in wanted]

    def dms(self, user_id: str) -> list[dict[str, Any]]:
        """Messages posted in the bot's DM with ``user_id``."""
        return self.messages(_im_channel_id(user_id))

    def uploaded_files(self) -> list[dict[str, Any]]:
        """Files whose bytes arrived, joined from the three ``files_upload_v2`` steps."""
        with self._cond:
            uploads = list(self._uploads.values())
        return [
            {
                "file_id": u.file_id,
                "filename": u.filename,
                "title": u.title,
                "content": u.content,
                "channel_id": u.channel_id,
                "initial_comment": u.initial_comment,
            }
            for u in uploads
            if u.content is not None
        ]

    def wait_for(
        self,
        predicate: Callable[[list[Call]], bool],
        timeout: float = 5.0,
        *,
        include_rejected: bool = False,
    ) -> list[Call]:
        """Block until ``predicate(calls)`` holds; returns the calls it saw.

        ``calls`` are the delivered calls (plus rejected ones, merged in order of arrival, with
        ``include_rejected``). Raises AssertionError with a summary of the recorded calls on
        timeout.
        """
        snapshot: list[Call] = []

        def check() -> bool:
            nonlocal snapshot
            snapshot = self._snapshot(include_rejected)
            return predicate(snapshot)

        with self._cond:
            if self._cond.wait_for(check, timeout=timeout):
                return snapshot
            summary = self.summary()
        raise AssertionError(f"LocalSlack: condition not met within {timeout:g} s.\n{summary}")

    def wait_for_calls(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until at least ``count`` delivered calls to ``method``; returns those calls."""
        try:
            calls = self.wait_for(
                lambda cs: sum(1 for c in cs if c.method == method) >= count, timeout=timeout
            )
        except AssertionError as exc:
            raise AssertionError(f"expected {count} call(s) to {method}. {exc}") from None
        return [c for c in calls if c.method == method]

    def clear(self) -> None:
        """Forget recorded calls, rejected calls and uploads (configuration stays)."""
        with self._cond:
            self._calls.clear()
            self._rejected.clear()
            self._uploads.clear()
            self._cond.notify_all()

    def summary(self, limit: int = 40) -> str:
        """A readable list of the recorded calls (the last ``limit``), for failure messages."""
        with self._cond:
            calls = self._snapshot(include_rejected=True)
        if not calls:
            return "No calls recorded."
        lines = [f"{len(calls)} call(s) recorded:"]
        if len(calls) > limit:
            lines.append(f"  … {len(calls) - limit} earlier call(s) left out")
        for call in calls[-limit:]:
            lines.append("  " + _describe_call(call))
        return "\n".join(lines)

    def _snapshot(self, include_rejected: bool) -> list[Call]:
        if not include_rejected:
            return list(self._calls)
        return sorted([*self._calls, *self._rejected], key=lambda c: c.at)

    # -- request handling ------------------------------------------------------------------

    def _handle_request(self, path: str, headers: dict[str, str], body: bytes) -> _Reply:
        at = self._clock()
        parts = urlsplit(path)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) == 2 and segments[0] == "api":
            method, key = segments[1], None
            args = _parse_args(headers, body, parts.query)
        elif len(segments) == 2 and segments[0] == "response":
            method, key = RESPONSE_URL_METHOD, unquote(segments[1])
            args = _parse_args(headers, body, parts.query)
        elif len(segments) == 2 and segments[0] == "upload":
            method, key = UPLOAD_METHOD, segments[1]
            args = {}
        elif len(segments) == 2 and segments[0] == "files":
            method, key = DOWNLOAD_METHOD, segments[1]
            args = {}
        else:
            return _Reply(404, {"ok": False, "error": "unknown_path", "path": parts.path})

        if isinstance(args, _Reply):  # unparsable body
            with self._cond:
                self._record(Call(method, {}, headers, at, key, args.status, args.body), False)
            return args

        with self._cond:
            seconds = self._delays.get(method)
        if seconds:
            # Wait on an event rather than sleeping, so stop() cuts the delay short.
            self._stopping.wait(seconds)

        with self._cond:
            failure = self._take_failure(method)
        if failure is not None and failure.hang and not failure.after_delivery:
            self._stopping.wait(failure.hang)  # never taken; the client has given up
        with self._cond:
            reply = None
            if failure is not None and not failure.after_delivery:
                reply = _failure_reply(failure)
            reply = reply or self._rate_limited(method, args)
            if reply is not None:
                self._record(Call(method, args, headers, at, key, reply.status, reply.body), False)
                return reply
            if method == UPLOAD_METHOD:
                reply = self._store_upload(key or "", headers, body)
                args = {"file_id": key, "length": len(body)}
            elif method == RESPONSE_URL_METHOD:
                reply = _Reply(200, {"ok": True})
            elif method == DOWNLOAD_METHOD:
                reply = self._download(key or "", headers)
            elif method == "apps.connections.open":
                reply = self._connections_open(headers, args)
            else:
                reply = self._answer(method, args)
            call = Call(method, args, headers, at, key, reply.status, reply.body)
            self._record(call, reply.status < 400)
            listeners = list(self._listeners) if reply.status < 400 else []
            late = self._delays_after.get(method)
        for listener in listeners:
            try:
                listener(call)
            except Exception:
                logger.exception("LocalSlack: on_call listener failed")
        if late:
            self._stopping.wait(late)
        if failure is not None and failure.after_delivery:
            if failure.hang:
                self._stopping.wait(failure.hang)  # taken, but the answer comes too late
            else:
                return _failure_reply(failure)  # taken, but Slack answers 5xx
        return reply

    def _record(self, call: Call, delivered: bool) -> None:
        (self._calls if delivered else self._rejected).append(call)
        self._cond.notify_all()

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.remaining -= 1
        if failure.remaining <= 0:
            queue.popleft()
        return failure

    def _rate_limited(self, method: str, args: dict[str, Any]) -> _Reply | None:
        limits = self._rate_limits
        if limits is None or method != "chat.postMessage":
            return None
        now = self._clock()
        channel = str(args.get("channel") or "")
        bucket = self._channel_buckets.get(channel)
        if bucket is None:
            capacity = float(max(1, limits.burst))
            bucket = _Bucket(capacity, limits.per_channel_per_second, capacity, now)
            self._channel_buckets[channel] = bucket
        buckets = [bucket]
        if limits.workspace_per_minute is not None:
            if self._workspace_bucket is None:
                capacity = max(1.0, limits.workspace_per_minute)
                self._workspace_bucket = _Bucket(
                    capacity, limits.workspace_per_minute / 60.0, capacity, now
                )
            buckets.append(self._workspace_bucket)
        for b in buckets:
            b.refill(now)
        wait = max(b.wait_seconds() for b in buckets)
        if wait > 0:
            retry_after = 3600 if math.isinf(wait) else max(1, math.ceil(wait))
            return _ratelimited(retry_after)
        for b in buckets:
            b.tokens -= 1.0
        return None

    def _store_upload(self, file_id: str, headers: dict[str, str], body: bytes) -> _Reply:
        upload = self._uploads.get(file_id)
        if upload is None:
            return _Reply(404, {"ok": False, "error": "file_not_found"})
        content, filename = body, None
        content_type = _header(headers, "content-type")
        if content_type.lower().startswith("multipart/form-data"):
            fields, files = _parse_multipart(content_type, body)
            if files:
                filename, content = next(iter(files.values()))
            elif fields:
                content = next(iter(fields.values())).encode("utf-8")
        upload.content = content
        if upload.filename is None and filename:
            upload.filename = filename
        return _Reply(200, {"ok": True})

    def _next_ts(self) -> str:
        self._ts_counter += 1
        micros = _FIRST_TS_MICROS + 100 * self._ts_counter
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _answer(self, method: str, args: dict[str, Any]) -> _Reply:
        handler = _METHODS.get(method)
        body = handler(self, args) if handler is not None else {"ok": True}
        return _Reply(200, body, {"x-oauth-scopes": BOT_SCOPES} if method == "auth.test" else {})

    # -- Web API methods (called with the lock held) ---------------------------------------

    def _connections_open(self, headers: dict[str, str], args: dict[str, Any]) -> _Reply:
        """apps.connections.open: an app-level token (xapp-) in the Authorization header."""
        token = Call("apps.connections.open", args, headers, 0.0).token or ""
        if not token.startswith("xapp-"):
            error = "not_authed" if not token else "not_allowed_token_type"
        elif self._app_token is not None and token != self._app_token:
            error = "invalid_auth"
        elif self._socket_url is None:
            error = "socket_mode_not_enabled"
        else:
            return _Reply(200, {"ok": True, "url": self._socket_url()})
        return _Reply(200, {"ok": False, "error": error})

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": TEAM_NAME,
            "user": "ledningsbot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _bot_message(self, args: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "text": args.get("text") or "",
            "ts": ts,
        }
        for name in ("blocks", "attachments", "thread_ts", "metadata"):
            if args.get(name) is not None:
                message[name] = args[name]
        return message

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = _resolve_channel(args.get("channel"))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            return {"ok": False, "error": "no_text"}
        ts = self._next_ts()
        return {"ok": True, "channel": channel, "ts": ts, "message": self._bot_message(args, ts)}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("user"):
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = _resolve_channel(args.get("channel"))
        ts = str(args.get("ts") or "")
        if not channel or not ts:
            return {"ok": False, "error": "message_not_found"}
        message = self._bot_message(args, ts)
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": message["text"],
            "message": message,
        }

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = _resolve_channel(args.get("channel"))
        ts = str(args.get("ts") or "")
        if not channel or not ts:
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": channel, "ts": ts}

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = _resolve_channel(args.get("channel"))
        ts = str(args.get("message_ts") or "")
        link = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            return {"ok": True, "channel": {"id": str(args["channel"])}}
        users = _split_list(args.get("users"))
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if len(users) == 1:
            channel_id = _im_channel_id(users[0])
        else:
            # A multi-person DM: deterministic for the same set of users.
            channel_id = "G" + "".join(sorted(u.lstrip("UW") for u in users))[:20]
        return {"ok": True, "no_op": False, "already_open": False, "channel": {"id": channel_id}}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Messages the bot posted in a channel, newest first (with metadata, as Slack gives it
        with include_all_metadata), newer than ``oldest`` if given, a page at a time (``limit``,
        ``cursor``) as Slack pages them."""
        channel = _resolve_channel(args.get("channel"))
        limit = int(args.get("limit") or 100)
        messages = [
            dict(c.response["message"])
            for c in self._calls
            if c.method == "chat.postMessage"
            and c.ok
            and c.response
            and c.response.get("channel") == channel
        ]
        # A file shared in the channel shows as a message carrying it, as in Slack.
        messages += [
            {
                "type": "message",
                "user": BOT_USER_ID,
                "text": u.initial_comment or "",
                "ts": u.share_ts,
                "upload": True,
                "files": [{"id": u.file_id, "name": u.filename, "title": u.title}],
            }
            for u in self._uploads.values()
            if u.share_ts and _resolve_channel(u.channel_id) == channel
        ]
        if args.get("oldest"):  # only what is newer, as Slack's (not inclusive)
            oldest = float(args["oldest"])
            messages = [m for m in messages if float(m.get("ts") or 0) > oldest]
        messages.sort(key=lambda m: float(m.get("ts") or 0), reverse=True)
        page = _paginate("messages", messages, {**args, "limit": limit})
        if page["ok"]:
            page["has_more"] = bool(page["response_metadata"]["next_cursor"])
        return page

    def _conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        channel_id = str(args.get("channel") or "")
        if not self._visible(channel_id):
            return {"ok": False, "error": "channel_not_found"}
        members = self._members.get(channel_id, [])
        return _paginate("members", members, args)

    def _users_conversations(self, args: dict[str, Any]) -> dict[str, Any]:
        """The channels a person is in (as set with ``set_members``), of the types asked for
        (``public_channel`` by default, as Slack's): C… public, G… private, the latter only
        when the bot is in it too; without ``user``, the bot's own (every channel but those
        ``set_bot_absent``). Archived ones are left out with ``exclude_archived``."""
        user = str(args.get("user") or "")
        if user and user not in self._users:
            return {"ok": False, "error": "user_not_found"}
        types = set(str(args.get("types") or "public_channel").split(","))
        wanted = {"C": "public_channel", "G": "private_channel"}
        archived = self._archived if _true(args.get("exclude_archived")) else set()
        channels = [
            self._channel_object(c)
            for c, members in self._members.items()
            if (user in members and self._visible(c) if user else c not in self._without_bot)
            and wanted.get(c[:1]) in types
            and c not in archived
        ]
        return _paginate("channels", channels, args)

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel_id = str(args.get("channel") or "")
        if not channel_id:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": self._channel_object(channel_id)}

    def _conversations_list(self, args: dict[str, Any]) -> dict[str, Any]:
        channels = [self._channel_object(c) for c in self._channels]
        return _paginate("channels", channels, args)

    def _channel_object(self, channel_id: str) -> dict[str, Any]:
        is_im = channel_id.startswith("D")
        name = self._channels.get(channel_id, channel_id.lower())
        channel: dict[str, Any] = {
            "id": channel_id,
            "name": name,
            "name_normalized": name,
            "is_channel": channel_id.startswith("C"),
            "is_group": channel_id.startswith("G"),
            "is_im": is_im,
            "is_private": not channel_id.startswith("C"),
            "is_archived": channel_id in self._archived,
            "is_member": True,
            "context_team_id": TEAM_ID,
            "num_members": len(self._members.get(channel_id, [])),
        }
        if is_im:
            channel["user"] = channel_id[1:]
            del channel["name"], channel["name_normalized"]
        return channel

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self._users.get(str(args.get("user") or ""))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user}

    def _users_lookup_by_email(self, args: dict[str, Any]) -> dict[str, Any]:
        email = str(args.get("email") or "").strip().lower()
        for user in self._users.values():
            if email and str(user["profile"].get("email") or "").lower() == email:
                return {"ok": True, "user": user}
        return {"ok": False, "error": "users_not_found"}

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        return _paginate("members", list(self._users.values()), args)

    def _view_response(self, args: dict[str, Any], view_id: str) -> dict[str, Any]:
        view = args.get("view")
        view = dict(view) if isinstance(view, dict) else {}
        view.update(
            {
                "id": view_id,
                "team_id": TEAM_ID,
                "app_id": APP_ID,
                "bot_id": BOT_ID,
                "hash": f"{self._view_counter}.{view_id}",
                "state": {"values": {}},
                "root_view_id": view_id,
                "previous_view_id": None,
            }
        )
        view.setdefault("private_metadata", "")
        view.setdefault("callback_id", "")
        view.setdefault("external_id", "")
        return {"ok": True, "view": view}

    def _new_view_id(self) -> str:
        self._view_counter += 1
        return f"V{self._view_counter:08d}"

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id") and not args.get("interactivity_pointer"):
            return {"ok": False, "error": "invalid_arguments"}
        return self._view_response(args, self._new_view_id())

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = str(args.get("view_id") or "") or self._new_view_id()
        return self._view_response(args, view_id)

    def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._view_response(args, self._new_view_id())

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args.get("user_id") or "")
        if not user_id:
            return {"ok": False, "error": "invalid_arguments"}
        if user_id not in self._home_views:
            self._home_views[user_id] = self._new_view_id()
        return self._view_response(args, self._home_views[user_id])

    def add_file(
        self,
        filename: str,
        content: bytes = b"",
        *,
        file_id: str | None = None,
        user: str = "U0SARA",
        channel: str | None = None,
    ) -> dict[str, Any]:
        """A file someone shared in Slack (in a message, or a form's file input): what
        files.info tells of it, as a view_submission's file_input carries it too. Its
        url_private serves the bytes to a request with a bot token."""
        with self._cond:
            self._file_counter += 1
            file_id = file_id or f"F{self._file_counter:08d}"
            self._uploads[file_id] = _Upload(
                file_id, filename, len(content), content, filename, channel, completed=True
            )
            self._file_owners[file_id] = user
            return self._file_info(self._uploads[file_id], user)

    def _file_info(self, upload: _Upload, user: str | None = None) -> dict[str, Any]:
        url = f"{self.root_url}/files/{upload.file_id}"
        user = user or self._file_owners.get(upload.file_id, BOT_USER_ID)
        return {
            "id": upload.file_id,
            "name": upload.filename,
            "title": upload.title or upload.filename,
            "size": len(upload.content or b""),
            "user": user,
            "channels": [upload.channel_id] if upload.channel_id else [],
            "url_private": url,
            "url_private_download": url + "?download=1",
            "permalink": (
                f"https://{TEAM_DOMAIN}.slack.com/files/{user}/{upload.file_id}/{upload.filename}"
            ),
        }

    def _files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        upload = self._uploads.get(str(args.get("file") or ""))
        if upload is None or not upload.completed:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "file": self._file_info(upload)}

    def _download(self, file_id: str, headers: dict[str, str]) -> _Reply:
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        if not auth.lower().startswith("bearer xoxb-"):
            return _Reply(302, {"ok": False, "error": "not_authed"}, {"Location": "/login"})
        upload = self._uploads.get(file_id)
        if upload is None or upload.content is None or not upload.completed:
            return _Reply(404, {"ok": False, "error": "file_not_found"})
        return _Reply(200, {"ok": True}, raw=upload.content)

    def _files_get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        self._file_counter += 1
        file_id = f"F{self._file_counter:08d}"
        length = args.get("length")
        self._uploads[file_id] = _Upload(
            file_id=file_id,
            filename=str(args["filename"]) if args.get("filename") else None,
            length=int(length) if length not in (None, "") else None,
        )
        return {"ok": True, "upload_url": f"{self.root_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        entries = args.get("files")
        if not isinstance(entries, list) or not entries:
            return {"ok": False, "error": "invalid_arguments"}
        channels = _split_list(args.get("channels"))
        channel_id = args.get("channel_id") or (channels[0] if channels else None)
        shared = [str(channel_id)] if channel_id else []
        result: list[dict[str, Any]] = []
        for entry in entries:
            upload = self._uploads.get(str(entry.get("id") if isinstance(entry, dict) else ""))
            if upload is None or upload.content is None:
                return {"ok": False, "error": "file_not_found"}
            upload.title = str(entry.get("title") or upload.filename or "")
            upload.channel_id = str(channel_id) if channel_id else None
            upload.initial_comment = args.get("initial_comment") or None
            upload.thread_ts = args.get("thread_ts") or None
            upload.completed = True
            if channel_id and upload.share_ts is None:
                upload.share_ts = self._next_ts()
            result.append(
                {
                    "id": upload.file_id,
                    "name": upload.filename,
                    "title": upload.title,
                    "size": len(upload.content),
                    "user": BOT_USER_ID,
                    "channels": shared,
                    "url_private": f"{self.root_url}/files/{upload.file_id}",
                    "permalink": (
                        f"https://{TEAM_DOMAIN}.slack.com/files/{BOT_USER_ID}/{upload.file_id}"
                    ),
                }
            )
        return {"ok": True, "files": result}


_MethodHandler = Callable[[LocalSlack, dict[str, Any]], dict[str, Any]]

_METHODS: dict[str, _MethodHandler] = {
    "auth.test": LocalSlack._auth_test,
    "chat.postMessage": LocalSlack._chat_post_message,
    "chat.postEphemeral": LocalSlack._chat_post_ephemeral,
    "chat.update": LocalSlack._chat_update,
    "chat.delete": LocalSlack._chat_delete,
    "chat.getPermalink": LocalSlack._chat_get_permalink,
    "conversations.open": LocalSlack._conversations_open,
    "conversations.members": LocalSlack._conversations_members,
    "conversations.history": LocalSlack._conversations_history,
    "conversations.info": LocalSlack._conversations_info,
    "conversations.list": LocalSlack._conversations_list,
    "users.info": LocalSlack._users_info,
    "users.lookupByEmail": LocalSlack._users_lookup_by_email,
    "users.list": LocalSlack._users_list,
    "users.conversations": LocalSlack._users_conversations,
    "views.open": LocalSlack._views_open,
    "views.update": LocalSlack._views_update,
    "views.push": LocalSlack._views_push,
    "views.publish": LocalSlack._views_publish,
    "files.getUploadURLExternal": LocalSlack._files_get_upload_url,
    "files.completeUploadExternal": LocalSlack._files_complete_upload,
    "files.info": LocalSlack._files_info,
}


# -- request parsing helpers -----------------------------------------------------------------


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""


def _parse_args(headers: Mapping[str, str], body: bytes, query: str) -> dict[str, Any] | _Reply:
    """Merge query-string and body parameters (form, JSON or multipart)."""
    args: dict[str, Any] = _form_to_dict(query) if query else {}
    content_type = _header(headers, "content-type")
    media_type = content_type.split(";")[0].strip().lower()
    if body:
        if media_type == "application/json":
            try:
                decoded = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                return _Reply(200, {"ok": False, "error": "invalid_json"})
            if not isinstance(decoded, dict):
                return _Reply(200, {"ok": False, "error": "invalid_json"})
            args.update(decoded)
        elif media_type == "multipart/form-data":
            fields, files = _parse_multipart(content_type, body)
            args.update(fields)
            for name, (filename, content) in files.items():
                args[name] = content
                if filename and "filename" not in args:
                    args["filename"] = filename
        else:
            args.update(_form_to_dict(body.decode("utf-8", errors="replace")))
    for name in _JSON_PARAMS & args.keys():
        value = args[name]
        if isinstance(value, str) and value[:1] in ("[", "{"):
            with contextlib.suppress(json.JSONDecodeError):
                args[name] = json.loads(value)
    return args


def _form_to_dict(text: str) -> dict[str, Any]:
    parsed = parse_qs(text, keep_blank_values=True)
    return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}


_PARAM_RE = re.compile(r'(\w+)="([^"]*)"')


def _parse_multipart(
    content_type: str, body: bytes
) -> tuple[dict[str, str], dict[str, tuple[str | None, bytes]]]:
    """Split a multipart/form-data body into text fields and file parts (byte-exact)."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    fields: dict[str, str] = {}
    files: dict[str, tuple[str | None, bytes]] = {}
    if match is None:
        return fields, files
    delimiter = b"--" + match.group(1).encode("latin-1")
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break  # closing delimiter
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            continue
        if content.endswith(b"\r\n"):
            content = content[:-2]
        params: dict[str, str] = {}
        for line in head.decode("utf-8", errors="replace").split("\r\n"):
            if line.lower().startswith("content-disposition:"):
                params = dict(_PARAM_RE.findall(line))
        name = params.get("name", "")
        if "filename" in params:
            files[name] = (params["filename"], content)
        else:
            fields[name] = content.decode("utf-8", errors="replace")
    return fields, files


def _failure_reply(failure: _Failure) -> _Reply:
    if failure.error is not None:
        return _Reply(200, {"ok": False, "error": failure.error})
    if failure.status == 429:
        return _ratelimited(failure.retry_after)
    error = {503: "service_unavailable"}.get(failure.status, "internal_error")
    return _Reply(failure.status, {"ok": False, "error": error})


def _ratelimited(retry_after: int) -> _Reply:
    return _Reply(
        429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(max(0, retry_after))}
    )


def _split_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return []


def _is_user_id(value: str) -> bool:
    return len(value) > 1 and value[0] in "UW" and value[1:].isalnum()


def _im_channel_id(user_id: str) -> str:
    """The (deterministic) id of the bot's DM channel with a user."""
    return "D" + user_id


def _resolve_channel(value: Any) -> str:
    """Posting to a user id posts in the DM with that user, as Slack does."""
    channel = str(value or "")
    return _im_channel_id(channel) if _is_user_id(channel) else channel


# Slack's pagination guide: "We recommend 100-200 results at a time. The limit parameter
# maximum is 1000" (users.conversations: 999). The stand-in refuses more, as Slack may.
MAX_LIMIT = 1000


def _paginate(name: str, items: list[Any], args: dict[str, Any]) -> dict[str, Any]:
    try:
        limit = int(args.get("limit") or 100)
        start = int(str(args.get("cursor") or "").removeprefix("next:") or 0)
    except ValueError:
        return {"ok": False, "error": "invalid_cursor"}
    if limit > MAX_LIMIT:
        return {"ok": False, "error": "invalid_limit"}
    limit = max(1, limit)
    end = start + limit
    next_cursor = f"next:{end}" if end < len(items) else ""
    return {"ok": True, name: items[start:end], "response_metadata": {"next_cursor": next_cursor}}


def _message_from_call(
    call: Call, contexts: Mapping[str, tuple[str | None, str | None]]
) -> dict[str, Any]:
    args, response = call.args, call.response or {}
    message: dict[str, Any] = {
        "method": call.method,
        "channel": response.get("channel") or args.get("channel"),
        "user": args.get("user"),
        "text": args.get("text") or "",
        "blocks": args.get("blocks") or [],
        "ts": response.get("ts") or response.get("message_ts"),
        "thread_ts": args.get("thread_ts"),
        "key": call.key,
    }
    if args.get("attachments"):
        message["attachments"] = args["attachments"]
    if call.method == RESPONSE_URL_METHOD:
        channel, user = contexts.get(call.key or "", (None, None))
        message["channel"] = channel
        message["user"] = user
        message["response_type"] = args.get("response_type") or "ephemeral"
        message["replace_original"] = bool(args.get("replace_original"))
        message["delete_original"] = bool(args.get("delete_original"))
    return message


def _describe_call(call: Call) -> str:
    details: list[str] = []
    for name in ("channel", "user", "users", "view_id", "trigger_id", "text"):
        value = call.args.get(name)
        if value:
            text = str(value)
            details.append(f"{name}={text[:60] + '…' if len(text) > 60 else text!r}")
    if call.key:
        details.append(f"key={call.key}")
    outcome = "" if call.ok else f" -> {call.status}"
    if call.response and not call.response.get("ok"):
        outcome += f" {call.response.get('error')}"
    return f"{call.at:.3f} {call.method} {' '.join(details)}{outcome}".rstrip()


# -- rendering for the terminal --------------------------------------------------------------

_ENTITY_RE = re.compile(r"&(lt|gt|amp);")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&"}
_TOKEN_RE = re.compile(r"<([^<>\s][^<>]*)>")
_DIVIDER = "-" * 40


def _unescape(text: str) -> str:
    # One pass, so "&amp;lt;" becomes "&lt;" and not "<".
    return _ENTITY_RE.sub(lambda m: _ENTITIES[m.group(1)], text)


def mrkdwn_to_text(text: str, names: Mapping[str, str] | None = None) -> str:
    """Turn Slack mrkdwn into plain text: mentions, channel links, URLs and escapes."""
    names = names or {}

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        label = _unescape(label)
        if target.startswith("@"):
            user_id = target[1:]
            return "@" + (names.get(user_id) or label.lstrip("@") or user_id)
        if target.startswith("#"):
            channel_id = target[1:]
            return "#" + (names.get(channel_id) or label.lstrip("#") or channel_id)
        if target.startswith("!"):
            command = target[1:]
            if command in ("here", "channel", "everyone"):
                return "@" + command
            if label:  # !subteam^S123|@group, !date^…|fallback
                return label
            return "@" + command.split("^")[0]
        url = _unescape(target)
        if not label or label == url or url == f"mailto:{label}":
            return label or url
        return f"{label} ({url})"

    pieces: list[str] = []
    last = 0
    for match in _TOKEN_RE.finditer(text):
        pieces.append(_unescape(text[last : match.start()]))
        pieces.append(replace(match))
        last = match.end()
    pieces.append(_unescape(text[last:]))
    return "".join(pieces)


def _text_object(obj: Any, names: Mapping[str, str]) -> str:
    if isinstance(obj, str):
        return mrkdwn_to_text(obj, names)
    if not isinstance(obj, Mapping):
        return ""
    text = str(obj.get("text") or "")
    return mrkdwn_to_text(text, names) if obj.get("type") == "mrkdwn" else text


def _element(element: Any, names: Mapping[str, str]) -> str:
    """An interactive element as one bracketed token: ``[Klart]``."""
    if not isinstance(element, Mapping):
        return ""
    kind = element.get("type")
    if kind == "button":
        return f"[{_text_object(element.get('text'), names)}]"
    if kind == "overflow":
        return "[…]"
    if kind in ("datepicker", "timepicker", "datetimepicker"):
        value = element.get("initial_date") or element.get("initial_time")
        shown = value or _text_object(element.get("placeholder"), names)
        return f"[{shown}]" if shown else "[…]"
    if kind == "image":
        return ""
    initial = element.get("initial_option")
    if isinstance(initial, Mapping):
        return f"[{_text_object(initial.get('text'), names)} ▾]"
    placeholder = _text_object(element.get("placeholder"), names)
    return f"[{placeholder} ▾]" if placeholder else "[▾]"


def _render_block(block: Any, names: Mapping[str, str]) -> list[str]:
    if not isinstance(block, Mapping):
        return []
    kind = block.get("type")
    lines: list[str] = []
    if kind == "header":
        title = _text_object(block.get("text"), names)
        lines += [title, "=" * len(title)]
    elif kind == "section":
        if block.get("text"):
            lines.append(_text_object(block.get("text"), names))
        lines += [_text_object(f, names) for f in block.get("fields") or []]
        accessory = _element(block.get("accessory"), names)
        if accessory:
            lines.append(accessory)
    elif kind == "context":
        parts = [_text_object(e, names) for e in block.get("elements") or []]
        lines.append("  ".join(p for p in parts if p))
    elif kind == "actions":
        tokens = [_element(e, names) for e in block.get("elements") or []]
        lines.append(" ".join(t for t in tokens if t))
    elif kind == "divider":
        lines.append(_DIVIDER)
    elif kind == "input":
        label = _text_object(block.get("label"), names)
        lines.append(f"{label}: {_element(block.get('element'), names)}".rstrip())
    # rich_text, image, video, file and unknown blocks are left out.
    return [line for line in lines if line]


def render_message(payload: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """Render a Slack message payload (text and/or Block Kit) as plain terminal text.

    Blocks win over ``text`` (which Slack only uses for notifications then), unless nothing in
    the blocks can be shown. ``names`` maps user and channel ids to names for mentions.
    """
    names = names or {}
    blocks = payload.get("blocks")
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except json.JSONDecodeError:
            blocks = None
    lines: list[str] = []
    for block in blocks if isinstance(blocks, list) else []:
        lines += _render_block(block, names)
    if not lines and payload.get("text"):
        lines.append(mrkdwn_to_text(str(payload["text"]), names))
    for attachment in payload.get("attachments") or []:
        if not isinstance(attachment, Mapping):
            continue
        rendered = render_message(attachment, names)
        if not rendered and attachment.get("fallback"):
            rendered = mrkdwn_to_text(str(attachment["fallback"]), names)
        if rendered:
            lines.append(rendered)
    return "\n".join(lines)


def _true(value: Any) -> bool:
    """A boolean argument as the SDK sends it (1, "1", "true", True)."""
    return str(value).lower() in ("1", "true")
