"""What every handler shares: the product, a directory of people, and the one place the work
after Slack has been answered runs: a bounded pool of threads in this process (`WorkPool`).

Over HTTP the work is handed to the pool once the answer has gone out (`after_the_answer`):
started at once, it would compete with the request's thread for the interpreter lock while
that thread is still writing the ack (measured, benchmarks/ack: at 20 commands/s, acks took
2.7× a bare Bolt app's; handed over after the answer, 1.1×).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.core.context import Ctx, Directory, Product

log = logging.getLogger(__name__)
Work = Callable[[dict[str, Any], WebClient], None]
T = TypeVar("T")
_answering: ContextVar[list[Callable[[], object]] | None] = ContextVar("answering", default=None)


class WorkPool(Executor):
    """A fixed number of threads and a bounded queue in front of them.

    When `threads + queue` pieces of work are already running or waiting, `submit` runs the new
    one on the calling thread before it returns ("caller runs"): nothing is dropped or refused,
    memory stays bounded, and the time goes to whoever submits while the pool is full. Over
    HTTP that is the request's thread, after its ack has gone out: Slack has its answer, and
    the web server has one thread fewer for new requests until the work is done (back-pressure
    on whoever sends the most). After `shutdown`, work submitted late (a request that was
    already being answered) also runs on the caller.
    """

    def __init__(self, threads: int, queue: int, name: str) -> None:
        self.threads, self.queue, self.name = threads, queue, name
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix=name)
        self._slots = threading.BoundedSemaphore(threads + queue)
        self._idle = threading.Condition()
        self._pending = 0  # submitted to the threads and not yet done
        self._closed = False
        self._full = False  # logged once per spell of fullness, not per piece of work

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        if self._closed or not self._slots.acquire(blocking=False):
            return self._run_here(fn, *args, **kwargs)
        with self._idle:
            self._pending += 1
            self._full = False
        try:
            future = self._executor.submit(fn, *args, **kwargs)
        except RuntimeError:  # shut down in the meantime
            self._done(None)
            return self._run_here(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until nothing submitted to the threads is waiting or running (the shell waits
        so after each line, so its transcript stays in order). False if `timeout` ran out."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._closed = True
        self._executor.shutdown(wait=wait, cancel_futures=cancel_futures)

    def _run_here(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        if not self._closed and not self._full:
            self._full = True
            log.warning(
                "the %s pool is full (%d running, %d waiting): work runs on the caller's thread",
                self.name,
                self.threads,
                self.queue,
            )
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future

    def _done(self, _future: Future[Any] | None) -> None:
        self._slots.release()
        with self._idle:
            self._pending -= 1
            if self._pending == 0:
                self._idle.notify_all()


@dataclass(frozen=True)
class Deps:
    product: Product
    directory: Directory
    background: Executor  # the work after each ack: the pool
    invites: Executor  # invitation batches: minutes long, so a lane of their own

    def ctx(self, user_id: str, channel_id: str | None) -> Ctx:
        return Ctx(self.product, user_id, channel_id, self.directory)

    def later(self, work: Work, body: dict[str, Any], client: WebClient) -> None:
        """Run `work` in the pool: now, or over HTTP once the answer has been sent."""
        pending = _answering.get()
        if pending is None:
            self.background.submit(run_logged, work, body, client)
        else:
            pending.append(lambda: self.background.submit(run_logged, work, body, client))


@contextmanager
def after_the_answer() -> Iterator[list[Callable[[], object]]]:
    """While a request is being answered on this thread: the work `Deps.later` hands over
    waits in the list yielded here, for the web server to call once the answer is sent."""
    pending: list[Callable[[], object]] = []
    token = _answering.set(pending)
    try:
        yield pending
    finally:
        _answering.reset(token)


def run_logged(work: Work, body: dict[str, Any], client: WebClient) -> None:
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
