"""Settings, the CLI and the local shell, as an operator and a secretary would use them."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from handlers.settings import SettingsError, load_settings
from handlers.slack_standin import Call, LocalSlack
from handlers.slackwire import command_body, signed_headers

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "handlers.cli"]
RUN_SECRET = "run-secret"


def test_defaults() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.database_url == "sqlite:///ledningsbot.db"
    assert settings.port == 3000 and settings.api_url == "https://slack.com/api/"
    assert settings.host == "0.0.0.0"
    assert str(settings.tz) == "Europe/Stockholm" and not settings.socket_mode


def test_env_file_and_environment(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text('SLACK_BOT_TOKEN="xoxb-från-fil"\nPORT=4000\nADMINS=U0SARA, U0MAGNUS\n')
    settings = load_settings({"PORT": "5000"}, env_file=env)
    assert settings.bot_token == "xoxb-från-fil" and settings.port == 5000
    assert settings.admins == {"U0SARA", "U0MAGNUS"}


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN"),
        ({"PORT": "http"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"HOST": "0.0.0.0; rm -rf /"}, "HOST"),
        ({"TZ": "Mars/Olympus"}, "TZ"),
        ({"ADMINS": "sara"}, "ADMINS"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"SLACK_API_URL": "slack.com"}, "SLACK_API_URL"),
        ({"DELIVERY_LEASE": "20"}, "DELIVERY_LEASE"),
        ({"DELIVERY_LEASE": "90", "SLACK_TIMEOUT": "30"}, "DELIVERY_LEASE"),
    ],
)
def test_wrong_setting_is_named_in_one_line(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ, env_file=None)
    message = str(caught.value)
    assert message.startswith(named) and "\n" not in message


@pytest.mark.parametrize("timeout", ["1", "10", "30", "100"])
def test_a_lease_shorter_than_a_send_is_refused_and_the_examples_work(timeout: str) -> None:
    """A claim must outlast the sending done under it, or a second process takes it over while
    the first is still sending. Both values the answer offers are accepted, with a long
    SLACK_TIMEOUT too (where 300 would be too short)."""
    with pytest.raises(SettingsError) as caught:
        load_settings({"SLACK_TIMEOUT": timeout, "DELIVERY_LEASE": "2"}, env_file=None)
    message = str(caught.value)
    assert "SLACK_TIMEOUT" in message and "Retry-After" in message
    offers = re.search(r"DELIVERY_LEASE=(\d+) \(minst (\d+)\)", message)
    assert offers is not None
    example, shortest = offers.groups()
    for offered in (example, shortest):
        settings = load_settings({"SLACK_TIMEOUT": timeout, "DELIVERY_LEASE": offered}, None)
        assert settings.delivery_lease == float(offered)
    below = str(int(shortest) - 1)
    with pytest.raises(SettingsError):
        load_settings({"SLACK_TIMEOUT": timeout, "DELIVERY_LEASE": below}, env_file=None)


def _cli(
    args: list[str], tmp_path: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DATABASE_URL", "ADMINS"))
    }
    environ.update(PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite:///{tmp_path}/cli.db")
    environ.update(env)
    return subprocess.run(
        CLI + args,
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environ,
        timeout=60,
    )


def test_run_without_tokens_stops_with_one_clear_line(tmp_path: Path) -> None:
    result = _cli(["run"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "SLACK_BOT_TOKEN saknas" in result.stderr and "ledningsbot shell" in result.stderr


def test_run_with_a_wrong_setting_names_it(tmp_path: Path) -> None:
    result = _cli(["run"], tmp_path, SLACK_BOT_TOKEN="xoxb-x", SLACK_SIGNING_SECRET="s", PORT="x")
    assert result.returncode == 2 and result.stderr.startswith("ledningsbot: PORT är fel")


def test_db_upgrade_and_organ_admin_from_the_cli(tmp_path: Path) -> None:
    assert "uppdaterad" in _cli(["db", "upgrade"], tmp_path).stdout
    created = _cli(["organ", "ny", "LG", "Ledningsgrupp", "för", "samordning", "#C0LG"], tmp_path)
    assert "Organet *LG* – Ledningsgrupp för samordning är skapat" in created.stdout
    listing = _cli(["organ", "lista"], tmp_path)
    assert "LG" in listing.stdout and "#C0LG" in listing.stdout


def test_shell_reads_piped_commands_and_shows_dms(tmp_path: Path) -> None:
    script = "\n".join(
        [
            ":exempel",
            "/mote ny LG 7 december 9-12 Regionhuset",
            "/beslut Ledningsgruppen beslutar enligt förslag <!channel>",
            "/uppdrag @anna Ta fram underlag om LINK till nästa LG återkoppling till AU",
            ":påminnelser",
            ":klocka 2026-12-02 09:00",
            ":jag anna",
            "/uppdrag",
            ":klicka Klart U-1",
            "/beslut sök förslaget",
        ]
    )
    result = _cli(["shell", "--idag", "2026-11-23"], tmp_path, stdin=script)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Organet *LG* – Ledningsgrupp för samordning är skapat" in out
    assert "LG-261207" in out
    assert "Beslut *LG-2026-1* loggat" in out
    assert "── DM till @anna ──" in out and "[Klart] [Lägg till status]" in out
    assert "2026-12-02 09.00  förhand        LG-261207      @U0ANNA        planerad" in out
    assert "Inför LG-möte måndag 7 december 2026 kl. 09.00–12.00" in out
    assert "1 påminnelse skickad" in out
    assert "Du är nu @anna" in out
    assert "Uppdrag `U-1` är klart" in out
    assert out.count("LG-2026-1") >= 2
    assert "Traceback" not in result.stderr


def test_unreachable_database_stops_with_one_clear_line(tmp_path: Path) -> None:
    result = _cli(["db", "upgrade"], tmp_path, DATABASE_URL="postgresql://nobody@127.0.0.1:1/x")
    assert result.returncode == 1
    assert result.stderr.startswith("ledningsbot: Kunde inte öppna databasen")
    assert "DATABASE_URL" in result.stderr and result.stderr.strip().count("\n") == 0


@contextlib.contextmanager
def _running(tmp_path: Path, slack: LocalSlack) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`ledningsbot run` in HTTP mode, as deployed, talking to `slack`; ready when /healthz
    answers. Yields the process and its base URL; stopped with SIGTERM if still running."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert "skapat" in _cli(["organ", "ny", "LG", "Ledningsgrupp", "#C0LG"], tmp_path).stdout
    slack.add_user("U0CLI", "cli", is_admin=True)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    environ.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=f"sqlite:///{tmp_path}/cli.db",
        SLACK_BOT_TOKEN="xoxb-run",
        SLACK_SIGNING_SECRET=RUN_SECRET,
        SLACK_API_URL=slack.url,
        PORT=str(port),
        HOST="127.0.0.1",
    )
    process = subprocess.Popen(
        [*CLI, "run"], cwd=tmp_path, env=environ, stdout=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                    assert response.read() == b"ok\n"
                    break
            except OSError:
                assert process.poll() is None, "exited before it was ready"
                assert time.monotonic() < deadline, "never became ready"
                time.sleep(0.05)
        yield process, base
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def _command(base: str, slack: LocalSlack, key: str, text: str) -> int:
    body = command_body(
        "/beslut",
        text,
        user_id="U0CLI",
        channel_id="C0LG",
        response_url=slack.response_url(key),
        trigger_id=f"trigger-{key}",
    )
    request = urllib.request.Request(
        base + "/slack/events",
        data=body.encode(),
        headers={
            **signed_headers(RUN_SECRET, body),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        return int(response.status)


def test_run_serves_slack_over_http_and_health(tmp_path: Path) -> None:
    """`ledningsbot run` in HTTP mode: a signed command in, its reply out to Slack, from one
    process (the work after the ack runs in its own pool); SIGTERM stops it with exit code 0."""
    with LocalSlack() as slack, _running(tmp_path, slack) as (process, base):
        assert _command(base, slack, "run", "Ledningsgruppen beslutar enligt förslag") == 200
        (reply,) = slack.wait_for_calls("response_url", 1, timeout=10)
        assert reply.args["response_type"] == "in_channel"
        assert "loggat" in reply.args["text"] and "Beslut *LG-" in reply.args["text"]
        assert Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text() == ""
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        out = process.stdout.read() if process.stdout else ""
        assert f"{base}/slack/events" in out


def test_sigterm_finishes_requests_in_flight_and_the_work_after_acks(tmp_path: Path) -> None:
    """SIGTERM while one request is still being answered (its form is opening) and the work
    after another's ack is still sending its reply: no new connections are taken, both
    finish, the reply reaches Slack, and the process exits 0."""
    held = threading.Event()

    def hold(call: Call) -> None:  # the stand-in answers these two only when released
        if call.method in ("views.open", "response_url"):
            held.wait(20)

    with LocalSlack() as slack, _running(tmp_path, slack) as (process, base):
        slack.on_call(hold)
        assert _command(base, slack, "work", "Ledningsgruppen beslutar enligt förslag") == 200
        slack.wait_for_calls("response_url", 1, timeout=10)  # the work is sending its reply
        answered: list[int] = []
        form = threading.Thread(target=lambda: answered.append(_command(base, slack, "form", "")))
        form.start()  # an empty /beslut opens a form before the ack: the request is in flight
        slack.wait_for_calls("views.open", 1, timeout=10)
        process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while True:  # the listening socket closes first
            try:
                with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), 1):
                    pass
            except ConnectionRefusedError:
                break
            assert time.monotonic() < deadline, "still accepting connections after SIGTERM"
            time.sleep(0.02)
        assert process.poll() is None  # held by the request and the work in flight
        time.sleep(1.5)  # in flight for a while yet: longer than a stop that cut it short takes
        held.set()
        form.join(timeout=20)
        assert answered == [200]
        assert process.wait(timeout=20) == 0
    (reply,) = slack.calls("response_url")
    assert "loggat" in reply.args["text"]


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        (
            {
                "SMTP_HOST": "smtp.region.se",
                "SMTP_USER": "bot",
                "SMTP_PASSWORD": "hemligt",
                "SMTP_STARTTLS": "nej",
                "INVITE_FROM": "ledningsbot@region.se",
            },
            "SMTP_STARTTLS",
        ),
        ({"PUBLIC_BASE_URL": "http://ledningsbot.region.se"}, "PUBLIC_BASE_URL"),
    ],
)
def test_secrets_never_travel_in_clear_text(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ, env_file=None)
    assert str(caught.value).startswith(named)
    # on this machine's loopback it is fine (tests, a local relay)
    local = {k: v.replace("smtp.region.se", "127.0.0.1") for k, v in environ.items()}
    local = {k: v.replace("ledningsbot.region.se", "localhost:3000") for k, v in local.items()}
    load_settings(local, env_file=None)
