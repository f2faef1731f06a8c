"""Socket Mode, as Slack speaks it: envelopes in over a WebSocket, acks by envelope id, replies
out to the Web API stand-in; refreshes, dropped links, a bad app token, and readiness."""

from __future__ import annotations

import io
import itertools
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl

import pytest
from sqlmodel import select

from bot.core.context import Product
from handlers.app import Bot, build_bot
from handlers.readiness import Readiness
from handlers.server import WebServer
from handlers.slack_standin import LocalSlack
from handlers.slackwire import block_action, command_body, event_body, view_submission
from handlers.socket_mode import Backoff, SocketLink
from handlers.socket_standin import Ack, LocalSocketMode
from storage.db import Database
from storage.models import Decision, ProcessedEvent
from tests.harness import PEOPLE, replied, set_up_workspace, settings_for, text_of
from tests.processes import RunProcess, url_of

APP_TOKEN = "xapp-1-test"
FAST = Backoff(first=0.1, most=0.4)
ACK_LIMIT = 1.0  # seconds: Slack's limit is 3 s; a healthy ack takes milliseconds


@pytest.fixture
def socket_mode(slack: LocalSlack) -> Iterator[LocalSocketMode]:
    with LocalSocketMode() as stand_in:
        slack.serve_socket_mode(stand_in.new_url, app_token=APP_TOKEN)
        yield stand_in


class SocketHarness:
    """The bot in this process, linked to the stand-ins over Socket Mode."""

    def __init__(self, product: Product, slack: LocalSlack, socket_mode: LocalSocketMode) -> None:
        self.product = product
        self.slack = slack
        self.socket_mode = socket_mode
        set_up_workspace(slack)
        self.bot: Bot = build_bot(settings_for(product, slack, app_token=APP_TOKEN), product)
        self.out, self.err = io.StringIO(), io.StringIO()
        self.link = SocketLink(self.bot.bolt, APP_TOKEN, backoff=FAST, out=self.out, err=self.err)
        self._keys = itertools.count(1)
        self.last_ack: Ack | None = None

    def __enter__(self) -> SocketHarness:
        self.link.start()
        assert self.link.wait_connected(10), self.err.getvalue()
        return self

    def __exit__(self, *exc: object) -> None:
        self.link.stop()
        self.bot.close()

    def acked(self, envelope_id: str) -> Ack:
        ack = self.last_ack = self.socket_mode.wait_ack(envelope_id)
        assert ack.latency < ACK_LIMIT, ack
        return ack

    def reply(self, key: str) -> dict[str, Any]:
        return replied(self.slack, key)

    def command(self, command: str, text: str, *, user: str = "sara", **kw: Any) -> str:
        """Send a slash command; return the key of its response_url."""
        key = f"s{next(self._keys)}"
        user_id = PEOPLE.get(user, user)
        body = command_body(
            command,
            text,
            user_id=user_id,
            channel_id="C0LG",
            response_url=self.slack.response_url(key, channel="C0LG", user=user_id),
            user_name=user,
        )
        self.acked(self.socket_mode.command(dict(parse_qsl(body)), **kw))
        return key

    def answer(self, command: str, text: str, *, user: str = "sara") -> dict[str, Any]:
        return self.reply(self.command(command, text, user=user))


@pytest.fixture
def over_socket(
    product: Product, slack: LocalSlack, socket_mode: LocalSocketMode
) -> Iterator[SocketHarness]:
    with SocketHarness(product, slack, socket_mode) as running:
        yield running


def setup_organs(h: SocketHarness) -> None:
    for line in (
        "ny LG Ledningsgrupp för samordning <#C0LG|ledningsgrupp> sammankallande <@U0MAGNUS>",
        "ny AU Arbetsutskottet <#C0AU|au>",
    ):
        assert "skapat" in text_of(h.answer("/organ", line))


# ---------------------------------------------------------------------- as over HTTP


def test_command_is_acked_and_answered(over_socket: SocketHarness) -> None:
    setup_organs(over_socket)
    reply = over_socket.answer("/beslut", "Ledningsgruppen beslutar enligt förslag")
    assert reply["response_type"] == "in_channel" and "LG-2026-1" in text_of(reply)
    with over_socket.product.db.transaction() as session:
        assert [d.text for d in session.exec(select(Decision))] == [
            "Ledningsgruppen beslutar enligt förslag"
        ]


