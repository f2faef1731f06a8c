"""What every handler shares: the product, a directory of people, and where the work after
Slack has been answered runs (a pool here, or a worker process: see handlers.worker)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.core.context import Ctx, Directory, Product

log = logging.getLogger(__name__)
Work = Callable[[dict[str, Any], WebClient], None]
T = TypeVar("T")


class Handoff(Executor):
    """An executor that can also run registered work given only its name and the request body,
    so the work can run in another process (handlers.worker.WorkerProcess)."""

    def hand_off(self, name: str, body: dict[str, Any]) -> None:
        raise NotImplementedError


class InlineExecutor(Executor):
    """Runs each task at once on the caller's thread (the shell, scripts, benchmarks)."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future


@dataclass(frozen=True)
class Deps:
    product: Product
    directory: Directory
    background: Executor = field(default_factory=InlineExecutor)  # work after each ack
    slow: Executor = field(default_factory=InlineExecutor)  # invite batches: minutes long
    named: dict[str, Work] = field(default_factory=dict)  # work that may run in another process

    def ctx(self, user_id: str, channel_id: str | None) -> Ctx:
        return Ctx(self.product, user_id, channel_id, self.directory)

    def work(self, work: Work) -> Work:
        """Register `work` under its name, so that a worker process (a fork of this one, which
        has the same registry) can run it from the name and the request body alone."""
        name = work.__name__
        if self.named.setdefault(name, work) is not work:
            raise ValueError(f"two pieces of work are named {name!r}")
        return work

    def later(self, work: Work, body: dict[str, Any], client: WebClient) -> None:
        name = getattr(work, "__name__", "")
        if isinstance(self.background, Handoff) and self.named.get(name) is work:
            self.background.hand_off(name, body)
        else:
            self.background.submit(run_logged, work, body, client)


def run_logged(work: Work, body: dict[str, Any], client: WebClient) -> None:
    try:
        work(body, client)
    except Exception:
        log.exception("%s failed", getattr(work, "__name__", work))


def ack_then(deps: Deps, work: Work) -> Callable[..., None]:
    """A listener that answers Slack at once on the request's thread and hands the work to the
    pool. (Bolt's own lazy listeners deep-copy the whole request for that: 0.4 ms an ack.)"""
    deps.work(work)

    def listener(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        deps.later(work, body, client)

    listener.__name__ = f"ack_then_{getattr(work, '__name__', 'work')}"
    return listener
