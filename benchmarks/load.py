"""The load generator: signed slash commands over real HTTP from concurrent client threads,
and the server processes they go to."""

from __future__ import annotations

import http.client
import itertools
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from benchmarks.common import ROOT
from handlers.slackwire import command_body, signed_headers


@dataclass(frozen=True)
class Request:
    key: str  # the response_url key (unique per request)
    kind: str  # what the request is, for per-kind figures
    command: str
    text: str
    user: str
    channel: str
    response_url: str


@dataclass(frozen=True)
class Result:
    request: Request
    sent: float  # time.monotonic() just before connecting
    seconds: float  # until the HTTP response was read in full
    status: int


def send(port: int, secret: str, request: Request, *, command: str | None = None) -> Result:
    """One signed slash command, on a new connection (as a client that keeps none open)."""
    body = command_body(
        command or request.command,
        request.text,
        user_id=request.user,
        channel_id=request.channel,
        response_url=request.response_url,
        trigger_id=f"trigger-{request.key}",
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    headers.update(signed_headers(secret, body))
    data = body.encode("utf-8")
    sent = time.monotonic()
    began = time.perf_counter()
    status = 0
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/slack/events", body=data, headers=headers)
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = -1
    finally:
        connection.close()
    return Result(request, sent, time.perf_counter() - began, status)


def run_round(
    port: int,
    secret: str,
    requests: list[Request],
    clients: int,
    *,
    command: str | None = None,
) -> tuple[list[Result], float]:
    """Send `requests` from `clients` threads, each starting the next one as soon as its last
    one was answered (a closed loop). Returns the results and the wall time of the round."""
    counter = itertools.count()
    results: list[Result] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client() -> None:
        mine: list[Result] = []
        start.wait()
        while (i := next(counter)) < len(requests):
            mine.append(send(port, secret, requests[i], command=command))
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - began


def run_paced(
    port: int,
    secret: str,
    requests: list[Request],
    clients: int,
    rate: float,
    *,
    command: str | None = None,
) -> tuple[list[Result], float]:
    """Send `requests` at a steady `rate` per second (an open loop) from up to `clients`
    threads. Latency counts from each request's scheduled time, so a server that falls behind
    is not flattered by requests that merely went out late (no coordinated omission)."""
    counter = itertools.count()
    results: list[Result] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    t0 = 0.0

    def client() -> None:
        mine: list[Result] = []
        start.wait()
        while (i := next(counter)) < len(requests):
            due = t0 + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            result = send(port, secret, requests[i], command=command)
            late = max(0.0, time.perf_counter() - result.seconds - due)
            mine.append(Result(result.request, result.sent, result.seconds + late, result.status))
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    t0 = time.perf_counter() + 0.05
    start.wait()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - t0


class ServerProcess:
    """`python -m benchmarks.serve KIND …` in a child process; stderr goes to `log`."""

    def __init__(
        self,
        kind: str,
        database_url: str,
        api_url: str,
        secret: str,
        log: Path,
        *,
        profile: Path | None = None,
    ):
        self.kind = kind
        env = dict(os.environ)
        env.pop("BENCH_PROFILE", None)
        if profile is not None:
            env["BENCH_PROFILE"] = str(profile)
        self.log = log
        self._log_file: IO[str] = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.serve", kind, database_url, api_url, secret],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log_file,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            self.process.kill()
            self.process.wait()
            self._log_file.close()
            raise RuntimeError(f"{kind} server did not start:\n{log.read_text()[-3000:]}")
        self.port = int(line.split()[1])

    def stop(self) -> dict[str, Any]:
        """Stop it and return its STATS (empty if it did not say)."""
        stats: dict[str, Any] = {}
        if self.process.poll() is None:
            try:
                out, _ = self.process.communicate(input="", timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                out, _ = self.process.communicate()
            for line in (out or "").splitlines():
                if line.startswith("STATS "):
                    stats = json.loads(line[len("STATS ") :])
        self._log_file.close()
        return stats

    def log_lines(self, marker: str) -> int:
        try:
            return sum(1 for line in self.log.read_text().splitlines() if marker in line)
        except OSError:
            return 0
