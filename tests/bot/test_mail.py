"""bot/calendar/mail.py against a tiny scripted SMTP server on loopback: a server that hangs up
mid-session, answers 421, or refuses a recipient or the message. Each failure is one MailError
for that message, and the batch goes on (or stops at once when the server cannot be reached)."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from bot.calendar.mail import Mailer, MailError, imip_message
from bot.core.context import SmtpConfig

# For each connection in turn: the verb (HELO/EHLO, MAIL, RCPT, DATA, "." for the end of the
# message) → the reply the first time it comes, or None to hang up there. Everything else gets
# the usual success.
Script = dict[str, str | None]
OK = {"EHLO": "250 ok", "HELO": "250 ok", "MAIL": "250 ok", "RCPT": "250 ok", "DATA": "354 go"}


class ScriptedSmtp(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, scripts: list[Script]) -> None:
        super().__init__(("127.0.0.1", 0), _Session)
        self.scripts = scripts
        self.connections = 0
        self.delivered: list[bytes] = []
        self.lock = threading.Lock()

    def next_script(self) -> Script:
        with self.lock:
            index = self.connections
            self.connections += 1
        return self.scripts[index] if index < len(self.scripts) else {}


class _Session(socketserver.StreamRequestHandler):
    server: ScriptedSmtp

    def handle(self) -> None:
        once = dict(self.server.next_script())
        usual = {**OK, ".": "250 queued"}
        self.wfile.write(b"220 scripted ESMTP\r\n")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.split(b" ", 1)[0].split(b":", 1)[0].strip().decode().upper()
            if verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            reply = once.pop(verb) if verb in once else usual.get(verb, "250 ok")
            if reply is None:
                return  # hang up
            self.wfile.write(reply.encode() + b"\r\n")
            if verb == "DATA" and reply.startswith("354"):
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    chunk = self.rfile.readline()
                    if not chunk:
                        return
                    data += chunk
                end = once.pop(".") if "." in once else usual["."]
                if end is None:
                    return
                if end.startswith("250"):
                    with self.server.lock:
                        self.server.delivered.append(data)
                self.wfile.write(end.encode() + b"\r\n")


def serve(scripts: list[Script]) -> Iterator[ScriptedSmtp]:
    server = ScriptedSmtp(scripts)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def mailer(server: ScriptedSmtp) -> Mailer:
    host, port = server.server_address[:2]
    return Mailer(SmtpConfig(host=str(host), port=int(port), starttls=False, timeout=5))


def message(to: str = "anna@example.se") -> EmailMessage:
    return imip_message(
        sender="lg@example.se",
        sender_name="LG",
        to=to,
        to_name="Anna",
        subject="Inbjudan",
        text="Välkommen",
        ics=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        method="REQUEST",
        now=datetime(2026, 11, 23, 9, tzinfo=UTC),
    )


def send(m: Mailer, to: str = "anna@example.se") -> None:
    m.send(message(to), sender="lg@example.se", recipient=to)


@pytest.fixture
def smtp(request: pytest.FixtureRequest) -> Iterator[ScriptedSmtp]:
    yield from serve(request.param)


@pytest.mark.parametrize("smtp", [[{"MAIL": None}]], indirect=True)
def test_a_hang_up_mid_session_is_met_with_one_new_connection(smtp: ScriptedSmtp) -> None:
    with mailer(smtp) as m:
        send(m)
    assert smtp.connections == 2
    assert len(smtp.delivered) == 1


@pytest.mark.parametrize("smtp", [[{"RCPT": None}, {".": None}]], indirect=True)
def test_a_second_hang_up_fails_that_message_and_the_next_goes_on_a_new_connection(
    smtp: ScriptedSmtp,
) -> None:
    with mailer(smtp) as m:
        with pytest.raises(MailError) as failed:
            send(m)
        assert failed.value.kind == "unreachable"
        send(m, "roger@example.se")
    assert smtp.connections == 3
    assert len(smtp.delivered) == 1 and b"roger@example.se" in smtp.delivered[0]


@pytest.mark.parametrize("smtp", [[{"MAIL": "421 4.3.2 closing, try later"}]], indirect=True)
def test_421_fails_the_message_and_the_next_one_reconnects(smtp: ScriptedSmtp) -> None:
    with mailer(smtp) as m:
        with pytest.raises(MailError) as failed:
            send(m)
        assert failed.value.kind == "refused" and "421" in failed.value.detail
        send(m, "roger@example.se")
    assert smtp.connections == 2
    assert len(smtp.delivered) == 1


@pytest.mark.parametrize(
    ("smtp", "code"),
    [
        ([{"RCPT": "550 5.1.1 no such user"}], "550"),
        ([{"MAIL": "552 5.3.4 too big"}], "552"),
        ([{".": "554 5.7.1 rejected as spam"}], "554"),
        ([{"DATA": "451 4.3.0 local error"}], "451"),
    ],
    indirect=["smtp"],
)
def test_a_refusal_fails_that_message_only_on_the_same_connection(
    smtp: ScriptedSmtp, code: str
) -> None:
    with mailer(smtp) as m:
        with pytest.raises(MailError) as failed:
            send(m)
        assert failed.value.kind == "refused" and code in failed.value.detail
        send(m, "roger@example.se")
    assert len(smtp.delivered) == 1 and b"roger@example.se" in smtp.delivered[0]


def test_an_unreachable_server_fails_the_whole_batch_at_once() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with Mailer(SmtpConfig(host="127.0.0.1", port=port, starttls=False, timeout=2)) as m:
        with pytest.raises(MailError) as first:
            send(m)
        assert first.value.kind == "unreachable"
        with pytest.raises(MailError) as second:
            send(m, "roger@example.se")
        assert second.value is first.value  # no second attempt to connect


@pytest.mark.parametrize("smtp", [[{"EHLO": None, "HELO": None}]], indirect=True)
def test_a_server_that_hangs_up_at_the_greeting_is_unreachable(smtp: ScriptedSmtp) -> None:
    with mailer(smtp) as m, pytest.raises(MailError) as failed:
        send(m)
    assert failed.value.kind == "unreachable"


@pytest.mark.parametrize("smtp", [[]], indirect=True)
@pytest.mark.parametrize(
    "config",
    [{"starttls": True}, {"starttls": False, "user": "lg", "password": "hemligt"}],
    ids=["STARTTLS not offered", "AUTH not offered"],
)
def test_a_server_without_starttls_or_login_is_unreachable_not_skipped(
    smtp: ScriptedSmtp, config: dict[str, object]
) -> None:
    """The connection is never used in the clear, nor without logging in, when the settings
    ask for TLS or a login that the server does not offer."""
    host, port = smtp.server_address[:2]
    settings = SmtpConfig(host=str(host), port=int(port), timeout=5, **config)  # type: ignore[arg-type]
    with Mailer(settings) as m, pytest.raises(MailError) as failed:
        send(m)
    assert failed.value.kind == "unreachable"
    assert smtp.delivered == []
