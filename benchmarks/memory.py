"""`memory`: start-up time and idle resident memory of `ledningsbot run` in HTTP mode.

Spawns `.venv/bin/ledningsbot run` (SQLite, Slack Web API = the `LocalSlack` stand-in, which
answers the `auth.test` Bolt makes at start), times spawn → first `GET /healthz` answering 200
(polled every 10 ms), then reads its memory after it has sat idle. Three databases: none yet
(migrations run at start), migrated but empty, and the seeded one. On the seeded one, memory is
read again after it has answered a burst of slash commands.

`ledningsbot run` is one process (the web server, the scheduler and the pool for the work after
acks). Memory counts it and any child it starts (none, today): the sum of their PSS
(proportional set size: a page shared with another counts in part), read from
/proc/<pid>/smaps_rollup, and the RSS of the process (VmRSS) beside it.

Targets (issue): idle memory < 150 MB; start-up to ready < 2 s.
"""

from __future__ import annotations

import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks import seed
from benchmarks.common import (
    RESULTS,
    ROOT,
    Environment,
    Options,
    percentile,
    table,
    verdict,
    write_result,
)
from benchmarks.load import Request, run_round
from handlers.slack_standin import LocalSlack
from storage.db import Database

SECRET = "x"
RSS_TARGET_MB = 150.0
READY_TARGET_S = 2.0
IDLE_SECONDS = 2.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def memory_mb(pid: int) -> dict[str, float]:
    """Memory of `ledningsbot run` in MB: VmRSS and VmHWM of the process, the VmRSS of its
    children (none expected), and the PSS of them all together."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    out = {"VmRSS": proc_field(pid, "status", "VmRSS"), "VmHWM": proc_field(pid, "status", "VmHWM")}
    out["children_rss"] = sum(proc_field(int(c), "status", "VmRSS") for c in children)
    out["pss_total"] = sum(proc_field(p, "smaps_rollup", "Pss") for p in [pid, *map(int, children)])
    out["processes"] = 1 + len(children)
    return out


def proc_field(pid: int, file: str, name: str) -> float:
    for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
        key, _, value = line.partition(":")
        if key == name:
            return int(value.split()[0]) / 1024.0
    raise KeyError(f"{name} not in /proc/{pid}/{file}")


def _executable() -> str:
    candidate = Path(sys.executable).parent / "ledningsbot"
    return str(candidate if candidate.exists() else ROOT / ".venv" / "bin" / "ledningsbot")


def start_run(
    database_url: str, api_url: str, workdir: Path
) -> tuple[subprocess.Popen[bytes], int, float]:
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DATABASE_URL", "ADMINS", "PORT"))
    }
    env.update(
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=api_url,
        PORT=str(port),
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
    )
    log = (RESULTS / "memory-ledningsbot.log").open("ab")
    began = time.perf_counter()
    # cwd: an empty directory, so no .env is read.
    process = subprocess.Popen([_executable(), "run"], cwd=workdir, env=env, stdout=log, stderr=log)
    log.close()
    deadline = began + 30
    url = f"http://127.0.0.1:{port}/healthz"
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            log_path = RESULTS / "memory-ledningsbot.log"
            raise RuntimeError(f"ledningsbot run exited with {process.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return process, port, time.perf_counter() - began
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.01)
    process.kill()
    raise RuntimeError("ledningsbot run was not ready within 30 s")


def stop_run(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _burst(slack: LocalSlack, port: int, n: int) -> int:
    rng = random.Random(3)
    requests = []
    for i in range(n):
        user = f"U{rng.randint(1, 200):04d}"
        command, text = rng.choice(
            [("/beslut", "lista"), ("/beslut", "sök avtal"), ("/uppdrag", ""), ("/mote", "lista")]
        )
        key = f"mem-{i}"
        url = slack.response_url(key, channel="C0LG", user=user)
        requests.append(Request(key, command, command, text, user, "C0LG", url))
    before = len(slack.calls("response_url"))
    run_round(port, SECRET, requests, 10)
    slack.wait_for(lambda cs: sum(c.method == "response_url" for c in cs) >= before + n, 120)
    return n


def run(env: Environment, options: Options) -> dict[str, Any]:
    print("== memory: `ledningsbot run` (HTTP mode, SQLite): start-up and idle RSS")
    repeats = 1 if options.quick else 3
    burst = 50 if options.quick else 200
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "memory-ledningsbot.log").write_bytes(b"")
    workdir = env.tmp / "memory"
    workdir.mkdir(exist_ok=True)
    empty = env.tmp / "memory-empty-template.db"
    template = Database(f"sqlite:///{empty}")
    template.upgrade()
    template.dispose()
    seeded = env.sqlite_seeded()
    quiet = env.tmp / "memory-seeded-no-reminders.db"
    seed.working_copy(seeded, env.tmp, quiet.name)
    connection = sqlite3.connect(quiet)
    with connection:
        connection.execute("UPDATE organ SET reminders_enabled = 0")
    connection.close()  # the last connection to close checkpoints the WAL into the file
    variants = [
        ("fresh (migrates at start)", None),
        ("migrated, empty", empty),
        (f"migrated, seeded {options.size.label}", seeded),
        ("… same, reminders off", quiet),
    ]
    results: list[dict[str, Any]] = []
    with LocalSlack() as slack:
        for n in range(1, 201):
            slack.add_user(f"U{n:04d}", f"person{n}")
        for label, source in variants:
            ready: list[float] = []
            rss: list[float] = []
            pss: list[float] = []
            children: list[float] = []
            peak: list[float] = []
            after: dict[str, float] = {}
            calls: Counter[str] = Counter()
            for attempt in range(repeats):
                path = env.tmp / f"memory-{len(results)}-{attempt}.db"
                if source is not None:
                    seed.working_copy(source, env.tmp, path.name)
                slack.clear()
                process, port, seconds = start_run(f"sqlite:///{path}", slack.url, workdir)
                try:
                    ready.append(seconds)
                    time.sleep(IDLE_SECONDS)
                    reading = memory_mb(process.pid)
                    rss.append(reading["VmRSS"])
                    pss.append(reading["pss_total"])
                    children.append(reading["children_rss"])
                    peak.append(reading["VmHWM"])
                    calls.update(c.method for c in slack.calls())
                    if source is seeded and attempt == repeats - 1:
                        _burst(slack, port, burst)
                        time.sleep(IDLE_SECONDS)
                        after = memory_mb(process.pid)
                finally:
                    stop_run(process)
            results.append(
                {
                    "database": label,
                    "ready_s": [round(s, 3) for s in ready],
                    "ready_s_median": round(statistics.median(ready), 3),
                    "ready_s_max": round(max(ready), 3),
                    "idle_pss_total_mb": [round(m, 1) for m in pss],
                    "idle_pss_total_mb_max": round(max(pss), 1),
                    "idle_rss_mb": [round(m, 1) for m in rss],
                    "idle_rss_mb_max": round(max(rss), 1),
                    "idle_children_rss_mb_max": round(max(children), 1),
                    "processes": int(reading["processes"]),
                    "peak_rss_mb_max": round(max(peak), 1),
                    "web_api_calls_until_idle_reading": {
                        method: round(n / repeats, 1) for method, n in calls.items()
                    },
                    "after_commands": {
                        "commands": burst,
                        "pss_total_mb": round(after["pss_total"], 1),
                        "rss_mb": round(after["VmRSS"], 1),
                        "children_rss_mb": round(after["children_rss"], 1),
                        "peak_rss_mb": round(after["VmHWM"], 1),
                    }
                    if after
                    else None,
                    "targets": {
                        "idle_memory_lt_150mb": max(pss) < RSS_TARGET_MB,
                        "ready_lt_2s": max(ready) < READY_TARGET_S,
                    },
                }
            )
    rows = []
    for r in results:
        a = r["after_commands"]
        rows.append(
            [
                r["database"],
                r["ready_s_median"],
                r["ready_s_max"],
                verdict(r["targets"]["ready_lt_2s"]),
                r["idle_pss_total_mb_max"],
                f"{r['idle_rss_mb_max']} ({r['processes']})",
                r["peak_rss_mb_max"],
                verdict(r["targets"]["idle_memory_lt_150mb"]),
                r["web_api_calls_until_idle_reading"].get("chat.postMessage", 0),
                f"{a['pss_total_mb']:.1f} (RSS {a['rss_mb']:.1f})" if a else "",
            ]
        )
    print(
        table(
            [
                "database",
                "ready s (median)",
                "ready s (max)",
                "< 2 s",
                "idle PSS MB (all)",
                "RSS MB (processes)",
                "web peak MB",
                "< 150 MB",
                "posts at start",
                f"PSS MB after {burst} commands",
            ],
            rows,
        )
    )
    print(
        f"  memory read {IDLE_SECONDS:g} s after /healthz first answered; 'posts at start' = "
        "chat.postMessage calls the app made by then (the reminder catch-up at start)"
    )
    all_ready = [s for r in results for s in r["ready_s"]]
    print(f"  start-up over all {len(all_ready)} starts: p50 {percentile(all_ready, 50):.2f} s")
    path = write_result("memory", options, {"results": results, "runs_per_variant": repeats})
    print(f"  → {path.relative_to(RESULTS.parent.parent)}")
    return {"results": results}