def test_button_press_replaces_the_message(over_socket: SocketHarness, slack: LocalSlack) -> None:
    setup_organs(over_socket)
    over_socket.answer("/uppdrag", "<@U0ANNA|anna> Skicka underlag till 4/12")
    payload = block_action(
        "uppdrag_klar",
        "U-1",
        user_id="U0ANNA",
        channel_id="DU0ANNA",
        response_url=slack.response_url("klick", user="U0ANNA"),
    )
    over_socket.acked(over_socket.socket_mode.interactive(payload))
    reply = over_socket.reply("klick")
    assert reply["replace_original"] is True and "är klart" in text_of(reply)


def test_form_submission_saves_or_answers_with_field_errors(
    over_socket: SocketHarness, slack: LocalSlack
) -> None:
    setup_organs(over_socket)
    values: dict[str, Any] = {
        "organ": {"value": {"type": "static_select", "selected_option": {"value": "LG"}}},
        "text": {"value": {"type": "plain_text_input", "value": "Ledningsgruppen beslutar"}},
        "assign": {"value": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}},
        "owners": {"value": {"type": "multi_users_select", "selected_users": ["U0JENNY"]}},
        "what": {"value": {"type": "plain_text_input", "value": "Rekrytera samordnaren"}},
        "due": {"value": {"type": "plain_text_input", "value": "31 februari"}},
    }
    metadata = '{"channel": "C0LG"}'
    bad = view_submission("beslut_form", values, user_id="U0SARA", private_metadata=metadata)
    refused = over_socket.acked(over_socket.socket_mode.interactive(bad))
    assert refused.payload and refused.payload["response_action"] == "errors"
    assert "due" in refused.payload["errors"]

    values["due"] = {"value": {"type": "plain_text_input", "value": "v 6"}}
    good = view_submission("beslut_form", values, user_id="U0SARA", private_metadata=metadata)
    saved = over_socket.acked(over_socket.socket_mode.interactive(good))
    assert not saved.payload  # the form closes
    slack.wait_for(lambda calls: len(slack.dms("U0JENNY")) == 1)
    assert "Rekrytera samordnaren" in text_of(slack.dms("U0JENNY")[0])


def test_home_tab_published_and_event_retries_handled_once(
    over_socket: SocketHarness, slack: LocalSlack
) -> None:
    import json

    sm = over_socket.socket_mode
    event = {"type": "app_home_opened", "user": "U0ANNA", "tab": "home", "channel": "D0ANNA"}
    body = json.loads(event_body(event, event_id="Ev001"))
    over_socket.acked(sm.event(body))
    (published,) = slack.wait_for_calls("views.publish", 1)
    assert published.args["user_id"] == "U0ANNA"
    for attempt in (1, 2):  # Slack's retries: acked, not handled again
        over_socket.acked(sm.event(body, retry_attempt=attempt, retry_reason="timeout"))
    over_socket.acked(sm.event(json.loads(event_body(event, event_id="Ev002"))))  # a new one
    over_socket.bot.background.shutdown(wait=True)  # all work handed over by those acks is done
    assert [c.args["user_id"] for c in slack.calls("views.publish")] == ["U0ANNA", "U0ANNA"]
    with over_socket.product.db.transaction() as session:
        assert sorted(e.event_id for e in session.exec(select(ProcessedEvent))) == [
            "Ev001",
            "Ev002",
        ]


# ---------------------------------------------------------------------- what Slack does


def test_commands_right_after_a_refresh_are_acked_at_once(over_socket: SocketHarness) -> None:
    """Slack sends disconnect/refresh_requested every few hours; envelopes keep coming on the
    old connection until it is closed, and on the new one as soon as it is open."""
    sm = over_socket.socket_mode
    for _ in range(3):
        old = sm.newest()
        assert old is not None
        began = time.monotonic()
        sm.refresh(old)
        key = over_socket.command("/beslut", "hjälp", link=old)  # acked < ACK_LIMIT
        assert over_socket.last_ack and over_socket.last_ack.link == old.id  # where it came
        new = sm.wait_hello(after=began, timeout=3)
        assert new is not old and over_socket.link.connected
        over_socket.command("/beslut", "hjälp", link=new)
        over_socket.reply(key)
    # the replaced connections are closed by the bot or by Slack; the newest is the one kept
    assert sm.newest() is new


