"""`socket`: slash-command acks over Socket Mode, through refreshes and dropped links.

`ledningsbot run` in Socket Mode (a child process, on the seeded database) is linked to the
Socket Mode stand-in in this process (`handlers.socket_standin.LocalSocketMode`), with the Web
API stand-in behind it. Commands go out as `slash_commands` envelopes from one pacing thread
at 20/s, with the same mix as `ack`; latency is from each envelope's scheduled send time until
its ack (by envelope_id) arrives. Every reply on the response URLs is counted.

Measured once the reminders' catch-up at start is over (the bot is otherwise idle):
- steady: 20 commands/s;
- refresh: 20 commands/s while Slack's `disconnect`/`refresh_requested` comes every 3 s;
  "during a refresh" = sent within 1 s after one (on the old connection until the new one is up);
- faults: a close frame, a TCP reset and a half-closed link (FIN, then silence), each a few
  times without load: seconds until the new connection's hello, the bot's CPU over the 2 s
  after the fault (a busy loop would show as ~1 s per s), and the ack of a command after it.

Targets (issue 14): steady p99 < 150 ms; during a refresh p99 < 500 ms; reconnect < 2 s.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from benchmarks import seed
from benchmarks.ack import Replies, _requests
from benchmarks.common import (
    RESULTS,
    ROOT,
    Environment,
    Options,
    Target,
    summary_ms,
    table,
    verdict,
    write_result,
)
from benchmarks.load import Request
from handlers.slack_standin import LocalSlack
from handlers.slackwire import command_body
from handlers.socket_standin import LocalSocketMode

RATE = 20.0  # commands per second
STEADY_P99_MS = 150.0
REFRESH_P99_MS = 500.0
RECONNECT_S = 2.0
REFRESH_EVERY = 3.0  # seconds between refreshes in the refresh phase
REFRESH_WINDOW = 1.0  # a command sent this long after a refresh counts as "during" it
APP_TOKEN = "xapp-1-bench"
FAULTS = ("close", "reset", "half_close")


class BotProcess:
    """`ledningsbot run` in Socket Mode against the stand-ins; stderr to `log`."""

    def __init__(self, database_url: str, api_url: str, log: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
        env.update(
            PYTHONPATH=str(ROOT),
            DATABASE_URL=database_url,
            SLACK_BOT_TOKEN="xoxb-bench",
            SLACK_APP_TOKEN=APP_TOKEN,
            SLACK_API_URL=api_url,
            HOST="127.0.0.1",
            PORT=str(port),
            LOG_LEVEL="WARNING",
        )
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "handlers.cli", "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )

    def wait_connected(self, timeout: float = 60) -> None:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            if "ansluten" in line:
                return
        raise RuntimeError("the bot never said it was connected (see its log)")

    def cpu_seconds(self) -> float:
        """User + system CPU of the bot's main process (not its worker) so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> int:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()
        return self.process.returncode


def _fields(request: Request) -> dict[str, str]:
    body = command_body(
        request.command,
        request.text,
        user_id=request.user,
        channel_id=request.channel,
        response_url=request.response_url,
        trigger_id=f"trigger-{request.key}",
    )
    return dict(parse_qsl(body))


def _paced(
    sm: LocalSocketMode, requests: list[Request], *, refresh_every: float | None = None
) -> tuple[list[tuple[float, str]], list[float]]:
    """Send `requests` at RATE per second (open loop); returns (scheduled time, envelope id)
    per command and the times of the refreshes sent meanwhile."""
    sent: list[tuple[float, str]] = []
    refreshes: list[float] = []
    t0 = time.monotonic() + 0.05
    next_refresh = t0 + (refresh_every or 0) / 2
    for i, request in enumerate(requests):
        due = t0 + i / RATE
        if refresh_every and due >= next_refresh:
            refreshes.append(time.monotonic())
            sm.refresh()
            next_refresh += refresh_every
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        sent.append((due, sm.command(_fields(request))))
    return sent, refreshes


def _latencies(sm: LocalSocketMode, sent: list[tuple[float, str]]) -> list[tuple[float, float]]:
    """(scheduled time, seconds until acked) per command; inf when never acked."""
    out = []
    for due, envelope in sent:
        try:
            ack = sm.wait_ack(envelope, timeout=10)
            out.append((due, max(ack.latency, ack.at - due)))
        except AssertionError:
            out.append((due, float("inf")))
    return out


def _quiet(slack: LocalSlack, seconds: float = 2.0, most: float = 180.0) -> tuple[int, float]:
    """Wait until the stand-in has had no Web API call for `seconds` (the reminders' catch-up
    at start is done); returns how many calls came meanwhile and how long it took."""
    began, before = time.monotonic(), len(slack.calls())
    while time.monotonic() - began < most:
        count = len(slack.calls())
        time.sleep(seconds)
        if len(slack.calls()) == count:
            break
    return len(slack.calls()) - before, time.monotonic() - began


