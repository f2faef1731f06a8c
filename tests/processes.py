"""The bot as real processes: `ledningsbot …` started as a subprocess against the Slack stand-in,
with the environment it reads its settings from."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from handlers.slack_standin import LocalSlack
from handlers.slackwire import command_body, signed_headers
from storage.db import Database
from tests.harness import PEOPLE

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A port nothing listens on just now (for a process to bind, or to find nobody at)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def url_of(db: Database) -> str:
    """The DATABASE_URL that reaches `db`, password and all."""
    return db.engine.url.render_as_string(hide_password=False)


def environment(db_url: str, slack: LocalSlack, **settings: str) -> dict[str, str]:
    """The environment of a bot process: this one's without its SLACK_* and DATABASE_*, then
    the database, the stand-in's Web API with a bot token, LOG_LEVEL=WARNING, and `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=db_url,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_API_URL=slack.url,
        LOG_LEVEL="WARNING",
    )
    env.update(settings)
    return env


def start(db_url: str, slack: LocalSlack, *args: str, **settings: str) -> subprocess.Popen[str]:
    """`ledningsbot <args>` with `environment(db_url, slack, **settings)`; stdout and stderr
    piped, as text."""
    return subprocess.Popen(
        [sys.executable, "-m", "handlers.cli", *args],
        env=environment(db_url, slack, **settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


class RunProcess:
    """`ledningsbot run` on a free port of its own, Sara an admin, serving the calendar feeds
    there (PUBLIC_BASE_URL): in HTTP mode, requests signed with `secret`, or in Socket Mode with
    `app_token`. `settings` are more environment variables. Its stdout lines are kept, with when
    they came (`wait_line`)."""

    def __init__(
        self,
        db_url: str,
        slack: LocalSlack,
        *,
        secret: str | None = None,
        app_token: str | None = None,
        **settings: str,
    ) -> None:
        if app_token is not None:
            mode = {"SLACK_APP_TOKEN": app_token}
        elif secret is not None:
            mode = {"SLACK_SIGNING_SECRET": secret}
        else:
            raise TypeError(
                "RunProcess: a signing secret (HTTP mode) or an app token (Socket Mode)"
            )
        self.secret = secret or ""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = start(
            db_url,
            slack,
            "run",
            ADMINS=PEOPLE["sara"],
            HOST="127.0.0.1",
            PORT=str(self.port),
            PUBLIC_BASE_URL=self.url,
            **mode,
            **settings,
        )
        self.lines: list[tuple[float, str]] = []
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._cond:
                self.lines.append((time.monotonic(), line.rstrip("\n")))
                self._cond.notify_all()

    def wait_ready(self, timeout: float = 30) -> None:
        """Until /healthz answers 200; fails with its stderr if it exits first."""
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, self.stop()
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            assert time.monotonic() < deadline, "never became ready"
            time.sleep(0.05)

    def wait_line(self, part: str, timeout: float = 20) -> float:
        """When the first stdout line containing `part` came (waiting for it if need be)."""

        def seen() -> bool:
            return any(part in line for _, line in self.lines)

        with self._cond:
            assert self._cond.wait_for(seen, timeout), self.lines
            return next(at for at, line in self.lines if part in line)

    def command(self, command: str, text: str, response_url: str, *, user: str = "sara") -> None:
        """A signed slash command over HTTP from `user` in #ledningsgrupp, as Slack posts it;
        asserts the 200."""
        body = command_body(
            command,
            text,
            user_id=PEOPLE.get(user, user),
            channel_id="C0LG",
            response_url=response_url,
            user_name=user,
        )
        request = urllib.request.Request(
            self.url + "/slack/events",
            data=body.encode(),
            headers={
                **signed_headers(self.secret, body),
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return bytes(response.read())

    def kill(self) -> None:
        """SIGKILL, and wait until it is gone: no clean-up, as in a crash."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        if self.process.stderr:
            self.process.stderr.close()

    def stop(self) -> str:
        """SIGTERM if it still runs; waits for the exit and returns what it wrote on stderr."""
        if self.process.poll() is None:
            self.process.terminate()
        _, err = self.process.communicate(timeout=30)
        return err or ""
