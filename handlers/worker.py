"""The work after each ack, in a worker process: the web process only verifies, acks and hands
over the request body, so an ack never waits for the interpreter lock behind other commands'
work (measured: benchmarks/ack.py; with a thread pool in the same process, acks under a steady
stream of commands took 4× as long as a bare Bolt app's).

The worker is a fork of the web process taken after every handler is registered, so it holds
the same registry of named work (`Deps.work`) and needs only the name and the body: nothing but
plain JSON crosses the pipe. It runs at a lower CPU priority (acks first; replies may wait a
moment). Work that is not named (closures over a form's state) runs in a small local pool.

Nothing is lost when the worker goes: `shutdown` lets it finish what it was handed; if it dies,
work is done in the web process instead; if the web process dies, the worker finishes what is
in the pipe and exits.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, TypeVar

from slack_sdk import WebClient

from handlers.common import Handoff, Work, run_logged

log = logging.getLogger(__name__)
T = TypeVar("T")
NICE = 10  # the worker's CPU priority, below the web process's
POLL = 1.0  # seconds: how often an idle worker checks that the web process is still there
JOIN_TIMEOUT = 60.0  # seconds `shutdown` waits for the worker to finish what it holds


class WorkerProcess(Handoff):
    def __init__(
        self,
        named: dict[str, Work],
        client: WebClient,
        *,
        threads: int,
        before_fork: Callable[[], None] = lambda: None,
        drain_in_worker: tuple[Executor, ...] = (),
    ) -> None:
        self._named = named
        self._client = client
        self._threads = threads
        self._before_fork = before_fork  # e.g. close pooled database connections
        self._drain = drain_in_worker  # executors the worker's work submits to
        self._context = multiprocessing.get_context("fork")
        self._queue: Any = None
        self._process: Any = None
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._in_worker = False
        self._lost = False

    # ------------------------------------------------------------------ web process
    def start(self) -> WorkerProcess:
        """Fork the worker. Call it before the web process starts any thread of its own."""
        self._before_fork()
        self._queue = self._context.Queue()
        # What exists now lives as long as the process: kept out of the collector's sight, so
        # that collections in either process do not copy the pages the two still share.
        gc.collect()
        gc.freeze()
        self._process = self._context.Process(
            target=self._work, name="ledningsbot-arbete", daemon=True
        )
        self._process.start()
        return self

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def hand_off(self, name: str, body: dict[str, Any]) -> None:
        if self._in_worker or not self.alive:
            if not self._in_worker and self._process is not None and not self._lost:
                self._lost = True
                log.error("the worker process is gone (exit code %s)", self._process.exitcode)
            self.submit(run_logged, self._named[name], body, self._client)
            return
        self._queue.put((name, body))  # never blocks: a feeder thread writes the pipe

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return self._local().submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        process = self._process
        if process is not None and not self._in_worker and process.is_alive():
            self._queue.put(None)
            if wait:
                process.join(JOIN_TIMEOUT)
                if process.is_alive():
                    log.error("the worker process did not finish in %.0f s", JOIN_TIMEOUT)
                    process.terminate()
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)

    def _local(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="work")
            return self._pool

    # ------------------------------------------------------------------ worker process
    def _work(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the web process; it stops us
        os.nice(NICE)
        self._in_worker = True
        parent = os.getppid()
        pool = self._local()
        while True:
            try:
                item = self._queue.get(timeout=POLL)
            except queue.Empty:
                if os.getppid() != parent:  # the web process died: the pipe is drained
                    break
                continue
            except (EOFError, OSError):
                log.exception("the pipe from the web process broke")
                break
            if item is None:
                break
            name, body = item
            work = self._named.get(name)
            if work is None:
                log.error("no work is named %r", name)
                continue
            pool.submit(run_logged, work, body, self._client)
        pool.shutdown(wait=True)
        for executor in self._drain:
            executor.shutdown(wait=True)
