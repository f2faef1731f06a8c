"""A local stand-in for Slack's Socket Mode: a real WebSocket server on loopback.

The Web API stand-in (``handlers.slack_standin.LocalSlack``) answers ``apps.connections.open``
with a URL from ``new_url()``; the bot's Socket Mode client connects here and is spoken to as
Slack speaks: ``hello`` first, then envelopes (``slash_commands``, ``interactive``,
``events_api`` with ``retry_attempt``/``retry_reason``), each acked by its ``envelope_id``, and
``{"type": "disconnect", "reason": "refresh_requested"}``. What Slack's network can do to a
connection can be done here too: a close frame, a TCP reset (SO_LINGER 0, then close) and a
half-closed link (a FIN without a close frame, the socket then kept open and silent)::

    with LocalSlack() as slack, LocalSocketMode() as socket_mode:
        slack.serve_socket_mode(socket_mode.new_url)
        ... start the bot with SLACK_API_URL=slack.url and an xapp- token ...
        link = socket_mode.wait_hello()
        envelope = socket_mode.command({"command": "/beslut", "text": "", ...})
        ack = socket_mode.wait_ack(envelope)        # ack.latency: seconds from send to ack

Stdlib only: the handshake (RFC 6455 §4) and the framing (§5) a server needs are short. All
state lives behind one ``threading.Condition``, so tests wait for acks and connections made on
other threads without sleeping.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import json
import logging
import secrets
import socket
import struct
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from handlers.loopback import LoopbackServer

__all__ = ["Ack", "Link", "LocalSocketMode"]

logger = logging.getLogger(__name__)

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 §1.3
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
APP_ID = "A0001"
MAX_FRAME = 1 << 20  # a client frame larger than this closes the link (1009)


@dataclass
class Link:
    """One WebSocket connection from the bot.

    ``opened_at`` is when its handshake completed and ``hello`` went out; ``ended_at`` is when
    it was seen to end (``end``: ``client-close``, ``client-eof``, ``server-close``, ``reset``,
    ``half-closed``, ``stopped``). A half-closed link stays open until the client lets go:
    ``client_gone_at`` is when its EOF arrived.
    """

    id: int
    sock: socket.socket = field(repr=False)
    accepted: bool = False  # the handshake is done (hello may be held back)
    opened_at: float | None = None
    ended_at: float | None = None
    end: str | None = None
    client_gone_at: float | None = None
    pings: int = 0
    _send_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def live(self) -> bool:
        """Open and answering: envelopes sent here can be acked."""
        return self.ended_at is None


@dataclass(frozen=True)
class Envelope:
    id: str
    type: str
    link: int
    sent_at: float


@dataclass(frozen=True)
class Ack:
    """An ack as received: which envelope, on which link, when, and its payload if any."""

    envelope_id: str
    link: int
    at: float
    latency: float  # seconds from sending the envelope to receiving this ack
    payload: dict[str, Any] | None


class LocalSocketMode(LoopbackServer):
    """A loopback WebSocket server speaking Slack's Socket Mode protocol."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        clock: Callable[[], float] = time.monotonic,
        app_id: str = APP_ID,
    ) -> None:
        super().__init__(host, port)
        self._clock = clock
        self._app_id = app_id
        self._cond = threading.Condition(threading.RLock())
        self._tickets: set[str] = set()
        self._links: list[Link] = []
        self._envelopes: dict[str, Envelope] = {}
        self._acks: list[Ack] = []
        self._stray: list[dict[str, Any]] = []  # acks for envelopes never sent
        self._refused = 0  # handshakes with no valid ticket
        self._hello = threading.Event()  # cleared: hello is held back after the handshake
        self._hello.set()
        self._ids = itertools.count(1)

    # -- lifecycle (start, stop and ``with`` come from LoopbackServer) -----------------------

    def _bind(self) -> socket.socket:
        return socket.create_server((self._host, self._port), backlog=64)

    def _interrupt(self) -> None:
        listener = self._listener
        assert listener is not None
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()

    def _stopped(self) -> None:
        with self._cond:
            links = list(self._links)
        for link in links:
            self._finish(link, "stopped")

    def new_url(self) -> str:
        """A fresh connection URL with a one-time ticket (what apps.connections.open returns)."""
        ticket = secrets.token_hex(8)
        with self._cond:
            self._tickets.add(ticket)
        return f"ws://{self._host}:{self.port}/link/?ticket={ticket}&app_id={self._app_id}"

    # -- what Slack sends ------------------------------------------------------------------

    def send(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        link: Link | None = None,
        accepts_response_payload: bool = False,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
    ) -> str:
        """Send an envelope on ``link`` (the newest live one by default, waiting a moment for
        one: the client may read its hello before the stand-in's thread has noted it sent);
        returns its id."""
        target = self._require(link)
        envelope_id = f"{secrets.token_hex(4)}-{next(self._ids):04d}"
        message: dict[str, Any] = {
            "envelope_id": envelope_id,
            "payload": dict(payload),
            "type": kind,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            message["retry_attempt"] = retry_attempt or 0
            message["retry_reason"] = retry_reason or ""
        data = json.dumps(message, ensure_ascii=False).encode()
        with self._cond:
            self._envelopes[envelope_id] = Envelope(envelope_id, kind, target.id, self._clock())
        self._send_frame(target, OP_TEXT, data)
        return envelope_id

    def command(self, fields: Mapping[str, Any], *, link: Link | None = None) -> str:
        """A slash command: ``fields`` as Slack posts them over HTTP (command, text, …)."""
        return self.send("slash_commands", fields, link=link, accepts_response_payload=True)

    def interactive(self, payload: Mapping[str, Any], *, link: Link | None = None) -> str:
        """A button press, a form submission (block_actions, view_submission, …)."""
        accepts = payload.get("type") in ("view_submission", "block_suggestion")
        return self.send("interactive", payload, link=link, accepts_response_payload=accepts)

    def event(
        self,
        body: Mapping[str, Any],
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        link: Link | None = None,
    ) -> str:
        """An Events API callback (``type: event_callback``), possibly a retry."""
        return self.send(
            "events_api",
            body,
            link=link,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
        )

    def refresh(self, link: Link | None = None) -> Link:
        """``disconnect`` with ``refresh_requested``: the client should open a new connection
        at once. The old one stays open (and envelopes may still come on it) until the client
        closes it."""
        target = self._require(link)
        message = {"type": "disconnect", "reason": "refresh_requested", "debug_info": _DEBUG}
        self._send_frame(target, OP_TEXT, json.dumps(message).encode())
        return target

    def hold_hello(self) -> None:
        """Complete handshakes but hold ``hello`` back until ``release_hello()``."""
        self._hello.clear()

    def release_hello(self) -> float:
        """Send the held ``hello``s (and every later one at once); returns when."""
        at = self._clock()
        self._hello.set()
        return at

    # -- what the network does -------------------------------------------------------------

    def close(self, link: Link | None = None, code: int = 1001) -> tuple[Link, float]:
        """Send a close frame and end the connection; returns the link and when."""
        target = self._require(link)
        at = self._clock()
        self._send_frame(target, OP_CLOSE, struct.pack("!H", code) + b"going away")
        self._finish(target, "server-close")
        return target, at

    def reset(self, link: Link | None = None) -> tuple[Link, float]:
        """A TCP reset: SO_LINGER 0, then close. No close frame."""
        target = self._require(link)
        at = self._clock()
        self._finish(target, "reset", reset=True)
        return target, at

    def half_close(self, link: Link | None = None) -> tuple[Link, float]:
        """A FIN without a close frame: shutdown(SHUT_WR); the socket stays open and silent
        (nothing is answered, not even pings) until the client closes it."""
        target = self._require(link)
        at = self._clock()
        with self._cond:
            if target.ended_at is None:
                target.ended_at, target.end = at, "half-closed"
            self._cond.notify_all()
        with target._send_lock, contextlib.suppress(OSError):
            target.sock.shutdown(socket.SHUT_WR)
        return target, at

    # -- queries ---------------------------------------------------------------------------

    def links(self) -> list[Link]:
        """Every connection so far, oldest first."""
        with self._cond:
            return list(self._links)

    def newest(self) -> Link | None:
        with self._cond:
            live = [link for link in self._links if link.live and link.opened_at is not None]
            return live[-1] if live else None

    def acks(self) -> list[Ack]:
        with self._cond:
            return list(self._acks)

    def stray_acks(self) -> list[dict[str, Any]]:
        """Acks whose envelope_id was never sent (or was acked twice)."""
        with self._cond:
            return list(self._stray)

    @property
    def refused(self) -> int:
        """Handshakes refused for want of a valid, unused ticket."""
        with self._cond:
            return self._refused

    def wait_hello(self, count: int = 1, timeout: float = 10.0, *, after: float = -1.0) -> Link:
        """Wait until ``count`` connections opened after ``after`` have had their ``hello``;
        returns the newest live one."""

        def ready() -> bool:
            opened = [
                link
                for link in self._links
                if link.opened_at is not None and link.opened_at > after
            ]
            return len(opened) >= count and any(link.live for link in opened)

        with self._cond:
            if not self._cond.wait_for(ready, timeout=timeout):
                raise AssertionError(
                    f"LocalSocketMode: {count} connection(s) not opened within {timeout:g} s; "
                    f"links: {self._links}"
                )
            return [link for link in self._links if link.live and link.opened_at is not None][-1]

    def wait_accepted(self, timeout: float = 10.0) -> Link:
        """Wait for a handshake (``hello`` may be held back); returns that link."""
        with self._cond:
            if not self._cond.wait_for(lambda: any(k.accepted for k in self._links), timeout):
                raise AssertionError(f"LocalSocketMode: no handshake within {timeout:g} s")
            return next(k for k in self._links if k.accepted)

    def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> Ack:
        with self._cond:
            found: list[Ack] = []

            def acked() -> bool:
                found[:] = [a for a in self._acks if a.envelope_id == envelope_id]
                return bool(found)

            if not self._cond.wait_for(acked, timeout=timeout):
                envelope = self._envelopes.get(envelope_id)
                raise AssertionError(
                    f"LocalSocketMode: envelope {envelope_id} ({envelope}) not acked within "
                    f"{timeout:g} s; links: {self._links}"
                )
            return found[0]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Wait until ``predicate()`` (called with the lock held) holds; False on timeout."""
        with self._cond:
            return self._cond.wait_for(predicate, timeout=timeout)

    def wait_gone(self, link: Link, timeout: float = 10.0) -> float:
        """Wait until the client has let go of ``link``; returns when it did."""

        def gone() -> bool:
            return link.client_gone_at is not None or (
                link.ended_at is not None and link.end != "half-closed"
            )

        if not self.wait_for(gone, timeout):
            raise AssertionError(f"LocalSocketMode: the client kept {link} for {timeout:g} s")
        return link.client_gone_at or link.ended_at or 0.0

    # -- the server ------------------------------------------------------------------------

    def _require(self, link: Link | None, timeout: float = 5.0) -> Link:
        """``link``, or the newest live one, waiting a moment for one (a client that has just
        had its hello may still be between connections on a loaded machine)."""
        if link is not None:
            return link
        self.wait_for(lambda: self.newest() is not None, timeout)
        target = self.newest()
        if target is None:
            raise AssertionError("LocalSocketMode: no live connection")
        return target

    def _serve_forever(self) -> None:
        """Accept connections, each served by a thread of its own (``_serve``)."""
        listener = self._listener
        assert listener is not None
        while not self._stopping.is_set():
            try:
                sock, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = _Reader(sock)
        try:
            if not self._handshake(sock, reader):
                sock.close()
                return
        except OSError:
            sock.close()
            return
        with self._cond:
            link = Link(next(self._ids), sock)
            live = sum(1 for other in self._links if other.live)
            self._links.append(link)
        hello = {
            "type": "hello",
            "num_connections": live + 1,
            "debug_info": {**_DEBUG, "approximate_connection_time": 18060},
            "connection_info": {"app_id": self._app_id},
        }
        with self._cond:
            link.accepted = True
            self._cond.notify_all()
        while not self._hello.wait(0.1):
            if self._stopping.is_set() or not link.live:
                return
        self._send_frame(link, OP_TEXT, json.dumps(hello).encode())
        with self._cond:
            link.opened_at = self._clock()
            self._cond.notify_all()
        self._read_loop(link, reader)

    def _handshake(self, sock: socket.socket, reader: _Reader) -> bool:
        sock.settimeout(10)
        head = reader.until(b"\r\n\r\n", limit=16384)
        sock.settimeout(None)
        lines = head.decode("latin-1").split("\r\n")
        method, target, *_ = [*lines[0].split(" "), "", ""]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        ticket = parse_qs(urlsplit(target).query).get("ticket", [""])[0]
        key = headers.get("sec-websocket-key", "")
        upgrade = headers.get("upgrade", "").lower() == "websocket"
        with self._cond:
            valid = ticket in self._tickets
            self._tickets.discard(ticket)
            if not valid:
                self._refused += 1
        if method != "GET" or not upgrade or not key or not valid:
            sock.sendall(
                b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            return False
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        sock.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        return True

    def _read_loop(self, link: Link, reader: _Reader) -> None:
        fragments: list[bytes] = []
        try:
            while True:
                frame = reader.frame()
                if frame is None:  # EOF: from the client, or our own shutdown
                    break
                fin, opcode, data = frame
                if self._silent(link):
                    continue  # half-closed: read and drop, answer nothing
                if opcode == OP_PING:
                    link.pings += 1
                    self._send_frame(link, OP_PONG, data)
                elif opcode == OP_CLOSE:
                    self._send_frame(link, OP_CLOSE, data[:2])
                    self._finish(link, "client-close")
                    break
                elif opcode in (OP_TEXT, OP_BINARY, OP_CONT):
                    fragments.append(data)
                    if fin:
                        self._received(link, b"".join(fragments))
                        fragments = []
        except (OSError, ValueError):
            pass
        with self._cond:
            if link.end in (None, "half-closed"):  # the client let go
                link.client_gone_at = self._clock()
                if link.ended_at is None:
                    link.ended_at, link.end = link.client_gone_at, "client-eof"
            self._cond.notify_all()
        with link._send_lock, contextlib.suppress(OSError):
            link.sock.close()

    def _silent(self, link: Link) -> bool:
        with self._cond:
            return link.end == "half-closed"

    def _received(self, link: Link, data: bytes) -> None:
        at = self._clock()
        try:
            message = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            logger.warning("LocalSocketMode: not JSON from the client: %r", data[:200])
            return
        envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
        with self._cond:
            envelope = self._envelopes.get(str(envelope_id))
            if envelope is None or any(a.envelope_id == envelope_id for a in self._acks):
                self._stray.append(message)
            else:
                payload = message.get("payload")
                self._acks.append(
                    Ack(
                        envelope.id,
                        link.id,
                        at,
                        at - envelope.sent_at,
                        payload if isinstance(payload, dict) else None,
                    )
                )
            self._cond.notify_all()

    def _send_frame(self, link: Link, opcode: int, data: bytes) -> None:
        length = len(data)
        if length < 126:
            head = struct.pack("!BB", 0x80 | opcode, length)
        elif length < 1 << 16:
            head = struct.pack("!BBH", 0x80 | opcode, 126, length)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 127, length)
        with link._send_lock:
            try:
                link.sock.sendall(head + data)
            except OSError:
                logger.debug("LocalSocketMode: send on link %s failed", link.id, exc_info=True)

    def _finish(self, link: Link, end: str, *, reset: bool = False) -> None:
        """End the link from this side. The reader thread is woken with shutdown(SHUT_RD), which
        sends nothing (a close() alone would not wake it, and would leave the socket open)."""
        with self._cond:
            if link.ended_at is None:
                link.ended_at, link.end = self._clock(), end
            self._cond.notify_all()
        with link._send_lock:
            with contextlib.suppress(OSError):
                if reset:  # close() then sends an RST instead of a FIN
                    link.sock.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    link.sock.shutdown(socket.SHUT_RD)
                else:
                    link.sock.shutdown(socket.SHUT_RDWR)
            link.sock.close()


_DEBUG = {"host": "applink-local", "build_number": 1}


class _Reader:
    """Buffered reads from one socket: the handshake's head, then client frames (masked)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = b""

    def _fill(self) -> bool:
        chunk = self._sock.recv(65536)
        if not chunk:
            return False
        self._buffer += chunk
        return True

    def until(self, marker: bytes, limit: int) -> bytes:
        while marker not in self._buffer:
            if len(self._buffer) > limit or not self._fill():
                raise ValueError("no handshake")
        head, _, self._buffer = self._buffer.partition(marker)
        return head

    def exactly(self, count: int) -> bytes | None:
        while len(self._buffer) < count:
            if not self._fill():
                return None
        data, self._buffer = self._buffer[:count], self._buffer[count:]
        return data

    def frame(self) -> tuple[bool, int, bytes] | None:
        """One frame (fin, opcode, unmasked payload), or None at EOF."""
        head = self.exactly(2)
        if head is None:
            return None
        fin, opcode = bool(head[0] & 0x80), head[0] & 0x0F
        masked, length = bool(head[1] & 0x80), head[1] & 0x7F
        if length == 126:
            more = self.exactly(2)
            if more is None:
                return None
            (length,) = struct.unpack("!H", more)
        elif length == 127:
            more = self.exactly(8)
            if more is None:
                return None
            (length,) = struct.unpack("!Q", more)
        if length > MAX_FRAME:
            raise ValueError("frame too large")
        mask = self.exactly(4) if masked else b"\0\0\0\0"
        data = self.exactly(length)
        if mask is None or data is None:
            return None
        if masked:
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        return fin, opcode, data
