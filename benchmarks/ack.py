"""`ack`: slash-command acknowledgement latency over real HTTP, the bot against a bare Bolt app.

Signed slash commands go from 20 concurrent client threads (in this process) to the bot's
`WebServer` (waitress) on 127.0.0.1 in a child process, with the seeded database behind it. A
bare Bolt app that only acks `/beslut`, served by the same `WebServer` class in a second child
process, gets the same requests; rounds alternate bot, bare, bare, bot, … so that both see the
same machine. The bot acks at once and does the work afterwards in its pool (in the same
process, as `ledningsbot run`), answering on the `response_url` — which points at the
`LocalSlack` stand-in here (in this process). After each bot round we wait until every reply
has arrived, and count them.

Targets (issue 8): p99 < 150 ms in both phases; bot p50 at most 2× the bare app's p50 at
20 commands/s (paced). The same ratio with 20 clients in a closed loop is shown but is no
longer a target (retired in issue 8: wrong for a group of 25 people).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from benchmarks import seed
from benchmarks.common import (
    RESULTS,
    Environment,
    Options,
    Target,
    summary_ms,
    table,
    verdict,
    write_result,
)
from benchmarks.load import Request, Result, ServerProcess, run_paced, run_round
from bot.core import texts as core_texts
from handlers.slack_standin import Call, LocalSlack

SECRET = "bench-signing-secret"
CLIENTS = 20
P99_TARGET_MS = 150.0
P50_RATIO_TARGET = 2.0
PACED_RATE = 20.0  # commands per second, in total, for the open-loop phase
SEARCH_WORDS = [
    "avtal",
    "hemsjukvård",
    "hemsjukv",
    "processgrupp",
    "dialog underlag",
    "ledningsgruppen beslutar",
    "trygghetsboende",
    "samverkan",
    "överenskommelse",
    "primärvård",
]
# kind, weight
MIX = [("lista", 25), ("sök", 25), ("uppdrag", 20), ("logga", 15), ("möten", 15)]
ORGAN_CHANNELS = [channel for _, _, channel, *_ in seed.ORGANS]


class Replies:
    """What arrived on the response URLs (a LocalSlack listener: O(1) per call)."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.errors: set[str] = set()
        self.extra = 0  # second replies to the same key (delivery notes)
        self._cond = threading.Condition()

    def __call__(self, call: Call) -> None:
        if call.method != "response_url" or call.key is None:
            return
        text = str(call.args.get("text") or "")
        with self._cond:
            if call.key in self.at:
                self.extra += 1
            else:
                self.at[call.key] = call.at
            if core_texts.GENERIC_ERROR[:40] in text:
                self.errors.add(call.key)
            self._cond.notify_all()

    def wait(self, keys: list[str], timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: all(k in self.at for k in keys), timeout)


def _requests(
    rng: random.Random, vocab: seed.Vocabulary, slack: LocalSlack, prefix: str, n: int
) -> list[Request]:
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    out: list[Request] = []
    for i in range(n):
        kind = rng.choices(kinds, weights)[0]
        user = f"U{rng.randint(1, 200):04d}"
        channel = rng.choice(ORGAN_CHANNELS)
        if kind == "lista":
            command, text = "/beslut", rng.choice(["lista", "lista", "lista AU", "lista 2025"])
        elif kind == "sök":
            command, text = "/beslut", "sök " + rng.choice(SEARCH_WORDS)
        elif kind == "uppdrag":
            command, text = "/uppdrag", ""
        elif kind == "logga":
            command, text = "/beslut", "Ledningsgruppen beslutar att " + vocab.sentence(rng, 6, 20)
        else:
            command, text = "/mote", "lista"
        key = f"{prefix}-{i}"
        url = slack.response_url(key, channel=channel, user=user)
        out.append(Request(key, kind, command, text, user, channel, url))
    return out