def _one_database(target: Target, options: Options, vocab: seed.Vocabulary) -> dict[str, Any]:
    seconds = 10 if options.quick else 30
    fault_rounds = 1 if options.quick else 3
    rng = random.Random(14)
    replies = Replies()
    log = RESULTS / f"socket-{target.name}-bot.log"
    RESULTS.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"database": target.name, "data": target.note, "rate_per_s": RATE}
    with LocalSlack() as slack, LocalSocketMode() as sm:
        slack.serve_socket_mode(sm.new_url, app_token=APP_TOKEN)
        slack.on_call(replies)
        for n in range(1, 201):
            slack.add_user(f"U{n:04d}", f"person{n}", email=f"person{n}@example.se")
        for channel, name in seed.CHANNELS.items():
            slack.set_channel(channel, name)
        bot = BotProcess(target.url, slack.url, log)
        sent_keys: list[str] = []
        try:
            bot.wait_connected()
            # `ledningsbot run` catches up on reminders at start (hundreds of DMs on the seeded
            # data): a one-off, measured by `reminders`, not here.
            catch_up_calls, catch_up_s = _quiet(slack)

            def batch(label: str, n: int) -> list[Request]:
                requests = _requests(rng, vocab, slack, f"{target.name}-{label}", n)
                sent_keys.extend(r.key for r in requests)
                return requests

            _latencies(sm, _paced(sm, batch("warm", 40))[0])  # not measured
            steady = _latencies(sm, _paced(sm, batch("steady", int(seconds * RATE)))[0])
            sent, refreshes = _paced(
                sm, batch("refresh", int(seconds * RATE)), refresh_every=REFRESH_EVERY
            )
            during_refresh = [
                s
                for due, s in _latencies(sm, sent)
                if any(0 <= due - r < REFRESH_WINDOW for r in refreshes)
            ]
            faults: dict[str, dict[str, Any]] = {}
            for fault in FAULTS:
                reconnects, cpu, after = [], [], []
                for number in range(fault_rounds):
                    time.sleep(REFRESH_EVERY + 1)  # let refreshed connections retire
                    cpu0 = bot.cpu_seconds()
                    _, at = getattr(sm, fault)()
                    new = sm.wait_hello(after=at, timeout=60)
                    assert new.opened_at is not None
                    reconnects.append(new.opened_at - at)
                    time.sleep(max(0.0, at + 2.0 - time.monotonic()))
                    cpu.append((bot.cpu_seconds() - cpu0) / (time.monotonic() - at))
                    request = batch(f"{fault}{number}", 1)
                    after += [s for _, s in _latencies(sm, _paced(sm, request)[0])]
                faults[fault] = {
                    "reconnect_s": [round(r, 3) for r in reconnects],
                    "cpu_s_per_s": [round(c, 3) for c in cpu],
                    "ack_after_ms": summary_ms(after),
                }
            all_arrived = replies.wait(sent_keys, 120)
        finally:
            code = bot.stop()
        calls = Counter(c.method for c in slack.calls())
    steady_ms = summary_ms([s for _, s in steady])
    refresh_ms = summary_ms(during_refresh)
    worst = max(max(f["reconnect_s"]) for f in faults.values())
    result.update(
        {
            "steady_ack_ms": steady_ms,
            "refreshes": len(refreshes),
            "during_refresh_ack_ms": refresh_ms,
            "faults": faults,
            "replies": {
                "commands_sent": len(sent_keys),
                "replies_received": sum(1 for k in sent_keys if k in replies.at),
                "error_replies": sum(1 for k in sent_keys if k in replies.errors),
                "all_arrived": all_arrived,
            },
            "stray_acks": len(sm.stray_acks()),
            "catch_up_before_measuring": {"web_api_calls": catch_up_calls, "s": catch_up_s},
            "web_api_calls": dict(calls),
            "bot_exit_code": code,
            "bot_log": str(log),
            "targets": {
                "steady_p99_lt_150ms": steady_ms["p99"] < STEADY_P99_MS,
                "refresh_p99_lt_500ms": refresh_ms["p99"] < REFRESH_P99_MS,
                "reconnect_lt_2s": worst < RECONNECT_S,
            },
        }
    )
    return result


def run(env: Environment, options: Options) -> dict[str, Any]:
    print("== socket: slash-command acks over Socket Mode (`ledningsbot run`), refreshes, faults")
    vocab = seed.Vocabulary(seed.corpus())
    per_db: list[dict[str, Any]] = []
    for target in env.targets("socket"):
        began = time.perf_counter()
        per_db.append(_one_database(target, options, vocab))
        print(f"  ({target.name}: {time.perf_counter() - began:.1f} s)")
    rows = []
    for r in per_db:
        for label, s in (("steady", r["steady_ack_ms"]), ("refresh", r["during_refresh_ack_ms"])):
            rows.append([r["database"], label, s["n"], s["p50"], s["p95"], s["p99"], s["max"]])
    print(f"Ack latency at {RATE:g} commands/s (from the scheduled send to the ack):")
    print(table(["database", "load", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows))
    print()
    rows = []
    for r in per_db:
        for fault, f in r["faults"].items():
            rows.append(
                [
                    r["database"],
                    fault,
                    max(f["reconnect_s"]),
                    max(f["cpu_s_per_s"]),
                    f["ack_after_ms"]["max"],
                ]
            )
    print("After a fault (worst of the rounds):")
    print(table(["database", "fault", "reconnect s", "CPU s/s", "next ack ms"], rows))
    print()
    rows = []
    for r in per_db:
        t, rep = r["targets"], r["replies"]
        worst = max(max(f["reconnect_s"]) for f in r["faults"].values())
        refresh_p99 = r["during_refresh_ack_ms"]["p99"]
        rows.append(
            [
                r["database"],
                f"{verdict(t['steady_p99_lt_150ms'])} ({r['steady_ack_ms']['p99']:.1f} ms)",
                f"{verdict(t['refresh_p99_lt_500ms'])} ({refresh_p99:.1f} ms)",
                f"{verdict(t['reconnect_lt_2s'])} ({worst:.2f} s)",
                f"{rep['replies_received']}/{rep['commands_sent']}",
                rep["error_replies"],
            ]
        )
    print(
        table(
            [
                "database",
                "steady p99 < 150 ms",
                "refresh p99 < 500 ms",
                "reconnect < 2 s",
                "replies (all)",
                "error replies",
            ],
            rows,
        )
    )
    path = write_result("socket", options, {"results": per_db})
    print(f"  → {path.relative_to(RESULTS.parent.parent)}")
    return {"results": per_db}
