"""`invite`: inviting an organ of 300 members, through the Slack stand-in and a real SMTP server.

The production path without the slash command around it: ``/mote bjud in`` plans (members from
``conversations.members``, names and e-mails from one paged ``users.list``, one write
transaction of claims), then ``handlers.listeners.calendar.send_invites`` delivers — a DM with
buttons and the .ics uploaded into it (``files_upload_v2``, into the DM channel named in
``chat.postMessage``'s answer) per member, and an iMIP e-mail per member to aiosmtpd on
loopback. The Web API calls are counted: per invitee, and for the planning.

The stand-in enforces Slack's limits on ``chat.postMessage``: about 1 message/s per channel
with a small burst, and a workspace-wide cap (``WORKSPACE_PER_MINUTE``, with a burst of as
many), answering 429 with Retry-After. Each DM has its own channel, so the workspace cap is the
one that bites. The client's RateLimitErrorRetryHandler and the postman wait them out.

Target (issue): every DM and e-mail out, within the limit, no 429 left unhandled; at most the
DM and its file per invitee (no conversations.open).

Run: ``python -m benchmarks.bench_invite [--quick]`` (or through ``python -m benchmarks``).
"""

from __future__ import annotations

import argparse
import math
import socket
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from slack_sdk import WebClient

from benchmarks.common import Environment, Options, table, verdict, write_result
from bot import commands
from bot.calendar import invites
from bot.core.clock import STOCKHOLM, FixedClock
from bot.core.context import CalendarConfig, Ctx, Product, SmtpConfig
from handlers.deliver import retry_handlers
from handlers.directory import SlackDirectory
from handlers.listeners.calendar import SlackPostman
from handlers.slack_standin import RESPONSE_URL_METHOD, UPLOAD_METHOD, Call, LocalSlack, RateLimits
from storage.db import Database

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ADMIN = "U0ADMIN"


class _Inbox:
    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.count += len(envelope.rcpt_tos)
        return "250 OK"


class _LoopbackSMTP(Controller):
    def __init__(self, handler: _Inbox) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        super().__init__(handler, hostname="127.0.0.1", port=self._sock.getsockname()[1])

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock)


def run(env: Environment | None, options: Options) -> dict[str, Any]:
    members = 30 if options.quick else 300
    per_minute = 24 if options.quick else 180
    limits = RateLimits(per_channel_per_second=1.0, burst=3, workspace_per_minute=per_minute)
    print(
        f"== invite: an organ of {members} members; chat.postMessage limited to 1/s per "
        f"channel (burst 3) and {per_minute}/min in the workspace"
    )
    tmp = env.tmp if env is not None else Path(tempfile.mkdtemp(prefix="ledningsbot-invite-"))
    db = Database(f"sqlite:///{tmp / 'invite.db'}")
    db.upgrade()
    inbox = _Inbox()
    smtp = _LoopbackSMTP(inbox)
    smtp.start()
    people = [f"U{n:05d}" for n in range(1, members + 1)]
    try:
        with LocalSlack(rate_limits=limits) as slack:
            slack.add_user(ADMIN, "sekreterare", email="sekreterare@region.example", is_admin=True)
            for n, user_id in enumerate(people, 1):
                slack.add_user(user_id, f"person{n}", email=f"person{n}@region.example")
            slack.set_members("C0LG", [*people, "UBOT"])
            app = Product(
                db=db,
                clock=FixedClock(NOW),
                tz=STOCKHOLM,
                admins=frozenset({ADMIN}),
                calendar=CalendarConfig(
                    invite_from="ledningsbot@region.example",
                    smtp=SmtpConfig("127.0.0.1", smtp.port, starttls=False),
                ),
            )
            client = WebClient(
                token="xoxb-bench", base_url=slack.url, retry_handlers=retry_handlers()
            )
            ctx = Ctx(app, ADMIN, "C0LG", SlackDirectory(client))
            commands.run(ctx, "/organ", "ny LG Ledningsgrupp för samordning <#C0LG|lg>")
            commands.run(ctx, "/mote", "ny workshop 17 december 9-16 Regionhuset")

            slack.clear()
            began = time.perf_counter()
            reply = commands.run(ctx, "/mote", "bjud in LG-261217")
            planned = time.perf_counter() - began
            planning_calls = _web_api(slack.calls())
            batch = reply.invites
            assert batch is not None, reply.message.fallback
            postman = SlackPostman(client)
            report = invites.deliver(app, batch, postman)
            total = time.perf_counter() - began
            delivered = {c.args["channel"] for c in slack.calls("chat.postMessage")}
            rejected = slack.rejected("chat.postMessage")
            uploads = len(slack.uploaded_files())
            delivery_calls = _web_api(slack.calls())[len(planning_calls) :]
    finally:
        smtp.stop()
        db.dispose()

    burst = min(per_minute, members)
    floor = max(0.0, (members - burst) / (per_minute / 60.0))
    unhandled = members - len(delivered & set(people))
    per_invitee = len(delivery_calls) / members
    by_method = {m: delivery_calls.count(m) / members for m in sorted(set(delivery_calls))}
    rows = [
        ["Web API calls per invitee", round(per_invitee, 2)],
        *([f"  {method}", round(n, 2)] for method, n in by_method.items()),
        ["Web API calls to plan (members, people, sender)", len(planning_calls)],
        ["members invited", members],
        ["DMs delivered", report.dms],
        ["files uploaded", uploads],
        ["e-mails received", inbox.count],
        ["429 answers from the stand-in", len(rejected)],
        ["429s waited out by the postman", postman.rate_limited],
        ["DMs never delivered (unhandled)", unhandled],
        ["failures reported", len(report.failures)],
        ["planning s (members, e-mails, claims)", round(planned, 2)],
        ["total s", round(total, 1)],
        ["least possible s under the limit", round(floor, 1)],
    ]
    print(table(["what", "value"], rows))
    ok = (
        report.dms == members
        and inbox.count == members
        and uploads == members
        and unhandled == 0
        and not report.failures
        and per_invitee <= 3  # chat.postMessage + getUploadURLExternal + completeUploadExternal
        and "conversations.open" not in by_method
    )
    print(
        "  every DM, file and e-mail out, no 429 left unhandled, the DM and its file per "
        f"invitee: {verdict(ok)}"
    )
    data = {
        "members": members,
        "workspace_per_minute": per_minute,
        "dms": report.dms,
        "uploads": uploads,
        "emails": inbox.count,
        "rate_limited_429": len(rejected),
        "unhandled": unhandled,
        "failures": len(report.failures),
        "web_api_calls_per_invitee": round(per_invitee, 3),
        "web_api_calls_per_invitee_by_method": by_method,
        "planning_web_api_calls": len(planning_calls),
        "planning_s": round(planned, 3),
        "total_s": round(total, 3),
        "floor_s": round(floor, 3),
        "slowdown_vs_floor": round(total / floor, 2) if floor else math.nan,
        "met": ok,
    }
    if not options.quick:
        write_result("invite", options, data)
    return data


def _web_api(calls: list[Call]) -> list[str]:
    """The Web API methods called, in order (not response URLs or the upload to a file URL)."""
    return [c.method for c in calls if c.method not in (RESPONSE_URL_METHOD, UPLOAD_METHOD)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_invite")
    parser.add_argument("--quick", action="store_true", help="30 members, 24 messages/min")
    args = parser.parse_args(argv)
    run(None, replace(Options(), quick=args.quick))
    return 0


if __name__ == "__main__":
    sys.exit(main())
