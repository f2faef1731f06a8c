"""The front door: builds the product, the Bolt app and the web server from settings."""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass

from slack_bolt import App as BoltApp
from slack_sdk import WebClient

from bot.core.clock import Clock, SystemClock
from bot.core.context import Product
from bot.reminders import Reminders
from handlers import listeners
from handlers.common import Deps, InlineExecutor, Work
from handlers.deliver import retry_handlers
from handlers.directory import SlackDirectory
from handlers.notify import SlackNotifier
from handlers.settings import Settings
from handlers.worker import WorkerProcess
from storage.db import Database

log = logging.getLogger(__name__)
WORKERS = 4  # measured (benchmarks/ack): fewer threads, faster acks under load


def build_product(
    settings: Settings, clock: Clock | None = None, *, migrate: bool = True
) -> Product:
    """The product without Slack: database (migrated), clock, time zone, admins."""
    db = Database(settings.database_url)
    if migrate:
        db.upgrade()
    return Product(
        db=db,
        clock=clock or SystemClock(),
        tz=settings.tz,
        admins=settings.admins,
        calendar=settings.calendar_config(),
    )


@dataclass
class Bot:
    product: Product
    bolt: BoltApp
    client: WebClient
    reminders: Reminders
    background: Executor  # where the work after each ack runs
    slow: Executor  # invite batches


def build_bot(
    settings: Settings,
    product: Product,
    *,
    background: Executor | None = None,
    worker_process: bool = False,
) -> Bot:
    """The Bolt app with every handler registered, talking to settings.api_url.

    Acks run on the request's thread (process_before_response) and the work in `background`,
    a small pool: Bolt's usual mode would queue the ack itself behind busy workers, and more
    Python threads than cores only make acks wait longer for the interpreter lock. With
    `worker_process` (what `ledningsbot run` uses) the work runs in a forked worker process
    instead (handlers.worker): the acks then never share the interpreter lock with it.
    """
    client = WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=10,
        retry_handlers=retry_handlers(),
    )
    bolt = BoltApp(
        client=client,
        signing_secret=settings.signing_secret or "",
        request_verification_enabled=not settings.socket_mode,
        process_before_response=True,
        raise_error_for_unhandled_request=False,
    )
    # Invite batches wait out Slack's rate limits and SMTP: minutes for a large organ. They
    # queue on their own thread so they never hold up the commands' pool.
    slow = InlineExecutor() if background is not None else ThreadPoolExecutor(1, "invites")
    named: dict[str, Work] = {}
    pool: Executor
    worker: WorkerProcess | None = None
    if background is not None:
        pool = background
    elif worker_process:
        pool = worker = WorkerProcess(
            named,
            client,
            threads=WORKERS,
            before_fork=product.db.dispose,  # neither process may share a connection
            drain_in_worker=(slow,),
        )
    else:
        pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="work")
    listeners.register(bolt, Deps(product, SlackDirectory(client), pool, slow, named))
    if worker is not None:
        worker.start()  # a fork: after registration, before any thread of ours starts
    return Bot(product, bolt, client, Reminders(product, SlackNotifier(client)), pool, slow)
