"""A server process for the `ack` benchmark: the real bot, or a bare Bolt app that only acks.

    python -m benchmarks.serve bot|bare DATABASE_URL API_URL SIGNING_SECRET

Both are served by the bot's own `handlers.server.WebServer` on 127.0.0.1, port 0. Prints
``PORT <n>`` when ready, serves until stdin closes, then prints ``STATS <json>`` (SQL statements
run, Bolt settings) and exits. Each runs in its own process so that the load generator and the
Slack stand-in do not share its interpreter lock.

The bare app is configured as the bot's Bolt app is (`process_before_response`), so the
comparison is of what the bot adds, not of two ways of running Bolt.

The bot runs as `ledningsbot run` does: the work after each ack in its bounded pool in this
same process (`handlers.common.WorkPool`), so STATS counts the SQL statements of that work too.

Knobs for trying fixes without touching the app (environment):
``BENCH_LISTENER_WORKERS=N`` gives the pool N threads, ``BENCH_QUEUE=N`` N places in its
queue; ``BENCH_WEB_THREADS=N`` gives the web
server N request threads; ``BENCH_SWITCH_INTERVAL=s`` sets `sys.setswitchinterval`;
``BENCH_PROFILE=path`` writes a sampling profile there at the end.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from slack_bolt import Ack
from slack_bolt import App as BoltApp
from slack_sdk import WebClient

from benchmarks.sampler import Sampler
from handlers.app import QUEUE, WORKERS, Bot, build_bot, build_product
from handlers.server import THREADS, WebServer
from handlers.settings import Settings

TOKEN = "xoxb-bench"


def build(kind: str, database_url: str, api_url: str, secret: str) -> Bot:
    settings = Settings(
        bot_token=TOKEN, signing_secret=secret, api_url=api_url, database_url=database_url
    )
    product = build_product(settings, migrate=False)
    bot = build_bot(
        settings,
        product,
        threads=_knob("BENCH_LISTENER_WORKERS", WORKERS),
        queue=_knob("BENCH_QUEUE", QUEUE),
    )
    if kind == "bot":
        return bot
    client = WebClient(token=TOKEN, base_url=api_url, timeout=10)
    bare = BoltApp(
        client=client,
        signing_secret=secret,
        raise_error_for_unhandled_request=False,
        process_before_response=bot.bolt.process_before_response,
    )

    @bare.command("/beslut")
    def _ack_only(ack: Ack) -> None:
        ack()

    bot.close()  # the bare app has no work after its acks
    return _bot(product=product, bolt=bare, client=client, signing_secret=secret)


def _knob(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def _bot(**parts: Any) -> Bot:
    """A `Bot` holding the bare app; fields the bare app has no use for (the reminder service
    and whatever else comes along) are None: the web server only reads `bolt`."""
    names = [f.name for f in dataclasses.fields(Bot)]
    values: dict[str, Any] = {name: parts.get(name) for name in names}
    return Bot(**values)


def main(argv: list[str]) -> int:
    kind, database_url, api_url, secret = argv
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if os.environ.get("BENCH_SWITCH_INTERVAL"):
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH_INTERVAL"]))
    bot = build(kind, database_url, api_url, secret)
    threads = _knob("BENCH_WEB_THREADS", THREADS)
    server = WebServer(bot, bot.product.db, host="127.0.0.1", port=0, threads=threads).start()
    profile = os.environ.get("BENCH_PROFILE")
    sampler = Sampler().start() if profile else None
    print(f"PORT {server.port}", flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    if sampler is not None and profile:
        Path(profile).write_text(sampler.report())
    server.stop()
    if bot.background is not None:
        bot.close()  # the work after the last acks
    stats = {
        "sql_statements": bot.product.db.queries.total,
        "web_server": "waitress",
        "web_threads": threads,
        "pool_threads": bot.background.threads if bot.background is not None else None,
        "pool_queue": bot.background.queue if bot.background is not None else None,
        "process_before_response": bot.bolt.process_before_response,
        "switch_interval_s": sys.getswitchinterval(),
    }
    print("STATS " + json.dumps(stats), flush=True)
    bot.product.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
