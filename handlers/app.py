"""The front door: builds the product, the Bolt app and the web server from settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from slack_bolt import App as BoltApp
from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.core import ledger
from bot.core.clock import Clock, SystemClock
from bot.core.context import Product
from bot.reminders import Reminders
from handlers import listeners
from handlers.common import Deps, WorkPool
from handlers.deliver import retry_handlers
from handlers.directory import SlackDirectory
from handlers.notify import SlackClient, SlackNotifier
from handlers.settings import Settings
from storage.db import Database

log = logging.getLogger(__name__)
WORKERS = 4  # threads for the work after acks (measured, benchmarks/ack: fewer, faster acks)
# Work waiting beyond those; when full, a request's own thread does its work (back-pressure).
# A place holds a parsed request (a few kB): 1,000 are a few MB, and 20-30 s of work at the
# rate 2 cores manage with 100,000 decisions. (With 100, 20 clients sending back to back hit
# the bound, and acks waited for the work: p99 322 ms; with 1,000, 111 ms. benchmarks/ack.)
QUEUE = 1000
INVITE_THREADS = 1  # invitation batches, one at a time: they wait out Slack's rate limits
INVITE_QUEUE = 20

# Bolt logs a request whose signature fails, with its whole body, at INFO
# (slack_bolt.middleware.request_verification). The web server checks signatures before Bolt
# sees a request (handlers.server), so this should never fire; if it does, the body stays out
# of the log. A filter, not a level: Bolt resets its loggers' levels whenever an app is built.
logging.getLogger("slack_bolt.RequestVerification").addFilter(
    lambda record: record.levelno >= logging.WARNING
)


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
        lease=timedelta(seconds=settings.delivery_lease),
    )


@dataclass
class Bot:
    product: Product
    bolt: BoltApp
    client: WebClient
    reminders: Reminders
    signing_secret: str  # HTTP mode: what Slack signs its requests with
    background: WorkPool  # the work after each ack: its pool
    invites: WorkPool  # invitation batches (minutes long): a small lane of their own
    deps: Deps | None = None

    def resumers(self) -> list[Callable[[], object]]:
        """What the scheduler's safety tick finishes after a crash, each after the lease: the
        delivery ledger's messages and the invitation batches."""
        from handlers.listeners.calendar import resume_invites

        deps = self.deps

        def ledger_rows() -> None:
            ledger.resume(self.product, self.reminders.notifier)

        def invitations() -> None:
            if deps is not None:
                resume_invites(deps, self.client)

        return [ledger_rows, invitations]

    def drain(self) -> None:
        """Wait until the work after every ack so far is done, invitations included."""
        self.background.drain()
        self.invites.drain()

    def close(self) -> None:
        """Finish the work handed over so far (the pool's first: it may queue invitations)."""
        self.background.shutdown(wait=True)
        self.invites.shutdown(wait=True)


def build_bot(
    settings: Settings, product: Product, *, threads: int = WORKERS, queue: int = QUEUE
) -> Bot:
    """The Bolt app with every handler registered, talking to settings.api_url.

    Acks run on the request's thread (process_before_response) and the work after them in one
    bounded pool in this process (handlers.common.WorkPool: `threads` threads, `queue` places):
    the same in `ledningsbot run` (HTTP and Socket Mode), the shell, the tests and the
    benchmarks. Bolt's usual mode would queue the ack itself behind busy workers, and more
    Python threads than cores only make acks wait longer for the interpreter lock. More load is
    met with more processes of the whole bot on one PostgreSQL, not with more threads here.
    """
    timeout = settings.client_timeout
    client = SlackClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=timeout,
        retry_handlers=retry_handlers(timeout),
    )
    bolt = BoltApp(
        client=client,
        signing_secret=settings.signing_secret or "",
        request_verification_enabled=not settings.socket_mode,
        process_before_response=True,
        raise_error_for_unhandled_request=False,
    )

    @bolt.use
    def guarded_client(context: BoltContext, next: Callable[[], None]) -> None:
        """Bolt gives each request a plain WebClient of its own: the listeners get ours (the
        write-transaction guard, claims' deadlines) with the same token and settings."""
        context["client"] = SlackClient.like(context.client)
        next()

    pool = WorkPool(threads, queue, "work")
    # Invite batches wait out Slack's rate limits and SMTP: minutes for a large organ. They
    # have a lane of their own (the same kind of pool), so they never hold up the commands.
    invites = WorkPool(INVITE_THREADS, INVITE_QUEUE, "invites")
    deps = Deps(product, SlackDirectory(client), pool, invites)
    listeners.register(bolt, deps)
    return Bot(
        product,
        bolt,
        client,
        Reminders(product, SlackNotifier(client), lease=timedelta(seconds=settings.delivery_lease)),
        settings.signing_secret or "",
        pool,
        invites,
        deps,
    )
