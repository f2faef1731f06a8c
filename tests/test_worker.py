"""The worker process (handlers.worker): the work after each ack runs in a fork of the web
process, at a lower priority; nothing is lost when either process goes."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.core.context import Product
from handlers.common import Deps, InlineExecutor
from handlers.slack_standin import LocalSlack
from handlers.worker import NICE, WorkerProcess
from tests.harness import Harness, text_of

ROOT = Path(__file__).resolve().parent.parent


def _report(body: dict[str, Any], client: WebClient) -> None:
    """Work that tells Slack which process ran it, at what priority."""
    client.chat_postMessage(channel=body["channel"], text=f"{body['n']} {os.getpid()} {os.nice(0)}")


def _seen(slack: LocalSlack, count: int) -> list[tuple[int, int, int]]:
    calls = slack.wait_for_calls("chat.postMessage", count, timeout=10)
    return [tuple(int(x) for x in c.args["text"].split()) for c in calls]  # type: ignore[misc]


@pytest.fixture
def worker(slack: LocalSlack) -> Iterator[WorkerProcess]:
    client = WebClient(token="xoxb-test", base_url=slack.url)
    process = WorkerProcess({"_report": _report}, client, threads=2).start()
    yield process
    process.shutdown(wait=True)


def test_named_work_runs_in_the_worker_at_a_lower_priority(
    worker: WorkerProcess, slack: LocalSlack
) -> None:
    for n in range(20):
        worker.hand_off("_report", {"channel": "C0LG", "n": n})
    worker.shutdown(wait=True)  # returns when the worker has done all it was handed
    seen = _seen(slack, 20)
    assert sorted(n for n, _, _ in seen) == list(range(20))
    assert {pid for _, pid, _ in seen} == {worker.pid}
    assert worker.pid != os.getpid()
    assert {nice for _, _, nice in seen} == {min(os.nice(0) + NICE, 19)}


def test_if_the_worker_dies_what_it_left_and_all_later_work_is_done_here(
    worker: WorkerProcess, slack: LocalSlack, caplog: pytest.LogCaptureFixture
) -> None:
    assert worker.pid is not None
    os.kill(worker.pid, signal.SIGSTOP)  # it cannot read the pipe now
    with caplog.at_level(logging.ERROR, logger="handlers.worker"):
        for n in range(3):
            worker.hand_off("_report", {"channel": "C0LG", "n": n})
        time.sleep(0.2)  # the feeder thread has written them into the pipe
        os.kill(worker.pid, signal.SIGKILL)
        left = _seen(slack, 3)
        worker.hand_off("_report", {"channel": "C0LG", "n": 3})
        worker.hand_off("_report", {"channel": "C0LG", "n": 4})
        worker.shutdown(wait=True)
    seen = _seen(slack, 5)
    assert sorted(n for n, _, _ in left) == [0, 1, 2]
    assert sorted(n for n, _, _ in seen) == [0, 1, 2, 3, 4]
    assert {pid for _, pid, _ in seen} == {os.getpid()}
    assert not worker.alive
    assert [r.message for r in caplog.records] == [
        f"the worker process is gone (exit code {-signal.SIGKILL})"
    ]


def test_deps_hand_named_work_to_the_worker_and_run_closures_here(slack: LocalSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=slack.url)
    named: dict[str, Any] = {}
    process = WorkerProcess(named, client, threads=2)
    deps = Deps(product=None, directory=None, background=process, named=named)  # type: ignore[arg-type]
    deps.work(_report)
    process.start()
    try:
        deps.later(_report, {"channel": "C0LG", "n": 1}, client)

        def closure(body: dict[str, Any], client: WebClient) -> None:
            _report(body, client)

        deps.later(closure, {"channel": "C0LG", "n": 2}, client)
    finally:
        process.shutdown(wait=True)
    pids = {n: pid for n, pid, _ in _seen(slack, 2)}
    assert pids[1] == process.pid and pids[2] == os.getpid()


def test_two_pieces_of_work_may_not_share_a_name() -> None:
    deps = Deps(product=None, directory=None, background=InlineExecutor())  # type: ignore[arg-type]
    deps.work(_report)
    deps.work(_report)  # the same one again is fine

    def impostor(body: dict[str, Any], client: WebClient) -> None:
        pass

    impostor.__name__ = "_report"
    with pytest.raises(ValueError, match="_report"):
        deps.work(impostor)


def test_the_worker_finishes_its_work_when_the_web_process_is_killed(slack: LocalSlack) -> None:
    """The web process is SIGKILLed with work still in the pipe: the worker does it all, then
    exits by itself (no orphan)."""
    script = textwrap.dedent(
        f"""
        import os, signal, sys, time
        from slack_sdk import WebClient
        from handlers.worker import WorkerProcess

        def slow(body, client):
            time.sleep(0.2)
            client.chat_postMessage(channel="C0LG", text=f"{{body['n']}} {{os.getpid()}} 0")

        client = WebClient(token="xoxb-test", base_url={slack.url!r})
        worker = WorkerProcess({{"slow": slow}}, client, threads=1).start()
        for n in range(5):
            worker.hand_off("slow", {{"n": n}})
        time.sleep(0.3)  # the feeder thread has written the pipe
        print(worker.pid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    web = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert web.returncode == -signal.SIGKILL, web.stderr
    child = int(web.stdout.split()[0])
    seen = _seen(slack, 5)
    assert sorted(n for n, _, _ in seen) == list(range(5))
    assert {pid for _, pid, _ in seen} == {child}
    deadline = time.monotonic() + 5
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{child}").exists(), "the worker outlived the web process"


@pytest.fixture
def worker_harness(product: Product, slack: LocalSlack) -> Iterator[Harness]:
    with Harness(product, slack, worker_process=True) as running:
        yield running


def test_commands_and_buttons_over_http_with_the_worker_process(
    worker_harness: Harness, slack: LocalSlack
) -> None:
    """The bot as `ledningsbot run` runs it: the same answers, from the worker."""
    harness = worker_harness
    assert harness.bot.background.pid not in (None, os.getpid())  # type: ignore[attr-defined]
    harness.command("/organ", "ny LG Ledningsgrupp för samordning <#C0LG|ledningsgrupp>")
    logged = harness.command("/beslut", "Ledningsgruppen beslutar enligt förslag")
    assert logged["response_type"] == "in_channel" and "LG-2026-1" in text_of(logged)
    harness.command("/uppdrag", "<@U0ANNA|anna> Skicka underlag till 4/12")
    slack.wait_for(lambda calls: len(slack.dms("U0ANNA")) == 1)
    closed = harness.click("uppdrag_klar", "U-1", user="anna")
    assert "är klart" in text_of(closed)
    mine = harness.command("/uppdrag", "", user="anna")
    assert "inga öppna uppdrag" in text_of(mine)
