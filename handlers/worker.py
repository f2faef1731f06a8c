"""The work after each ack, in a worker process: the web process only verifies, acks and hands
over the request body, so an ack never waits for the interpreter lock behind other commands'
work (measured: benchmarks/ack.py; with a thread pool in the same process, acks with 20 clients
sending back to back took 4× as long as a bare Bolt app's; with this process, 1.5×).

The worker is a fork of the web process taken after every handler is registered, so it holds
the same registry of named work (`Deps.work`) and needs only the name and the body: nothing
but the request's plain data crosses the pipe. It runs at a lower CPU priority (acks first;
replies may wait a moment). Work that is not named (closures over a form's state) runs in a
small local pool.

Nothing is lost when the worker goes: `shutdown` lets it finish what it was handed; if it dies,
the web process does what was left in the pipe and all work from then on; if the web process
dies, the worker finishes what is in the pipe and exits. (Work the worker had already begun when
it was killed is lost, as it would be with threads in a killed process.)

The pipe is a plain `multiprocessing.Pipe` with one writer (a feeder thread here, so that a
hand-off never blocks on a full pipe) and one reader at a time (the worker; after its death,
the web process). `multiprocessing.Queue` would not do: its reader holds a lock while it waits,
and a killed worker would take that lock, and what was left in the pipe, with it.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import multiprocessing.connection
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
Item = tuple[str, dict[str, Any]]  # the name of the work, the request body
NICE = 19  # the worker's CPU priority: the lowest; acks first, whenever a core is short
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
        self._reader: Any = None
        self._writer: Any = None
        self._outbox: queue.SimpleQueue[Item | None] = queue.SimpleQueue()
        self._process: Any = None
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._in_worker = False
        # True until the worker runs, and again once it is gone or stopping: work is then done
        # here. Set under the lock, so no hand-off slips past the watcher's last look.
        self._here = True
        self._here_lock = threading.Lock()
        self._stopping = False

    # ------------------------------------------------------------------ web process
    def start(self) -> WorkerProcess:
        """Fork the worker. Call it before the web process starts any thread of its own."""
        self._before_fork()
        self._reader, self._writer = self._context.Pipe(duplex=False)
        # What exists now lives as long as the process: kept out of the collector's sight, so
        # that collections in either process do not copy the pages the two still share.
        gc.collect()
        gc.freeze()
        self._process = self._context.Process(
            target=self._work, name="ledningsbot-arbete", daemon=True
        )
        self._process.start()
        self._here = False
        threading.Thread(target=self._feed, name="worker-feed", daemon=True).start()
        threading.Thread(target=self._watch, name="worker-watch", daemon=True).start()
        return self

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def hand_off(self, name: str, body: dict[str, Any]) -> None:
        with self._here_lock:
            if not self._here:
                self._outbox.put((name, body))  # never blocks
                return
        self._run_here((name, body))

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return self._local().submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        process = self._process
        if process is not None and not self._in_worker and not self._stopping:
            self._stopping = True
            with self._here_lock:
                self._here = True  # whatever comes after this is done here
            self._outbox.put(None)  # after everything handed off: the worker's last item
            if wait:
                process.join(JOIN_TIMEOUT)
                if process.is_alive():
                    log.error("the worker process did not finish in %.0f s", JOIN_TIMEOUT)
                    process.terminate()
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)

    def _feed(self) -> None:
        """Write what is handed off into the pipe, in order, the end mark (None) last."""
        while True:
            item = self._outbox.get()
            self._writer.send(item)  # blocks while the pipe is full; hand_off does not
            if item is None:
                return

    def _watch(self) -> None:
        """Wait (asleep, in the kernel) for the worker to end. If it ends unasked, say so and
        do here what it left in the pipe; from then on all work is done here."""
        multiprocessing.connection.wait([self._process.sentinel])
        with self._here_lock:
            self._here = True
            if self._stopping:
                return
            self._outbox.put(None)  # after the last hand-off that went to the pipe
        self._process.join(POLL)  # reaped, so that its exit code is known
        log.error("the worker process is gone (exit code %s)", self._process.exitcode)
        while True:  # until the end mark: everything handed off before it has been read
            try:
                item = self._reader.recv()
            except Exception:  # the worker died halfway through reading a message
                log.exception("what the worker left in the pipe could not be read")
                return
            if item is None:
                return
            self._run_here(item)

    def _run_here(self, item: Item) -> None:
        name, body = item
        self.submit(run_logged, self._named[name], body, self._client)

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
        while True:
            if not self._reader.poll(POLL):
                if os.getppid() != parent:  # the web process died: the pipe is drained
                    break
                continue
            try:
                item = self._reader.recv()
            except (EOFError, OSError):
                log.exception("the pipe from the web process broke")
                break
            if item is None:
                break
            self._run_here(item)  # the names are the web process's: this is its fork
        self._local().shutdown(wait=True)
        for executor in self._drain:
            executor.shutdown(wait=True)
