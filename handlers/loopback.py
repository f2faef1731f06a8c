"""What the loopback stand-ins share: a listening socket on loopback, served by a daemon thread.

``LocalSlack`` (``handlers.slack_standin``, the Web API over HTTP) and ``LocalSocketMode``
(``handlers.socket_standin``, Socket Mode over WebSocket) serve different protocols, but start,
stop, the ``with`` block and the bound port are the same, and live here. A stand-in says four
things: how to bind (``_bind``, returning the listening socket), how to serve (``_serve_forever``,
run in the thread until the socket is closed), how to make serving end (``_interrupt``, called
by ``stop`` before the thread is joined), and what to let go of after (``_stopped``).

Stdlib only.
"""

from __future__ import annotations

import socket
import threading
from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self

__all__ = ["LoopbackServer"]


class LoopbackServer(ABC):
    """A server on ``host:port`` (port 0 = any free port), usable as ``with StandIn() as s:``.

    ``start()`` and ``stop()`` may be called again (a second call does nothing). ``_stopping``
    is set from ``stop()`` until the next ``start()``, for waits that it should cut short.
    """

    def __init__(self, host: str, port: int) -> None:
        self._host = host
        self._port = port
        self._stopping = threading.Event()
        self._listener: socket.socket | None = None
        self._serving: threading.Thread | None = None

    # -- what a stand-in says --------------------------------------------------------------

    @abstractmethod
    def _bind(self) -> socket.socket:
        """Bind and listen on ``(self._host, self._port)``; returns the listening socket."""

    @abstractmethod
    def _serve_forever(self) -> None:
        """Serve until ``_interrupt()``; runs in the server's daemon thread."""

    @abstractmethod
    def _interrupt(self) -> None:
        """Make ``_serve_forever`` return and close the listening socket."""

    @abstractmethod
    def _stopped(self) -> None:
        """Let go of what is left once serving has ended (the serving thread is joined)."""

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind and serve in a daemon thread. Returns self."""
        if self._listener is not None:
            return self
        self._stopping.clear()
        self._listener = self._bind()
        self._serving = threading.Thread(
            target=self._serve_forever, name=f"{type(self).__name__}:{self.port}", daemon=True
        )
        self._serving.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the socket and wait (5 s at most) for the thread to end."""
        if self._listener is None:
            return
        self._stopping.set()
        self._interrupt()
        if self._serving is not None:
            self._serving.join(timeout=5)
        self._stopped()
        self._listener = None
        self._serving = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (only once started)."""
        if self._listener is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return int(self._listener.getsockname()[1])