@pytest.mark.parametrize("fault", ["close", "reset", "half_close"])
def test_a_dropped_link_is_replaced_at_once_without_spinning(
    over_socket: SocketHarness, fault: str
) -> None:
    sm = over_socket.socket_mode
    cpu, wall = time.process_time(), time.monotonic()
    link, at = getattr(sm, fault)()
    new = sm.wait_hello(after=at, timeout=3)
    assert new.opened_at is not None and new.opened_at - at < 2.0
    gone = sm.wait_gone(link, timeout=3)  # the bot let go of the dead socket
    assert gone - at < 2.0
    over_socket.answer("/beslut", "hjälp")
    # a busy loop on the dead socket would burn a core for the whole window
    used, took = time.process_time() - cpu, time.monotonic() - wall
    assert used < 0.2 + 0.5 * took, (used, took)
    assert over_socket.link.connected and over_socket.err.getvalue() == ""


def test_revoked_app_token_is_one_line_then_retries_with_backoff(
    over_socket: SocketHarness, slack: LocalSlack, socket_mode: LocalSocketMode
) -> None:
    assert over_socket.out.getvalue().splitlines() == [
        "ledningsbot är ansluten till Slack (Socket Mode)"
    ]
    slack.serve_socket_mode(socket_mode.new_url, app_token="xapp-1-new")  # the old one revoked
    socket_mode.close()
    calls = slack.wait_for(
        lambda cs: sum(c.method == "apps.connections.open" for c in cs) >= 5, timeout=5
    )
    opened = [c.at for c in calls if c.method == "apps.connections.open"][-4:]
    gaps = [b - a for a, b in itertools.pairwise(opened)]
    assert gaps[0] >= 0.09 and gaps[-1] >= 0.35, gaps  # 0.1, 0.2, 0.4 s: backing off
    assert not over_socket.link.connected
    assert "SLACK_APP_TOKEN" in over_socket.link.reason
    lines = over_socket.err.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ledningsbot: SLACK_APP_TOKEN är fel"), lines
    assert "invalid_auth" in lines[0]

    began = time.monotonic()
    slack.serve_socket_mode(socket_mode.new_url, app_token=APP_TOKEN)  # put right again
    socket_mode.wait_hello(after=began, timeout=3)
    over_socket.answer("/beslut", "hjälp")
    assert over_socket.out.getvalue().splitlines()[-1].endswith("ansluten till Slack (Socket Mode)")
    assert len(over_socket.err.getvalue().splitlines()) == 1


# ---------------------------------------------------------------------- readiness


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_readyz_follows_the_slack_link(
    product: Product, slack: LocalSlack, socket_mode: LocalSocketMode
) -> None:
    harness = SocketHarness(product, slack, socket_mode)
    server = WebServer(
        None,
        product.db,
        host="127.0.0.1",
        port=0,
        poll_interval=0.02,
        readiness=Readiness(product.db, harness.link),
    ).start()
    url = f"http://127.0.0.1:{server.port}"
    try:
        status, body = _get(url + "/readyz")
        assert status == 503 and "ingen förbindelse med Slack" in body
        assert _get(url + "/healthz") == (200, "ok\n")  # alive all the same
        with harness:
            assert _get(url + "/readyz") == (200, "ok\n")
            slack.serve_socket_mode(None)  # Slack will not hand out a new connection
            socket_mode.close()
            assert slack.wait_for_calls("apps.connections.open", 2)
            status, body = _get(url + "/readyz")
            assert status == 503 and "Slack" in body
    finally:
        server.stop()


