"""What every handler shares: the product, a directory of people, and the pool that does the
work after Slack has been answered."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.context import App, Ctx, Directory

log = logging.getLogger(__name__)
Work = Callable[[dict[str, Any], WebClient], None]
T = TypeVar("T")


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
    product: App
    directory: Directory
    background: Executor = field(default_factory=InlineExecutor)  # work after each ack
    slow: Executor = field(default_factory=InlineExecutor)  # invite batches: minutes long

    def ctx(self, user_id: str, channel_id: str | None) -> Ctx:
        return Ctx(self.product, user_id, channel_id, self.directory)

    def later(self, work: Work, body: dict[str, Any], client: WebClient) -> None:
        self.background.submit(_logged, work, body, client)


def _logged(work: Work, body: dict[str, Any], client: WebClient) -> None:
    try:
        work(body, client)
    except Exception:
        log.exception("%s failed", getattr(work, "__name__", work))


def ack_then(deps: Deps, work: Work) -> Callable[..., None]:
    """A listener that answers Slack at once on the request's thread and hands the work to the
    pool. (Bolt's own lazy listeners deep-copy the whole request for that: 0.4 ms an ack.)"""

    def listener(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        deps.later(work, body, client)

    listener.__name__ = f"ack_then_{getattr(work, '__name__', 'work')}"
    return listener