@dataclass
class Phase:
    """One way of loading the servers, and what came back."""

    name: str
    results: dict[str, list[Result]] = field(default_factory=lambda: {"bot": [], "bare": []})
    elapsed: dict[str, float] = field(default_factory=lambda: {"bot": 0.0, "bare": 0.0})
    drains: list[float] = field(default_factory=list)

    def summary(self, replies: Replies) -> dict[str, Any]:
        ratio_is_target = self.name == "paced"  # with 20 clients back to back: retired
        bot = summary_ms([r.seconds for r in self.results["bot"]])
        bare = summary_ms([r.seconds for r in self.results["bare"]])
        reply_by_kind: dict[str, dict[str, Any]] = {}
        for kind, _ in MIX:
            waits = [
                replies.at[r.request.key] - r.sent
                for r in self.results["bot"]
                if r.request.kind == kind and r.request.key in replies.at
            ]
            reply_by_kind[kind] = summary_ms(waits)
        return {
            "ack_ms": {"bot": bot, "bare": bare},
            "throughput_rps": {
                k: round(len(v) / self.elapsed[k], 1) if self.elapsed[k] else None
                for k, v in self.results.items()
            },
            "http_status": {
                k: dict(Counter(str(r.status) for r in v)) for k, v in self.results.items()
            },
            "reply_ms_by_kind": reply_by_kind,
            "drain_after_round_s": [round(d, 2) for d in self.drains],
            "targets": {
                "p99_lt_150ms": bot["p99"] < P99_TARGET_MS,
                "p50_le_2x_bare": bot["p50"] <= P50_RATIO_TARGET * bare["p50"]
                if ratio_is_target
                else None,
                "p50_ratio": round(bot["p50"] / bare["p50"], 2) if bare["p50"] else None,
            },
        }


def _one_database(target: Target, options: Options, vocab: seed.Vocabulary) -> dict[str, Any]:
    rounds = 2 if options.quick else 3
    per_round = 100 if options.quick else 400
    warmup = 40 if options.quick else 100
    paced_per_round = 30 if options.quick else 80
    rng = random.Random(7)
    replies = Replies()
    sent_bot: list[Request] = []
    phases = [Phase("saturated"), Phase("paced")]
    with LocalSlack() as slack:
        slack.on_call(replies)
        for n in range(1, 201):
            slack.add_user(f"U{n:04d}", f"person{n}", email=f"person{n}@example.se")
        for channel, name in seed.CHANNELS.items():
            slack.set_channel(channel, name)
        logs = {kind: RESULTS / f"ack-{target.name}-{kind}.log" for kind in ("bot", "bare")}
        profile_path = RESULTS / f"ack-{target.name}-bot-profile.txt"
        profile_path.unlink(missing_ok=True)  # never leave an older run's profile looking current
        profile = profile_path if options.profile else None
        servers: dict[str, ServerProcess] = {}
        try:
            for kind in ("bot", "bare"):
                servers[kind] = ServerProcess(
                    kind,
                    target.url,
                    slack.url,
                    SECRET,
                    logs[kind],
                    profile=profile if kind == "bot" else None,
                )

            def go(phase: Phase | None, kind: str, label: str, n: int) -> None:
                batch = _requests(rng, vocab, slack, f"{target.name}-{label}-{kind}", n)
                port, command = servers[kind].port, _command(kind)
                if phase is not None and phase.name == "paced":
                    got, seconds = run_paced(
                        port, SECRET, batch, CLIENTS, PACED_RATE, command=command
                    )
                else:
                    got, seconds = run_round(port, SECRET, batch, CLIENTS, command=command)
                if phase is not None:
                    phase.results[kind] += got
                    phase.elapsed[kind] += seconds
                if kind == "bot":
                    sent_bot.extend(batch)
                    last_ack = max(r.sent + r.seconds for r in got)
                    if not replies.wait([r.key for r in batch], 180):
                        print(f"  ! {target.name}: replies still missing after 180 s")
                    if phase is not None:
                        arrived = [replies.at[r.key] for r in batch if r.key in replies.at]
                        phase.drains.append(max(arrived, default=last_ack) - last_ack)

            # Warm-up (not measured): imports, connection pools, caches, page cache.
            for kind in ("bot", "bare"):
                go(None, kind, "warm", warmup)
            # ABBA order: bot, bare, bare, bot, … so drift over time hits both alike.
            for phase, count, n in (
                (phases[0], rounds, per_round),
                (phases[1], 2, paced_per_round),
            ):
                order = (["bot", "bare", "bare", "bot"] * count)[: 2 * count]
                for number, kind in enumerate(order):
                    go(phase, kind, f"{phase.name}{number}", n)
        finally:
            stats = {kind: server.stop() for kind, server in servers.items()}
        calls = Counter(c.method for c in slack.calls())
        error_lines = servers["bot"].log_lines("ERROR") if "bot" in servers else 0

    received = sum(1 for r in sent_bot if r.key in replies.at)
    errors = sum(1 for r in sent_bot if r.key in replies.errors)
    statements = stats.get("bot", {}).get("sql_statements")
    return {
        "database": target.name,
        "data": target.note,
        "clients": CLIENTS,
        "saturated": {
            "rounds_per_app": rounds,
            "requests_per_round": per_round,
            **phases[0].summary(replies),
        },
        "paced": {
            "rate_per_s": PACED_RATE,
            "rounds_per_app": 2,
            "requests_per_round": paced_per_round,
            **phases[1].summary(replies),
        },
        "replies": {
            "commands_sent": len(sent_bot),
            "replies_received": received,
            "error_replies": errors,
            "extra_replies": replies.extra,
            "all_arrived": received == len(sent_bot),
        },
        "sql_statements_per_command": round(statements / len(sent_bot), 2)
        if statements and sent_bot
        else None,
        "web_api_calls": dict(calls),
        "bot_log_error_lines": error_lines,
        "bot_log": str(logs["bot"]),
        "bot_profile": str(profile) if profile else None,
        "server_settings": stats,
    }


