"""The web server over real sockets on 127.0.0.1: limits, signatures, keep-alive, RFC 9110
answers, and what reaches the log."""

from __future__ import annotations

import contextlib
import http.client
import io
import logging
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from slack_bolt import BoltRequest

from bot.core.context import CalendarConfig, Product
from handlers.logs import INDENT, OneLineFormatter
from handlers.server import MAX_BODY
from handlers.slack_standin import LocalSlack
from handlers.slackwire import block_action, command_body, interactive_body, signed_headers
from tests.harness import SECRET, Harness, text_of

BASE = "https://ledningsbot.region.example"
FEED = re.compile(r"https://ledningsbot\.region\.example(/kalender/[A-Za-z0-9_-]+\.ics)")
RECORD_START = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ [\w.:]+: ")


@pytest.fixture
def web(product: Product, slack: LocalSlack) -> Iterator[Harness]:
    feeds = replace(product, calendar=CalendarConfig(public_base_url=BASE))
    with Harness(feeds, slack) as running:
        running.command("/organ", "ny LG Ledningsgrupp för samordning <#C0LG|ledningsgrupp>")
        yield running


def _exchange(port: int, request: bytes, *, then_send: bytes = b"") -> bytes:
    """Send raw bytes, then read until the server closes (or 10 s of silence)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        raw.sendall(request)
        with contextlib.suppress(OSError):  # it may close before it has it all: the point
            raw.sendall(then_send)
        answer = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := raw.recv(65536):
                answer += chunk
        return answer


def _command(harness: Harness, text: str) -> str:
    return command_body(
        "/beslut",
        text,
        user_id="U0SARA",
        channel_id="C0LG",
        response_url=harness.slack.response_url("x"),
    )


# ---------------------------------------------------------------------- limits


def test_a_body_over_the_limit_is_413_before_it_is_read_and_the_server_serves_on(
    web: Harness,
) -> None:
    """100 MB announced: refused once the headers are in, with most of the body never sent."""
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 104857600\r\n\r\n"
    )
    began = time.perf_counter()
    answer = _exchange(web.server.port, head, then_send=b"a" * 65536)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert time.perf_counter() - began < 5
    assert web.get("/healthz") == (200, "ok\n")


def test_a_chunked_body_over_the_limit_is_413(web: Harness) -> None:
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"%x\r\n%s\r\n" % (65536, b"a" * 65536)
    chunks = chunk * (MAX_BODY // 65536 + 1)  # just over the limit, then no end chunk
    answer = _exchange(web.server.port, head, then_send=chunks)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert web.get("/healthz") == (200, "ok\n")


def test_a_body_at_the_limit_reaches_the_signature_check(web: Harness) -> None:
    body = "text=" + "a" * (MAX_BODY - 5)
    assert web.post(body, sign=False)[0] == 401


# ---------------------------------------------------------------------- signatures


def _shapes() -> list[tuple[str, list[tuple[bytes, bytes]]]]:
    now = str(int(time.time())).encode()
    good = b"v0=" + b"0" * 64
    return [
        ("no headers", []),
        ("no signature", [(b"X-Slack-Request-Timestamp", now)]),
        ("no timestamp", [(b"X-Slack-Signature", good)]),
        ("empty", [(b"X-Slack-Request-Timestamp", b""), (b"X-Slack-Signature", b"")]),
        ("not a number", [(b"X-Slack-Request-Timestamp", b"nu"), (b"X-Slack-Signature", good)]),
        ("a float", [(b"X-Slack-Request-Timestamp", now + b".5"), (b"X-Slack-Signature", good)]),
        ("negative", [(b"X-Slack-Request-Timestamp", b"-" + now), (b"X-Slack-Signature", good)]),
        ("huge", [(b"X-Slack-Request-Timestamp", b"9" * 5000), (b"X-Slack-Signature", good)]),
        ("stale", [(b"X-Slack-Request-Timestamp", b"1000000000"), (b"X-Slack-Signature", good)]),
        (
            "non-ASCII digits",  # Arabic-Indic digits: str.isdigit() and int() accept them
            [
                (b"X-Slack-Request-Timestamp", "١٧٠٠٠٠٠٠٠٠".encode()),
                (b"X-Slack-Signature", good),
            ],
        ),
        (
            "non-ASCII signature",
            [(b"X-Slack-Request-Timestamp", now), (b"X-Slack-Signature", "v0=ä".encode() * 20)],
        ),
        ("a wrong signature", [(b"X-Slack-Request-Timestamp", now), (b"X-Slack-Signature", good)]),
        (
            "twice",
            [
                (b"X-Slack-Request-Timestamp", now),
                (b"X-Slack-Request-Timestamp", now),
                (b"X-Slack-Signature", good),
            ],
        ),
    ]


@pytest.mark.parametrize(("shape", "headers"), _shapes(), ids=[s for s, _ in _shapes()])
def test_a_bad_or_missing_signature_of_any_shape_is_401(
    web: Harness, shape: str, headers: list[tuple[bytes, bytes]]
) -> None:
    for content_type, body in (
        (b"application/x-www-form-urlencoded", _command(web, "Förfalskat beslut").encode()),
        (b"application/json", b'{"not json'),  # Bolt parses before it checks: 500 there
        (b"application/x-www-form-urlencoded", b"\xff\xfe not UTF-8"),
    ):
        request = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        request += b"Content-Type: " + content_type + b"\r\n"
        request += b"Content-Length: %d\r\n" % len(body)
        request += b"".join(name + b": " + value + b"\r\n" for name, value in headers)
        answer = _exchange(web.server.port, request + b"\r\n" + body)
        assert answer.startswith(b"HTTP/1.1 401 "), (shape, answer[:200])
    assert [c.key for c in web.slack.calls("response_url")] == ["r1"]  # the organ's, only


def test_a_signed_request_still_gets_through(web: Harness) -> None:
    reply = web.command("/beslut", "Ledningsgruppen beslutar enligt förslag")
    assert "LG-2026-1" in text_of(reply)


# ---------------------------------------------------------------------- HTTP/1.1


def test_two_requests_on_one_kept_alive_connection(web: Harness) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", web.server.port, timeout=10)
    try:
        connection.request("GET", "/healthz")
        first = connection.getresponse()
        assert (first.status, first.version, first.read()) == (200, 11, b"ok\n")
        kept = connection.sock
        body = _command(web, "Ledningsgruppen beslutar enligt förslag")
        headers = {
            **signed_headers(SECRET, body),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        connection.request("POST", "/slack/events", body=body.encode(), headers=headers)
        second = connection.getresponse()
        second.read()
        assert second.status == 200
        assert connection.sock is kept and kept is not None  # the same socket, not a new one
    finally:
        connection.close()
    web.slack.wait_for(lambda calls: any(c.key == "x" for c in calls))


def _feed_path(web: Harness) -> str:
    match = FEED.search(text_of(web.command("/kalender", "")))
    assert match is not None
    return match.group(1)


def test_feed_200_head_and_304_follow_rfc_9110(web: Harness) -> None:
    path = _feed_path(web)
    connection = http.client.HTTPConnection("127.0.0.1", web.server.port, timeout=10)
    try:
        connection.request("GET", path)
        got = connection.getresponse()
        body = got.read()
        assert got.status == 200 and body.startswith(b"BEGIN:VCALENDAR")
        assert got.headers["Content-Length"] == str(len(body))
        etag = got.headers["ETag"]

        connection.request("HEAD", path)
        head = connection.getresponse()
        assert head.status == 200 and head.read() == b""
        same = ("Content-Type", "Content-Length", "ETag", "Last-Modified", "Cache-Control")
        assert [head.headers[n] for n in same] == [got.headers[n] for n in same]

        connection.request("GET", path, headers={"If-None-Match": etag})
        unchanged = connection.getresponse()
        assert unchanged.status == 304 and unchanged.read() == b""
        assert "Content-Length" not in unchanged.headers
        assert unchanged.headers["ETag"] == etag
        assert unchanged.headers["Cache-Control"] == got.headers["Cache-Control"]
    finally:
        connection.close()


def test_head_sends_no_body_on_a_kept_alive_connection(web: Harness) -> None:
    """HEAD's answer has GET's Content-Length and no body: the next answer on the same
    connection starts right after its headers."""
    answer = _exchange(
        web.server.port,
        b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        b"HEAD /finns-inte HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    first, second, third = answer.split(b"\r\n\r\n", 2)
    assert first.startswith(b"HTTP/1.1 200 ") and b"\r\nContent-Length: 3" in first
    assert second.startswith(b"HTTP/1.1 404 ") and b"\r\nContent-Length: 11" in second
    assert third.startswith(b"HTTP/1.1 200 ") and third.endswith(b"\r\n\r\nok\n")


def test_wrong_method_is_405_with_allow(web: Harness) -> None:
    answer = _exchange(
        web.server.port,
        b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 405 ") and b"\r\nAllow: GET, HEAD\r\n" in answer
    answer = _exchange(
        web.server.port, b"GET /slack/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert answer.startswith(b"HTTP/1.1 405 ") and b"\r\nAllow: POST\r\n" in answer


# ---------------------------------------------------------------------- the log


def test_no_request_body_reaches_the_log(web: Harness, caplog: pytest.LogCaptureFixture) -> None:
    secret_text = "Hemligt förslag om nedläggning"
    body = _command(web, secret_text)
    quoted = body.split("text=")[1].split("&")[0]
    with caplog.at_level(logging.DEBUG):
        assert web.post(body, sign=False)[0] == 401
        assert web.post(body, secret="fel-hemlighet")[0] == 401
        # Bolt itself, handed a request whose signature fails, logs it with its body at INFO
        # (slack_bolt.middleware.request_verification): that record is kept out too.
        bad = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=0"}
        assert web.bot.bolt.dispatch(BoltRequest(body=body, headers=bad)).status == 401
    assert "refused a request to /slack/events" in caplog.text  # the refusal is logged
    assert secret_text not in caplog.text and quoted not in caplog.text


def test_request_text_cannot_forge_a_log_line(web: Harness) -> None:
    """A signed request whose action id holds a newline and a fake record (an unhandled action
    is logged with its id, at DEBUG), and an error whose message holds one: every line that
    starts at the margin is a real record's first line."""
    fake = "2026-01-01 00:00:00,000 ERROR handlers.server: forged"
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        payload = block_action(
            f"okänd\n{fake}",
            "v",
            user_id="U0SARA",
            channel_id="C0LG",
            response_url=web.slack.response_url("a"),
        )
        status, _ = web.post(interactive_body(payload))
        assert status == 200  # unhandled: answered, and logged with its id
        try:
            raise ValueError(f"okänt värde\n{fake}")
        except ValueError:
            logging.getLogger("handlers.server").exception("failed:\r\n%s", fake)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    lines = out.getvalue().splitlines()
    assert any("\\n" + fake in line for line in lines)  # it was logged, escaped
    assert sum(line.startswith(INDENT) for line in lines) >= 3  # the traceback, indented
    for line in lines:
        assert line.startswith(INDENT) or (RECORD_START.match(line) and fake not in line[:60])
        assert not line.startswith(fake)
