"""A real SMTP server on loopback for the tests (aiosmtpd): what arrives is kept in an Inbox,
chosen recipients are refused."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

INVITE_FROM = "ledningsbot@region.example"


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    message: EmailMessage


class Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses chosen recipients."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self.refuse: set[str] = set()
        self._cond = threading.Condition()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._cond:
            self.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), message))
            self._cond.notify_all()
        return "250 Message accepted for delivery"

    def wait(self, count: int, timeout: float = 10.0) -> list[Mail]:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.mails) >= count, timeout):
                raise AssertionError(f"expected {count} mails, got {len(self.mails)}")
            return list(self.mails)

    def to(self, address: str) -> list[Mail]:
        with self._cond:
            return [m for m in self.mails if address in m.recipients]


class LoopbackSMTP(Controller):
    """aiosmtpd's Controller on 127.0.0.1 and a free port (port 0, bound before start)."""

    def __init__(self, handler: Inbox) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        super().__init__(handler, hostname="127.0.0.1", port=self._sock.getsockname()[1])

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock)
