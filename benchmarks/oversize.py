"""`oversize`: a 100 MB unsigned POST to `ledningsbot run`, refused before it is read.

Spawns `ledningsbot run` (HTTP mode, the seeded SQLite database, Slack = the `LocalSlack`
stand-in), lets it settle, and reads its memory. Then, several times each, a client sends the
headers of a 100 MB POST to /slack/events, announced with Content-Length or sent chunked, and
streams the body from a second thread as fast as the socket takes it; the time counted is from
the first byte sent until the status line is back. The server should answer 413 long before
the body could have arrived, and its memory should not grow. Afterwards /healthz must still
answer.

Targets (issue): refused in < 50 ms; the process grows by < 10 MB.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import urllib.request
from typing import Any

from benchmarks import seed
from benchmarks.common import (
    RESULTS,
    Environment,
    Options,
    summary_ms,
    table,
    verdict,
    write_result,
)
from benchmarks.memory import memory_mb, start_run, stop_run
from handlers.slack_standin import LocalSlack

SIZE = 100 * 1024 * 1024
BLOCK = 256 * 1024
REFUSED_TARGET_MS = 50.0
GROWTH_TARGET_MB = 10.0
SETTLE_SECONDS = 2.0


def _post(port: int, chunked: bool) -> tuple[float, str, int]:
    """One oversize POST: (seconds to the status line, the status line, bytes the client got
    into the socket before the server closed it)."""
    framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % SIZE
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: bench\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n" + framing + b"\r\n\r\n"
    )
    block = b"%x\r\n%s\r\n" % (BLOCK, b"a" * BLOCK) if chunked else b"a" * BLOCK
    sent = [0]
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:

        def body() -> None:
            try:
                while sent[0] < SIZE:
                    raw.sendall(block)
                    sent[0] += BLOCK
            except OSError:  # refused and closed: what we are here to see
                pass

        began = time.perf_counter()
        raw.sendall(head)
        sender = threading.Thread(target=body, daemon=True)
        sender.start()
        answer = b""
        try:
            while b"\r\n" not in answer:
                chunk = raw.recv(4096)
                if not chunk:
                    break
                answer += chunk
        except ConnectionResetError:
            pass
        seconds = time.perf_counter() - began
        with contextlib.suppress(OSError):  # already closed by the server, most likely
            raw.shutdown(socket.SHUT_RDWR)
    sender.join(timeout=30)
    return seconds, answer.split(b"\r\n", 1)[0].decode("latin-1"), sent[0]


def run(env: Environment, options: Options) -> dict[str, Any]:
    print("== oversize: a 100 MB unsigned POST to `ledningsbot run` (HTTP mode, SQLite)")
    rounds = 3 if options.quick else 10
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "memory-ledningsbot.log").write_bytes(b"")
    workdir = env.tmp / "oversize"
    workdir.mkdir(exist_ok=True)
    path = seed.working_copy(env.sqlite_seeded(), env.tmp, "oversize.db")
    results: dict[str, Any] = {}
    with LocalSlack() as slack:
        process, port, _ = start_run(f"sqlite:///{path}", slack.url, workdir)
        try:
            time.sleep(SETTLE_SECONDS)
            before = memory_mb(process.pid)
            for kind, chunked in (("Content-Length", False), ("chunked", True)):
                times: list[float] = []
                statuses: set[str] = set()
                sent: list[int] = []
                for _ in range(rounds):
                    seconds, status, count = _post(port, chunked)
                    times.append(seconds)
                    statuses.add(status)
                    sent.append(count)
                results[kind] = {
                    "refused_ms": summary_ms(times),
                    "status_lines": sorted(statuses),
                    "client_bytes_sent_max_mb": round(max(sent) / 2**20, 1),
                }
            time.sleep(SETTLE_SECONDS)
            after = memory_mb(process.pid)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                healthy = answer.status == 200
        finally:
            stop_run(process)
    growth = after["VmRSS"] - before["VmRSS"]
    peak_growth = after["VmHWM"] - before["VmHWM"]
    worst = max(r["refused_ms"]["max"] for r in results.values())
    all_413 = all(
        s.startswith("HTTP/1.1 413 ") for r in results.values() for s in r["status_lines"]
    )
    data = {
        "rounds": rounds,
        "body_mb": SIZE // 2**20,
        "by_framing": results,
        "rss_mb": {"before": round(before["VmRSS"], 1), "after": round(after["VmRSS"], 1)},
        "peak_rss_mb": {"before": round(before["VmHWM"], 1), "after": round(after["VmHWM"], 1)},
        "growth_mb": round(growth, 1),
        "peak_growth_mb": round(peak_growth, 1),
        "healthz_after": healthy,
        "targets": {
            "all_413": all_413,
            "refused_lt_50ms": worst < REFUSED_TARGET_MS,
            "growth_lt_10mb": max(growth, peak_growth) < GROWTH_TARGET_MB,
        },
    }
    rows = [
        [
            kind,
            r["refused_ms"]["n"],
            r["refused_ms"]["p50"],
            r["refused_ms"]["max"],
            ", ".join(r["status_lines"]),
            r["client_bytes_sent_max_mb"],
        ]
        for kind, r in results.items()
    ]
    print(
        table(
            ["framing", "n", "refused p50 ms", "max ms", "answer", "client sent ≤ MB"],
            rows,
        )
    )
    t = data["targets"]
    print(
        f"  all 413: {verdict(t['all_413'])}; refused < {REFUSED_TARGET_MS:g} ms: "
        f"{verdict(t['refused_lt_50ms'])} (max {worst:.1f} ms); RSS {before['VmRSS']:.1f} → "
        f"{after['VmRSS']:.1f} MB, peak {before['VmHWM']:.1f} → {after['VmHWM']:.1f} MB: "
        f"grows < {GROWTH_TARGET_MB:g} MB {verdict(t['growth_lt_10mb'])}; "
        f"/healthz afterwards: {verdict(healthy)}"
    )
    out = write_result("oversize", options, data)
    print(f"  → {out.relative_to(RESULTS.parent.parent)}")
    return data