def _command(kind: str) -> str | None:
    return "/beslut" if kind == "bare" else None  # the bare app only knows /beslut


def run(env: Environment, options: Options) -> dict[str, Any]:
    print("== ack: slash-command acknowledgement over HTTP (bot vs bare Bolt)")
    vocab = seed.Vocabulary(seed.corpus())
    per_db: list[dict[str, Any]] = []
    for target in env.targets("ack"):
        began = time.perf_counter()
        per_db.append(_one_database(target, options, vocab))
        print(f"  ({target.name}: {time.perf_counter() - began:.1f} s)")
    print(
        f"Ack latency, {CLIENTS} clients: 'saturated' = closed loop (each client sends its next "
        f"command as soon as the last was acked);\n'paced' = open loop at {PACED_RATE:g} "
        "commands/s in total (latency from the scheduled send time)."
    )
    rows = []
    for r in per_db:
        for phase in ("saturated", "paced"):
            for kind in ("bot", "bare"):
                s = r[phase]["ack_ms"][kind]
                rows.append(
                    [
                        r["database"],
                        phase,
                        kind,
                        s["n"],
                        s["p50"],
                        s["p95"],
                        s["p99"],
                        s["max"],
                        r[phase]["throughput_rps"][kind],
                    ]
                )
    print(
        table(
            ["database", "load", "app", "n", "p50 ms", "p95 ms", "p99 ms", "max ms", "req/s"],
            rows,
        )
    )
    print()
    rows = []
    for r in per_db:
        rep = r["replies"]
        for phase in ("saturated", "paced"):
            t = r[phase]["targets"]
            rows.append(
                [
                    r["database"],
                    phase,
                    f"{verdict(t['p99_lt_150ms'])} ({r[phase]['ack_ms']['bot']['p99']:.1f} ms)",
                    f"{verdict(t['p50_le_2x_bare'])} ({t['p50_ratio']}×)"
                    if t["p50_le_2x_bare"] is not None
                    else f"retired ({t['p50_ratio']}×)",
                    max(r[phase]["drain_after_round_s"] or [0.0]),
                    f"{rep['replies_received']}/{rep['commands_sent']}",
                    rep["error_replies"],
                    r["sql_statements_per_command"],
                ]
            )
    print(
        table(
            [
                "database",
                "load",
                "p99 < 150 ms",
                "p50 ≤ 2× bare",
                "max drain s",
                "replies (all)",
                "error replies",
                "SQL/cmd",
            ],
            rows,
        )
    )
    print()
    rows = []
    for r in per_db:
        for kind, _ in MIX:
            sat, paced = (
                r["saturated"]["reply_ms_by_kind"][kind],
                r["paced"]["reply_ms_by_kind"][kind],
            )
            rows.append(
                [
                    r["database"],
                    kind,
                    sat["p50"],
                    sat["p95"],
                    paced["p50"],
                    paced["p95"],
                    paced["max"],
                ]
            )
    print("Time from sending a command until its reply reached the response_url:")
    print(
        table(
            [
                "database",
                "command",
                "saturated p50",
                "saturated p95",
                "paced p50",
                "paced p95",
                "paced max",
            ],
            rows,
        )
    )
    for r in per_db:
        if r["bot_profile"]:
            print(f"  profile of the bot process ({r['database']}): {r['bot_profile']}")
    path = write_result("ack", options, {"results": per_db})
    print(f"  → {path.relative_to(RESULTS.parent.parent)}")
    return {"results": per_db}