class _Silent:
    """A TCP listener that accepts and never answers: a database that hangs."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        self.sock.close()
        for held in self.held:
            held.close()


@pytest.mark.parametrize("database", ["refuses", "hangs"])
@pytest.mark.parametrize("mode", ["http", "socket"])
def test_readyz_is_503_while_the_database_does_not_answer(
    product: Product, slack: LocalSlack, socket_mode: LocalSocketMode, mode: str, database: str
) -> None:
    silent = _Silent()
    port = silent.sock.getsockname()[1] if database == "hangs" else 1
    dead = Database(f"postgresql://nobody@127.0.0.1:{port}/ledningsbot")
    harness = SocketHarness(product, slack, socket_mode) if mode == "socket" else None
    readiness = Readiness(dead, harness.link if harness else None, db_timeout=0.5)
    server = WebServer(
        harness.bot if harness else None,
        product.db,
        host="127.0.0.1",
        port=0,
        poll_interval=0.02,
        readiness=readiness,
    ).start()
    try:
        if harness:
            harness.__enter__()
        status, body = _get(f"http://127.0.0.1:{server.port}/readyz")
        assert (status, body) == (503, "databasen svarar inte\n")
        silent.close()  # a hung check now fails; then the database is back
        readiness.db = product.db
        deadline = time.monotonic() + 5
        while _get(f"http://127.0.0.1:{server.port}/readyz") != (200, "ok\n"):
            assert time.monotonic() < deadline, "never ready again"
            time.sleep(0.05)
    finally:
        server.stop()
        if harness:
            harness.__exit__()
        silent.close()
        dead.dispose()


# ---------------------------------------------------------------------- `ledningsbot run`


@pytest.fixture
def run_process(db: Database, slack: LocalSlack) -> Iterator[Callable[..., RunProcess]]:
    """`ledningsbot run` in Socket Mode, against the stand-ins."""
    started: list[RunProcess] = []

    def start(app_token: str = APP_TOKEN) -> RunProcess:
        set_up_workspace(slack)
        started.append(RunProcess(url_of(db), slack, app_token=app_token))
        return started[-1]

    yield start
    for process in started:
        if process.process.poll() is None:
            process.process.kill()
            process.process.wait()


def test_run_in_socket_mode_answers_commands_and_says_ansluten_after_hello(
    run_process: Callable[..., RunProcess],
    slack: LocalSlack,
    socket_mode: LocalSocketMode,
    organs: None,
) -> None:
    socket_mode.hold_hello()
    bot = run_process()
    socket_mode.wait_accepted(timeout=30)  # the WebSocket is open; Slack has not said hello
    bot.wait_ready()
    status, body = _get(bot.url + "/readyz")
    assert status == 503 and "Slack" in body
    released = socket_mode.release_hello()
    assert bot.wait_line("ansluten till Slack") > released
    assert _get(bot.url + "/readyz") == (200, "ok\n")

    fields = dict(
        parse_qsl(
            command_body(
                "/beslut",
                "Ledningsgruppen beslutar enligt förslag",
                user_id=PEOPLE["sara"],
                channel_id="C0LG",
                response_url=slack.response_url("run", channel="C0LG"),
            )
        )
    )
    ack = socket_mode.wait_ack(socket_mode.command(fields), timeout=10)
    assert ack.latency < ACK_LIMIT
    (reply,) = slack.wait_for_calls("response_url", 1, timeout=10)
    assert "loggat" in reply.args["text"] and "Beslut *LG-" in reply.args["text"]
    err = bot.stop()
    assert bot.process.returncode == 0 and "Traceback" not in err, err


def test_run_with_a_wrong_app_token_says_so_in_one_line_and_keeps_trying(
    run_process: Callable[..., RunProcess], slack: LocalSlack, socket_mode: LocalSocketMode
) -> None:
    bot = run_process("xapp-1-wrong")
    bot.wait_ready()
    calls = slack.wait_for(
        lambda cs: sum(c.method == "apps.connections.open" for c in cs) >= 3, timeout=20
    )
    opened = [c.at for c in calls if c.method == "apps.connections.open"]
    assert opened[2] - opened[1] > opened[1] - opened[0] >= 0.9  # 1 s, then 2 s
    assert bot.process.poll() is None  # still running
    status, body = _get(bot.url + "/readyz")
    assert status == 503 and "SLACK_APP_TOKEN" in body
    assert not any("ansluten" in line for _, line in bot.lines)
    err = bot.stop()
    assert "Traceback" not in err
    # (Bolt's own start-up warning about the bot token in the environment is not ours)
    (line,) = [line for line in err.splitlines() if "WARNING slack_bolt" not in line]
    assert line.startswith("ledningsbot: SLACK_APP_TOKEN är fel") and "invalid_auth" in line
