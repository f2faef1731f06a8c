"""E-mail invitations (iMIP, RFC 6047) over SMTP.

A message is multipart/alternative: a plain-text part and ``text/calendar; method=…;
charset=utf-8`` (both quoted-printable, so any server takes them), which Outlook and Gmail show
with Accept/Decline. :class:`Mailer` keeps one connection for a batch and reconnects once when
the server hangs up; every failure is raised as :class:`MailError` for that one message, so the
caller can report it and go on with the next.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from types import TracebackType

from bot.core.context import SmtpConfig

IMPLICIT_TLS_PORT = 465


class MailError(Exception):
    """One message could not be sent. ``kind``: "refused" (the server said no to this
    recipient or message) or "unreachable" (no connection, TLS or login failed)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


def imip_message(
    *,
    sender: str,
    sender_name: str | None,
    to: str,
    to_name: str | None,
    subject: str,
    text: str,
    ics: bytes,
    method: str,
    now: datetime,
) -> EmailMessage:
    """The e-mail for one recipient: text/plain and text/calendar with the same METHOD."""
    message = EmailMessage(policy=SMTP)
    # Address objects quote names properly: "Andersson, Åsa" stays one address.
    message["From"] = Address(display_name=sender_name or "", addr_spec=sender)
    message["To"] = Address(display_name=to_name or "", addr_spec=to)
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(
        ics.decode("utf-8"),
        subtype="calendar",
        charset="utf-8",
        cte="quoted-printable",
        params={"method": method},
    )
    return message


class Mailer:
    """Sends messages over one SMTP connection, opened on first use, closed on exit."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None
        # Once connecting or logging in has failed, the rest of the batch fails at once:
        # 300 failed logins in a row can lock the account, 300 timeouts take 100 minutes.
        self._broken: MailError | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def send(self, message: EmailMessage, *, sender: str, recipient: str) -> None:
        if self._broken is not None:
            raise self._broken
        for attempt in (1, 2):
            try:
                smtp = self._connection()
            except (smtplib.SMTPException, OSError) as error:
                self._broken = MailError("unreachable", str(error) or type(error).__name__)
                raise self._broken from None
            try:
                refused = smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
            except smtplib.SMTPServerDisconnected as error:
                self._drop()
                if attempt == 2:
                    raise MailError("unreachable", str(error) or "disconnected") from None
                continue
            except smtplib.SMTPRecipientsRefused as error:
                code, reason = next(iter(error.recipients.values()), (0, b""))
                raise MailError("refused", _reply(code, reason)) from None
            except smtplib.SMTPResponseException as error:
                if error.smtp_code in (421,):  # the server is closing the channel
                    self._drop()
                raise MailError("refused", _reply(error.smtp_code, error.smtp_error)) from None
            except (smtplib.SMTPException, OSError) as error:
                self._drop()
                raise MailError("unreachable", str(error) or type(error).__name__) from None
            if refused:
                code, reason = next(iter(refused.values()))
                raise MailError("refused", _reply(code, reason))
            return

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
            self._drop()

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        config = self.config
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if config.port == IMPLICIT_TLS_PORT:
            smtp = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        try:
            smtp.ehlo()
            if config.starttls and config.port != IMPLICIT_TLS_PORT:
                smtp.starttls(context=context)
                smtp.ehlo()
            if config.user:
                smtp.login(config.user, config.password or "")
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError):
                self._smtp.close()
        self._smtp = None


def _reply(code: int, reason: bytes | str) -> str:
    text = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
    return f"{code} {text}".strip()
